"""The isolation matrix (tests/agency/isolation_matrix.py) for more of agency A's staff and agency B's
admin: no route crosses tenants."""

from __future__ import annotations

import pytest

from tests.agency.isolation_matrix import (  # noqa: F401 (fixtures)
    Checker,
    _world_media,
    assert_no_route_crosses,
    matrix_db,
    principals_of,
    run_matrix,
    world,
)

# The database is set up for the marked tests; the world is built once, inside it, for the module.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", principals_of(__name__))
def test_no_route_crosses_tenants(matrix_db, name):  # noqa: F811
    assert_no_route_crosses(matrix_db, name)


# --- foreign ids in every writable relation of every create endpoint ----------------------------
