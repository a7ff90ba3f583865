"""Bugs the isolation matrix and the fuzzer found in the API base, each kept fixed here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agency.api.filters import ID_MAX
from clients.models import Client
from tests.factories import ClientRequirementFactory, PlatformAccountFactory


def test_deleting_a_row_still_used_answers_400_naming_what_uses_it_and_keeps_the_row(world, api):
    PlatformAccountFactory(client=world.client_a1)
    response = api(world.staff_a).delete(reverse("client-detail", args=[world.client_a1.pk]))
    assert response.status_code == 400, response.content
    assert "platform account" in response.json()["error"]["message"]
    assert Client.dangerously_all_agencies.filter(pk=world.client_a1.pk).exists()


@pytest.mark.parametrize("body", [{}, {"due_date": "not a date"}, {"due_date": "2030-01-01"}])
def test_a_custom_action_on_another_agencys_row_is_404_whatever_the_body(world, api, body):
    foreign = ClientRequirementFactory(client=world.client_b)
    own = ClientRequirementFactory(client=world.client_a1)
    url = reverse("clientrequirement-accept", args=[foreign.pk])
    assert api(world.staff_a).post(url, body, format="json").status_code == 404
    if body.get("due_date") == "not a date":
        own_url = reverse("clientrequirement-accept", args=[own.pk])
        assert api(world.staff_a).post(own_url, body, format="json").status_code == 400


def test_a_custom_action_the_role_lacks_is_403_for_any_row(world, api):
    foreign = ClientRequirementFactory(client=world.client_b)
    response = api(world.viewer_a1).post(reverse("clientrequirement-accept", args=[foreign.pk]), {}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("ids", [str(ID_MAX + 1), f"1,{10**30}", "0", "-5"])
def test_an_id_filter_out_of_range_is_400_not_a_server_error(world, api, ids):
    response = api(world.staff_a).get(reverse("client-list"), {"id": ids})
    assert response.status_code == 400, response.content
    assert "id" in response.json()["error"]["fields"]


def test_the_largest_id_is_still_a_valid_filter(world, api):
    response = api(world.staff_a).get(reverse("client-list"), {"id": f"{world.client_a1.pk},{ID_MAX}"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world.client_a1.pk]


@pytest.fixture
def schema(openapi):
    return openapi  # generated once for the session (tests/conftest.py)


def test_times_are_described_as_they_are_answered(schema):
    from agency.api.schema import TIME_PATTERN

    opens_at = schema["components"]["schemas"]["AutoReplySettings"]["properties"]["opens_at"]
    assert "format" not in opens_at and opens_at["pattern"] == TIME_PATTERN


def test_a_blank_or_read_only_url_may_be_empty_in_the_schema(schema):
    evidence = schema["components"]["schemas"]["ClientRequirement"]["properties"]["evidence_url"]
    assert {"type": "string", "maxLength": 0} in evidence["oneOf"]


def test_the_token_endpoint_needs_no_token_in_the_schema(schema):
    assert not schema["paths"]["/api/v1/auth/token/"]["post"].get("security")
