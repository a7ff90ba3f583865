"""The agency's group bots (WeCom, Feishu, DingTalk): a stub bot on the loopback receives the
documented JSON and signature; a failing bot is tried again with growing waits and shown on the
page; only an agency admin sees them, never the address in full, and only its own agency's."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import time
from urllib.parse import unquote_plus

import pytest
from django.urls import reverse
from django.utils import timezone

from agency.tenancy import tenant_context
from notifications.models import Webhook, WebhookDelivery
from notifications.rules import WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS, Kind
from notifications.services.webhooks import (
    answer_error,
    deliveries_due,
    delivery_attempt,
    request_for,
    webhook_save,
)
from notifications.tasks import webhooks_retry_task
from tests.accounts_ops.factories import OpinionAlertFactory
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def add_bot(agency, provider, url, secret="", kinds=(Kind.OPINION_ALERT,)):
    with tenant_context(agency):
        return webhook_save(
            webhook=Webhook(agency=agency, name=f"{provider} bot", provider=provider, kinds=list(kinds)),
            url=url,
            secret=secret,
        )


def alert(client):
    return OpinionAlertFactory(account=PlatformAccountFactory(client=client))


def test_wecom_gets_the_documented_text_message(world, bot, commit):
    webhook = add_bot(world.agency_a, "wecom", bot.url("/cgi-bin/webhook/send?key=abc-123"))
    with commit():
        alert(world.client_a1)
    (request,) = bot.requests
    assert request["path"] == "/cgi-bin/webhook/send" and request["query"] == {"key": "abc-123"}
    assert request["content_type"].startswith("application/json")
    body = request["json"]
    assert set(body) == {"msgtype", "text"} and body["msgtype"] == "text"
    assert set(body["text"]) == {"content"}
    assert (
        body["text"]["content"].startswith("Agency A · ") and "/operations/advanced/alerts/" in body["text"]["content"]
    )
    delivery = WebhookDelivery.dangerously_all_agencies.get()
    assert delivery.status == "sent" and delivery.attempts == 1
    webhook.refresh_from_db()
    assert webhook.last_ok_at is not None and webhook.last_error == ""
    # Sent once per event: another attempt (a task delivered twice) sends nothing more.
    with tenant_context(world.agency_a):
        assert delivery_attempt(delivery.pk) == "sent"
    assert len(bot.requests) == 1


def test_feishu_gets_its_shape_with_timestamp_and_signature(world, bot, commit):
    bot.answer = {"code": 0, "msg": "success", "data": {}}
    add_bot(world.agency_a, "feishu", bot.url("/open-apis/bot/v2/hook/xyz"), secret="feishu-secret")
    before = int(time.time())
    with commit():
        alert(world.client_a1)
    body = bot.requests[0]["json"]
    assert body["msg_type"] == "text" and set(body["content"]) == {"text"}
    timestamp = int(body["timestamp"])
    assert before <= timestamp <= int(time.time())  # seconds
    key = f"{timestamp}\nfeishu-secret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert WebhookDelivery.dangerously_all_agencies.get().status == "sent"


def test_dingtalk_gets_its_shape_and_the_signature_in_the_query(world, bot, commit):
    add_bot(world.agency_a, "dingtalk", bot.url("/robot/send?access_token=tok"), secret="SECding")
    with commit():
        alert(world.client_a1)
    request = bot.requests[0]
    assert request["json"]["msgtype"] == "text" and "content" in request["json"]["text"]
    query = request["query"]
    assert query["access_token"] == "tok"
    timestamp = int(query["timestamp"])
    assert abs(timestamp - time.time() * 1000) < 60_000  # milliseconds
    digest = hmac.new(b"SECding", f"{timestamp}\nSECding".encode(), hashlib.sha256).digest()
    assert query["sign"] == base64.b64encode(digest).decode()  # (parse_qs decoded the URL encoding)


def test_the_signatures_match_the_providers_documented_examples():
    # Fixed moment: the same inputs give the same signature as the providers' sample code.
    url, body = request_for("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", "s", "hi", now=1.5)
    expected = base64.b64encode(hmac.new(b"s", b"1500\ns", hashlib.sha256).digest()).decode()
    assert url.endswith("&timestamp=1500&sign=" + url.rsplit("sign=", 1)[1])
    assert unquote_plus(url.rsplit("sign=", 1)[1]) == expected
    _url, body = request_for("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/x", "s", "hi", now=1599360473.2)
    assert body["timestamp"] == "1599360473"
    _url, body = request_for("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "", "字" * 2000)
    assert len(body["text"]["content"].encode()) <= 2048


def test_a_non_zero_code_is_a_failure():
    assert answer_error("wecom", {"errcode": 0, "errmsg": "ok"}) == ""
    assert answer_error("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}).startswith("93000")
    assert answer_error("dingtalk", {"errcode": 310000, "errmsg": "sign not match"}).startswith("310000")
    assert answer_error("feishu", {"code": 0, "msg": "success"}) == ""
    assert answer_error("feishu", {"code": 19021, "msg": "sign match fail"}).startswith("19021")
    assert answer_error("feishu", {"StatusCode": 0, "StatusMessage": "success"}) == ""
    assert answer_error("feishu", None) != ""


def test_a_failing_bot_is_retried_with_backoff_and_shown(world, bot, commit, client):
    bot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    webhook = add_bot(world.agency_a, "wecom", bot.url("/cgi-bin/webhook/send?key=bad"))
    start = timezone.now()
    with commit():
        alert(world.client_a1)
    delivery = WebhookDelivery.dangerously_all_agencies.get()
    assert delivery.status == "retrying" and delivery.attempts == 1
    assert start + WEBHOOK_RETRY_DELAYS[0] <= delivery.next_attempt_at <= timezone.now() + WEBHOOK_RETRY_DELAYS[0]
    webhook.refresh_from_db()
    assert webhook.last_error.startswith("93000")
    # Shown on the bots page, to the agency admin.
    client.force_login(world.staff_a)
    page = client.get(reverse("notifications:webhooks"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "93000: invalid webhook url" in page and delivery.text[:20] in page
    # Not due before its wait has passed; then tried again by the retry task.
    with tenant_context(world.agency_a):
        assert deliveries_due(now=timezone.now()) == []
        assert deliveries_due(now=delivery.next_attempt_at) == [delivery.pk]
        assert delivery_attempt(delivery.pk, now=delivery.next_attempt_at) == "retrying"
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and len(bot.requests) == 2
    # An HTTP error fails too; the bot recovers and the next try sends it.
    bot.status, bot.answer = 500, {}
    with tenant_context(world.agency_a):
        delivery_attempt(delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 500" and delivery.attempts == 3
    bot.status, bot.answer = 200, {"errcode": 0, "errmsg": "ok"}
    WebhookDelivery.dangerously_all_agencies.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert webhooks_retry_task.apply(kwargs={"agency_id": world.agency_a.pk}).get() == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.last_error == ""
    assert "invalid webhook url" not in client.get(reverse("notifications:webhooks")).content.decode().split("<h2>")[-1]


def test_a_bot_that_keeps_failing_is_left_failed(world, bot, commit):
    bot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    add_bot(world.agency_a, "wecom", bot.url("/send?key=bad"))
    with commit():
        alert(world.client_a1)
    delivery = WebhookDelivery.dangerously_all_agencies.get()
    with tenant_context(world.agency_a):
        for day in range(1, WEBHOOK_MAX_ATTEMPTS + 1):
            delivery_attempt(delivery.pk, now=timezone.now() + dt.timedelta(days=day))
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == WEBHOOK_MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert len(bot.requests) == WEBHOOK_MAX_ATTEMPTS


def test_a_bot_gets_only_its_kinds_and_its_agencys_events(world, bot, commit):
    add_bot(world.agency_a, "wecom", bot.url("/send?key=a"), kinds=[Kind.BOOST_DUE])
    add_bot(world.agency_b, "wecom", bot.url("/send?key=b"))
    with commit():
        alert(world.client_a1)  # agency A's alert: A's bot does not take alerts, B's bot is B's
    assert bot.requests == []
    with commit():
        alert(world.client_b)
    assert [r["query"]["key"] for r in bot.requests] == ["b"]


def test_only_an_agency_admin_sees_and_edits_the_bots_and_never_the_address(world, bot, client):
    webhook = add_bot(world.agency_a, "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY-1234")
    add_bot(world.agency_b, "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=B-TOKEN")
    assert "SECRET-KEY" not in webhook.url_sealed and "SECRET-KEY" not in webhook.url_hint
    client.force_login(world.staff_a)
    page = client.get(reverse("notifications:webhooks")).content.decode()
    assert "qyapi.weixin.qq.com" in page and "1234" in page
    assert "SECRET-KEY" not in page and "B-TOKEN" not in page and "oapi.dingtalk.com" not in page
    change = client.get(reverse("notifications:webhook-change", args=[webhook.pk])).content.decode()
    assert "SECRET-KEY" not in change
    # Agency B's bot is not reachable from agency A.
    other = Webhook.dangerously_all_agencies.get(agency=world.agency_b)
    assert client.get(reverse("notifications:webhook-change", args=[other.pk])).status_code == 404
    assert client.post(reverse("notifications:webhooks"), {"delete": other.pk}).status_code == 404
    assert Webhook.dangerously_all_agencies.filter(pk=other.pk).exists()
    # Other roles and client people: refused.
    operator = MembershipFactory(agency=world.agency_a, role="operator", user=UserFactory()).user
    for person in (operator, world.approver_a1):
        client.force_login(person)
        assert client.get(reverse("notifications:webhooks")).status_code in (302, 403)
        assert client.get(reverse("notifications:webhook-add")).status_code in (302, 403)


def test_the_admin_adds_and_changes_a_bot_keeping_its_address(world, client):
    client.force_login(world.staff_a)
    form = client.get(reverse("notifications:webhook-add")).content.decode()
    # A new bot takes every staff kind by default, not the client's approvals.
    assert re.search(r'value="opinion_alert"[^>]*checked', form)
    assert not re.search(r'value="approval_waiting"[^>]*checked', form)
    response = client.post(
        reverse("notifications:webhook-add"),
        {
            "name": "运营群",
            "provider": "feishu",
            "url": "https://open.feishu.cn/open-apis/bot/v2/hook/abcd",
            "secret": "s1",
            "kinds": ["opinion_alert", "complaint_deadline"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    webhook = Webhook.dangerously_all_agencies.get(agency=world.agency_a)
    sealed_url, sealed_secret = webhook.url_sealed, webhook.secret_sealed
    assert webhook.kinds == ["opinion_alert", "complaint_deadline"] and sealed_secret
    # Changed without a new address or secret: both kept.
    client.post(
        reverse("notifications:webhook-change", args=[webhook.pk]),
        {"name": "运营群 2", "provider": "feishu", "kinds": ["boost_due"], "is_active": "on"},
    )
    webhook.refresh_from_db()
    assert webhook.name == "运营群 2" and webhook.url_sealed == sealed_url and webhook.secret_sealed == sealed_secret
    # A new one needs its address.
    missing = client.post(reverse("notifications:webhook-add"), {"name": "x", "provider": "wecom"})
    assert missing.status_code == 400
