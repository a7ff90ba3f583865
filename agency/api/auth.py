"""The API's token endpoint."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from agency.api.errors import _flatten, error_response


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for an API token.

    Outside the request transaction, and answering refusals without raising: a refused sign-in
    must still be counted by the lockout (django-axes), so nothing may roll its record back."""

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
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


obtain_token = ObtainTokenView.as_view()
