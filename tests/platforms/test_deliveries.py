"""Deliveries: a queued 6.4 reply or 7.1 comment action of a connected account goes to the
platform once, with the platform's time and id kept; retries after a lost answer, an expired
token, a rate limit or a passing failure never post twice and never lose the reply."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accounts_ops.models import (
    CommentAction,
    CommentActionStatus,
    InboxMessage,
    InboxStatus,
    OutboxReply,
    OutboxStatus,
    VideoComment,
)
from accounts_ops.services.comments import comment_guide_post, comment_hide, comment_pin, comment_reply
from accounts_ops.services.inbox import inbox_reply
from agency.tenancy import tenant_context
from platforms import rules
from platforms.adapters.base import (
    Delivered,
    PlatformUnavailable,
    RateLimited,
    Refused,
    ScopeMissing,
)
from platforms.models import Connection, ConnectionStatus, Delivery, DeliveryKind, DeliveryStatus
from platforms.services.deliveries import deliver, delivery_key, delivery_request
from platforms.tasks import deliver_task, deliveries_due_task
from tests.accounts_ops.factories import InboxMessageFactory
from tests.factories import PlatformAccountFactory, VideoFactory
from tests.platforms import fakes
from tests.platforms.factories import actor_of, connect

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_as_in_production")]


@pytest.fixture
def shop(db, world, fake_platform):
    """Client a1's connected Douyin account and a message waiting for an answer."""
    connection = connect(fake_platform, client=world.client_a1)
    message = InboxMessageFactory(account=connection.account, conversation_id="conv-1", sender_uid="fan-1")
    return connection, message


def answer(world, message, text="您好，周末营业到十点") -> OutboxReply:
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), transaction.atomic():
        return inbox_reply(actor=actor, message=message, text=text)


def delivery_of(world, subject) -> Delivery:
    with tenant_context(world.agency_a):
        return Delivery.objects.get(subject_type=subject._meta.label_lower, subject_id=subject.pk)


def deliver_again(world, delivery: Delivery) -> Delivery:
    """Make the delivery due now and run it (the per-minute fan-out would, once it is due)."""
    with tenant_context(world.agency_a):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        Connection.objects.filter(pk=delivery.connection_id).update(not_before=None)
        return deliver(delivery.pk)


def reload(world, row):
    with tenant_context(world.agency_a):
        return type(row).objects.get(pk=row.pk)


def sends(fake_platform, method="send_message") -> list[dict]:
    return [kwargs for name, kwargs in fake_platform.delivered if name == method]


def lose_answers(monkeypatch, *, methods=("send_message", "reply_comment"), find_message=True) -> dict:
    """Install an adapter that carries out the next write and then loses its answer (a timeout
    after the platform accepted it). ``find_message`` gives it a way to look a message up."""
    pending = {"lose": set(methods)}

    class LosingAdapter(fakes.ConfiguredFakeAdapter):
        def _lose(self, method, delivered):
            if method in pending["lose"]:
                pending["lose"].discard(method)
                raise PlatformUnavailable("read timeout", maybe_done=True)
            return delivered

        def send_message(self, tokens, **kwargs):
            return self._lose("send_message", super().send_message(tokens, **kwargs))

        def reply_comment(self, tokens, **kwargs):
            return self._lose("reply_comment", super().reply_comment(tokens, **kwargs))

    if find_message:

        def find_message(self, tokens, *, conversation_id, to_user_id, text, since):
            self._enter("find_message", tokens)
            for name, kwargs in self.state.delivered:
                if name == "send_message" and kwargs["conversation_id"] == conversation_id and kwargs["text"] == text:
                    return Delivered(kwargs["platform_id"], since)
            return None

        LosingAdapter.find_message = find_message
    monkeypatch.setattr(fakes, "ConfiguredFakeAdapter", LosingAdapter)
    return pending


# --- 6.4 replies -----------------------------------------------------------------------------------


def test_a_reply_is_delivered_once_with_the_platforms_time_as_first_response(world, shop, fake_platform):
    connection, message = shop
    reply = answer(world, message)
    [sent] = sends(fake_platform)
    assert sent["conversation_id"] == "conv-1" and sent["to_user_id"] == "fan-1"
    assert sent["reply_to"] == message.platform_message_id and sent["text"] == "您好，周末营业到十点"
    delivery = delivery_of(world, reply)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.kind == DeliveryKind.MESSAGE_REPLY
    assert delivery.key == delivery_key(DeliveryKind.MESSAGE_REPLY, reply)
    assert delivery.connection_id == connection.pk and delivery.attempts == 1
    assert delivery.platform_id == sent["platform_id"]
    reply = reload(world, reply)
    assert reply.status == OutboxStatus.SENT and reply.platform_message_id == sent["platform_id"]
    assert reply.sent_at == delivery.accepted_at
    message = reload(world, message)
    assert message.status == InboxStatus.ANSWERED
    assert message.first_response_at == delivery.accepted_at
    assert message.first_response_seconds == int((delivery.accepted_at - message.received_at).total_seconds())


def test_the_first_response_is_the_time_the_platform_accepted_not_when_we_sent(world, shop, fake_platform, monkeypatch):
    _connection, message = shop
    accepted = timezone.now() - dt.timedelta(minutes=3)  # the platform's clock, behind ours

    class Stamped(fakes.ConfiguredFakeAdapter):
        def send_message(self, tokens, **kwargs):
            super().send_message(tokens, **kwargs)
            return Delivered("msg-stamped", accepted)

    monkeypatch.setattr(fakes, "ConfiguredFakeAdapter", Stamped)
    reply = answer(world, message)
    message = reload(world, message)
    assert message.first_response_at == accepted
    assert reload(world, reply).platform_message_id == "msg-stamped"


def test_a_second_request_or_task_for_the_same_reply_sends_nothing_more(world, shop, fake_platform):
    _connection, message = shop
    reply = answer(world, message)
    delivery = delivery_of(world, reply)
    with tenant_context(world.agency_a), transaction.atomic():
        again = delivery_request(kind=DeliveryKind.MESSAGE_REPLY, subject=reply, account=reply.account)
    assert again.pk == delivery.pk
    deliver_task.apply(kwargs={"agency_id": world.agency_a.pk, "delivery_id": delivery.pk})
    deliver_task.apply(kwargs={"agency_id": world.agency_a.pk, "delivery_id": delivery.pk})
    assert len(sends(fake_platform)) == 1
    assert reload(world, delivery).attempts == 1
    with tenant_context(world.agency_a):
        assert Delivery.objects.count() == 1


def test_a_lost_answer_is_looked_up_and_never_posted_twice(world, shop, fake_platform, monkeypatch):
    _connection, message = shop
    lose_answers(monkeypatch)
    reply = answer(world, message)
    delivery = delivery_of(world, reply)
    assert len(sends(fake_platform)) == 1  # the platform has it ...
    assert delivery.status == DeliveryStatus.UNCERTAIN  # ... but its answer was lost
    assert delivery.next_attempt_at > timezone.now()
    assert reload(world, reply).status == OutboxStatus.QUEUED
    delivery = deliver_again(world, delivery)
    assert len(sends(fake_platform)) == 1
    assert "find_message" in fake_platform.calls
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    reply = reload(world, reply)
    assert reply.status == OutboxStatus.SENT
    assert reply.platform_message_id == sends(fake_platform)[0]["platform_id"]


def test_a_lost_answer_the_platform_cannot_check_fails_for_a_person_to_look(world, shop, fake_platform, monkeypatch):
    _connection, message = shop
    lose_answers(monkeypatch, find_message=False)
    reply = answer(world, message)
    delivery = deliver_again(world, delivery_of(world, reply))
    assert len(sends(fake_platform)) == 1
    assert delivery.status == DeliveryStatus.FAILED and delivery.error_code == "cannot_check"
    reply = reload(world, reply)
    assert reply.status == OutboxStatus.FAILED and "look in the conversation" in reply.error


def test_a_worker_killed_while_sending_leaves_it_to_be_checked_not_resent(world, shop, fake_platform, monkeypatch):
    _connection, message = shop
    lose_answers(monkeypatch, methods=())
    with tenant_context(world.agency_a):
        reply = OutboxReply.objects.create(
            agency=world.agency_a,
            client_id=message.client_id,
            account=message.account,
            message=message,
            text="稍等",
            source="manual",
        )
    delivery = delivery_of(world, reply)
    assert delivery.status == DeliveryStatus.DELIVERED  # sent on commit
    # Another delivery caught "sending" by a second worker: left alone while it may be in flight.
    with tenant_context(world.agency_a):
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENDING, last_attempt_at=timezone.now(), accepted_at=None
        )
        assert deliver(delivery.pk).status == DeliveryStatus.SENDING
        Delivery.objects.filter(pk=delivery.pk).update(
            last_attempt_at=timezone.now() - rules.DELIVERY_SENDING_STALE - dt.timedelta(seconds=1)
        )
        assert deliver(delivery.pk).status == DeliveryStatus.DELIVERED  # found on the platform
    assert len(sends(fake_platform)) == 1


def test_an_expired_token_is_refreshed_and_the_send_retried_once(world, shop, fake_platform):
    connection, message = shop
    old_expiry = connection.expires_at
    fake_platform.expire_access_tokens()
    reply = answer(world, message)
    assert fake_platform.calls == ["send_message", "refresh", "send_message"]
    assert delivery_of(world, reply).status == DeliveryStatus.DELIVERED
    assert len(sends(fake_platform)) == 1
    connection = reload(world, connection)
    assert connection.refreshed_at is not None and connection.expires_at != old_expiry


def test_a_revoked_authorisation_asks_to_reconnect_and_the_reply_waits_then_fails_with_the_reason(
    world, shop, fake_platform
):
    connection, message = shop
    fake_platform.expire_access_tokens()
    fake_platform.revoked = True
    reply = answer(world, message)
    connection = reload(world, connection)
    assert connection.status == ConnectionStatus.RECONNECT and "refresh_token过期" in connection.problem
    delivery = delivery_of(world, reply)
    assert delivery.status == DeliveryStatus.QUEUED and "refresh_token过期" in delivery.error
    assert delivery.next_attempt_at > timezone.now()
    assert reload(world, reply).status == OutboxStatus.QUEUED
    for _attempt in range(rules.DELIVERY_MAX_ATTEMPTS - 1):
        delivery = deliver_again(world, delivery)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == rules.DELIVERY_MAX_ATTEMPTS
    assert delivery.error_code == "not_connected" and "refresh_token过期" in delivery.error
    reply = reload(world, reply)
    assert reply.status == OutboxStatus.FAILED and "refresh_token过期" in reply.error
    assert sends(fake_platform) == []


def test_a_rate_limit_waits_for_the_platforms_window(world, shop, fake_platform):
    connection, message = shop
    fake_platform.fail_next("send_message", RateLimited("访问频率过高", retry_after=120, code=2190004))
    before = timezone.now()
    reply = answer(world, message)
    delivery = delivery_of(world, reply)
    assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 0
    assert delivery.error_code == "2190004"
    window = delivery.next_attempt_at - before
    assert dt.timedelta(seconds=119) <= window <= dt.timedelta(seconds=125)
    assert reload(world, connection).not_before >= delivery.next_attempt_at - dt.timedelta(seconds=2)
    # Before the window nothing is sent, however often the task runs.
    with tenant_context(world.agency_a):
        assert deliver(delivery.pk).status == DeliveryStatus.QUEUED
    assert fake_platform.calls == ["send_message"]
    delivery = deliver_again(world, delivery)
    assert delivery.status == DeliveryStatus.DELIVERED and len(sends(fake_platform)) == 1


def test_a_refused_reply_fails_with_the_platforms_reason(world, shop, fake_platform):
    _connection, message = shop
    fake_platform.fail_next("send_message", Refused("超过48小时无法回复", code=40001))
    reply = answer(world, message)
    delivery = delivery_of(world, reply)
    assert delivery.status == DeliveryStatus.FAILED and delivery.error_code == "40001"
    assert delivery.error == "超过48小时无法回复"
    reply = reload(world, reply)
    assert reply.status == OutboxStatus.FAILED and reply.error == "超过48小时无法回复"
    assert reload(world, message).first_response_at is None


def test_a_missing_permission_fails_naming_the_scope(world, shop, fake_platform):
    connection, message = shop
    fake_platform.fail_next("send_message", ScopeMissing("无权限", scope="im.direct_message", code=2190015))
    reply = answer(world, message)
    delivery = delivery_of(world, reply)
    assert delivery.status == DeliveryStatus.FAILED and "im.direct_message" in delivery.error
    assert reload(world, connection).missing_scopes == ["im.direct_message"]


def test_garbage_from_the_platform_never_loses_the_reply(world, shop, fake_platform, monkeypatch):
    _connection, message = shop
    original = fakes.ConfiguredFakeAdapter
    fake_platform.fail_next("send_message", PlatformUnavailable("响应无法解析", code=502))
    reply = answer(world, message)
    delivery = delivery_of(world, reply)
    assert delivery.status == DeliveryStatus.QUEUED and delivery.error == "响应无法解析"
    assert delivery.next_attempt_at - delivery.last_attempt_at >= rules.DELIVERY_RETRY_DELAYS[0]
    assert reload(world, reply).status == OutboxStatus.QUEUED

    class Garbled(fakes.ConfiguredFakeAdapter):
        def send_message(self, tokens, **kwargs):
            super().send_message(tokens, **kwargs)
            return {"data": {"msg_id": None}}  # not what the interface promises

    monkeypatch.setattr(fakes, "ConfiguredFakeAdapter", Garbled)
    delivery = deliver_again(world, delivery)
    assert delivery.status == DeliveryStatus.UNCERTAIN  # it may be there: checked before any resend
    monkeypatch.setattr(fakes, "ConfiguredFakeAdapter", original)
    lose_answers(monkeypatch, methods=())
    delivery = deliver_again(world, delivery)
    assert delivery.status == DeliveryStatus.DELIVERED and len(sends(fake_platform)) == 1
    assert reload(world, reply).status == OutboxStatus.SENT


def test_passing_failures_fail_after_the_last_attempt_with_the_reason(world, shop, fake_platform):
    _connection, message = shop
    fake_platform.fail_next("send_message", *[PlatformUnavailable("503", code=503)] * rules.DELIVERY_MAX_ATTEMPTS)
    reply = answer(world, message)
    delivery = delivery_of(world, reply)
    delays = [delivery.next_attempt_at - delivery.last_attempt_at]
    for _attempt in range(rules.DELIVERY_MAX_ATTEMPTS - 1):
        delivery = deliver_again(world, delivery)
        if delivery.next_attempt_at:
            delays.append(delivery.next_attempt_at - delivery.last_attempt_at)
    assert delivery.status == DeliveryStatus.FAILED and delivery.error == "503"
    assert delays == sorted(delays) and delays[0] < delays[-1]
    assert reload(world, reply).status == OutboxStatus.FAILED
    assert sends(fake_platform) == []


def test_a_reply_of_an_account_without_connection_waits_in_the_outbox(world, fake_platform, db):
    account = PlatformAccountFactory(client=world.client_a1, platform="douyin")
    message = InboxMessageFactory(account=account)
    reply = answer(world, message)
    with tenant_context(world.agency_a):
        assert not Delivery.objects.exists()
    assert reload(world, reply).status == OutboxStatus.QUEUED
    assert fake_platform.calls == []


def test_a_reply_marked_sent_by_hand_before_the_connector_ran_is_not_sent(world, shop, fake_platform):
    _connection, message = shop
    with tenant_context(world.agency_a):
        Connection.objects.update(not_before=timezone.now() + dt.timedelta(minutes=5))
    reply = answer(world, message)
    with tenant_context(world.agency_a):
        OutboxReply.objects.filter(pk=reply.pk).update(status=OutboxStatus.SENT, sent_at=timezone.now())
    delivery = deliver_again(world, delivery_of(world, reply))
    assert delivery.status == DeliveryStatus.FAILED and delivery.error_code == "obsolete"
    assert sends(fake_platform) == []


def test_due_deliveries_are_sent_by_the_fan_out_and_others_left(world, shop, fake_platform):
    connection, message = shop
    later = InboxMessageFactory(account=connection.account, conversation_id="conv-later")
    with tenant_context(world.agency_a), transaction.atomic():
        reply = OutboxReply.objects.create(
            agency=world.agency_a,
            client_id=message.client_id,
            account=message.account,
            message=message,
            text="due",
            source="manual",
        )
        scheduled = OutboxReply(
            agency=world.agency_a,
            client_id=later.client_id,
            account=later.account,
            message=later,
            text="not yet",
            source="manual",
        )
        # Saved without the receiver's immediate request: asked for an hour from now.
        OutboxReply.objects.bulk_create([scheduled])
        delivery_request(
            kind=DeliveryKind.MESSAGE_REPLY,
            subject=scheduled,
            account=later.account,
            not_before=timezone.now() + dt.timedelta(hours=1),
        )
    first = delivery_of(world, reply)
    assert first.status == DeliveryStatus.DELIVERED
    assert [s["text"] for s in sends(fake_platform)] == ["due"]
    waiting = delivery_of(world, scheduled)
    assert waiting.status == DeliveryStatus.QUEUED
    assert deliveries_due_task.apply(kwargs={"agency_id": world.agency_a.pk}).get() == 0
    with tenant_context(world.agency_a):
        Delivery.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert deliveries_due_task.apply(kwargs={"agency_id": world.agency_a.pk}).get() == 1
    assert [s["text"] for s in sends(fake_platform)] == ["due", "not yet"]
    assert reload(world, waiting).status == DeliveryStatus.DELIVERED


# --- 7.1 comment actions ---------------------------------------------------------------------------


@pytest.fixture
def commented(shop, world):
    connection, _message = shop
    video = VideoFactory(account=connection.account, platform_item_id="item-9")
    with tenant_context(world.agency_a):
        comment = VideoComment.objects.create(
            agency=world.agency_a,
            client_id=video.client_id,
            account=video.account,
            video=video,
            platform_comment_id="c-1",
            author_uid="fan-2",
            text="多少钱？",
            posted_at=timezone.now() - dt.timedelta(hours=1),
        )
    return connection, video, comment


def act(world, service, **kwargs):
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), transaction.atomic():
        return service(actor=actor, **kwargs)


def test_a_comment_reply_is_delivered_and_keeps_the_platforms_comment_id(world, commented, fake_platform):
    _connection, _video, comment = commented
    action = act(world, comment_reply, comment=comment, text="人均80元")
    [sent] = sends(fake_platform, "reply_comment")
    assert sent == {"item_id": "item-9", "comment_id": "c-1", "text": "人均80元", "platform_id": sent["platform_id"]}
    action = reload(world, action)
    assert action.status == CommentActionStatus.SENT and action.platform_comment_id == sent["platform_id"]
    delivery = delivery_of(world, action)
    assert delivery.kind == DeliveryKind.COMMENT_REPLY and action.done_at == delivery.accepted_at


def test_a_lost_comment_reply_is_found_on_the_platform_not_posted_twice(world, commented, fake_platform, monkeypatch):
    _connection, _video, comment = commented
    lose_answers(monkeypatch)
    action = act(world, comment_reply, comment=comment, text="人均80元")
    delivery = delivery_of(world, action)
    assert delivery.status == DeliveryStatus.UNCERTAIN
    delivery = deliver_again(world, delivery)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(sends(fake_platform, "reply_comment")) == 1 and "find_comment_reply" in fake_platform.calls
    assert reload(world, action).platform_comment_id == sends(fake_platform, "reply_comment")[0]["platform_id"]


def test_a_guide_comment_is_posted_under_the_video_and_takes_the_platforms_id(world, commented, fake_platform):
    _connection, video, _comment = commented
    guide = act(world, comment_guide_post, video=video, text="你们最爱哪道菜？")
    [sent] = sends(fake_platform, "reply_comment")
    assert sent["item_id"] == "item-9" and sent["comment_id"] == "" and sent["text"] == "你们最爱哪道菜？"
    assert reload(world, guide).platform_comment_id == sent["platform_id"]


def test_pin_and_hide_are_carried_out(world, commented, fake_platform):
    _connection, _video, comment = commented
    pin = act(world, comment_pin, comment=comment, pinned=True)
    assert sends(fake_platform, "top_comment")[0]["top"] is True
    hide = act(world, comment_hide, comment=reload(world, comment), hidden=True, note="广告")
    assert sends(fake_platform, "hide_comment")[0] == {
        "item_id": "item-9",
        "comment_id": "c-1",
        "hidden": True,
        "platform_id": sends(fake_platform, "hide_comment")[0]["platform_id"],
    }
    assert reload(world, pin).status == CommentActionStatus.SENT
    assert reload(world, hide).status == CommentActionStatus.SENT
    kinds = {delivery_of(world, pin).kind, delivery_of(world, hide).kind}
    assert kinds == {DeliveryKind.COMMENT_TOP, DeliveryKind.COMMENT_HIDE}


def test_a_refused_comment_action_fails_with_the_reason(world, commented, fake_platform):
    _connection, _video, comment = commented
    fake_platform.fail_next("reply_comment", Refused("评论已删除", code=2190016))
    action = act(world, comment_reply, comment=comment, text="谢谢")
    action = reload(world, action)
    assert action.status == CommentActionStatus.FAILED and action.error == "评论已删除"
    with tenant_context(world.agency_a):
        assert CommentAction.objects.count() == 1 and InboxMessage.objects.count() == 1


def test_a_write_the_platform_cannot_do_fails_without_calling_it(world, shop, fake_platform, monkeypatch):
    _connection, message = shop

    class NoMessages(fakes.ConfiguredFakeAdapter):
        capabilities = fakes.FakeAdapter.capabilities - {"messages"}

    monkeypatch.setattr(fakes, "ConfiguredFakeAdapter", NoMessages)
    reply = answer(world, message)
    with tenant_context(world.agency_a):
        assert not Delivery.objects.exists()  # nothing asked of a platform that cannot do it
    with tenant_context(world.agency_a), transaction.atomic():
        delivery = delivery_request(kind=DeliveryKind.MESSAGE_REPLY, subject=reply, account=reply.account)
    delivery = reload(world, delivery)
    assert delivery.status == DeliveryStatus.FAILED and delivery.error_code == "not_offered"
    assert reload(world, reply).status == OutboxStatus.FAILED
    assert fake_platform.calls == []
