"""7.1: the sentiment classifier (the pipeline on a few comments of each kind; its figures on the
labelled sets come from ``bench/sentiment.py``) and opinion alerts, raised once per episode and
open until someone records how they were handled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts_ops import hooks, sentiment, sentiment_lexicon
from accounts_ops.models import AlertStatus, OpinionAlert
from accounts_ops.rules import OPINION_MIN_COMMENTS, OPINION_NEGATIVE_SHARE, OPINION_WINDOW_HOURS
from accounts_ops.services.comments import opinion_alert_handle, opinion_alerts_check
from accounts_ops.tasks import opinion_alerts_all_agencies_task, opinion_alerts_task
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import OpinionAlertFactory, VideoCommentFactory
from tests.factories import PlatformAccountFactory, VideoFactory

# A few comments of each kind the classifier must read as people mean them. How well it does on
# the labelled sets is measured by ``python bench/sentiment.py``, never asserted here.
CASES = [
    ("看饿了，明天就去", sentiment.POSITIVE),  # a compliment a review-trained model reads as negative
    ("已下单", sentiment.POSITIVE),
    ("码住了，周末带爸妈去[赞]", sentiment.POSITIVE),
    ("毛肚脆，锅底香，不踩雷", sentiment.POSITIVE),  # a negated warning is praise
    ("请问地址在哪里？几点开门", sentiment.NEUTRAL),
    ("好吃吗", sentiment.NEUTRAL),  # asked about, not said
    ("@小王 你看这个", sentiment.NEUTRAL),
    ("互关互赞，加V了解推广合作，超值福利", sentiment.NEUTRAL),  # an ad, whatever praise it carries
    ("避雷！上菜慢，菜还是凉的", sentiment.NEGATIVE),
    ("不好吃", sentiment.NEGATIVE),
    ("服务员态度好到我想报警[微笑]", sentiment.NEGATIVE),  # sarcasm
    ("这也叫招牌菜？还不如食堂", sentiment.NEGATIVE),  # a rhetorical question
    ("智商税，用了一周没任何效果，退钱", sentiment.NEGATIVE),
]


@pytest.mark.parametrize(("text", "label"), CASES)
def test_comments_are_read_as_short_video_audiences_mean_them(text, label):
    got, score = sentiment.classify(text)
    assert got == label, f"{text!r} read as {got}"
    if label == sentiment.POSITIVE:
        assert score > 0.5
    if label == sentiment.NEGATIVE:
        assert score < 0.5


def test_a_text_the_lexicon_does_not_reach_goes_to_the_fallback_model():
    fallback = sentiment.Fallback(
        [
            (sentiment.POSITIVE, "甲乙丙丁"),
            (sentiment.POSITIVE, "甲乙丙戊"),
            (sentiment.NEUTRAL, "庚辛壬癸"),
            (sentiment.NEGATIVE, "子丑寅卯"),
        ]
    )
    assert sentiment.classify("甲乙丙丁甲乙", fallback=fallback)[0] == sentiment.POSITIVE
    assert sentiment.classify("子丑寅卯子丑", fallback=fallback)[0] == sentiment.NEGATIVE
    assert sentiment.classify("庚辛壬癸庚辛", fallback=fallback)[0] == sentiment.NEUTRAL
    assert sentiment.classify("甲乙", fallback=fallback)[0] == sentiment.NEUTRAL  # too short to guess
    assert sentiment.classify("甲乙丙丁好吃", fallback=fallback)[0] == sentiment.POSITIVE  # the lexicon first


def test_the_lexicon_refuses_a_phrase_listed_twice():
    with pytest.raises(ValueError, match="好吃"):
        sentiment_lexicon._weighted((3, "好吃 美味"), (2, "好吃"))


def test_the_tuning_set_is_well_formed():
    rows = sentiment.labelled_comments()
    assert len(rows) >= 400
    assert {row["label"] for row in rows} == set(sentiment.LABELS)
    assert {row["domain"] for row in rows} == {"restaurant", "retail", "beauty", "local_service"}
    assert all(row["text"].strip() for row in rows)
    assert len({row["text"] for row in rows}) == len(rows)  # no comment twice


def test_classify_answers_a_label_and_a_score():
    for text in ("难吃，再也不来了", "太好吃了，强烈推荐", "几点开门", ""):
        label, score = sentiment.classify(text)
        assert label in sentiment.LABELS and 0 <= score <= 1
    assert sentiment.classify("")[0] == sentiment.NEUTRAL


def test_the_classifier_is_offered_to_the_evaluation_app():
    from evaluation.sentiment import classify_sentiment, register_sentiment_classifier

    hooks.register()
    try:
        assert classify_sentiment("服务太差了，再也不来了") == "negative"
    finally:
        register_sentiment_classifier(None)


# --- opinion alerts --------------------------------------------------------------------------


@pytest.fixture
def video(world):
    return VideoFactory(account=PlatformAccountFactory(client=world.client_a1))


def comments(video, negative: int, other: int, hours_ago: float = 1):
    posted = timezone.now() - dt.timedelta(hours=hours_ago)
    for _ in range(negative):
        VideoCommentFactory(account=video.account, video=video, sentiment="negative", posted_at=posted)
    for _ in range(other):
        VideoCommentFactory(account=video.account, video=video, sentiment="positive", posted_at=posted)


def check(world, now=None):
    with tenant_context(world.agency_a):
        return opinion_alerts_check(now=now)


def test_a_spike_of_negative_comments_raises_one_alert_per_episode(world, video):
    minimum = world.agency_a.setting(OPINION_MIN_COMMENTS)
    comments(video, negative=minimum, other=minimum)  # half negative: above the default 30%
    assert check(world).raised == 1
    assert check(world).raised == 0  # the same episode
    alert = OpinionAlert.dangerously_all_agencies.get()
    assert alert.status == AlertStatus.OPEN and alert.negative_share == Decimal("0.5000")
    assert alert.threshold == Decimal(str(world.agency_a.setting(OPINION_NEGATIVE_SHARE))).quantize(Decimal("0.0001"))


def test_the_episode_ends_when_the_share_falls_and_a_new_spike_after_handling_is_a_new_alert(world, video):
    minimum = world.agency_a.setting(OPINION_MIN_COMMENTS)
    window = world.agency_a.setting(OPINION_WINDOW_HOURS)
    comments(video, negative=minimum, other=0)
    check(world)
    later = timezone.now() + dt.timedelta(hours=window + 1)  # the spike has left the window
    assert check(world, now=later).ended == 1
    alert = OpinionAlert.dangerously_all_agencies.get()
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        opinion_alert_handle(actor=actor, alert=alert, note="Apologised in the comments; refunded two tables")
    comments(video, negative=minimum, other=0, hours_ago=-window)  # a new spike, in the later window
    assert check(world, now=later + dt.timedelta(minutes=1)).raised == 1
    assert OpinionAlert.dangerously_all_agencies.count() == 2


def test_too_few_comments_raise_no_alert(world, video):
    minimum = world.agency_a.setting(OPINION_MIN_COMMENTS)
    comments(video, negative=minimum - 1, other=0)
    assert check(world).raised == 0


def test_the_threshold_is_the_agencys_setting(world, video):
    world.agency_a.settings = {OPINION_NEGATIVE_SHARE.key: 0.6}
    world.agency_a.save()
    minimum = world.agency_a.setting(OPINION_MIN_COMMENTS)
    comments(video, negative=minimum, other=minimum)  # 50%: below the agency's 60%
    assert check(world).raised == 0


def test_unclassified_and_own_comments_do_not_count(world, video):
    minimum = world.agency_a.setting(OPINION_MIN_COMMENTS)
    for _ in range(minimum):
        VideoCommentFactory(account=video.account, video=video, sentiment="")
        VideoCommentFactory(account=video.account, video=video, sentiment="negative", is_from_account=True)
    assert check(world).raised == 0


def test_an_account_has_at_most_one_open_alert(world, video):
    OpinionAlertFactory(account=video.account)
    with pytest.raises(IntegrityError), transaction.atomic():
        OpinionAlertFactory(account=video.account)


def test_an_alert_is_handled_only_with_a_note(world, video, api):
    alert = OpinionAlertFactory(account=video.account)
    refused = api(world.staff_a).post(reverse("opinionalert-handle", args=[alert.pk]), {"note": ""})
    assert refused.status_code == 400
    handled = api(world.staff_a).post(reverse("opinionalert-handle", args=[alert.pk]), {"note": "Called the fan"})
    assert handled.status_code == 200 and handled.json()["status"] == "handled"
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor), pytest.raises(ValidationError):
        opinion_alert_handle(actor=actor, alert=alert, note="again")


def test_the_alert_task_runs_per_agency_and_stays_in_it(world, video):
    minimum = world.agency_a.setting(OPINION_MIN_COMMENTS)
    comments(video, negative=minimum, other=0)
    theirs = VideoFactory(account=PlatformAccountFactory(client=world.client_b))
    comments(theirs, negative=minimum, other=0)
    assert opinion_alerts_task.delay(agency_id=world.agency_a.pk).get() == 1
    assert not OpinionAlert.dangerously_all_agencies.filter(agency=world.agency_b).exists()
    assert opinion_alerts_all_agencies_task.delay().get() == 2
    assert OpinionAlert.dangerously_all_agencies.count() == 2
