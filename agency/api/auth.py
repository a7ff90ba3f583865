"""The API's token endpoint. A person who turned two-step sign-in on sends the current code of
their authenticator app as ``otp``; a wrong code counts toward the lockout like a wrong password."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from agency import twofactor
from agency.api.errors import _flatten, error_response


class TokenRequestSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The current code of the authenticator app, for people with two-step sign-in on.",
    )


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for an API token.

    Outside the request transaction, and answering refusals without raising: a refused sign-in
    must still be counted by the lockout (django-axes), so nothing may roll its record back."""

    serializer_class = TokenRequestSerializer

    @extend_schema(auth=[])  # no token is needed to ask for one
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            valid = serializer.is_valid()
        except PermissionDenied:
            valid = False
        if getattr(request, "axes_locked_out", False):  # set by django-axes
            return error_response(
                429, "locked_out", "Too many failed sign-ins for this username from this address. Try again later."
            )
        if not valid:
            fields = _flatten(serializer.errors)
            name, messages = next(iter(fields.items()))
            message = messages[0] if name == "non_field_errors" else f"{name}: {messages[0]}"
            return error_response(400, "invalid", message, fields)
        user = serializer.validated_data["user"]
        device = twofactor.totp_device(user)
        if device is not None:
            result = twofactor.check_code(device, serializer.validated_data.get("otp"))
            if not result.ok:
                if result.problem == "wrong":
                    twofactor.count_failure(request, user)
                return error_response(400, f"otp_{result.problem}", f"otp: {result.message}", {"otp": [result.message]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


obtain_token = ObtainTokenView.as_view()
