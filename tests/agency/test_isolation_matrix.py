"""The isolation matrix (tests/agency/isolation_matrix.py says what it checks): every API route is in
it, the public endpoints reveal nothing, and no route crosses tenants for some of the principals
(``MATRIX_MODULES``; the others in tests/agency/test_isolation_matrix_*.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.models import PlatformAccount
from tests.agency.api_world import PRINCIPALS, rolled_back
from tests.agency.isolation_matrix import (  # noqa: F401 (fixtures)
    MATRIX_MODULES,
    PUBLIC_WEBHOOKS,
    Checker,
    _world_media,
    assert_no_route_crosses,
    matrix_db,
    principals_of,
    run_matrix,
    walk_dicts,
    world,
)
from tests.agency.isolation_routes import NOT_TENANT_DATA, PENDING, api_route_names, classified_route_names, routes

# The database is set up for the marked tests; the world is built once, inside it, for the module.
pytestmark = pytest.mark.django_db


def test_every_api_route_is_in_the_matrix():
    present = api_route_names() - NOT_TENANT_DATA
    classified = classified_route_names()
    unclassified = sorted(present - set(classified))
    assert not unclassified, (
        "These API routes are not in the isolation matrix; add them to MATRIX in "
        f"tests.agency.isolation_routes: {unclassified}"
    )
    stale = sorted(name for name, basename in classified.items() if name not in present and basename not in PENDING)
    assert not stale, f"MATRIX names routes that no longer exist: {stale}"


def test_every_principal_is_in_a_matrix_module():
    listed = [name for names in MATRIX_MODULES.values() for name in names]
    assert sorted(listed) == sorted(PRINCIPALS), "each principal in exactly one test module of the matrix"


@pytest.mark.parametrize("name", principals_of(__name__))
def test_no_route_crosses_tenants(matrix_db, name):  # noqa: F811
    assert_no_route_crosses(matrix_db, name)


# --- foreign ids in every writable relation of every create endpoint ----------------------------


@pytest.mark.parametrize("route_name", PUBLIC_WEBHOOKS)
def test_douyin_webhooks_reveal_nothing(matrix_db, route_name):  # noqa: F811
    """A signed webhook: an unsigned or wrongly signed event for any account (of any agency, or
    none) gets the same refusal, names nothing, and stores nothing."""
    if route_name not in api_route_names():
        pytest.skip(f"{route_name} is not routed in this tree")
    world = matrix_db  # noqa: F811 (the module's world, as this test gets it)
    model = next(r.viewset.model for r in routes() if r.name == route_name)
    anonymous = world.principal("anonymous")
    checker = Checker(world, anonymous)
    accounts = {key: row.pk for key, row in world.rows[PlatformAccount].items()}
    accounts["none"] = max(accounts.values()) + 10_000
    event = {"event": "im_receive_msg", "content": {"server_message_id": "m1", "create_time": 1767225600000}}
    answers = set()
    before = model.dangerously_all_agencies.count()
    for key, account_id in accounts.items():
        url = reverse(route_name, kwargs={"account_id": account_id})
        for headers in ({}, {"HTTP_X_DOUYIN_SIGNATURE": "sha256=" + "0" * 64}):
            checker.requests += 1
            with rolled_back():
                response = checker.client.post(url, event, format="json", **headers)
                checker.check_answer(f"POST webhook [{key}]", response, None)
                answers.add((response.status_code, response.content))
    assert model.dangerously_all_agencies.count() == before
    assert len(answers) == 1, answers
    assert next(iter(answers))[0] == 401
    assert not checker.failures, checker.failures
    checker.check_untouched()


def test_public_survey_reveals_nothing_of_other_rows(matrix_db):  # noqa: F811
    """The public survey (a link's token is the key): it shows its own campaign's questionnaire
    and its own client's name only; an unknown token answers 404 with nothing in it."""
    from evaluation.models import EvaluationCampaign

    world = matrix_db  # noqa: F811 (the module's world, as this test gets it)
    anonymous = world.principal("anonymous")
    checker = Checker(world, anonymous)
    campaign = world.rows[EvaluationCampaign]["a1"]
    own_name = campaign.client.name.encode()
    checker.foreign_names = [n for n in checker.foreign_names if n != own_name]
    for token in (campaign.public_token, "no-such-token"):
        if not token:
            continue
        url = reverse("evaluation:public-survey-api", args=[token])
        response = checker.send("get", url, label=f"GET public survey [{token[:6]}]", model=None)
        assert response.status_code in (200, 404, 410), response.status_code
        if token == "no-such-token":
            assert response.status_code == 404
            assert campaign.client.name not in response.content.decode()
        data = response.json()
        ids = [item["id"] for item in walk_dicts(data) if "id" in item]
        assert not ids, f"the public survey shows row ids: {ids}"
    assert not checker.failures, checker.failures
    checker.check_untouched()


def test_the_world_has_rows_for_every_routed_model(matrix_db):  # noqa: F811
    world = matrix_db  # noqa: F811 (the module's world, as this test gets it)
    missing = sorted({r.viewset.model.__name__ for r in routes() if r.viewset.model not in world.rows})
    assert not missing, f"no row maker for {missing}"
