"""Clause 6.4: private messages pushed by Douyin as ``im_receive_msg`` webhook events.

The request carries no session or token: it is authenticated by its signature, an HMAC-SHA256
of the raw body with the account's webhook secret, in the ``X-Douyin-Signature`` header (hex,
optionally prefixed ``sha256=``). The account named in the URL gives the agency; everything after
the signature check runs inside that agency's context. A bad signature stores nothing and answers
401; a message id already stored is answered 200 and stored once.

Event shape (``content`` is an object, or the same object as a JSON string)::

    {"event": "im_receive_msg", "from_user_id": "<sender open_id>", "to_user_id": "<account open_id>",
     "client_key": "...", "log_id": "...",
     "content": {"server_message_id": "...", "conversation_short_id": "...", "conversation_type": 1,
                 "create_time": 1767225600000, "message_type": "text", "text": "...",
                 "user_infos": [{"open_id": "...", "nick_name": "..."}]}}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from django.core.exceptions import ValidationError
from rest_framework.response import Response

from accounts_ops.models.basic import AutoReplySettings, MessageSource
from accounts_ops.services import IncomingMessage, inbox_receive
from agency.api.errors import django_validation_error_to_drf
from agency.tenancy import tenant_context
from clients.models import Platform, PlatformAccount

SIGNATURE_HEADER = "HTTP_X_DOUYIN_SIGNATURE"
RECEIVE_EVENT = "im_receive_msg"
VERIFY_EVENT = "verify_webhook"
WEBHOOK_MAX_BYTES = 256 * 1024


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    if not secret or not header:
        return False
    given = header.strip()
    if given.lower().startswith("sha256="):
        given = given[7:]
    return hmac.compare_digest(sign(secret, body), given.lower())


def refused(status: int, code: str, message: str) -> Response:
    return Response({"error": {"status": status, "code": code, "message": message}}, status=status)


def _timestamp(value) -> dt.datetime:
    """Douyin sends milliseconds (seconds in older events)."""
    number = float(value)
    if number > 10**11:
        number /= 1000
    return dt.datetime.fromtimestamp(number, tz=dt.UTC)


def parse_receive_event(payload: dict) -> IncomingMessage:
    content = payload.get("content") or {}
    if isinstance(content, str):
        content = json.loads(content)
    if not isinstance(content, dict):
        raise ValidationError({"content": "The event's content is not an object."})
    sender = str(payload.get("from_user_id") or "")
    nickname = ""
    for info in content.get("user_infos") or []:
        if isinstance(info, dict) and info.get("open_id") == sender:
            nickname = str(info.get("nick_name") or "")
    try:
        received_at = _timestamp(content.get("create_time"))
    except (TypeError, ValueError, OverflowError, OSError):
        raise ValidationError({"content.create_time": "A timestamp in milliseconds is required."})
    return IncomingMessage(
        platform_message_id=str(content.get("server_message_id") or ""),
        sender_uid=sender,
        received_at=received_at,
        text=str(content.get("text") or ""),
        sender_nickname=nickname,
        conversation_id=str(content.get("conversation_short_id") or ""),
        message_type=str(content.get("message_type") or "text"),
    )


def signed_event_account(request, account_id: int) -> tuple[PlatformAccount | None, Response | None]:
    """The Douyin account a signed event is for, or the answer that refuses the event (too large,
    no such active account, a signature that does not match its webhook secret). Shared by the
    message (6.4) and comment (7.1) webhooks. The account (and so the agency) is looked up before
    any context exists: the one place an unauthenticated request reads across agencies, and only
    by primary key."""
    body = request.body
    if len(body) > WEBHOOK_MAX_BYTES:
        return None, refused(413, "too_large", "The event is too large.")
    account = (
        PlatformAccount.dangerously_all_agencies.select_related("agency")
        .filter(pk=account_id, platform=Platform.DOUYIN, agency__is_active=True)
        .first()
    )
    settings = AutoReplySettings.dangerously_all_agencies.filter(account_id=account.pk).first() if account else None
    if settings is None or not signature_ok(settings.webhook_secret, body, request.META.get(SIGNATURE_HEADER, "")):
        return None, refused(401, "bad_signature", "The signature does not match this account's webhook secret.")
    return account, None


def handle_douyin_event(request, account_id: int) -> Response:
    account, refusal = signed_event_account(request, account_id)
    if refusal is not None:
        return refusal
    body = request.body
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return refused(400, "invalid", "The body is not JSON.")
    if not isinstance(payload, dict):
        return refused(400, "invalid", "The body is not a JSON object.")
    event = payload.get("event")
    if event == VERIFY_EVENT:
        content = payload.get("content") or {}
        if isinstance(content, str):
            content = json.loads(content or "{}")
        return Response({"challenge": content.get("challenge")})
    if event != RECEIVE_EVENT:
        return Response({"ignored": str(event)})
    to_user = str(payload.get("to_user_id") or "")
    if account.platform_uid and to_user and to_user != account.platform_uid:
        return refused(400, "invalid", "to_user_id is not this account's platform user id.")
    with tenant_context(account.agency):
        try:
            item = parse_receive_event(payload)
            result = inbox_receive(account=account, items=[item], source=MessageSource.WEBHOOK)
        except ValidationError as exc:
            raise django_validation_error_to_drf(exc)
        message = result.messages[0]
        return Response({"id": message.pk, "duplicate": result.duplicates > 0})
