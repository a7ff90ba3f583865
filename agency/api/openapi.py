"""The schema class of the API (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``).

Besides what a view answers when all is well, every operation documents the errors it can
answer, with the API's one error body (``agency.api.errors``, the ``Error`` component), so that
a client generated from the schema knows them. They are decided here once, from what the
operation is, not per view:

- 401 and 403 for an operation that needs a token or a session: no valid credentials (401, with
  ``WWW-Authenticate``), or a role that may not do this, no agency chosen, a session's request
  without its CSRF token (403);
- 400 for an operation that reads a body, a query parameter (a filter, ``page_size``, ``format``)
  or changes anything (a service's rule, a row still used by others on DELETE);
- 404 for an operation with a path parameter (no such row in the person's agency or client) or a
  page number or cursor (a page past the last);
- 415 for an operation that reads a body (a media type it does not parse);
- 429 for a throttled operation;
- and whatever a view lists in ``extra_error_statuses`` (the token endpoint's 429 while signing
  in is paused).

An operation that answers an error status no rule here gives it names it in its
``extend_schema(responses=...)``, which is kept as it is.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import RegexValidator
from drf_spectacular import hooks
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import AllowAny

from agency.api.filters import FilterBackend, IdInFilter
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import MODEL_ACTIONS


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, again.")
    code = serializers.CharField(help_text="A stable code for the problem, such as `invalid` or `not_found`.")
    message = serializers.CharField(help_text="One readable sentence naming the first problem.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Each field (or `non_field_errors`) with its messages.",
    )


class ErrorSerializer(serializers.Serializer):
    """The API's one error body (``agency.api.errors``)."""

    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Refused: the body, a query parameter or the service's rule; `fields` names each problem.",
    401: "No valid token or session.",
    403: "Your role does not allow this, no agency is chosen (send `X-Agency`), or a session's request "
    "came without its CSRF token.",
    404: "No such row in your agency (or your client), or no such page.",
    405: "This endpoint does not offer this method.",
    409: "The row changed meanwhile; read it again.",
    410: "No longer available.",
    413: "The body is too large.",
    415: "The body's media type is not one this operation reads.",
    429: "Too many requests; try again later (`Retry-After` says when).",
}

# Query parameters whose wrong value answers 404 (DRF's paginators), not 400.
PAGE_PARAMETERS = frozenset({"page", "cursor"})
# Query parameters that never refuse a value: a search matches nothing, an unknown ordering is ignored.
LENIENT_PARAMETERS = frozenset({"search", "ordering"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHANGE_METHODS = frozenset({"PUT", "PATCH"})
LIST_FIELDS = (
    serializers.ListField,
    serializers.ListSerializer,
    serializers.MultipleChoiceField,
    serializers.ManyRelatedField,
)
NOT_BLANK = r"\S"  # (JSON Schema patterns are searched for, not matched whole)
SLUG = r"^(?!.*\n)[-a-zA-Z0-9_]+$"  # Django's validate_slug
NO_NUL = r"^[^\x00]*$"  # DRF's CharField refuses a NUL character (so does PostgreSQL)
# A text that may not be blank is also refused when it is only whitespace (DRF's CharField strips
# it first, ``str.strip``, whose whitespace is the ``\s`` of Python's patterns: \x1c-\x1f too).
NOT_BLANK_NO_NUL = r"^[^\x00]*[^\s\x00][^\x00]*$"
UPDATE = "Update"  # a PUT's own body component, when a change takes fewer fields than a creation


def error_response(status_code: int, description: str | None = None) -> OpenApiResponse:
    """An error answer with the API's error body, for ``extend_schema(responses=...)``."""
    return OpenApiResponse(ErrorSerializer, description=description or ERROR_DESCRIPTIONS[status_code])


def not_offered(detail: str):
    """An action a viewset inherits but does not offer (a create where rows come another way):
    405 naming the way, for everyone, and left out of the schema (``AutoSchema.is_excluded``)::

        create = not_offered("Send rows to the bulk/ endpoint.")
    """

    def action(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method, detail=detail)

    action.not_offered = True
    return action


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The decimals a DecimalField reads, as a pattern on its string: at least one digit, at most
    ``max_digits`` in all and ``decimal_places`` after the point; no sign when it takes no
    negative value, not zero when its least value is the least step above zero (0.01 with two
    places), and at most its greatest value when that is a power of ten (1, 100)."""
    whole, places = field.max_whole_digits, field.decimal_places
    least, most = field.min_value, field.max_value
    fraction = f"(?:\\.[0-9]{{1,{places}}})?" if places else ""
    digits = f"[0-9]{{1,{whole}}}" if whole else "0"
    if most is not None and most > 0 and Decimal(most).log10() == int(Decimal(most).log10()):
        power = int(Decimal(most).log10())  # below 10**power, or 10**power itself
        below = f"[0-9]{{1,{power}}}" if power else "0"
        zeros = f"(?:\\.0{{1,{places}}})?" if places else ""
        digits, fraction = f"(?:{below}{fraction}|1{'0' * power}{zeros})", ""
    sign = "" if least is not None and least >= 0 else "-?"
    not_zero = "(?![0.]*$)" if least is not None and places and least == Decimal(1).scaleb(-places) else ""
    return f"^{sign}{not_zero}{digits}{fraction}$"


def is_structured(field) -> bool:
    """Whether a form cannot write ``field``'s value: an object, a JSON value, a list of objects."""
    if isinstance(field, serializers.ListField):
        return is_structured(field.child)
    return isinstance(field, (serializers.BaseSerializer, serializers.DictField, serializers.JSONField))


class AutoSchema(SpectacularAutoSchema):
    """Leaves out the operations a viewset declares it does not offer (``offered_actions``), so
    the schema lists exactly what the API answers, and documents the errors of every operation."""

    def is_excluded(self) -> bool:
        action = getattr(self.view, "action", None)
        if getattr(getattr(self.view, action or "", None), "not_offered", False):
            return True
        offered = getattr(self.view, "offered_actions", None)
        return offered is not None and action not in offered

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._refuse_blank_filters(operation)
        responses = operation["responses"]
        for status_code in sorted(self.error_statuses(operation)):
            if str(status_code) not in responses:
                responses[str(status_code)] = self._get_response_for_code(error_response(status_code), str(status_code))
        for code, response in responses.items():
            if code.startswith("4") and "content" not in response:
                # An error a view names by its description alone still answers the error body.
                described = error_response(int(code), response.get("description") or None)
                responses[code] = self._get_response_for_code(described, code)
        return operation

    def get_request_serializer(self):
        """A change (PUT, PATCH) is described by the serializer as it reads a change of a row that
        exists: the fields fixed after creation (``FixedAfterCreate``) are read-only there, so
        they are not in the change's body, which refuses them."""
        serializer = super().get_request_serializer()
        changes = self.method in CHANGE_METHODS and isinstance(serializer, TenantModelSerializer)
        if changes and serializer.instance is None:
            serializer = type(serializer)(instance=serializer.Meta.model(), context=serializer.context)
            for name in getattr(self.view, "fixed_fields", ()):  # refused on a change by the viewset
                if name in serializer.fields:
                    serializer.fields[name].read_only = True
        return serializer

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        if direction == "request" and self.method == "PUT" and self._fixed_on_change(serializer):
            name = name.removesuffix("Serializer") + UPDATE  # (PATCH has its own component, ``Patched...``)
        return name

    @staticmethod
    def _fixed_on_change(serializer) -> bool:
        """Whether a change of a row takes fewer fields than its creation."""
        if not isinstance(serializer, TenantModelSerializer) or serializer.instance is None:
            return False
        created = type(serializer)(context=serializer.context).fields  # (the view's fixed_fields marked above)
        changed = serializer.fields
        return any(not field.read_only and changed[n].read_only for n, field in created.items() if n in changed)

    def map_parsers(self):
        """A body with a file is read from a multipart form only (JSON has no way to carry a file);
        one with structure (a list of rows, an object, a JSON value) from JSON only (a form has
        no way to write it)."""
        media_types = super().map_parsers()
        serializer = force_instance(self.get_request_serializer())
        fields = serializer.fields if isinstance(serializer, serializers.Serializer) else {}
        writable = [field for field in fields.values() if not field.read_only]
        if any(isinstance(field, serializers.FileField) for field in writable):
            return [media_type for media_type in media_types if media_type == "multipart/form-data"] or media_types
        if any(is_structured(field) for field in writable):
            return [media_type for media_type in media_types if media_type == "application/json"] or media_types
        return media_types

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        kind = serializer if isinstance(serializer, type) else type(serializer)
        if direction == "request" and self.method == "PATCH" and issubclass(kind, TenantModelSerializer):
            # A change names only fields it may change (TenantModelSerializer.to_internal_value).
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
            if field.allow_null:  # DRF reads an empty text as null (as a form sends "no value")
                outer = {name: schema.pop(name) for name in ("nullable", "readOnly", "writeOnly") if name in schema}
                schema = {"oneOf": [schema, {"type": "string", "maxLength": 0}], **outer}
        if direction == "request" and isinstance(field, serializers.SlugField) and not field.allow_unicode:
            schema["pattern"] = SLUG  # (its ``$`` not taking a final newline, as Django's validator does not)
        is_text = isinstance(field, serializers.CharField) and schema.get("type") == "string"
        # A field's own pattern (a ``RegexValidator``, stated by drf-spectacular after this) says more.
        own_pattern = any(isinstance(validator, RegexValidator) for validator in field.validators)
        if direction == "request" and is_text and not own_pattern and not {"enum", "format", "pattern"} & set(schema):
            stripped_not_blank = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NOT_BLANK_NO_NUL if stripped_not_blank else NO_NUL
        is_list = isinstance(field, LIST_FIELDS)
        if direction == "request" and is_list and not field.allow_empty and schema.get("type") == "array":
            schema.setdefault("minItems", 1)  # ("This list may not be empty.")
        return schema

    def _refuse_blank_filters(self, operation: dict) -> None:
        """A filter sent blank is refused (``agency.api.filters.FilterBackend``): its text says so;
        so is an id below 1 or above the largest key."""
        filterset_class = getattr(self.view, "filterset_class", None)
        backends = getattr(self.view, "filter_backends", None) or []
        if filterset_class is None or not any(issubclass(backend, FilterBackend) for backend in backends):
            return
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            is_filter = parameter["in"] == "query" and parameter["name"] in filterset_class.base_filters
            if is_filter and schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
                schema["pattern"] = NOT_BLANK
            flt = filterset_class.base_filters.get(parameter["name"]) if is_filter else None
            if isinstance(flt, IdInFilter) and schema.get("type") == "array":
                # Ids of rows: at least one, each a whole number a primary key holds.
                schema["minItems"] = 1
                schema["items"] = {**schema.get("items", {}), "minimum": flt.extra["min_value"]}
                schema["items"]["maximum"] = flt.extra["max_value"]

    def error_statuses(self, operation: dict) -> set[int]:
        """The error statuses ``operation`` can answer (see the module's docstring)."""
        statuses: set[int] = set()
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p["in"] == "query"}
        has_body = "requestBody" in operation
        permissions = self.view.get_permissions()
        if permissions and not any(isinstance(permission, AllowAny) for permission in permissions):
            statuses |= {401, 403}
        custom_action = getattr(self.view, "action", None) not in (None, *MODEL_ACTIONS)
        if has_body or custom_action or self.method not in SAFE_METHODS or query - PAGE_PARAMETERS - LENIENT_PARAMETERS:
            statuses.add(400)
        if any(p["in"] == "path" for p in parameters) or query & PAGE_PARAMETERS:
            statuses.add(404)
        if has_body:
            statuses.add(415)
        if getattr(self.view, "throttle_classes", None):
            statuses.add(429)
        statuses |= set(getattr(self.view, "extra_error_statuses", ()))  # what a view answers by itself
        return statuses


def postprocess_schema_enums(result, generator, **kwargs):
    """drf-spectacular's naming of choice sets (``drf_spectacular.hooks.postprocess_schema_enums``),
    reading a change's own component (``XUpdateRequest``) as the row's, as it reads
    ``PatchedXRequest``: a choice set the two share keeps the row's name (``XStatusEnum``). (The
    hook builds the components again from the registry, under their own names.)"""
    schemas = result.get("components", {}).get("schemas", {})
    for name in [name for name in schemas if name.endswith(f"{UPDATE}Request")]:
        alias = "Patched" + name.removesuffix(f"{UPDATE}Request")
        if alias not in schemas:
            schemas[alias] = schemas.pop(name)
    result = hooks.postprocess_schema_enums(result, generator, **kwargs)
    one_part_or_more(result)
    return result


def one_part_or_more(result: dict) -> None:
    """A multipart body holds one part or more (RFC 2046, 5.1.1; ``agency.api.parsers``): its
    schema is the body's own, inline (its fields, and which are files, stay readable), with
    ``minProperties: 1``. A body with no field at all is sent as JSON, urlencoded, or not at all."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            multipart = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            reference = (multipart or {}).get("schema", {}).get("$ref", "")
            body = schemas.get(reference.rsplit("/", 1)[-1]) if reference else None
            if body is not None and body.get("type") == "object":
                multipart["schema"] = {**body, "minProperties": 1}
