"""The API fuzzed against its own OpenAPI schema as agency A's operator (tests/agency/api_fuzz.py)."""

from __future__ import annotations

import pytest

from tests.agency.api_fuzz import _world_media, api_schema, app, fuzz_as, roles_of, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", roles_of("operator_a"))
def test_fuzzing_finds_no_server_error_and_no_schema_break(api_schema, world, app, role, capsys):  # noqa: F811
    fuzz_as(role, api_schema, world, app, capsys)
