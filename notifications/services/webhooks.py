"""The agency's group bots: registering one (its address and secret sealed), the message each
kind of bot takes, signing, sending, and trying a failed message again later.

The shapes are the providers' documented ones:

- WeCom group robot: ``POST <webhook>`` ``{"msgtype": "text", "text": {"content": ...}}``, text at
  most 2048 bytes; the answer ``{"errcode": 0, "errmsg": "ok"}``.
- Feishu custom bot: ``{"msg_type": "text", "content": {"text": ...}}``; with signature checking on,
  ``timestamp`` (seconds) and ``sign`` in the body, ``sign`` = Base64(HMAC-SHA256 keyed with
  ``"<timestamp>\\n<secret>"`` over an empty message); the answer ``{"code": 0, ...}`` (older bots
  answer ``StatusCode``).
- DingTalk custom robot: ``{"msgtype": "text", "text": {"content": ...}}``; with signing on,
  ``&timestamp=<ms>&sign=<...>`` on the address, ``sign`` = URL-encoded Base64(HMAC-SHA256 keyed
  with the secret over ``"<timestamp>\\n<secret>"``); the answer ``{"errcode": 0, "errmsg": "ok"}``.

A non-zero code, an HTTP error or no answer is a failure.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from urllib.parse import quote_plus, urlsplit

import httpx
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Provider, Webhook, WebhookDelivery, WebhookDeliveryStatus
from notifications.rules import (
    WEBHOOK_MAX_ATTEMPTS,
    WEBHOOK_RETRY_DELAYS,
    WEBHOOK_TEXT_MAX_BYTES,
    WEBHOOK_TIMEOUT_SECONDS,
)
from platforms.crypto import seal, unseal

# A message still waiting this long after it was made lost its first send: the retry task sends it.
PENDING_GRACE = dt.timedelta(minutes=2)


class BotRefused(Exception):
    """The bot answered with an error (or not at all)."""


def url_hint(url: str) -> str:
    """What a page shows of an address: its host and last four characters."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…{url[-4:]}"[:120]


def webhook_save(*, webhook: Webhook, url: str = "", secret: str | None = None) -> Webhook:
    """Save a bot; a new ``url`` (and ``secret``: None keeps it, "" removes it) is sealed first."""
    if url:
        webhook.url_sealed = seal(url)
        webhook.url_hint = url_hint(url)
    if secret is not None:
        webhook.secret_sealed = seal(secret) if secret else ""
    webhook.full_clean()
    webhook.save()
    return webhook


def truncate_utf8(text: str, limit: int = WEBHOOK_TEXT_MAX_BYTES) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode(errors="ignore") + "…"


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", digestmod=hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), digestmod=hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def request_for(provider: str, url: str, secret: str, text: str, *, now: float | None = None) -> tuple[str, dict]:
    """The address and JSON body of ``text`` for a bot of ``provider``."""
    text = truncate_utf8(text)
    now = time.time() if now is None else now
    if provider == Provider.FEISHU:
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = int(now)
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return url, body
    body = {"msgtype": "text", "text": {"content": text}}
    if provider == Provider.DINGTALK and secret:
        timestamp_ms = int(now * 1000)
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    return url, body


def answer_error(provider: str, answer) -> str:
    """The bot's refusal in its answer, or "" when it accepted."""
    if not isinstance(answer, dict):
        return "unreadable answer"
    if provider == Provider.FEISHU:
        code = answer.get("code", answer.get("StatusCode", 0))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code, message = answer.get("errcode", 0), answer.get("errmsg", "")
    return "" if code in (0, "0", None) else f"{code}: {message}"[:300]


def bot_send(webhook: Webhook, text: str) -> None:
    """Send ``text`` to the bot now; raises ``BotRefused`` with the reason when it fails."""
    secret = unseal(webhook.secret_sealed) if webhook.secret_sealed else ""
    url, body = request_for(webhook.provider, unseal(webhook.url_sealed), secret, text)
    try:
        response = httpx.post(url, json=body, timeout=WEBHOOK_TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise BotRefused(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if response.status_code >= 400:
        raise BotRefused(f"HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        answer = None
    error = answer_error(webhook.provider, answer)
    if error:
        raise BotRefused(error)


def deliveries_for_event(agency, kind: str, key: str, text: str) -> list[WebhookDelivery]:
    """The messages of one event to the agency's active bots that take ``kind`` (made once)."""
    made = []
    for webhook in Webhook.objects.filter(agency=agency, is_active=True):
        if not webhook.sends(kind):
            continue
        try:
            with transaction.atomic():
                delivery, created = WebhookDelivery.objects.get_or_create(
                    agency=agency, webhook=webhook, key=key, defaults={"kind": kind, "text": text}
                )
        except IntegrityError:
            continue
        if created:
            made.append(delivery)
    return made


def delivery_attempt(delivery_id: int, *, now=None) -> str:
    """Try one bot message that is waiting (or due again); on failure, schedule the next try or,
    after the last, leave it failed. The bot's row keeps its last success and failure for the
    page. Returns the message's status."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_for_update().select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:
        return ""
    if delivery.status in (WebhookDeliveryStatus.SENT, WebhookDeliveryStatus.FAILED):
        return delivery.status
    if delivery.next_attempt_at and delivery.next_attempt_at > now:
        return delivery.status  # not due yet
    webhook = delivery.webhook
    delivery.attempts += 1
    try:
        bot_send(webhook, delivery.text)
    except Exception as exc:  # the bot refused, or its address cannot be read
        error = str(exc)[:300] or type(exc).__name__
        delivery.last_error = error
        if delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = WebhookDeliveryStatus.RETRYING
            delivery.next_attempt_at = now + WEBHOOK_RETRY_DELAYS[delivery.attempts - 1]
        webhook.last_failed_at = now
        webhook.last_error = error
        webhook.save(update_fields=["last_failed_at", "last_error", "updated_at"])
    else:
        delivery.status = WebhookDeliveryStatus.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
        webhook.last_ok_at = now
        webhook.save(update_fields=["last_ok_at", "updated_at"])
    delivery.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error", "updated_at"])
    return delivery.status


def deliveries_due(*, now=None) -> list[int]:
    """The ids of the current agency's bot messages due another try, and of those never tried a
    while after they were made (their first send was lost)."""
    now = now or timezone.now()
    due = Q(status=WebhookDeliveryStatus.RETRYING, next_attempt_at__lte=now) | Q(
        status=WebhookDeliveryStatus.PENDING, created_at__lte=now - PENDING_GRACE
    )
    return list(WebhookDelivery.objects.filter(due).order_by("created_at", "id").values_list("pk", flat=True)[:200])
