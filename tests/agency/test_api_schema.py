"""The OpenAPI schema: generated without warnings, valid, served at /api/schema/, and naming the
errors of every operation with the body the API answers them with."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import jsonschema
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.validation import validate_schema
from rest_framework import exceptions, serializers

from agency.api.errors import exception_handler
from agency.api.openapi import decimal_pattern


def test_schema_generates_without_warnings_and_validates(generated_schema):
    """What ``manage.py spectacular --validate --fail-on-warn`` checks, on the session's schema."""
    assert not generated_schema.warnings, "\n".join(generated_schema.warnings)
    validate_schema(generated_schema.document)
    assert {"/api/v1/clients/", "/api/v1/requirements/{id}/accept/"} <= set(generated_schema.document["paths"])


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


# --- the errors every operation documents (agency.api.openapi) -------------------------------------

ERROR_REF = "#/components/schemas/Error"
SAFE_METHODS = {"get", "head", "options"}


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield f"{method.upper()} {path}", method, operation


def test_every_operation_documents_the_errors_it_can_answer(openapi):
    missing, without_errors = [], set()
    for name, method, operation in operations(openapi):
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        expected = set()
        if any(requirement for requirement in operation.get("security", [])):
            expected |= {"401", "403"}
        if "requestBody" in operation:
            expected |= {"400", "415"}
        if method not in SAFE_METHODS:
            expected.add("400")
        if any(p["in"] == "path" for p in parameters):
            expected.add("404")
        if any(p["in"] == "query" and p["name"] in ("page", "cursor") for p in parameters):
            expected.add("404")
        if not any(code.startswith("4") for code in responses):
            without_errors.add(name)
        if expected - set(responses):
            missing.append(f"{name}: {sorted(expected - set(responses))}")
    assert not missing, "\n".join(missing)
    # Public, without parameters or body: nothing of the request can be wrong (test_health.py).
    assert without_errors == {"GET /api/v1/health/", "GET /api/v1/health/node/"}


def test_every_documented_error_has_the_error_body(openapi):
    wrong = []
    for name, _method, operation in operations(openapi):
        for code, response in operation["responses"].items():
            if not code.startswith("4"):
                continue
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") != ERROR_REF:
                wrong.append(f"{name} {code}: {schema}")
            if not response.get("description"):
                wrong.append(f"{name} {code}: no description")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "exc",
    [
        exceptions.ValidationError({"client": ["Object does not exist in this agency."], "items": [{"n": ["Bad."]}]}),
        exceptions.ValidationError(["A rule of the service."]),
        DjangoValidationError({"__all__": ["Ends before it starts."], "ends_at": ["Too early."]}),
        exceptions.NotAuthenticated(),
        exceptions.AuthenticationFailed("Invalid token."),
        exceptions.PermissionDenied(),
        Http404(),
        exceptions.NotFound("Invalid page."),
        exceptions.MethodNotAllowed("PUT"),
        exceptions.UnsupportedMediaType("text/csv"),
        exceptions.Throttled(30),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_the_documented_error_body_is_what_the_api_answers(openapi, exc):
    response = exception_handler(exc, {"view": None, "request": None})
    assert 400 <= response.status_code < 500
    body = json.loads(json.dumps(response.data, default=str))
    jsonschema.validate(body, {"$ref": ERROR_REF, "components": openapi["components"]})
    assert body["error"]["status"] == response.status_code and body["error"]["message"]


def test_the_token_endpoint_documents_the_pause_after_repeated_failures(openapi):
    answers = openapi["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in answers and answers["429"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


# --- what a valid request is (the fuzz test's positive-data check holds the API to it) ---------------


def request_schema(openapi, path: str, method: str) -> dict:
    ref = openapi["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_a_change_does_not_offer_the_fields_fixed_after_creation(openapi):
    created = request_schema(openapi, "/api/v1/platform-accounts/", "post")
    patched = request_schema(openapi, "/api/v1/platform-accounts/{id}/", "patch")
    put = request_schema(openapi, "/api/v1/platform-accounts/{id}/", "put")
    assert "platform" in created["properties"] and "platform" in created["required"]
    assert "platform" not in patched["properties"] and patched["additionalProperties"] is False
    assert "platform" not in put["properties"] and "platform" not in put.get("required", [])
    # The parent of an 8.1 row (a live product's session) too.
    assert "session" not in request_schema(openapi, "/api/v1/live-products/{id}/", "patch")["properties"]


@pytest.mark.parametrize(
    ("field", "valid", "invalid"),
    [
        ({"max_digits": 12, "decimal_places": 2}, ["-1.5", "0", "9999999999.99"], ["", "-", ".5", "1.", "1.234"]),
        ({"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}, ["0", "0.00", "12.3"], ["-1", "-0"]),
        ({"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}, ["0.01", "10"], ["0", "0.00", "-1"]),
        ({"max_digits": 5, "decimal_places": 4, "min_value": 0, "max_value": 1}, ["0.5", "1", "1.0000"], ["1.0001"]),
        ({"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}, ["99.99", "100.00"], ["100.01"]),
    ],
)
def test_a_decimals_pattern_admits_only_what_the_field_reads(field, valid, invalid):
    decimal = serializers.DecimalField(**field)
    pattern = decimal_pattern(decimal)
    for text in valid:
        assert re.search(pattern, text), (pattern, text)
        decimal.run_validation(text)
    for text in invalid:
        assert not re.search(pattern, text), (pattern, text)


def test_lists_of_ids_rows_and_page_sizes_state_their_bounds(openapi):
    clips = {p["name"]: p["schema"] for p in openapi["paths"]["/api/v1/clips/"]["get"]["parameters"]}
    assert clips["id"]["minItems"] == 1 and clips["id"]["items"]["minimum"] == 1
    assert clips["page_size"]["minimum"] == 1
    bulk = request_schema(openapi, "/api/v1/hot-topics/bulk/", "post")
    assert bulk["properties"]["rows"]["minItems"] == 1
    # Rows of objects are read from JSON only: a form cannot write them.
    assert list(openapi["paths"]["/api/v1/hot-topics/bulk/"]["post"]["requestBody"]["content"]) == ["application/json"]


def test_text_states_what_the_fields_refuse(openapi):
    """No NUL in text (DRF refuses it), and a slug without a final newline (``$`` would take one;
    Django's validator does not)."""
    question = request_schema(openapi, "/api/v1/questions/", "post")["properties"]
    assert re.search(question["code"]["pattern"], "nps_1") and not re.search(question["code"]["pattern"], "nps\n")
    assert not re.search(question["text_en"]["pattern"], "a\x00b")
