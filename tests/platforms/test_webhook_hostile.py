"""The hostile corpus of the per-account webhooks (tests/accounts_ops/test_webhook_hostile.py: bodies
that are no event, broken JSON, NUL and control characters, over-long ids, lone surrogates, numbers
past their column) sent, signed with the app's secret, to the app's one Douyin address
(``platforms.webhooks``), which reads and stores events with the same functions: each case is
refused naming its field, with nothing stored, or stored as the per-account webhook stores it.
Then what only this address reads: the receiving account's open id (``to_user_id``), by which
the connection, and so the agency, is found."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from accounts_ops.models import InboxMessage, VideoComment
from agency.tenancy import tenant_context
from platforms.models import Connection, ConnectionStatus
from platforms.webhooks import douyin_signature
from tests.accounts_ops.test_webhook_hostile import (
    COMMENT_CASES,
    FAN,
    MESSAGE_CASES,
    MISSING,
    NOT_EVENTS,
    SHOP_UID,
    assert_refused,
    comment_event,
    message_event,
    raw,
)
from tests.factories import PlatformAccountFactory, VideoFactory

SECRET = "app-secret"
URL = "/api/v1/platforms/webhooks/douyin/"


@pytest.fixture(autouse=True)
def douyin_app(settings):
    settings.PLATFORMS = {"douyin": {"base_url": "http://x.invalid", "client_key": "key", "client_secret": SECRET}}


@pytest.fixture
def web(client):
    client.raise_request_exception = False  # a server error is an answer to assert on, not a crash
    return client


@pytest.fixture
def shop(world):
    account = PlatformAccountFactory(client=world.client_a1, platform="douyin", platform_uid=SHOP_UID)
    with tenant_context(account.agency):
        Connection.objects.create(
            agency=account.agency,
            client=account.client,
            account=account,
            platform="douyin",
            open_id=SHOP_UID,
            status=ConnectionStatus.CONNECTED,
            connected_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=15),
        )
    return account


@pytest.fixture
def video(shop):
    return VideoFactory(account=shop, platform_item_id="item-1")


def deliver(web, payload, secret: str = SECRET):
    body = raw(payload)
    return web.post(
        URL, data=body, content_type="application/json", HTTP_X_DOUYIN_SIGNATURE=douyin_signature(secret, body)
    )


def nothing_stored() -> bool:
    return not InboxMessage.dangerously_all_agencies.exists() and not VideoComment.dangerously_all_agencies.exists()


@pytest.mark.parametrize("payload, field", NOT_EVENTS)
def test_a_body_that_is_not_an_event_is_refused_naming_the_field(world, web, shop, payload, field):
    assert_refused(deliver(web, payload), field)
    assert nothing_stored()


def _app_cases(cases: dict) -> dict:
    """The cases of a per-account webhook that read the same here: all but the receiver's, which
    this address reads itself (below)."""
    return {name: case for name, case in cases.items() if not name.startswith("to-")}


def _check(response, outcome, model) -> object | None:
    assert response.status_code != 500, response.content
    kind, expected = outcome
    if kind == "refused":
        assert_refused(response, expected)
        assert nothing_stored()
        return None
    assert response.status_code == 200, response.content
    row = model.dangerously_all_agencies.get()
    for name, value in expected.items():
        assert getattr(row, name) == value, name
    return row


MESSAGES = _app_cases(MESSAGE_CASES)
COMMENTS = _app_cases(COMMENT_CASES)


@pytest.mark.parametrize("top, content, outcome", MESSAGES.values(), ids=MESSAGES.keys())
def test_hostile_message_events(world, web, shop, top, content, outcome):
    message = _check(deliver(web, message_event(top, **content)), outcome, InboxMessage)
    assert message is None or (message.account_id == shop.pk and message.source == "webhook")


@pytest.mark.parametrize("top, content, outcome", COMMENTS.values(), ids=COMMENTS.keys())
def test_hostile_comment_events(world, web, video, top, content, outcome):
    comment = _check(deliver(web, comment_event(top, **content)), outcome, VideoComment)
    assert comment is None or (comment.video_id == video.pk and comment.source == "webhook")


# --- the receiver, by which the agency is found --------------------------------------------------

RECEIVERS = {
    "missing": (MISSING, "refused"),
    "null": (None, "refused"),
    "blank": ("   ", "refused"),
    "nul": (SHOP_UID + "\x00", "refused"),
    "control": (SHOP_UID + "\x1b", "refused"),
    "surrogate": (SHOP_UID + "\ud800", "refused"),
    "over-long": ("o" * 10_000, "refused"),
    "list": ([SHOP_UID], "refused"),
    "object": ({"open_id": SHOP_UID}, "refused"),
    "float": (1.5, "refused"),
    "spaces": (f"  {SHOP_UID} ", "stored"),
    "nobody-connected": ("someone-else", "ignored"),
    "a-fan": (FAN, "ignored"),
}


@pytest.mark.parametrize("event", ["message", "comment"])
@pytest.mark.parametrize("to, outcome", RECEIVERS.values(), ids=RECEIVERS.keys())
def test_a_hostile_receiver_is_refused_or_ignored_and_nothing_is_stored(world, web, video, event, to, outcome):
    make = message_event if event == "message" else comment_event
    response = deliver(web, make({"to_user_id": to}))
    assert response.status_code != 500, response.content
    if outcome == "refused":
        assert_refused(response, "to_user_id")
        assert nothing_stored()
    elif outcome == "ignored":  # acknowledged (the platform would retry for ever), stored nowhere
        assert response.status_code == 200 and "ignored" in response.json(), response.content
        assert nothing_stored()
    else:
        assert response.status_code == 200, response.content
        assert not nothing_stored()


def test_a_signed_body_past_the_size_limit_is_a_413_and_nothing_is_stored(world, web, shop, settings):
    from accounts_ops.webhooks import WEBHOOK_MAX_BYTES

    event = message_event(text="长" * WEBHOOK_MAX_BYTES)
    response = deliver(web, event)
    assert response.status_code == 413, response.content
    assert response.json()["error"]["code"] == "too_large"
    assert nothing_stored()


def test_a_replay_with_hostile_spacing_is_stored_once(world, web, shop):
    first = deliver(web, message_event(server_message_id="srv-1"))
    again = deliver(web, message_event(server_message_id=" srv-1\t"))
    assert first.status_code == again.status_code == 200, (first.content, again.content)
    assert InboxMessage.dangerously_all_agencies.count() == 1
    assert json.loads(again.content)["duplicate"] is True
