"""Fuzzing the API against its own OpenAPI schema (schemathesis), in-process through the WSGI
application, once per role token (agency admin, operator, analyst, client approver), with the
world's real ids in the path, and, in positive examples, ids the role may pick in the relation
filters and body fields, under every check schemathesis has (``ALL_CHECKS``):

- no server error (5xx) and no status the schema does not document (``agency.api.openapi``),
- no answer that breaks the schema (body, content type and headers of every documented status),
- invalid data refused, and (with FUZZ_ALL_CHECKS=1, ``make fuzz``) valid data accepted,
- no operation that answers a missing or a wrong token with anything but 401/403 (the public
  ones, a signed webhook and the public survey, are named in ``PUBLIC_OPERATIONS``).

The stateful checks (``use_after_free``, ``ensure_resource_availability``) and
``object_level_authorization`` look at sequences of requests: every request here is rolled back,
so they have nothing to see; tests/agency/test_isolation_matrix.py holds what one identity may
read of another's rows.

The run here is bounded (``FUZZ_EXAMPLES`` positive examples per operation and half as many
negative ones, derandomized, so a failure reproduces) and fuzzes as one role, the agency admin, whom
the most operations answer with their data; ``make fuzz`` runs the same as every role
(``FUZZ_ROLES=all``), with more examples. FUZZ_ROLES (names from ``ROLE_TOKENS``, comma-separated,
or ``all``) chooses the roles; FUZZ_ONLY (a regular expression on "METHOD /path") narrows a run;
FUZZ_REPORT names a file that gets every failure. Every request runs in a savepoint that is rolled
back, so the world reads the same for each.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
from collections import Counter

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
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.openapi.checks import RejectedPositiveData

from agency.models import TenantModel
from tests.agency.api_world import module_world, rolled_back
from tests.factories import api_token_key

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))  # positive examples per operation; half as many negative
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20260101"))
FUZZ_ONLY = os.environ.get("FUZZ_ONLY", "")  # a regular expression: only the operations ("GET /api/v1/...") it finds
ROLE_TOKENS = ("admin_a", "operator_a", "analyst_a", "approver_a1")
FUZZ_ROLES = os.environ.get("FUZZ_ROLES", "admin_a")  # "all", or some of ROLE_TOKENS, comma-separated
ROLES = ROLE_TOKENS if FUZZ_ROLES == "all" else tuple(role.strip() for role in FUZZ_ROLES.split(",") if role.strip())
if not ROLES or set(ROLES) - set(ROLE_TOKENS):
    raise ValueError(f"FUZZ_ROLES={FUZZ_ROLES!r}: 'all' or some of {', '.join(ROLE_TOKENS)}")

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

load_all_checks()
# Every check schemathesis has (its functions; the class-based ones are its users' own).
positive_data_acceptance = CHECKS.get_one("positive_data_acceptance")
# The rows' states: an action that the row's state does not allow (approve a draft, download an
# export still queued) is refused with a 400 naming ``status``, whatever the request holds. No
# schema can say which rows are in which state, so such an answer is not "valid data rejected";
# any other 400 to a schema-valid request still is.
STATE_FIELDS = frozenset({"status"})


def positive_data_acceptance_but_row_states(ctx, response, case):
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 400 and set(error_fields(response)) <= STATE_FIELDS and error_fields(response):
            return None
        raise


positive_data_acceptance_but_row_states.__name__ = "positive_data_acceptance"


def error_fields(response) -> dict:
    try:
        return response.json()["error"].get("fields") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


# ``positive_data_acceptance`` still finds schema-valid requests refused by rules the schema does not
# state yet (a time after another, a required text, rows that must not be empty): it runs with
# FUZZ_ALL_CHECKS=1 (``make fuzz``) until it finds none, then here too.
FUZZ_ALL_CHECKS = os.environ.get("FUZZ_ALL_CHECKS") == "1"
ALL_CHECKS = [
    positive_data_acceptance_but_row_states if check is positive_data_acceptance else check
    for check in CHECKS.get_all()
    if not isinstance(check, type) and (FUZZ_ALL_CHECKS or check is not positive_data_acceptance)
]
ignored_auth = CHECKS.get_one("ignored_auth")
# Whether an operation refuses a request without or with a wrong token is a property of the
# operation: ``ignored_auth`` probes it once, at its first success (as schemathesis' own runner does).
AUTH_CONFIRMED: set[str] = set()
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
            built.tokens = {name: api_token_key(built.principal(name).user) for name in ROLE_TOKENS}
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
def api_schema(app, served_schema):
    """The schema ``/api/schema/?format=json`` serves (generated once for the session, conftest),
    as ``schemathesis.openapi.from_wsgi`` would load it from there."""
    schema = schemathesis.openapi.from_dict(copy.deepcopy(served_schema.document))
    schema.app = app
    schema.location = "/api/schema/?format=json"
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


def relation_models(model) -> dict[str, type]:
    """The relations of ``model`` (query parameters and body fields are named after them): their targets."""
    if model is None:
        return {}
    return {field.name: field.related_model for field in model._meta.fields if field.is_relation}


def fuzz_operation(operation, world, app, role: str, failures: list, mode) -> int:
    principal = world.principal(role)
    headers = {"Authorization": f"Token {world.tokens[role]}", "Accept-Language": "en"}
    positive = mode == schemathesis.GenerationMode.POSITIVE
    model = model_of(operation.path)
    ids = seeded_ids(world, model)
    # A valid relation is one the person may pick (any other id is refused, 400, as it should be).
    relations = {
        name: sorted(world.world_visible(principal, target))
        for name, target in relation_models(model).items()
        if world.world_visible(principal, target)
    }
    path_names = re.findall(r"\{([^}]+)\}", operation.path)
    sent = []

    @hypothesis.settings(
        max_examples=FUZZ_EXAMPLES if positive else max(1, FUZZ_EXAMPLES // 2),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(
        case=operation.as_strategy(generation_mode=mode),
        pick=st.sampled_from(ids),
        chosen=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in relations.items()}),
    )
    def run(case, pick, chosen):
        for name in path_names:
            if name in ("id", "pk") or name.endswith("_id"):
                case.path_parameters[name] = pick
        if positive:
            for container in (case.query, case.body):
                if isinstance(container, dict):
                    for name, value in chosen.items():
                        if name in container and isinstance(container[name], int):
                            container[name] = value
        sent.append(1)
        checks = [check for check in ALL_CHECKS if not (check is ignored_auth and label(operation) in AUTH_CONFIRMED)]
        with rolled_back():
            response = None
            try:
                response = case.call(app=app, headers=headers)
                case.validate_response(response, checks=checks, headers=headers, transport_kwargs={"app": app})
                if 200 <= response.status_code < 300:
                    AUTH_CONFIRMED.add(label(operation))
            except BaseExceptionGroup as group:  # collected: every failure is shown at once
                for exc in group.exceptions:
                    failures.append(failure(operation, mode, exc, case, response))
            except Exception as exc:
                failures.append(failure(operation, mode, exc, case, response))

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing of this mode to generate (a negative case for an operation without inputs)
    return len(sent)


def failure(operation, mode, exc, case, response) -> str:
    sent = f"query={case.query!r} body={case.body!r}"[:300]
    answer = f"{response.status_code} {response.text[:300]}" if response is not None else "no answer"
    return f"{label(operation)} [{mode.value}]: {type(exc).__name__}: {describe(exc)} | sent {sent} | got {answer}"


def describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    keep = [line for line in text if line.strip() and not line.startswith("Reproduce")]
    return " / ".join(keep[:6])[:600]


@pytest.mark.parametrize("role", ROLES)
def test_fuzzing_finds_no_server_error_and_no_schema_break(api_schema, world, app, role):
    failures: list[str] = []
    sent = 0
    hypothesis.seed(FUZZ_SEED)
    for operation in operations(api_schema):
        if FUZZ_ONLY and not re.search(FUZZ_ONLY, label(operation)):
            continue
        if label(operation) in PUBLIC_OPERATIONS and operation.path.startswith("/api/v1/auth/"):
            continue  # the token endpoint's lockout would count the fuzzer's passwords
        if label(operation) == "GET /api/v1/health/":
            continue  # its documented 503 tells that no worker or scheduler runs here (test_health.py)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            sent += fuzz_operation(operation, world, app, role, failures, mode)
    assert sent > 0
    kinds = Counter(failure.split(": ", 2)[1] for failure in failures)
    if os.environ.get("FUZZ_REPORT"):  # a file to write every failure to (the assertion shows the first 80)
        with open(os.environ["FUZZ_REPORT"], "a", encoding="utf-8") as report:
            report.writelines(f"{role} {failure}\n" for failure in failures)
    shown = "\n".join(sorted(set(failures))[:80])
    assert not failures, f"{role}: {len(failures)} failures ({dict(kinds)}) in {sent} requests:\n{shown}"


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
