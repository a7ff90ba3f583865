"""Clause 7.1: comments pushed by Douyin as webhook events, signed like the 6.4 message events
(``accounts_ops.webhooks``: HMAC-SHA256 of the raw body with the account's webhook secret, in
``X-Douyin-Signature``). The account named in the URL gives the agency; everything after the
signature check runs inside that agency's context. A bad signature stores nothing (401); a comment
id already stored is updated, never stored twice.

Event shape (``content`` is an object, or the same object as a JSON string)::

    {"event": "item_comment_reply", "from_user_id": "<commenter open_id>",
     "to_user_id": "<account open_id>",
     "content": {"comment_id": "...", "item_id": "<the video's item id>", "content": "好吃！",
                 "create_time": 1767225600, "reply_to_comment_id": "", "digg_count": 0,
                 "nick_name": "..."}}
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from rest_framework.response import Response

from accounts_ops.models.advanced import CommentSource
from accounts_ops.services import comments_receive
from accounts_ops.webhooks import VERIFY_EVENT, refused, signed_event_account
from agency.api.errors import django_validation_error_to_drf
from agency.tenancy import tenant_context

COMMENT_EVENTS = ("item_comment_reply", "comment")


def handle_comment_event(request, account_id: int) -> Response:
    account, refusal = signed_event_account(request, account_id)
    if refusal is not None:
        return refusal
    body = request.body
    try:
        payload = json.loads(body)
        content = payload.get("content") or {}
        if isinstance(content, str):
            content = json.loads(content or "{}")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return refused(400, "invalid", "The body is not a JSON object.")
    if not isinstance(content, dict):
        return refused(400, "invalid", "The event's content is not an object.")
    event = payload.get("event")
    if event == VERIFY_EVENT:
        return Response({"challenge": content.get("challenge")})
    if event not in COMMENT_EVENTS:
        return Response({"ignored": str(event)})
    row = {**content, "account": account.pk}
    row.setdefault("comment_user_id", str(payload.get("from_user_id") or ""))
    with tenant_context(account.agency, channel="api"):
        try:
            result = comments_receive(actor=None, rows=[row], account=account, source=CommentSource.WEBHOOK, prefix="")
        except ValidationError as exc:
            raise django_validation_error_to_drf(exc)
    return Response(result.as_dict())
