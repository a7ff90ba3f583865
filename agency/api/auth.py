"""The API's token endpoint. A person with two-step sign-in on sends the current code of their
authenticator app (or a recovery code) as ``otp``; a wrong code counts toward the lockout like a
wrong password. A person who must use two-step sign-in (``agency.twofactor.two_step_required``)
and has not set it up gets no token: the password alone never gives them one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, renderers, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import tokens, twofactor
from agency.api.errors import _flatten, error_response
from agency.api.parsers import JSONParser, MultiPartParser


class TokenRequestSerializer(AuthTokenSerializer):
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        write_only=True,
        help_text="A name for the new token, to recognise it in the list of your tokens.",
    )
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=(
            "The current code of the authenticator app (or a recovery code), for people with two-step sign-in on."
        ),
    )


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token (``agency.tokens``), valid for
    ``API_TOKEN_DAYS``: the key is in the answer only, with its expiry.

    Outside the request transaction, and answering refusals without raising: a refused sign-in
    must still be counted by the lockout (django-axes), so nothing may roll its record back."""

    serializer_class = TokenRequestSerializer
    authentication_classes = ()  # the password is the proof: a stale token sent along is ignored
    throttle_classes = ()
    permission_classes = ()
    parser_classes = (parsers.FormParser, MultiPartParser, JSONParser)
    renderer_classes = (renderers.JSONRenderer,)
    extra_error_statuses = (429,)  # signing in is paused after repeated failures (agency.lockout)

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", {"request": self.request, "view": self})
        return self.serializer_class(*args, **kwargs)

    @extend_schema(auth=[])  # no token is needed to ask for one
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            valid = serializer.is_valid()
        except PermissionDenied:
            valid = False
        if getattr(request, "axes_locked_out", False):  # set by django-axes
            return error_response(429, "locked_out", "Too many failed sign-ins. Try again later.")
        if not valid:
            fields = _flatten(serializer.errors)
            name, messages = next(iter(fields.items()))
            message = messages[0] if name == "non_field_errors" else f"{name}: {messages[0]}"
            return error_response(400, "invalid", message, fields)
        user = serializer.validated_data["user"]
        device = twofactor.totp_device(user)
        if device is None and twofactor.two_step_required(user):
            message = "Two-step sign-in is required for this account and is not set up: set it up on the web first."
            return error_response(400, "otp_setup_required", f"otp: {message}", {"otp": [message]})
        if device is not None:
            result = twofactor.check_sign_in_code(user, serializer.validated_data.get("otp"))
            if not result.ok:
                if result.problem == "wrong":
                    twofactor.count_failure(request, user)
                return error_response(400, f"otp_{result.problem}", f"otp: {result.message}", {"otp": [result.message]})
        token, key = tokens.issue_personal(user=user, name=serializer.validated_data.get("name") or "")
        return Response(token_answer(token, key))


def token_answer(token, key: str) -> dict:
    """A new token's answer: the key (shown this once) and what identifies it later."""
    return {"token": key, "id": token.pk, "prefix": token.prefix, "name": token.name, "expires_at": token.expires_at}


obtain_token = ObtainTokenView.as_view()
