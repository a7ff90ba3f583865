"""7.1: comments arrive like metrics (bulk API, signed webhook, file), get a sentiment, and are
worked in the inbox: reply, pin, hide, assign, handle; guide comments are recorded as such."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts_ops.models import CommentAction, CommentStatus, VideoComment
from accounts_ops.services.comments import (
    comment_action_mark_done,
    comment_assign,
    comment_guide_post,
    comment_hide,
    comment_mark_handled,
    comment_pin,
    comment_reply,
    comments_classify_pending,
    comments_receive,
)
from accounts_ops.webhooks import sign
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import AutoReplySettingsFactory, VideoCommentFactory
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory, VideoFactory


def rows_for(video, count=3, text="毛肚很新鲜，下次还来"):
    posted = timezone.now() - dt.timedelta(hours=1)
    return [
        {
            "item_id": video.platform_item_id,
            "account": video.account_id,
            "comment_id": f"c-{n}",
            "comment_user_id": f"fan-{n}",
            "nick_name": f"粉丝{n}",
            "content": text,
            "create_time": int(posted.timestamp()),
            "digg_count": n,
        }
        for n in range(count)
    ]


@pytest.fixture
def video(world):
    return VideoFactory(account=PlatformAccountFactory(client=world.client_a1, platform_uid="acct-open-id"))


@pytest.fixture
def staff(world):
    return Membership.objects.get(user=world.staff_a).as_actor()


def test_bulk_comments_twice_store_each_comment_once(world, api, video):
    rows = rows_for(video)
    first = api(world.staff_a).post(reverse("videocomment-bulk"), {"rows": rows}, format="json")
    assert first.status_code == 201 and first.json()["created"] == 3
    rows[0]["digg_count"] = 40  # likes moved on; everything else the same
    second = api(world.staff_a).post(reverse("videocomment-bulk"), {"rows": rows}, format="json")
    assert second.json() == {"received": 3, "created": 0, "updated": 1, "unchanged": 2}
    assert VideoComment.dangerously_all_agencies.filter(video=video).count() == 3
    assert VideoComment.dangerously_all_agencies.get(platform_comment_id="c-0").like_count == 40


def test_a_bad_comment_row_is_named_and_nothing_is_stored(world, api, video):
    theirs = VideoFactory(account=PlatformAccountFactory(client=world.client_b))
    rows = rows_for(video, count=2)
    rows[1]["content"] = ""
    rows.append({**rows_for(theirs, count=1)[0], "comment_id": "x"})
    fields = (
        api(world.staff_a).post(reverse("videocomment-bulk"), {"rows": rows}, format="json").json()["error"]["fields"]
    )
    assert fields["rows[1].text"] == ["this field is required"]
    assert "rows[2].video" in fields
    assert not VideoComment.dangerously_all_agencies.exists()


def test_a_comment_dated_in_the_future_is_refused(world, video):
    row = rows_for(video, count=1)[0]
    row["create_time"] = int((timezone.now() + dt.timedelta(days=1)).timestamp())
    with tenant_context(world.agency_a), pytest.raises(ValidationError) as exc:
        comments_receive(actor=None, rows=[row])
    assert "rows[0].posted_at" in exc.value.message_dict


def test_new_comments_get_a_sentiment(world, video):
    rows = rows_for(video, count=1) + [
        {**rows_for(video, count=1)[0], "comment_id": "bad", "content": "难吃，服务员态度差，再也不来了"}
    ]
    with tenant_context(world.agency_a):
        comments_receive(actor=None, rows=rows)
        assert comments_classify_pending() == 2
        assert comments_classify_pending() == 0  # idempotent
    bad = VideoComment.dangerously_all_agencies.get(platform_comment_id="bad")
    assert bad.sentiment == "negative" and 0 <= bad.sentiment_score < 0.3 and bad.classified_at is not None


def test_the_accounts_own_comments_are_recognised_and_need_no_answer(world, video):
    row = {**rows_for(video, count=1)[0], "comment_user_id": "acct-open-id"}
    with tenant_context(world.agency_a):
        comments_receive(actor=None, rows=[row])
    comment = VideoComment.dangerously_all_agencies.get()
    assert comment.is_from_account and comment.status == CommentStatus.HANDLED and not comment.needs_answer


def test_one_comment_posted_to_the_list_is_stored_once(world, api, video):
    body = {
        "video": video.pk,
        "platform_comment_id": "p-1",
        "text": "好吃",
        "posted_at": timezone.now().isoformat(),
    }
    assert api(world.staff_a).post(reverse("videocomment-list"), body, format="json").status_code == 201
    assert api(world.staff_a).post(reverse("videocomment-list"), body, format="json").status_code == 200
    assert VideoComment.dangerously_all_agencies.filter(platform_comment_id="p-1").count() == 1


def webhook(api, account, payload, secret):
    body = json.dumps(payload).encode()
    return api().post(
        reverse("videocomment-douyin-webhook", args=[account.pk]),
        body,
        content_type="application/json",
        HTTP_X_DOUYIN_SIGNATURE=sign(secret, body),
    )


def test_a_signed_comment_event_is_stored_once(world, api, video):
    settings = AutoReplySettingsFactory(account=video.account)
    event = {
        "event": "item_comment_reply",
        "from_user_id": "fan-9",
        "to_user_id": "acct-open-id",
        "content": json.dumps(
            {
                "comment_id": "w-1",
                "item_id": video.platform_item_id,
                "content": "几点开门呀",
                "create_time": int(timezone.now().timestamp()),
            }
        ),
    }
    assert webhook(api, video.account, event, settings.webhook_secret).status_code == 200
    assert webhook(api, video.account, event, settings.webhook_secret).json()["unchanged"] == 1
    comment = VideoComment.dangerously_all_agencies.get(platform_comment_id="w-1")
    assert (comment.author_uid, comment.source) == ("fan-9", "webhook")


def test_an_unsigned_comment_event_stores_nothing(world, api, video):
    AutoReplySettingsFactory(account=video.account)
    event = {"event": "item_comment_reply", "content": {"comment_id": "w-2", "item_id": video.platform_item_id}}
    assert webhook(api, video.account, event, "wrong-secret").status_code == 401
    assert not VideoComment.dangerously_all_agencies.exists()


# --- the inbox --------------------------------------------------------------------------------


def test_a_reply_waits_for_the_connector_and_answers_the_comment(world, staff, video):
    comment = VideoCommentFactory(account=video.account, video=video)
    with tenant_context(world.agency_a, actor=staff):
        action = comment_reply(actor=staff, comment=comment, text="周末建议提前取号哦")
    comment.refresh_from_db()
    assert (action.kind, action.status) == ("reply", "queued")
    assert comment.status == CommentStatus.HANDLED and comment.replied_at is not None


def test_a_video_keeps_one_pinned_comment(world, staff, video):
    first = VideoCommentFactory(account=video.account, video=video)
    second = VideoCommentFactory(account=video.account, video=video)
    with tenant_context(world.agency_a, actor=staff):
        comment_pin(actor=staff, comment=first)
        comment_pin(actor=staff, comment=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_pinned, second.is_pinned) == (False, True)
    kinds = list(CommentAction.dangerously_all_agencies.order_by("id").values_list("comment_id", "kind"))
    assert kinds == [(first.pk, "pin"), (first.pk, "unpin"), (second.pk, "pin")]


def test_hiding_a_comment_needs_a_reason_and_handles_it(world, staff, video):
    comment = VideoCommentFactory(account=video.account, video=video, text="加微信领红包")
    with tenant_context(world.agency_a, actor=staff):
        with pytest.raises(ValidationError) as exc:
            comment_hide(actor=staff, comment=comment, note="")
        assert "note" in exc.value.message_dict
        comment_hide(actor=staff, comment=comment, note="spam")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.status == CommentStatus.HANDLED and "spam" in comment.handling_note


def test_comments_are_assigned_only_to_the_agencys_staff(world, staff, video):
    comment = VideoCommentFactory(account=video.account, video=video)
    operator = MembershipFactory(agency=world.agency_a, role="operator", user=UserFactory()).user
    with tenant_context(world.agency_a, actor=staff):
        comment_assign(actor=staff, comment=comment, assignee=operator)
        for outsider in (world.staff_b, world.viewer_a1):
            with pytest.raises(ValidationError) as exc:
                comment_assign(actor=staff, comment=comment, assignee=outsider)
            assert "assignee" in exc.value.message_dict
    comment.refresh_from_db()
    assert comment.assignee == operator


def test_marking_handled_needs_a_note_and_happens_once(world, staff, video):
    comment = VideoCommentFactory(account=video.account, video=video)
    with tenant_context(world.agency_a, actor=staff):
        with pytest.raises(ValidationError):
            comment_mark_handled(actor=staff, comment=comment, note=" ")
        comment_mark_handled(actor=staff, comment=comment, note="answered in the live stream")
        with pytest.raises(ValidationError):
            comment_mark_handled(actor=staff, comment=comment, note="again")


def test_a_guide_comment_is_recorded_as_such_and_takes_the_platforms_id(world, staff, video):
    with tenant_context(world.agency_a, actor=staff):
        guide = comment_guide_post(actor=staff, video=video, text="你们最爱哪种锅底？评论区告诉我们！")
        action = CommentAction.objects.get(comment=guide)
        comment_action_mark_done(actor=staff, action=action, platform_comment_id="7400001")
    guide.refresh_from_db()
    assert guide.is_guide and guide.is_from_account and action.kind == "guide"
    assert guide.platform_comment_id == "7400001"


def test_the_inbox_actions_through_the_api(world, api, video):
    comment = VideoCommentFactory(account=video.account, video=video)
    client = api(world.staff_a)
    assert client.post(reverse("videocomment-reply", args=[comment.pk]), {"text": "谢谢"}).status_code == 201
    assert client.post(reverse("videocomment-pin", args=[comment.pk])).status_code == 201
    assert client.post(reverse("videocomment-hide", args=[comment.pk]), {"note": "abuse"}).status_code == 201
    guide = client.post(reverse("videocomment-guide"), {"video": video.pk, "text": "猜猜新品是什么？"})
    assert guide.status_code == 201 and guide.json()["is_guide"] is True
    queued = client.get(reverse("commentaction-list"), {"status": "queued"}).json()["results"]
    assert {row["kind"] for row in queued} == {"reply", "pin", "hide", "guide"}


def test_client_people_read_their_comments_but_cannot_work_them(world, api, video):
    comment = VideoCommentFactory(account=video.account, video=video)
    viewer = api(world.viewer_a1)
    assert viewer.get(reverse("videocomment-detail", args=[comment.pk])).status_code == 200
    assert viewer.post(reverse("videocomment-reply", args=[comment.pk]), {"text": "x"}).status_code == 403
