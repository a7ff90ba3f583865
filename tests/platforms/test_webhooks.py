"""Douyin's events at the app's one webhook address (platforms.webhooks): signed with the app's
client secret, routed to the agency that connected the account named by ``to_user_id``, stored
as the per-account webhooks store them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts_ops.models import InboxMessage, VideoComment
from agency.tenancy import tenant_context
from platforms.models import Connection, ConnectionStatus
from platforms.webhooks import douyin_signature
from tests.factories import PlatformAccountFactory, VideoFactory

SECRET = "app-secret"
SHOP = "shop-open-id"
URL = "/api/v1/platforms/webhooks/douyin/"


@pytest.fixture(autouse=True)
def douyin_app(settings):
    settings.PLATFORMS = {"douyin": {"base_url": "http://x.invalid", "client_key": "key", "client_secret": SECRET}}


def connect(account, open_id=SHOP, status=ConnectionStatus.CONNECTED) -> Connection:
    with tenant_context(account.agency):
        return Connection.objects.create(
            agency=account.agency,
            client=account.client,
            account=account,
            platform="douyin",
            open_id=open_id,
            status=status,
            connected_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=15),
        )


def post(client, event: dict, secret: str = SECRET, signature: str | None = None):
    body = json.dumps(event, ensure_ascii=False).encode()
    header = douyin_signature(secret, body) if signature is None else signature
    return client.post(URL, data=body, content_type="application/json", HTTP_X_DOUYIN_SIGNATURE=header)


def message(server_id="srv-1", to=SHOP, text="有优惠吗") -> dict:
    return {
        "event": "im_receive_msg",
        "from_user_id": "fan-1",
        "to_user_id": to,
        "client_key": "key",
        "content": {
            "server_message_id": server_id,
            "conversation_short_id": "conv-1",
            "create_time": int(timezone.now().timestamp() * 1000),
            "message_type": "text",
            "text": text,
            "user_infos": [{"open_id": "fan-1", "nick_name": "小王"}],
        },
    }


def test_the_address_is_verified_with_its_challenge(client, db):
    answer = post(client, {"event": "verify_webhook", "client_key": "", "content": {"challenge": 12345}})
    assert answer.status_code == 200
    assert answer.json() == {"challenge": 12345}


@pytest.mark.parametrize("signature", ["", "0" * 40, "sha1-of-something-else"])
def test_a_wrong_signature_stores_nothing(client, world, signature):
    account = PlatformAccountFactory(client=world.client_a1, platform="douyin")
    connect(account)
    answer = post(client, message(), signature=signature)
    assert answer.status_code == 401
    with tenant_context(world.agency_a):
        assert not InboxMessage.objects.exists()


def test_a_body_signed_with_another_secret_is_refused(client, world):
    connect(PlatformAccountFactory(client=world.client_a1, platform="douyin"))
    assert post(client, message(), secret="another-app").status_code == 401


def test_a_message_reaches_the_connected_account_of_its_agency_only(client, world):
    mine = PlatformAccountFactory(client=world.client_a1, platform="douyin")
    other = PlatformAccountFactory(client=world.client_b, platform="douyin")
    connect(mine)
    connect(other, open_id="someone-else")
    answer = post(client, message())
    assert answer.status_code == 200, answer.content
    with tenant_context(world.agency_a):
        stored = InboxMessage.objects.get()
        assert (stored.account_id, stored.text, stored.sender_uid) == (mine.pk, "有优惠吗", "fan-1")
    with tenant_context(world.agency_b):
        assert not InboxMessage.objects.exists()


def test_a_replayed_event_is_stored_once(client, world):
    connect(PlatformAccountFactory(client=world.client_a1, platform="douyin"))
    assert post(client, message()).status_code == 200
    again = post(client, message())
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    with tenant_context(world.agency_a):
        assert InboxMessage.objects.count() == 1


def test_an_event_for_an_account_nobody_connected_is_acknowledged_and_ignored(client, world):
    account = PlatformAccountFactory(client=world.client_a1, platform="douyin")
    connect(account, status=ConnectionStatus.DISCONNECTED)
    answer = post(client, message())
    assert answer.status_code == 200
    assert "ignored" in answer.json()
    with tenant_context(world.agency_a):
        assert not InboxMessage.objects.exists()


def test_a_comment_event_is_stored_on_the_video_of_the_connected_account(client, world):
    account = PlatformAccountFactory(client=world.client_a1, platform="douyin")
    VideoFactory(account=account, platform_item_id="item-9")
    connect(account)
    event = {
        "event": "item_comment_reply",
        "from_user_id": "fan-2",
        "to_user_id": SHOP,
        "content": {
            "comment_id": "c-1",
            "item_id": "item-9",
            "content": "看饿了，明天就去",
            "create_time": int(timezone.now().timestamp()),
            "nick_name": "吃货",
        },
    }
    answer = post(client, event)
    assert answer.status_code == 200, answer.content
    with tenant_context(world.agency_a):
        comment = VideoComment.objects.get()
        assert (comment.account_id, comment.platform_comment_id, comment.text) == (
            account.pk,
            "c-1",
            "看饿了，明天就去",
        )


def test_a_bad_field_is_named_and_nothing_is_stored(client, world):
    connect(PlatformAccountFactory(client=world.client_a1, platform="douyin"))
    event = message()
    event["content"]["server_message_id"] = "x" * 500
    answer = post(client, event)
    assert answer.status_code == 400
    assert "content.server_message_id" in json.dumps(answer.json())
    with tenant_context(world.agency_a):
        assert not InboxMessage.objects.exists()


def test_the_route_is_named():
    assert reverse("platforms-webhook-douyin") == URL


def test_the_simulator_pushes_a_message_to_the_apps_address_signed_as_douyin_signs(
    simulator, live_server, transactional_db, world
):
    """End to end over HTTP: the simulated platform sends a new private message to the app's one
    address (as set in the developer console), signed with the app's secret; it is stored for the
    agency that connected the account."""
    simulator.create_account("sim-shop-9", nickname="火锅店")
    account = PlatformAccountFactory(client=world.client_a1, platform="douyin", platform_uid="sim-shop-9")
    connect(account, open_id="sim-shop-9")
    simulator.config(webhook_url=live_server.url + URL)
    record = simulator.inject_message("sim-shop-9", text="今天有位置吗", from_user_id="fan-7")
    assert record["status"] == 200, record
    with tenant_context(world.agency_a):
        stored = InboxMessage.objects.get(account=account)
        assert (stored.text, stored.sender_uid) == ("今天有位置吗", "fan-7")
