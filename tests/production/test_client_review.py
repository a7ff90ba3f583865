"""The client portal's review of scripts and cuts (issue 22): approving asks for confirmation and
warns of the comments still open; a comment's time is written as mm:ss (or taken from the player);
client people read a cut in plain words, never its codecs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from production.forms import CommentForm, parse_timecode
from production.models import ReviewComment, ReviewRound, RoundStatus, ScriptStatus, Stage
from production.rules import CLIP_MIN_LONG_SIDE, CLIP_MIN_SHORT_SIDE, picture_quality
from tests.production.factories import (
    CutFactory,
    ReviewCommentFactory,
    ReviewRoundFactory,
    ScriptFactory,
    StoryboardShotFactory,
    project_for,
)
from tests.production.test_web import browser, page


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("65", Decimal("65")),
        ("65.5", Decimal("65.5")),
        ("01:05", Decimal("65")),
        ("1:05.25", Decimal("65.25")),
        ("1:05,5", Decimal("65.5")),
        (" 00:07 ", Decimal("7")),
        ("1:02:03", Decimal("3723")),
        ("0:59.999", Decimal("59.999")),
    ],
)
def test_a_time_is_read_as_minutes_and_seconds_or_as_seconds(typed, seconds):
    assert parse_timecode(typed) == seconds


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1:75", "the seconds after the colon go up to 59"),
        ("1:60:00", "the minutes after the hours go up to 59"),
        ("abc", "is not a time in the video"),
        ("-3", "is not a time in the video"),
        ("1::05", "is not a time in the video"),
        ("1:05.1234", "is not a time in the video"),
    ],
)
def test_a_time_that_is_not_one_is_refused_saying_how_to_write_it(typed, says):
    with pytest.raises(ValidationError) as refused:
        parse_timecode(typed)
    assert says in refused.value.messages[0] and typed in refused.value.messages[0]


def test_the_comment_form_names_the_time_field_when_it_is_wrong():
    form = CommentForm({"body": "Brighter", "timecode_seconds": "2:99"})
    assert not form.is_valid() and "go up to 59" in form.errors["timecode_seconds"][0]
    assert CommentForm({"body": "Brighter", "timecode_seconds": "00:03.5"}).is_valid()


def _open_round(world, **cut):
    project = project_for(world.client_a1, stage=Stage.CLIENT_REVIEW, title="Hotpot for two")
    return ReviewRoundFactory(project=project, cut=CutFactory(project=project, **cut))


def test_a_comment_typed_as_minutes_and_seconds_is_kept_in_seconds(world):
    round_ = _open_round(world, duration_seconds=Decimal("75"))
    approver = browser(world.approver_a1)
    url = reverse("production:review-action", args=[round_.pk, "comment"])
    assert approver.post(url, {"body": "Hold the close-up", "timecode_seconds": "01:05.5"}).status_code == 302
    assert ReviewComment.dangerously_all_agencies.get(round=round_).timecode_seconds == Decimal("65.5")

    refused = approver.post(url, {"body": "Too late", "timecode_seconds": "1:75"})
    assert refused.status_code == 400 and "the seconds after the colon go up to 59" in page(refused)
    past_end = approver.post(url, {"body": "Past the end", "timecode_seconds": "02:00"})
    assert past_end.status_code == 400 and "is past the end of cut" in page(past_end)
    assert ReviewComment.dangerously_all_agencies.filter(round=round_).count() == 1


def test_the_review_page_offers_the_players_current_time_for_a_comment(world):
    round_ = _open_round(world)
    text = page(browser(world.approver_a1).get(round_.get_absolute_url()))
    assert 'id="review-video"' in text
    assert 'data-current-time-for="id_timecode_seconds" data-player="review-video" hidden' in text
    assert "Use the current time" in text and "production/review.js" in text


THREAD = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "review-thread"}


def test_commenting_replying_and_resolving_swap_the_comments_and_stay_forms_without_scripts(world):
    round_ = _open_round(world, duration_seconds=Decimal("75"))
    approver, producer = browser(world.approver_a1), browser(world.staff_a)
    whole = page(approver.get(round_.get_absolute_url()))
    assert "<html" in whole and 'id="review-thread"' in whole
    thread = whole.split('id="review-thread"', 1)[1]
    comment_url = reverse("production:review-action", args=[round_.pk, "comment"])
    assert f'method="post" action="{comment_url}" hx-post="{comment_url}"' in thread  # a form either way

    added = approver.post(comment_url, {"body": "Hold the close-up", "timecode_seconds": "00:05"}, **THREAD)
    body = page(added)
    assert added.status_code == 200 and body.startswith('<div class="thread" id="review-thread"')
    assert "<html" not in body and "Comment added." in body and "Hold the close-up" in body
    assert "HX-Request" in added["Vary"]
    # The decision, outside the part, counts the comments still open: swapped with it, out of band.
    assert '<div id="decide-open" hx-swap-oob="true"><input type="hidden" name="open_seen" value="1">' in body
    assert "1 comment is still open." in body and 'id="approve-dialog"' in body
    comment = ReviewComment.dangerously_all_agencies.get(round=round_)

    refused = approver.post(comment_url, {"body": "Too late", "timecode_seconds": "1:75"}, **THREAD)
    assert refused.status_code == 400 and page(refused).startswith('<div class="thread"')
    assert "the seconds after the colon go up to 59" in page(refused)

    reply_url = reverse("production:review-action", args=[round_.pk, "reply"])
    replied = producer.post(reply_url, {"parent": comment.pk, "body": "Done in v2"}, **THREAD)
    assert replied.status_code == 200 and "Reply added." in page(replied) and "Done in v2" in page(replied)
    resolve_url = reverse("production:review-action", args=[round_.pk, "resolve"])
    resolved = producer.post(resolve_url, {"comment": comment.pk}, **THREAD)
    assert resolved.status_code == 200 and page(resolved).startswith('<div class="thread"')
    comment.refresh_from_db()
    assert comment.resolved_at is not None
    # Without htmx the same posts come back to the page.
    plain = producer.post(reverse("production:review-action", args=[round_.pk, "reopen"]), {"comment": comment.pk})
    assert plain.status_code == 302 and plain.url == round_.get_absolute_url()


def status_of(round_) -> str:
    return ReviewRound.dangerously_all_agencies.get(pk=round_.pk).status


def _approve(person, round_, **data):
    return person.post(reverse("production:review-action", args=[round_.pk, "approve"]), data)


def test_approving_a_cut_first_asks_and_lists_the_comments_still_open(world):
    round_ = _open_round(world)
    earlier = ReviewRoundFactory(
        project=round_.project, number=0, status=RoundStatus.CHANGES_REQUESTED, decision_comment="Shorter"
    )
    ReviewCommentFactory(round=round_, body="Logo too small", timecode_seconds=Decimal("3"))
    ReviewCommentFactory(round=earlier, body="Music too loud", timecode_seconds=Decimal("4"))
    resolved = ReviewCommentFactory(round=round_, body="Typo in the title", timecode_seconds=Decimal("1"))
    resolved.resolved_at = timezone.now()
    resolved.save()
    parent = ReviewComment.dangerously_all_agencies.get(body="Logo too small")
    ReviewCommentFactory(round=round_, parent=parent, body="We will fix it", timecode_seconds=None)
    approver = browser(world.approver_a1)

    # The review page says it already, and holds the same warning for the dialog.
    review = page(approver.get(round_.get_absolute_url()))
    assert review.count("2 comments are still open.") == 2 and 'name="open_seen" value="2"' in review

    asked = _approve(approver, round_, comment="Fine by us")
    text = page(asked)
    assert asked.status_code == 200 and "Approve cut v" in text and "2 comments are still open." in text
    assert "Logo too small" in text and "Music too loud" in text
    assert "Typo in the title" not in text and "We will fix it" not in text  # resolved, and a reply
    assert 'name="confirmed" value="1"' in text and "Fine by us" in text  # the comment is carried
    assert status_of(round_) == RoundStatus.OPEN

    # A comment added after the warning was read asks again.
    ReviewCommentFactory(round=round_, body="One more thing", timecode_seconds=Decimal("5"))
    again = _approve(approver, round_, comment="Fine by us", confirmed="1", open_seen="2")
    assert "The comments changed since you looked" in page(again) and "3 comments are still open." in page(again)
    assert status_of(round_) == RoundStatus.OPEN

    done = _approve(approver, round_, comment="Fine by us", confirmed="1", open_seen="3")
    assert done.status_code == 302 and done.url == reverse("production:client-home")
    round_.refresh_from_db()
    assert (round_.status, round_.decision_comment) == (RoundStatus.APPROVED, "Fine by us")


def test_without_open_comments_the_confirmation_says_so(world):
    round_ = _open_round(world)
    text = page(_approve(browser(world.approver_a1), round_))
    assert "No comment is open." in text and "is still open" not in text and "are still open" not in text
    assert _approve(browser(world.approver_a1), round_, confirmed="1", open_seen="0").status_code == 302


def test_a_round_already_decided_is_refused_without_a_confirmation_step(world):
    round_ = _open_round(world)
    round_.status = RoundStatus.WITHDRAWN
    round_.save()
    refused = browser(world.approver_a1).post(
        reverse("production:review-action", args=[round_.pk, "approve"]), {}, follow=True
    )
    assert "is closed" in page(refused) and "Yes, approve" not in page(refused)


def test_asking_for_changes_needs_no_confirmation(world):
    round_ = _open_round(world)
    browser(world.approver_a1).post(
        reverse("production:review-action", args=[round_.pk, "request-changes"]), {"comment": "Shorter"}
    )
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CHANGES_REQUESTED


def test_approving_a_script_first_asks_what_follows(world):
    project = project_for(world.client_a1, stage=Stage.SCRIPTING, title="Spicy night")
    script = ScriptFactory(project=project, status=ScriptStatus.SUBMITTED)
    StoryboardShotFactory(script=script)
    approver = browser(world.approver_a1)
    assert 'data-confirm="approve-dialog"' in page(approver.get(script.get_absolute_url()))
    url = reverse("production:script-action", args=[script.pk, "approve"])
    asked = page(approver.post(url, {"comment": "Good"}))
    assert "Approve script v1 of “Spicy night”?" in asked and "changes need a new version" in asked
    assert "No comment is open." not in asked  # scripts have no time-coded comments
    script.refresh_from_db()
    assert script.status == ScriptStatus.SUBMITTED
    assert approver.post(url, {"comment": "Good", "confirmed": "1", "open_seen": "0"}).status_code == 302
    script.refresh_from_db()
    assert script.status == ScriptStatus.APPROVED


@pytest.mark.parametrize(
    ("size", "words"),
    [
        ((CLIP_MIN_SHORT_SIDE, CLIP_MIN_LONG_SIDE), "4K ultra HD"),
        ((CLIP_MIN_LONG_SIDE, CLIP_MIN_SHORT_SIDE), "4K ultra HD"),
        ((CLIP_MIN_LONG_SIDE, CLIP_MIN_SHORT_SIDE - 1), "Full HD"),
        ((1080, 1920), "Full HD"),
        ((720, 1280), "HD"),
        ((480, 854), "Standard definition"),
    ],
)
def test_the_picture_quality_in_plain_words_follows_the_4k_of_5_2(size, words):
    with translation.override("en"):
        assert picture_quality(display_width=size[0], display_height=size[1]) == words


def test_client_people_read_a_cut_in_plain_words_and_staff_read_its_codecs(world):
    round_ = _open_round(
        world, display_width=1080, display_height=1920, duration_seconds=Decimal("75.4"), size_bytes=48_000_000
    )
    jargon = ("fps", "h264", "1080x1920", "MB", "Read")
    for person in (world.approver_a1, world.viewer_a1):
        text = page(browser(person).get(round_.get_absolute_url()))
        assert "Vertical video · 1:15 · Full HD" in text
        for word in jargon:
            assert word not in text.split('<div class="thread">')[0].split('class="player"')[1], (person, word)
    staff = page(browser(world.staff_a).get(round_.get_absolute_url()))
    assert "25 fps" in staff and "h264" in staff and "1080x1920" in staff and "Vertical video" not in staff
