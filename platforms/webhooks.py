"""Events a platform pushes to the installation's app: one address per platform, for every
connected account of every agency.

Douyin (https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/webhooks/summarize):
the developer console holds one webhook address per app; each event is a JSON POST whose
``X-Douyin-Signature`` header is the hex SHA-1 of the app's client secret followed by the raw body,
checked here before anything of the body is read. Saving the address in the console sends
``verify_webhook``, answered with its ``challenge``. The platform retries an event it got no 200 for
(three times), so an event is answered 200 once it is stored, and whenever retrying cannot help
(an event for an account no agency has connected).

The account an event is for is the live connection whose platform user id is the event's
``to_user_id`` (the account's open_id). The event is then read and stored exactly as the per-account
webhooks of ``accounts_ops`` read and store it: private messages (6.4) by
``accounts_ops.webhooks.receive_message_event``, comments (7.1) by
``accounts_ops.comment_webhooks.receive_comment_event``. This is the one place an unauthenticated
request reads across agencies, by the signed open_id only.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts_ops.comment_webhooks import COMMENT_EVENTS, receive_comment_event
from accounts_ops.webhooks import (
    RECEIVE_EVENT,
    SENDER_MAX_CHARS,
    VERIFY_EVENT,
    WEBHOOK_MAX_BYTES,
    read_content,
    read_event,
    read_id,
    read_payload,
    receive_message_event,
    refused,
)
from agency.api.openapi import error_response
from clients.models import Platform
from platforms.models import Connection, ConnectionStatus

SIGNATURE_HEADER = "HTTP_X_DOUYIN_SIGNATURE"


def douyin_signature(client_secret: str, body: bytes) -> str:
    """What Douyin sends in ``X-Douyin-Signature``: sha1(client secret + body), hex."""
    return hashlib.sha1(client_secret.encode() + body).hexdigest()


def douyin_signature_ok(body: bytes, header: str) -> bool:
    secret = (settings.PLATFORMS.get(Platform.DOUYIN) or {}).get("client_secret") or ""
    if not secret or not header:
        return False
    return hmac.compare_digest(douyin_signature(secret, body), header.strip().lower())


def connections_for(platform: str, open_id: str) -> list[Connection]:
    """The live connections of the platform account ``open_id``, in every agency that connected it."""
    return list(
        Connection.dangerously_all_agencies.select_related("account", "account__agency", "agency")
        .filter(
            platform=platform,
            open_id=open_id,
            status__in=[ConnectionStatus.CONNECTED, ConnectionStatus.RECONNECT],
            agency__is_active=True,
        )
        .order_by("pk")
    )


class DouyinWebhookView(APIView):
    """Douyin's events for every connected account, at the app's one webhook address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="platforms_webhooks_douyin",
        request=OpenApiTypes.OBJECT,
        responses={
            200: OpenApiTypes.OBJECT,
            400: error_response(400, "The event could not be read; `fields` names what."),
            401: error_response(401, "The signature does not match."),
            413: error_response(413),
        },
        parameters=[
            OpenApiParameter(
                "X-Douyin-Signature",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="SHA-1 of the app's client secret followed by the raw body, hex.",
            )
        ],
        auth=[],
        tags=["platforms"],
    )
    def post(self, request):
        body = request.body
        if len(body) > WEBHOOK_MAX_BYTES:
            return refused(413, "too_large", "The event is too large.")
        if not douyin_signature_ok(body, request.META.get(SIGNATURE_HEADER, "")):
            return refused(401, "bad_signature", "The signature does not match the platform app's secret.")
        payload = read_payload(body)
        event = read_event(payload)
        if event == VERIFY_EVENT:
            return Response({"challenge": read_content(payload, required=False).get("challenge")})
        if event != RECEIVE_EVENT and event not in COMMENT_EVENTS:
            return Response({"ignored": event[:100]})
        open_id = read_id(payload.get("to_user_id"), "to_user_id", max_chars=SENDER_MAX_CHARS, required=True)
        connections = connections_for(Platform.DOUYIN, open_id)
        if not connections:
            return Response({"ignored": "No agency has connected this account."})
        receive = receive_message_event if event == RECEIVE_EVENT else receive_comment_event
        answers = [receive(payload, connection.account).data for connection in connections]
        return Response(answers[0] if len(answers) == 1 else {"accounts": answers})
