"""The API fuzzed against its own OpenAPI schema as agency A's admin (tests/agency/api_fuzz.py), and
every operation refused without a valid token."""

from __future__ import annotations

import json
import re

import pytest

from tests.agency.api_fuzz import (  # noqa: F401 (fixtures)
    PUBLIC_OPERATIONS,
    WRONG_TOKEN,
    _world_media,
    api_schema,
    app,
    fuzz_as,
    label,
    model_of,
    operations,
    roles_of,
    seeded_ids,
    world,
)
from tests.agency.api_world import rolled_back

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", roles_of("admin_a"))
def test_fuzzing_finds_no_server_error_and_no_schema_break(api_schema, world, app, role, capsys):  # noqa: F811
    fuzz_as(role, api_schema, world, app, capsys)


def test_every_operation_refuses_a_missing_or_wrong_token(api_schema, world, app):  # noqa: F811
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
