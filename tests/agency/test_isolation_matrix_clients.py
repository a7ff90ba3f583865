"""The isolation matrix (tests/agency/isolation_matrix.py) for client a1's people: no route crosses
tenants; and foreign ids in every writable relation of every create endpoint are refused, for
every principal that may create."""

from __future__ import annotations

import pytest

from agency.roles import ADD, role_can
from tests.agency.api_world import rolled_back
from tests.agency.isolation_matrix import (  # noqa: F401 (fixtures)
    CREATORS,
    Checker,
    _world_media,
    assert_no_route_crosses,
    foreign_twins,
    matrix_db,
    own_row_body,
    principals_of,
    run_matrix,
    world,
    writable_relations,
)
from tests.agency.isolation_routes import routes

# The database is set up for the marked tests; the world is built once, inside it, for the module.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", principals_of(__name__))
def test_no_route_crosses_tenants(matrix_db, name):  # noqa: F811
    assert_no_route_crosses(matrix_db, name)


# --- foreign ids in every writable relation of every create endpoint ----------------------------


def test_foreign_ids_in_every_writable_relation_are_refused(matrix_db):  # noqa: F811
    world = matrix_db  # noqa: F811 (the module's world, as this test gets it)
    requests, relations = 0, 0
    checkers = {name: Checker(world, world.principal(name)) for name in CREATORS}  # one signed-in client each
    for route in routes():
        if route.suffix != "list" or not route.offered("post"):
            continue
        model = route.viewset.model
        for name, checker in checkers.items():
            principal = checker.principal
            if not role_can(principal.role, route.viewset.resource, ADD):
                continue
            base = own_row_body(checker, route, world.rows[model])
            for field, (related, many) in writable_relations(route, principal).items():
                for key, pk in foreign_twins(world, principal, related):
                    relations += 1
                    body = {**base, field: [pk] if many else pk}
                    label = f"POST {route.name} {field}=[{key}] as {name}"
                    before = model.dangerously_all_agencies.count()
                    with rolled_back():
                        response = checker.send("post", route.url(), label=label, body=body, model=model)
                        requests += 1
                        if not 400 <= response.status_code < 500:
                            checker.fail(label, response, "a foreign id was accepted")
                        elif response.status_code == 400 and field not in response.json()["error"].get("fields", {}):
                            checker.fail(label, response, f"refused, but not for {field!r}")
                        if model.dangerously_all_agencies.count() != before:
                            checker.fail(label, response, "a row was created")
    failures = [failure for checker in checkers.values() for failure in checker.failures]
    assert relations > 50, relations
    shown = "\n".join(failures[:60])
    assert not failures, f"{len(failures)} of {requests} requests failed:\n{shown}"
