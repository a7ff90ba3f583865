"""Clause 7.1: comments pushed by Douyin as webhook events, signed like the 6.4 message events
(``accounts_ops.webhooks``: HMAC-SHA256 of the raw body with the account's webhook secret, in
``X-Douyin-Signature``, checked before anything of the body is read). The account named in the URL
gives the agency; everything after the signature check runs inside that agency's context and one
transaction. A bad signature stores nothing (401); a comment id already stored is updated, never
stored twice.

Event shape (``content`` is an object, or the same object as a JSON string)::

    {"event": "item_comment_reply", "from_user_id": "<commenter open_id>",
     "to_user_id": "<account open_id>",
     "content": {"comment_id": "...", "item_id": "<the video's item id>", "content": "好吃！",
                 "create_time": 1767225600, "reply_to_comment_id": "", "digg_count": 0,
                 "reply_comment_total": 0, "nick_name": "...", "comment_user_id": "..."}}

Only these platform names are read from ``content`` (never our own ``video`` or ``account``: the
comment is on a video of the signed account, found by ``item_id``). Each is read like the message
webhook's fields (``accounts_ops.webhooks``): ids stripped, refused when too long or holding a
control character; the comment's text and ``nick_name`` without NUL, lone surrogates replaced (the
text required and at most ``COMMENT_TEXT_MAX_CHARS``, the name cut to its column); ``create_time``
a timestamp (or ISO 8601), not before 2000 nor in the future; counts whole, from 0 to PostgreSQL's
integer limit. The commenter is ``content.comment_user_id`` when given, else ``from_user_id``. A
problem is answered 400 naming the event's field (``content.digg_count``), and nothing is stored.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.response import Response

from accounts_ops.models.comments import CommentSource, VideoComment
from accounts_ops.services.comments import COMMENT_TEXT_MAX_CHARS, comments_receive
from accounts_ops.webhooks import (
    VERIFY_EVENT,
    check_receiver,
    invalid,
    read_content,
    read_count,
    read_event,
    read_id,
    read_payload,
    read_text,
    read_time,
    signed_event_account,
)
from agency.api.errors import django_validation_error_to_drf
from agency.tenancy import tenant_context
from clients.models import PlatformAccount, Video

COMMENT_EVENTS = ("item_comment_reply", "comment")
COMMENT_ID_MAX_CHARS = VideoComment._meta.get_field("platform_comment_id").max_length
AUTHOR_MAX_CHARS = VideoComment._meta.get_field("author_uid").max_length
NICKNAME_MAX_CHARS = VideoComment._meta.get_field("author_nickname").max_length
ITEM_MAX_CHARS = Video._meta.get_field("platform_item_id").max_length

# The event's name for each field the comment service may still refuse.
EVENT_FIELDS = {
    "video": "content.item_id",
    "item_id": "content.item_id",
    "platform_comment_id": "content.comment_id",
    "parent_comment_id": "content.reply_to_comment_id",
    "author_uid": "content.comment_user_id",
    "author_nickname": "content.nick_name",
    "text": "content.content",
    "posted_at": "content.create_time",
    "like_count": "content.digg_count",
    "reply_count": "content.reply_comment_total",
}


def comment_row(payload: dict, account: PlatformAccount) -> dict:
    """The comment of an event as a row for ``comments_receive`` (our names), read as the module
    says; a ``ValidationError`` (DRF's) naming the event's field otherwise."""
    sender = read_id(payload.get("from_user_id"), "from_user_id", max_chars=AUTHOR_MAX_CHARS)
    content = read_content(payload)
    author = content.get("comment_user_id")
    text = read_text(content.get("content"), "content.content", strip=True)
    if not text:
        raise invalid("content.content", "The comment's text is required.")
    if len(text) > COMMENT_TEXT_MAX_CHARS:
        raise invalid("content.content", f"{len(text)} characters; at most {COMMENT_TEXT_MAX_CHARS}.")
    return {
        "account": account.pk,
        "item_id": read_id(content.get("item_id"), "content.item_id", max_chars=ITEM_MAX_CHARS, required=True),
        "platform_comment_id": read_id(
            content.get("comment_id"), "content.comment_id", max_chars=COMMENT_ID_MAX_CHARS, required=True
        ),
        "parent_comment_id": read_id(
            content.get("reply_to_comment_id"), "content.reply_to_comment_id", max_chars=COMMENT_ID_MAX_CHARS
        ),
        "author_uid": (
            sender if author is None else read_id(author, "content.comment_user_id", max_chars=AUTHOR_MAX_CHARS)
        ),
        "author_nickname": read_text(
            content.get("nick_name"), "content.nick_name", max_chars=NICKNAME_MAX_CHARS, strip=True
        ),
        "text": text,
        "posted_at": read_time(content.get("create_time"), "content.create_time", account.agency.tz),
        "like_count": read_count(content.get("digg_count"), "content.digg_count"),
        "reply_count": read_count(content.get("reply_comment_total"), "content.reply_comment_total"),
    }


def handle_comment_event(request, account_id: int) -> Response:
    account, refusal = signed_event_account(request, account_id)
    if refusal is not None:
        return refusal
    payload = read_payload(request.body)
    event = read_event(payload)
    if event == VERIFY_EVENT:
        return Response({"challenge": read_content(payload, required=False).get("challenge")})
    if event not in COMMENT_EVENTS:
        return Response({"ignored": event[:100]})
    return receive_comment_event(payload, account)


def receive_comment_event(payload: dict, account: PlatformAccount) -> Response:
    """Store the comment of an authenticated comment event for ``account`` (see
    ``accounts_ops.webhooks.receive_message_event``)."""
    check_receiver(payload, account)
    row = comment_row(payload, account)
    with tenant_context(account.agency, channel="api"), transaction.atomic():
        try:
            result = comments_receive(actor=None, rows=[row], account=account, source=CommentSource.WEBHOOK, prefix="")
        except ValidationError as exc:
            raise django_validation_error_to_drf(_event_names(exc)) from None
    return Response(result.as_dict())


def _event_names(exc: ValidationError) -> ValidationError:
    """The service's refusal under the event's field names (``content.item_id`` for ``video``)."""
    if not hasattr(exc, "error_dict"):
        return exc
    fields: dict[str, list[str]] = {}
    for name, errors in exc.error_dict.items():
        fields.setdefault(EVENT_FIELDS.get(name, "content"), []).extend(m for e in errors for m in e.messages)
    return ValidationError(fields)
