"""Pieces the API modules of account operations share beyond ``base``: the method lists of
append-only and read-only endpoints, the route of a Douyin-shaped webhook, and the body that reports
a failed delivery."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny

from agency.api.openapi import error_response

NO_PUT = ["get", "post", "patch", "delete", "head", "options"]
APPEND_ONLY = ["get", "post", "head", "options"]
READ_ONLY = ["get", "head", "options"]


def douyin_webhook_route(result_serializer):
    """The route of a Douyin-shaped webhook for one account: no session or token, authenticated
    by the ``X-Douyin-Signature`` of its raw body (checked by the handler), documented once."""

    def decorate(func):
        func = action(
            detail=False,
            methods=["post"],
            url_path=r"webhooks/douyin/(?P<account_id>[0-9]+)",
            authentication_classes=[],
            permission_classes=[AllowAny],
        )(func)
        return extend_schema(
            request=OpenApiTypes.OBJECT,
            responses={
                200: result_serializer,
                400: error_response(400, "The event could not be read; `fields` names what."),
                401: error_response(401, "The signature does not match."),
                413: error_response(413),
            },
            parameters=[
                OpenApiParameter("account_id", int, OpenApiParameter.PATH),
                OpenApiParameter(
                    "X-Douyin-Signature",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="HMAC-SHA256 of the raw body with the account's webhook secret, hex.",
                ),
            ],
            auth=[],
        )(func)

    return decorate


class FailedSerializer(serializers.Serializer):
    error = serializers.CharField()
