"""7.1: the sentiment classifier (its accuracy measured on a labelled sample) and opinion alerts,
raised once per episode and open until someone records how they were handled."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts_ops import hooks, sentiment
from accounts_ops.models import AlertStatus, OpinionAlert
from accounts_ops.services import (
    OPINION_MIN_COMMENTS,
    OPINION_NEGATIVE_SHARE,
    OPINION_WINDOW_HOURS,
    opinion_alert_handle,
    opinion_alerts_check,
)
from accounts_ops.tasks import opinion_alerts_all_agencies_task, opinion_alerts_task
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import OpinionAlertFactory, VideoCommentFactory
from tests.factories import PlatformAccountFactory, VideoFactory

SAMPLE = Path(__file__).parent / "data" / "sentiment_sample.csv"


def labelled_sample() -> list[tuple[str, str]]:
    with SAMPLE.open(encoding="utf-8") as handle:
        return [(row["label"], row["text"]) for row in csv.DictReader(handle)]


def test_the_labelled_sample_is_large_and_balanced():
    counts = Counter(label for label, _text in labelled_sample())
    assert sum(counts.values()) >= 200
    assert set(counts) == set(sentiment.LABELS)
    assert max(counts.values()) - min(counts.values()) <= 10


def test_the_classifier_is_accurate_enough_on_the_labelled_sample():
    sample = labelled_sample()
    right = sum(sentiment.classify(text)[0] == label for label, text in sample)
    accuracy = right / len(sample)
    assert accuracy >= sentiment.ACCURACY_FLOOR, f"accuracy {accuracy:.3f} ({right} of {len(sample)})"
    assert abs(accuracy - sentiment.ACCURACY_MEASURED) < 0.005  # the figure the docs state


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
