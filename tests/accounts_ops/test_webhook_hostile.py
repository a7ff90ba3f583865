"""Hostile but signed bodies for the two Douyin webhooks (6.4 private messages, 7.1 comments),
sent through the real endpoints: each is refused with the API's JSON error naming the field
(4xx, nothing stored), or accepted and stored as documented in ``accounts_ops.webhooks`` (ids
stripped, NUL removed from free text, lone surrogates replaced, display names cut to their
column). Never a server error, which the platform would retry for ever. Replays are idempotent.

The varchar limits and NUL refusals bite on PostgreSQL only; the suite runs on both."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts_ops.models import InboxMessage, OutboxReply, VideoComment
from accounts_ops.webhooks import sign
from tests.accounts_ops.factories import AutoReplySettingsFactory
from tests.factories import PlatformAccountFactory, VideoFactory

SECRET = "hostile-secret"
SHOP_UID = "shop-open-id"
FAN = "fan-open-id"
MISSING = object()  # a key left out of the event


@pytest.fixture
def shop(world):
    account = PlatformAccountFactory(client=world.client_a1, platform="douyin", platform_uid=SHOP_UID)
    AutoReplySettingsFactory(account=account, opens_at=None, closes_at=None, webhook_secret=SECRET)
    return account


@pytest.fixture
def video(shop):
    return VideoFactory(account=shop, platform_item_id="item-1")


@pytest.fixture
def web(client):
    client.raise_request_exception = False  # a server error is an answer to assert on, not a crash
    return client


def now_ms() -> int:
    return int(timezone.now().timestamp() * 1000)


def apply(base: dict, changes: dict) -> dict:
    out = dict(base)
    for key, value in changes.items():
        if value is MISSING:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def message_event(top=None, **content) -> dict:
    body = {
        "server_message_id": "srv-1",
        "conversation_short_id": "conv-1",
        "conversation_type": 1,
        "create_time": now_ms(),
        "message_type": "text",
        "text": "有优惠吗",
        "user_infos": [{"open_id": FAN, "nick_name": "抖音小王"}],
    }
    event = {
        "event": "im_receive_msg",
        "from_user_id": FAN,
        "to_user_id": SHOP_UID,
        "client_key": "awx",
        "log_id": "log-1",
        "content": apply(body, content),
    }
    return apply(event, top or {})


def comment_event(top=None, **content) -> dict:
    body = {
        "comment_id": "c-1",
        "item_id": "item-1",
        "content": "毛肚很新鲜",
        "create_time": int(timezone.now().timestamp()) - 60,
        "reply_to_comment_id": "",
        "digg_count": 3,
        "nick_name": "粉丝",
    }
    event = {
        "event": "item_comment_reply",
        "from_user_id": FAN,
        "to_user_id": SHOP_UID,
        "content": apply(body, content),
    }
    return apply(event, top or {})


def raw(payload) -> bytes:
    if isinstance(payload, bytes):
        return payload
    # ensure_ascii keeps lone surrogates as \\ud800 escapes: they reach the server as JSON sends them
    return json.dumps(payload).encode()


def deliver(web, route: str, account_id: int, payload, secret: str = SECRET):
    body = raw(payload)
    url = reverse(route, kwargs={"account_id": account_id})
    return web.post(url, data=body, content_type="application/json", HTTP_X_DOUYIN_SIGNATURE=sign(secret, body))


def assert_refused(response, field: str, status: int = 400) -> None:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status and error["code"]
    assert field in error.get("fields", {}), error
    assert error["message"].startswith(f"{field}: "), error


MESSAGES = "inboxmessage-douyin-webhook"
COMMENTS = "videocomment-douyin-webhook"

# --- bodies that are not the event's shape, for both webhooks ---------------------------------

NOT_EVENTS = [
    pytest.param(b"not json", "body", id="not-json"),
    pytest.param(b"\xff\xfe\x00garbage", "body", id="not-utf8"),
    pytest.param(b"", "body", id="empty"),
    pytest.param(b"[1, 2]", "body", id="list"),
    pytest.param(b'"im_receive_msg"', "body", id="string"),
    pytest.param(b"null", "body", id="null"),
    pytest.param(b"12", "body", id="number"),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, "body", id="nested-too-deep"),
    pytest.param(b'{"event": "im_receive_msg", "content": {"create_time": NaN}}', "body", id="nan"),
    pytest.param({"content": {}}, "event", id="event-missing"),
    pytest.param({"event": 5, "content": {}}, "event", id="event-number"),
    pytest.param({"event": ["im_receive_msg"], "content": {}}, "event", id="event-list"),
    pytest.param({"event": None}, "event", id="event-null"),
    pytest.param({"event": "verify_webhook", "content": "not json"}, "content", id="verify-content-not-json"),
    pytest.param({"event": "verify_webhook", "content": "[1]"}, "content", id="verify-content-json-list"),
    pytest.param({"event": "verify_webhook", "content": [1]}, "content", id="verify-content-list"),
    pytest.param({"event": "verify_webhook", "content": 7}, "content", id="verify-content-number"),
]


@pytest.mark.parametrize("route", [MESSAGES, COMMENTS])
@pytest.mark.parametrize("payload, field", NOT_EVENTS)
def test_a_body_that_is_not_an_event_is_refused_naming_the_field(world, web, shop, route, payload, field):
    assert_refused(deliver(web, route, shop.pk, payload), field)
    assert not InboxMessage.dangerously_all_agencies.exists()
    assert not VideoComment.dangerously_all_agencies.exists()


@pytest.mark.parametrize("route", [MESSAGES, COMMENTS])
@pytest.mark.parametrize("content", [{"challenge": 12345}, json.dumps({"challenge": "abc"}), ""])
def test_the_verification_challenge_is_answered(world, web, shop, route, content):
    response = deliver(web, route, shop.pk, {"event": "verify_webhook", "content": content})
    assert response.status_code == 200, response.content
    expected = content if isinstance(content, dict) else json.loads(content) if content else {}
    assert response.json() == {"challenge": expected.get("challenge")}


@pytest.mark.parametrize("route", [MESSAGES, COMMENTS])
def test_another_event_is_ignored(world, web, shop, route):
    response = deliver(web, route, shop.pk, {"event": "im_send_msg", "content": {"server_message_id": "x"}})
    assert response.status_code == 200 and response.json() == {"ignored": "im_send_msg"}


@pytest.mark.parametrize("route", [MESSAGES, COMMENTS])
@pytest.mark.parametrize("account_id", [0, 10**20])
def test_an_impossible_account_is_the_same_401(world, web, shop, route, account_id):
    response = deliver(web, route, account_id, message_event())
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_signature"


@pytest.mark.parametrize("route", [MESSAGES, COMMENTS])
def test_the_signature_is_checked_before_the_body_is_read(world, web, shop, route):
    response = deliver(web, route, shop.pk, b"not json", secret="wrong")
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_signature"


@pytest.mark.parametrize("route", [MESSAGES, COMMENTS])
@pytest.mark.parametrize("header", ["é" * 64, "sha256=" + "ü" * 64, " "])
def test_a_signature_that_is_not_hex_is_the_same_401(world, web, shop, route, header):
    """Not a server error: ``hmac.compare_digest`` refuses non-ASCII text."""
    url = reverse(route, kwargs={"account_id": shop.pk})
    response = web.post(url, data=raw(message_event()), content_type="application/json", HTTP_X_DOUYIN_SIGNATURE=header)
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_signature"
    assert not InboxMessage.dangerously_all_agencies.exists()


# --- private messages (6.4) ----------------------------------------------------------------------

LONG = "x" * 200
NUL = "a\x00b"
SURROGATE = "\ud800"


def stored(**expected):
    return ("stored", expected)


def refused(field):
    return ("refused", field)


C = "content."
MESSAGE_CASES = {
    # the body around the content
    "content-missing": ({"content": MISSING}, {}, refused("content")),
    "content-null": ({"content": None}, {}, refused("content")),
    "content-string-not-json": ({"content": "not json {"}, {}, refused("content")),
    "content-string-json-list": ({"content": "[1, 2]"}, {}, refused("content")),
    "content-string-json-string": ({"content": '"x"'}, {}, refused("content")),
    "content-list": ({"content": [1]}, {}, refused("content")),
    "content-number": ({"content": 5}, {}, refused("content")),
    # the message id
    "id-spaces": ({}, {"server_message_id": "  srv-1 "}, stored(platform_message_id="srv-1")),
    "id-number": ({}, {"server_message_id": 1234567890123}, stored(platform_message_id="1234567890123")),
    "id-128": ({}, {"server_message_id": "i" * 128}, stored(platform_message_id="i" * 128)),
    "id-200": ({}, {"server_message_id": LONG}, refused(C + "server_message_id")),
    "id-missing": ({}, {"server_message_id": MISSING}, refused(C + "server_message_id")),
    "id-null": ({}, {"server_message_id": None}, refused(C + "server_message_id")),
    "id-blank": ({}, {"server_message_id": "   "}, refused(C + "server_message_id")),
    "id-nul": ({}, {"server_message_id": NUL}, refused(C + "server_message_id")),
    "id-control": ({}, {"server_message_id": "a\nb"}, refused(C + "server_message_id")),
    "id-surrogate": ({}, {"server_message_id": "a" + SURROGATE}, refused(C + "server_message_id")),
    "id-float": ({}, {"server_message_id": 1.5}, refused(C + "server_message_id")),
    "id-bool": ({}, {"server_message_id": True}, refused(C + "server_message_id")),
    "id-list": ({}, {"server_message_id": ["srv-1"]}, refused(C + "server_message_id")),
    "id-object": ({}, {"server_message_id": {"id": "srv-1"}}, refused(C + "server_message_id")),
    # the sender
    "sender-spaces": ({"from_user_id": f" {FAN} "}, {}, stored(sender_uid=FAN, sender_nickname="抖音小王")),
    "sender-200": ({"from_user_id": LONG}, {}, refused("from_user_id")),
    "sender-missing": ({"from_user_id": MISSING}, {}, refused("from_user_id")),
    "sender-nul": ({"from_user_id": NUL}, {}, refused("from_user_id")),
    "sender-list": ({"from_user_id": [FAN]}, {}, refused("from_user_id")),
    "sender-number": ({"from_user_id": 42}, {}, stored(sender_uid="42", sender_nickname="")),
    # the receiver: compared, not stored
    "to-spaces": ({"to_user_id": f" {SHOP_UID} "}, {}, stored(platform_message_id="srv-1")),
    "to-missing": ({"to_user_id": MISSING}, {}, stored(platform_message_id="srv-1")),
    "to-another": ({"to_user_id": "someone-else"}, {}, refused("to_user_id")),
    "to-list": ({"to_user_id": [SHOP_UID]}, {}, refused("to_user_id")),
    "to-nul": ({"to_user_id": SHOP_UID + "\x00"}, {}, refused("to_user_id")),
    # the text: free text, stored safely
    "text-nul": ({}, {"text": "有\x00优惠吗"}, stored(text="有优惠吗")),
    "text-surrogate": ({}, {"text": "好" + SURROGATE}, stored(text="好\ufffd")),
    "text-null": ({}, {"text": None}, stored(text="")),
    "text-missing": ({}, {"text": MISSING}, stored(text="")),
    "text-long": ({}, {"text": "长" * 20_000}, stored(text="长" * 20_000)),
    "text-number": ({}, {"text": 5}, refused(C + "text")),
    "text-list": ({}, {"text": ["x"]}, refused(C + "text")),
    "text-object": ({}, {"text": {"t": "x"}}, refused(C + "text")),
    # the time
    "time-seconds": ({}, {"create_time": now_ms() // 1000}, stored(platform_message_id="srv-1")),
    "time-digits": ({}, {"create_time": str(now_ms())}, stored(platform_message_id="srv-1")),
    "time-missing": ({}, {"create_time": MISSING}, refused(C + "create_time")),
    "time-null": ({}, {"create_time": None}, refused(C + "create_time")),
    "time-text": ({}, {"create_time": "yesterday"}, refused(C + "create_time")),
    "time-bool": ({}, {"create_time": True}, refused(C + "create_time")),
    "time-list": ({}, {"create_time": [now_ms()]}, refused(C + "create_time")),
    "time-zero": ({}, {"create_time": 0}, refused(C + "create_time")),
    "time-negative": ({}, {"create_time": -1}, refused(C + "create_time")),
    "time-1999": ({}, {"create_time": 915148800000}, refused(C + "create_time")),
    "time-huge": ({}, {"create_time": 10**30}, refused(C + "create_time")),
    "time-huge-float": ({}, {"create_time": 1e308}, refused(C + "create_time")),
    "time-future": ({}, {"create_time": now_ms() + 86_400_000}, refused(C + "create_time")),
    # the type, the conversation
    "type-long": ({}, {"message_type": "t" * 50}, stored(message_type="t" * 20)),
    "type-null": ({}, {"message_type": None}, stored(message_type="text")),
    "type-number": ({}, {"message_type": 1}, refused(C + "message_type")),
    "type-nul": ({}, {"message_type": "te\x00xt"}, stored(message_type="text")),
    "conversation-number": ({}, {"conversation_short_id": 7001}, stored(conversation_id="7001")),
    "conversation-300": ({}, {"conversation_short_id": "c" * 300}, refused(C + "conversation_short_id")),
    "conversation-nul": ({}, {"conversation_short_id": NUL}, refused(C + "conversation_short_id")),
    "conversation-list": ({}, {"conversation_short_id": ["c"]}, refused(C + "conversation_short_id")),
    # the sender's nickname, from user_infos
    "infos-number": ({}, {"user_infos": 5}, refused(C + "user_infos")),
    "infos-string": ({}, {"user_infos": "abc"}, refused(C + "user_infos")),
    "infos-object": ({}, {"user_infos": {"open_id": FAN}}, refused(C + "user_infos")),
    "infos-null": ({}, {"user_infos": None}, stored(sender_nickname="")),
    "infos-not-objects": ({}, {"user_infos": [5, "x", None]}, stored(sender_nickname="")),
    "infos-open-id-spaces": (
        {},
        {"user_infos": [{"open_id": f" {FAN} ", "nick_name": "小王"}]},
        stored(sender_nickname="小王"),
    ),
    "nickname-nul": ({}, {"user_infos": [{"open_id": FAN, "nick_name": "小\x00王"}]}, stored(sender_nickname="小王")),
    "nickname-long": (
        {},
        {"user_infos": [{"open_id": FAN, "nick_name": "名" * 300}]},
        stored(sender_nickname="名" * 100),
    ),
    "nickname-surrogate": (
        {},
        {"user_infos": [{"open_id": FAN, "nick_name": SURROGATE}]},
        stored(sender_nickname="\ufffd"),
    ),
    "nickname-number": (
        {},
        {"user_infos": [{"open_id": FAN, "nick_name": 5}]},
        refused(C + "user_infos[0].nick_name"),
    ),
}


@pytest.mark.parametrize("top, content, outcome", MESSAGE_CASES.values(), ids=MESSAGE_CASES.keys())
def test_hostile_message_events(world, web, shop, top, content, outcome):
    response = deliver(web, MESSAGES, shop.pk, message_event(top, **content))
    assert response.status_code != 500, response.content
    kind, expected = outcome
    if kind == "refused":
        assert_refused(response, expected)
        assert not InboxMessage.dangerously_all_agencies.exists()
        return
    assert response.status_code == 200, response.content
    message = InboxMessage.dangerously_all_agencies.get()
    assert response.json() == {"id": message.pk, "duplicate": False}
    assert message.account_id == shop.pk and message.source == "webhook"
    for name, value in expected.items():
        assert getattr(message, name) == value, name


def test_a_content_given_as_a_json_string_is_read_like_an_object(world, web, shop):
    event = message_event()
    event["content"] = json.dumps(event["content"], ensure_ascii=False)
    response = deliver(web, MESSAGES, shop.pk, event)
    assert response.status_code == 200, response.content
    assert InboxMessage.dangerously_all_agencies.get().text == "有优惠吗"


@pytest.mark.parametrize(
    "ids",
    [
        ["srv-1", "srv-1"],
        ["  srv-1 ", "  srv-1 "],  # saved stripped, looked up as sent: was IntegrityError then DoesNotExist
        ["srv-1", " srv-1", "srv-1 ", "\tsrv-1\t"],
    ],
    ids=["same", "spaces-both", "spaces-varying"],
)
def test_a_replayed_message_is_stored_once(world, web, shop, ids):
    answers = [deliver(web, MESSAGES, shop.pk, message_event(server_message_id=i)) for i in ids]
    assert [a.status_code for a in answers] == [200] * len(ids), [a.content for a in answers]
    first = answers[0].json()["id"]
    assert [a.json() for a in answers[1:]] == [{"id": first, "duplicate": True}] * (len(ids) - 1)
    assert InboxMessage.dangerously_all_agencies.get().platform_message_id == "srv-1"
    assert OutboxReply.dangerously_all_agencies.count() <= 1  # an auto-reply, if any, is queued once


def test_a_replay_with_its_content_as_a_string_is_the_same_message(world, web, shop):
    event = message_event(server_message_id=" srv-1 ")
    first = deliver(web, MESSAGES, shop.pk, event)
    event["content"] = json.dumps(event["content"])
    replay = deliver(web, MESSAGES, shop.pk, event)
    assert first.status_code == replay.status_code == 200, replay.content
    assert replay.json() == {"id": first.json()["id"], "duplicate": True}
    assert InboxMessage.dangerously_all_agencies.count() == 1


def test_a_replay_racing_the_first_delivery_is_still_one_message(world, web, shop, monkeypatch):
    """The replay looks before the first delivery is visible (it commits just after): the unique
    constraint refuses the second row, and the stored message is found by the id as stored."""
    first = deliver(web, MESSAGES, shop.pk, message_event(server_message_id="srv-1"))
    manager = InboxMessage.objects
    look = manager.filter

    def blind(*args, **kwargs):
        rows = look(*args, **kwargs)
        return rows.none() if "platform_message_id__in" in kwargs else rows

    monkeypatch.setattr(manager, "filter", blind)
    replay = deliver(web, MESSAGES, shop.pk, message_event(server_message_id=" srv-1 "))
    assert replay.status_code == 200, replay.content
    assert replay.json() == {"id": first.json()["id"], "duplicate": True}
    assert InboxMessage.dangerously_all_agencies.count() == 1


def test_a_message_that_fails_halfway_leaves_nothing(world, web, shop, monkeypatch):
    """The message and its queued auto-reply are one transaction."""
    from tests.accounts_ops.factories import ReplyRuleFactory

    ReplyRuleFactory(account=shop, name="coupon", keywords=["优惠"], priority=20)

    def broken(*args, **kwargs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(OutboxReply.objects, "create", broken)
    response = deliver(web, MESSAGES, shop.pk, message_event())
    assert response.status_code == 500
    assert not InboxMessage.dangerously_all_agencies.exists()


# --- video comments (7.1) ------------------------------------------------------------------------

COMMENT_CASES = {
    "content-missing": ({"content": MISSING}, {}, refused("content")),
    "content-null": ({"content": None}, {}, refused("content")),
    "content-string-not-json": ({"content": "not json {"}, {}, refused("content")),
    "content-string-json-list": ({"content": "[1, 2]"}, {}, refused("content")),
    "content-list": ({"content": [1]}, {}, refused("content")),
    # the comment id
    "id-spaces": ({}, {"comment_id": "  c-1 "}, stored(platform_comment_id="c-1")),
    "id-number": ({}, {"comment_id": 7212345678901234567}, stored(platform_comment_id="7212345678901234567")),
    "id-200": ({}, {"comment_id": LONG}, refused(C + "comment_id")),
    "id-missing": ({}, {"comment_id": MISSING}, refused(C + "comment_id")),
    "id-blank": ({}, {"comment_id": " "}, refused(C + "comment_id")),
    "id-nul": ({}, {"comment_id": NUL}, refused(C + "comment_id")),
    "id-surrogate": ({}, {"comment_id": SURROGATE}, refused(C + "comment_id")),
    "id-list": ({}, {"comment_id": ["c-1"]}, refused(C + "comment_id")),
    "id-float": ({}, {"comment_id": 1.5}, refused(C + "comment_id")),
    "id-ours": ({}, {"comment_id": "local-1"}, refused(C + "comment_id")),
    # the video
    "item-spaces": ({}, {"item_id": " item-1 "}, stored(platform_comment_id="c-1")),
    "item-unknown": ({}, {"item_id": "item-404"}, refused(C + "item_id")),
    "item-missing": ({}, {"item_id": MISSING}, refused(C + "item_id")),
    "item-nul": ({}, {"item_id": "item\x00-1"}, refused(C + "item_id")),
    "item-200": ({}, {"item_id": LONG}, refused(C + "item_id")),
    "item-list": ({}, {"item_id": ["item-1"]}, refused(C + "item_id")),
    # our own names inside the content are not the platform's: never another account's video
    "ours-video": ({}, {"video": 999999, "account_id": 999999}, stored(platform_comment_id="c-1")),
    # the parent comment
    "parent-spaces": ({}, {"reply_to_comment_id": " c-0 "}, stored(parent_comment_id="c-0")),
    "parent-null": ({}, {"reply_to_comment_id": None}, stored(parent_comment_id="")),
    "parent-200": ({}, {"reply_to_comment_id": LONG}, refused(C + "reply_to_comment_id")),
    "parent-nul": ({}, {"reply_to_comment_id": NUL}, refused(C + "reply_to_comment_id")),
    "parent-object": ({}, {"reply_to_comment_id": {}}, refused(C + "reply_to_comment_id")),
    # the author
    "author-spaces": ({"from_user_id": f" {FAN} "}, {}, stored(author_uid=FAN)),
    "author-in-content": ({}, {"comment_user_id": "fan-2"}, stored(author_uid="fan-2")),
    "author-missing": ({"from_user_id": MISSING}, {}, stored(author_uid="")),
    "author-200": ({"from_user_id": LONG}, {}, refused("from_user_id")),
    "author-nul": ({"from_user_id": NUL}, {}, refused("from_user_id")),
    "author-list": ({"from_user_id": [FAN]}, {}, refused("from_user_id")),
    "author-content-nul": ({}, {"comment_user_id": NUL}, refused(C + "comment_user_id")),
    "author-is-account": ({"from_user_id": SHOP_UID}, {}, stored(author_uid=SHOP_UID, is_from_account=True)),
    "to-another": ({"to_user_id": "someone-else"}, {}, refused("to_user_id")),
    "to-list": ({"to_user_id": {}}, {}, refused("to_user_id")),
    # the text
    "text-nul": ({}, {"content": "毛肚\x00很新鲜"}, stored(text="毛肚很新鲜")),
    "text-surrogate": ({}, {"content": "好" + SURROGATE}, stored(text="好\ufffd")),
    "text-only-nul": ({}, {"content": "\x00"}, refused(C + "content")),
    "text-empty": ({}, {"content": ""}, refused(C + "content")),
    "text-missing": ({}, {"content": MISSING}, refused(C + "content")),
    "text-2001": ({}, {"content": "长" * 2001}, refused(C + "content")),
    "text-number": ({}, {"content": 5}, refused(C + "content")),
    "text-list": ({}, {"content": ["x"]}, refused(C + "content")),
    # the nickname: display text, cut to its column
    "nickname-nul": ({}, {"nick_name": "粉\x00丝"}, stored(author_nickname="粉丝")),
    "nickname-long": ({}, {"nick_name": "名" * 300}, stored(author_nickname="名" * 100)),
    "nickname-null": ({}, {"nick_name": None}, stored(author_nickname="")),
    "nickname-number": ({}, {"nick_name": 5}, refused(C + "nick_name")),
    # the time
    "time-ms": ({}, {"create_time": now_ms() - 60_000}, stored(platform_comment_id="c-1")),
    "time-iso": (
        {},
        {"create_time": "2026-01-01T08:00:00+08:00"},
        stored(posted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    ),
    "time-missing": ({}, {"create_time": MISSING}, refused(C + "create_time")),
    "time-null": ({}, {"create_time": None}, refused(C + "create_time")),
    "time-zero": ({}, {"create_time": 0}, refused(C + "create_time")),
    "time-huge": ({}, {"create_time": 10**30}, refused(C + "create_time")),
    "time-digits-huge": ({}, {"create_time": "9" * 400}, refused(C + "create_time")),
    "time-future": ({}, {"create_time": now_ms() + 86_400_000}, refused(C + "create_time")),
    "time-iso-year-1": ({}, {"create_time": "0001-01-01T00:00:00+01:00"}, refused(C + "create_time")),
    "time-iso-year-9999": ({}, {"create_time": "9999-12-31T23:59:59-01:00"}, refused(C + "create_time")),
    "time-text": ({}, {"create_time": "soon"}, refused(C + "create_time")),
    "time-bool": ({}, {"create_time": False}, refused(C + "create_time")),
    "time-list": ({}, {"create_time": []}, refused(C + "create_time")),
    # the counts: PostgreSQL's integer column ends at 2,147,483,647
    "likes-digits": ({}, {"digg_count": "12"}, stored(like_count=12)),
    "likes-null": ({}, {"digg_count": None}, stored(like_count=0)),
    "likes-max": ({}, {"digg_count": 2_147_483_647}, stored(like_count=2_147_483_647)),
    "likes-too-many": ({}, {"digg_count": 3_000_000_000}, refused(C + "digg_count")),
    "likes-negative": ({}, {"digg_count": -1}, refused(C + "digg_count")),
    "likes-fraction": ({}, {"digg_count": 1.5}, refused(C + "digg_count")),
    "likes-bool": ({}, {"digg_count": True}, refused(C + "digg_count")),
    "likes-text": ({}, {"digg_count": "many"}, refused(C + "digg_count")),
    "likes-list": ({}, {"digg_count": [1]}, refused(C + "digg_count")),
    "replies-too-many": ({}, {"reply_comment_total": 10**12}, refused(C + "reply_comment_total")),
    "replies-count": ({}, {"reply_comment_total": 4}, stored(reply_count=4)),
}


@pytest.mark.parametrize("top, content, outcome", COMMENT_CASES.values(), ids=COMMENT_CASES.keys())
def test_hostile_comment_events(world, web, video, top, content, outcome):
    response = deliver(web, COMMENTS, video.account_id, comment_event(top, **content))
    assert response.status_code != 500, response.content
    kind, expected = outcome
    if kind == "refused":
        assert_refused(response, expected)
        assert not VideoComment.dangerously_all_agencies.exists()
        return
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 1, "created": 1, "updated": 0, "unchanged": 0}
    comment = VideoComment.dangerously_all_agencies.get()
    assert comment.video_id == video.pk and comment.account_id == video.account_id and comment.source == "webhook"
    for name, value in expected.items():
        assert getattr(comment, name) == value, name


def test_a_comment_never_lands_on_another_accounts_video(world, web, video):
    other = VideoFactory(account=PlatformAccountFactory(client=world.client_a1), platform_item_id="item-1")
    response = deliver(web, COMMENTS, video.account_id, comment_event(video=other.pk))
    assert response.status_code == 200, response.content
    assert VideoComment.dangerously_all_agencies.get().video_id == video.pk


@pytest.mark.parametrize("ids", [["c-1", "c-1"], [" c-1 ", " c-1 "], ["c-1", " c-1", "c-1\t"]])
def test_a_replayed_comment_is_stored_once(world, web, video, ids):
    answers = [deliver(web, COMMENTS, video.account_id, comment_event(comment_id=i)) for i in ids]
    assert [a.status_code for a in answers] == [200] * len(ids), [a.content for a in answers]
    assert [a.json()["unchanged"] for a in answers[1:]] == [1] * (len(ids) - 1)
    assert VideoComment.dangerously_all_agencies.get().platform_comment_id == "c-1"


def test_a_replayed_comment_with_new_likes_updates_the_one_row(world, web, video):
    assert deliver(web, COMMENTS, video.account_id, comment_event(digg_count=1)).status_code == 200
    again = deliver(web, COMMENTS, video.account_id, comment_event(comment_id=" c-1", digg_count=9))
    assert again.status_code == 200 and again.json()["updated"] == 1, again.content
    assert VideoComment.dangerously_all_agencies.get().like_count == 9
