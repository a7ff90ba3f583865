"""How some serializer fields read in the OpenAPI schema, so that the schema says what the API
answers (the fuzzer, tests/agency/test_api_fuzz.py, holds every answer to it); and who may read it.

- A time is answered as ``HH:MM[:SS[.ffffff]]`` with no offset: OpenAPI's ``format: time`` means
  RFC 3339's full-time, which requires one, so times are described by a pattern instead.
- A URL field that may be blank (or is read-only) answers ``""`` when it is: ``format: uri`` alone
  would refuse that.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework.permissions import BasePermission

TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


class TimeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": TIME_PATTERN, "example": "10:00:00"}


class BlankURLFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "rest_framework.fields.URLField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        uri = build_basic_type(OpenApiTypes.URI)
        # A read-only URL answers what is stored, and a blank one is stored as "".
        if not (getattr(self.target, "allow_blank", False) or self.target.read_only):
            return uri
        return {"oneOf": [uri, {"type": "string", "maxLength": 0}]}


class SchemaAccess(BasePermission):
    """The schema and its documentation pages (``SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]``): anyone
    when ``API_SCHEMA_PUBLIC`` (development's default), else a signed-in person (session or token)."""

    def has_permission(self, request, view) -> bool:
        return settings.API_SCHEMA_PUBLIC or bool(request.user and request.user.is_authenticated)
