"""Fuzzing the API against its own OpenAPI schema (schemathesis), in-process through the WSGI
application, once per role token (agency admin, operator, analyst, client approver), with the
world's real ids in the path and in the relation filters:

- no server error (5xx),
- no answer that breaks the schema (body and content type of every documented status),
- no operation that answers a missing or a wrong token with anything but 401/403 (the public
  ones, a signed webhook and the public survey, are named in ``PUBLIC_OPERATIONS``).

The run here is bounded (``FUZZ_EXAMPLES`` positive examples per operation and half as many
negative ones, derandomized, so a failure reproduces); ``make fuzz`` runs the same with more.
Every request runs in a savepoint that is rolled back, so the world reads the same for each.
"""

from __future__ import annotations

import json
import logging
import os
import re

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from agency.models import TenantModel
from tests.agency.api_world import module_world, rolled_back

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))  # positive examples per operation; half as many negative
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20260101"))
ROLE_TOKENS = ("admin_a", "operator_a", "analyst_a", "approver_a1")

# Operations meant to be anonymous; each has its own test of what it reveals
# (tests/agency/test_isolation_matrix.py).
PUBLIC_OPERATIONS = {
    "POST /api/v1/inbox-messages/webhooks/douyin/{account_id}/",  # authenticated by their signature
    "POST /api/v1/video-comments/webhooks/douyin/{account_id}/",
    "POST /api/v1/platforms/webhooks/douyin/",  # the platform app's events, signed with its secret
    "GET /evaluation/s/{token}/api/",  # the survey link's token is the key
    "POST /evaluation/s/{token}/api/",
    "POST /api/v1/auth/token/",  # exchanges a password for a token
    "GET /api/v1/health/",  # whether background work runs: no tenant data (test_health.py)
    "GET /api/v1/health/node/",  # for load balancers: only whether the database answers (test_health.py)
}

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
WRONG_TOKEN = "Token " + "0" * 40


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)  # the fuzzer's server errors are collected and reported below
    # The WSGI handler would close the connection at each request (it is inside the module's
    # transaction); the test client keeps it open the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with module_world(django_db_blocker, tmp_path_factory.mktemp("fuzz-media")) as built:
            built.tokens = {name: Token.objects.create(user=built.principal(name).user).key for name in ROLE_TOKENS}
            yield built
    finally:
        request_log.setLevel(level)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _world_media(_media_root, settings, world):
    settings.MEDIA_ROOT = world.media_root


@pytest.fixture(scope="module")
def app():
    return get_wsgi_application()


@pytest.fixture(scope="module")
def api_schema(app, world, django_db_blocker):
    with django_db_blocker.unblock():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    schema.config.generation.update(database="none")
    return schema


def operations(schema):
    out = []
    for result in schema.get_all_operations():
        out.append(result.ok())
    return out


def label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def model_of(path: str):
    """The model behind an operation's path (its viewset's), or None."""
    try:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    except Resolver404:
        return None
    viewset = getattr(match.func, "cls", None)
    model = getattr(viewset, "model", None)
    return model if isinstance(model, type) and issubclass(model, TenantModel) else None


def seeded_ids(world, model) -> list[int]:
    rows = world.rows.get(model, {})
    return [row.pk for row in rows.values()] or [1]


def relation_ids(world, model) -> dict[str, list[int]]:
    """Query parameters named after a relation of ``model``: the world's ids of its target."""
    out = {}
    if model is None:
        return out
    for field in model._meta.fields:
        if field.is_relation and field.related_model in world.rows:
            out[field.name] = seeded_ids(world, field.related_model)
    return out


def fuzz_operation(operation, world, app, headers: dict, failures: list, mode) -> int:
    model = model_of(operation.path)
    ids = seeded_ids(world, model)
    relations = relation_ids(world, model)
    path_names = re.findall(r"\{([^}]+)\}", operation.path)
    sent = []

    @hypothesis.settings(
        max_examples=FUZZ_EXAMPLES if mode == schemathesis.GenerationMode.POSITIVE else max(1, FUZZ_EXAMPLES // 2),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(
        case=operation.as_strategy(generation_mode=mode),
        pick=st.sampled_from(ids),
        filters=st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in relations.items()}),
    )
    def run(case, pick, filters):
        for name in path_names:
            if name in ("id", "pk") or name.endswith("_id"):
                case.path_parameters[name] = pick
        if case.query is not None and mode == schemathesis.GenerationMode.POSITIVE:
            for name, value in filters.items():
                if name in case.query:
                    case.query[name] = value
        sent.append(1)
        with rolled_back():
            try:
                response = case.call(app=app, headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # collected: every failure is shown at once
                failures.append(f"{label(operation)} [{mode.value}]: {type(exc).__name__}: {describe(exc)}")

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing of this mode to generate (a negative case for an operation without inputs)
    return len(sent)


def describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    keep = [line for line in text if line.strip() and not line.startswith("Reproduce")]
    return " / ".join(keep[:6])[:600]


@pytest.mark.parametrize("role", ROLE_TOKENS)
def test_fuzzing_finds_no_server_error_and_no_schema_break(api_schema, world, app, role):
    headers = {"Authorization": f"Token {world.tokens[role]}", "Accept-Language": "en"}
    failures: list[str] = []
    sent = 0
    hypothesis.seed(FUZZ_SEED)
    for operation in operations(api_schema):
        if label(operation) in PUBLIC_OPERATIONS and operation.path.startswith("/api/v1/auth/"):
            continue  # the token endpoint's lockout would count the fuzzer's passwords
        if label(operation) == "GET /api/v1/health/":
            continue  # its documented 503 tells that no worker or scheduler runs here (test_health.py)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            sent += fuzz_operation(operation, world, app, headers, failures, mode)
    assert sent > 0
    shown = "\n".join(sorted(set(failures))[:80])
    assert not failures, f"{role}: {len(failures)} failures in {sent} requests:\n{shown}"


def test_every_operation_refuses_a_missing_or_wrong_token(api_schema, world, app):
    """Outside the named public operations, no operation answers without a valid token."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    failures, checked, public = [], 0, set()
    for operation in operations(api_schema):
        name = label(operation)
        security = operation.definition.raw.get("security", api_schema.raw_schema.get("security"))
        anonymous_allowed = not security or {} in security
        if anonymous_allowed:
            public.add(name)
            continue
        model = model_of(operation.path)
        pk = seeded_ids(world, model)[0]
        path = re.sub(r"\{[^}]+\}", str(pk), operation.path)
        for credentials in ({}, {"HTTP_AUTHORIZATION": WRONG_TOKEN}):
            checked += 1
            with rolled_back():
                method = operation.method.lower()
                if method in ("get", "head", "options"):
                    response = getattr(client, method)(path, **credentials)
                else:
                    response = getattr(client, method)(
                        path, data=json.dumps({}), content_type="application/json", **credentials
                    )
            if response.status_code not in (401, 403):
                which = "a wrong token" if credentials else "no token"
                failures.append(f"{name} with {which} -> {response.status_code}")
    assert checked > 100, checked
    assert public <= PUBLIC_OPERATIONS, f"operations open to anyone: {sorted(public - PUBLIC_OPERATIONS)}"
    assert "GET /evaluation/s/{token}/api/" in public
    assert not failures, "\n".join(failures)
