"""Clause 6.4: private messages pushed by Douyin as ``im_receive_msg`` webhook events.

The request carries no session or token: it is authenticated by its signature, an HMAC-SHA256
of the raw body with the account's webhook secret, in the ``X-Douyin-Signature`` header (hex,
optionally prefixed ``sha256=``). The signature is checked before anything of the body is read.
The account named in the URL gives the agency; everything after the signature check runs inside
that agency's context and one transaction. A bad signature stores nothing and answers 401; a
message id already stored is answered 200 and stored once.

Event shape (``content`` is an object, or the same object as a JSON string)::

    {"event": "im_receive_msg", "from_user_id": "<sender open_id>", "to_user_id": "<account open_id>",
     "client_key": "...", "log_id": "...",
     "content": {"server_message_id": "...", "conversation_short_id": "...", "conversation_type": 1,
                 "create_time": 1767225600000, "message_type": "text", "text": "...",
                 "user_infos": [{"open_id": "...", "nick_name": "..."}]}}

What is read, and how (the readers below, shared with the comment webhook, 7.1). A signed event
the platform should not retry is answered 400 with the API's error body naming the field
(``content.server_message_id``), and nothing is stored; anything else is stored:

- the body is a JSON object (no ``NaN``, not nested beyond what the parser can read); ``event``
  is a string; ``content`` an object or a JSON string of one;
- ids (``server_message_id``, ``from_user_id``, ``to_user_id``, ``conversation_short_id``, ...) are
  strings or whole numbers, compared and stored with surrounding white space stripped (so a replay
  with spaces is the same message), refused when longer than their column or when they hold a
  control character (NUL included) or a lone surrogate;
- free text (``text``) is a string or null; NUL characters (which PostgreSQL cannot store) are
  removed and lone surrogates replaced by U+FFFD; display names (``nick_name``) likewise, cut to
  their column; ``message_type`` is cut to its column;
- ``create_time`` is a timestamp in milliseconds (seconds in older events; a digit string too, or
  ISO 8601), not before 2000 and not in the future;
- ``user_infos`` is a list (entries that are not objects are skipped).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.response import Response

from accounts_ops.models.inbox import AutoReplySettings, InboxMessage, MessageSource
from accounts_ops.rows import EARLIEST_MOMENT
from accounts_ops.rules import MESSAGE_CLOCK_SKEW
from accounts_ops.services.inbox import IncomingMessage, inbox_receive
from agency.api.errors import django_validation_error_to_drf
from agency.tenancy import tenant_context
from clients.models import Platform, PlatformAccount

SIGNATURE_HEADER = "HTTP_X_DOUYIN_SIGNATURE"
RECEIVE_EVENT = "im_receive_msg"
VERIFY_EVENT = "verify_webhook"
WEBHOOK_MAX_BYTES = 256 * 1024
COUNT_MAX = 2**31 - 1  # PostgreSQL's integer column
ID_MAX_CHARS = InboxMessage._meta.get_field("platform_message_id").max_length
SENDER_MAX_CHARS = InboxMessage._meta.get_field("sender_uid").max_length
CONVERSATION_MAX_CHARS = InboxMessage._meta.get_field("conversation_id").max_length
NICKNAME_MAX_CHARS = InboxMessage._meta.get_field("sender_nickname").max_length
TYPE_MAX_CHARS = InboxMessage._meta.get_field("message_type").max_length
_NUMBER = re.compile(r"-?[0-9]{1,30}(\.[0-9]*)?")
_SURROGATE = re.compile("[\ud800-\udfff]")


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    if not secret or not header:
        return False
    given = header.strip()
    if given.lower().startswith("sha256="):
        given = given[7:]
    if not given.isascii():  # compare_digest refuses non-ASCII text; no hex digest holds any
        return False
    return hmac.compare_digest(sign(secret, body), given.lower())


def refused(status: int, code: str, message: str) -> Response:
    return Response({"error": {"status": status, "code": code, "message": message}}, status=status)


# --- reading a signed event (shared with the comment webhook) ------------------------------------


def invalid(field: str, message: str) -> exceptions.ValidationError:
    """The 400 naming ``field`` in the API's error body (``agency.api.errors``)."""
    return exceptions.ValidationError({field: [message]})


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _json(data: bytes | str):
    """Parsed JSON; ``ValueError`` for what is not JSON, including ``NaN`` and nesting too deep
    for the parser."""
    try:
        return json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deep") from None


def read_payload(body: bytes) -> dict:
    try:
        payload = _json(body)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise invalid("body", "The body is not JSON.") from None
    if not isinstance(payload, dict):
        raise invalid("body", "The body is not a JSON object.")
    return payload


def read_event(payload: dict) -> str:
    event = payload.get("event")
    if not isinstance(event, str) or not event.strip():
        raise invalid("event", "The event's name is required, as a string.")
    return event.strip()


def read_content(payload: dict, *, required: bool = True) -> dict:
    """The event's ``content``: an object, or the same object as a JSON string."""
    content = payload.get("content")
    if isinstance(content, str) and content.strip():
        try:
            content = _json(content)
        except ValueError:
            raise invalid("content", "The content is a string but not JSON.") from None
    elif content is None or content == "":
        if required:
            raise invalid("content", "The event's content is required.")
        content = {}
    if not isinstance(content, dict):
        raise invalid("content", "The event's content is not an object.")
    return content


def clean_text(value: str) -> str:
    """Free text as it can be stored: without NUL, lone surrogates replaced."""
    text = value.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def read_id(value, field: str, *, max_chars: int, required: bool = False) -> str:
    """A platform id: a string (white space around it stripped) or a whole number."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    elif type(value) is int:
        text = str(value)
    else:
        raise invalid(field, "An id is a string.")
    if not text:
        if required:
            raise invalid(field, "This id is required.")
        return ""
    if not text.isprintable():
        raise invalid(field, "An id holds no control characters.")
    if len(text) > max_chars:
        raise invalid(field, f"{len(text)} characters; at most {max_chars}.")
    return text


def read_text(value, field: str, *, max_chars: int | None = None, strip: bool = False) -> str:
    """Free text: a string or null, NUL removed, lone surrogates replaced, cut to ``max_chars``."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(field, "Text is a string.")
    text = clean_text(value)
    if strip:
        text = text.strip()
    return text[:max_chars] if max_chars is not None else text


def read_time(value, field: str, tz=dt.UTC) -> dt.datetime:
    """A platform time: a Unix timestamp in milliseconds or seconds (a number or its digits), or
    ISO 8601 (read in ``tz`` without a zone); not before 2000, not in the future."""
    when = None
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = value.strip()
    try:
        if number is not None:
            seconds = float(number)
            if seconds > 10**11:
                seconds /= 1000
            when = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        elif isinstance(value, str):
            parsed = dt.datetime.fromisoformat(value.strip())
            when = (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(dt.UTC)
    except (ValueError, OverflowError, OSError):
        when = None
    if when is None:
        raise invalid(field, "A time is required: a timestamp in milliseconds.")
    if when < EARLIEST_MOMENT:
        raise invalid(field, f"{when.isoformat()} is before {EARLIEST_MOMENT.date().isoformat()}.")
    if when > timezone.now() + MESSAGE_CLOCK_SKEW:
        raise invalid(field, "The time is in the future.")
    return when


def read_count(value, field: str) -> int | None:
    """A count: a whole number (or its digits) from 0 to PostgreSQL's integer limit; ``None``
    when not given."""
    if value is None or value == "":
        return None
    number = None
    if type(value) is int:
        number = value
    elif type(value) is float and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        digits = value.strip()
        number = int(digits) if len(digits) <= 18 else COUNT_MAX + 1
    if number is None:
        raise invalid(field, "A count is a whole number.")
    if number < 0:
        raise invalid(field, "A count is not negative.")
    if number > COUNT_MAX:
        raise invalid(field, f"At most {COUNT_MAX}.")
    return number


def check_receiver(payload: dict, account: PlatformAccount) -> None:
    """``to_user_id``, when given, is the account's own platform user id."""
    to_user = read_id(payload.get("to_user_id"), "to_user_id", max_chars=ID_MAX_CHARS)
    own = (account.platform_uid or "").strip()
    if own and to_user and to_user != own:
        raise invalid("to_user_id", "Not this account's platform user id.")


# --- private messages (6.4) ----------------------------------------------------------------------


def _nickname(content: dict, sender: str) -> str:
    infos = content.get("user_infos")
    if infos is None:
        return ""
    if not isinstance(infos, list):
        raise invalid("content.user_infos", "A list of the users' infos.")
    for index, info in enumerate(infos):
        open_id = info.get("open_id") if isinstance(info, dict) else None
        if isinstance(open_id, int) and not isinstance(open_id, bool):
            open_id = str(open_id)
        if isinstance(open_id, str) and open_id.strip() == sender:
            field = f"content.user_infos[{index}].nick_name"
            return read_text(info.get("nick_name"), field, max_chars=NICKNAME_MAX_CHARS, strip=True)
    return ""


def parse_receive_event(payload: dict) -> IncomingMessage:
    """The message of an ``im_receive_msg`` event, read as the module says; a ``ValidationError``
    (DRF's) naming the field otherwise."""
    sender = read_id(payload.get("from_user_id"), "from_user_id", max_chars=SENDER_MAX_CHARS, required=True)
    content = read_content(payload)
    message_id = read_id(
        content.get("server_message_id"), "content.server_message_id", max_chars=ID_MAX_CHARS, required=True
    )
    conversation = read_id(
        content.get("conversation_short_id"), "content.conversation_short_id", max_chars=CONVERSATION_MAX_CHARS
    )
    message_type = read_text(content.get("message_type"), "content.message_type", strip=True)
    return IncomingMessage(
        platform_message_id=message_id,
        sender_uid=sender,
        received_at=read_time(content.get("create_time"), "content.create_time"),
        text=read_text(content.get("text"), "content.text"),
        sender_nickname=_nickname(content, sender),
        conversation_id=conversation,
        message_type=message_type[:TYPE_MAX_CHARS] or "text",
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
    payload = read_payload(request.body)
    event = read_event(payload)
    if event == VERIFY_EVENT:
        return Response({"challenge": read_content(payload, required=False).get("challenge")})
    if event != RECEIVE_EVENT:
        return Response({"ignored": event[:100]})
    return receive_message_event(payload, account)


def receive_message_event(payload: dict, account: PlatformAccount) -> Response:
    """Store the message of an authenticated ``im_receive_msg`` event for ``account`` (whose
    signature, by the account's secret here or by the platform app's in ``platforms.webhooks``, was
    checked by the caller)."""
    check_receiver(payload, account)
    item = parse_receive_event(payload)
    with tenant_context(account.agency), transaction.atomic():
        try:
            result = inbox_receive(account=account, items=[item], source=MessageSource.WEBHOOK)
        except ValidationError as exc:
            raise django_validation_error_to_drf(exc) from None
    message = result.messages[0]
    return Response({"id": message.pk, "duplicate": result.duplicates > 0})
