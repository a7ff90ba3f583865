"""One error body for every API error.

    {"error": {"status": 400, "code": "invalid",
               "message": "client: Object does not exist in this agency.",
               "fields": {"client": ["Object does not exist in this agency."]}}}

``message`` is one readable sentence naming the first problem; ``fields`` maps each field (or
``non_field_errors``) to its messages. Django ``ValidationError`` raised by services and model
``clean()`` is answered the same way, as 400.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, int):  # a list's item, as DRF names it: ``messages[3].text``
                name = f"{prefix}[{key}]"
            out.update(_flatten(value, name))
        return out
    if isinstance(detail, list):
        if detail and all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            if item:
                out.update(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def django_validation_error_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if key == NON_FIELD_ERRORS else key): [m for e in errors for m in e.messages]
                for key, errors in exc.error_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def deletion_refused_to_drf(exc: ProtectedError | RestrictedError) -> exceptions.ValidationError:
    """A row still referenced by others (a protected or restricted foreign key) is not deleted:
    400 naming what still uses it, instead of a server error."""
    objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or ()
    names = sorted({str(obj._meta.verbose_name) for obj in objects})
    used_by = ", ".join(names) or "other records"
    return exceptions.ValidationError({"non_field_errors": [f"Still used by {used_by}; it cannot be deleted."]})


def error_response(status_code: int, code: str, message: str, fields: dict | None = None) -> Response:
    """An error answered without raising (where raising would roll a transaction back)."""
    body = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return Response({"error": body}, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = deletion_refused_to_drf(exc)
    # DRF marks the open transaction for rollback. A route that opened none (answers kept in the
    # answer cache) computed in a transaction of its own, rolled back already; one open around it
    # (a test's) is not the request's to roll back.
    own_transaction = getattr(context.get("view"), "opens_no_transaction", False)
    kept = [(db, db.get_rollback()) for db in connections.all() if own_transaction and db.in_atomic_block]
    response = drf_exception_handler(exc, context)
    for db, rollback in kept:
        db.set_rollback(rollback)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(exc, Http404):
        detail = "Not found."
    code = getattr(exc, "default_code", None) or "error"
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    body: dict = {"status": response.status_code, "code": code}
    if isinstance(detail, (dict, list)):
        fields = _flatten(detail)
        first_field, first_messages = next(iter(fields.items()), ("", [""]))
        body["message"] = (
            first_messages[0] if first_field == "non_field_errors" else f"{first_field}: {first_messages[0]}"
        )
        body["fields"] = fields
    else:
        body["message"] = str(detail)
    return Response({"error": body}, status=response.status_code, headers=_headers(response))


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}


__all__ = ["exception_handler", "status"]
