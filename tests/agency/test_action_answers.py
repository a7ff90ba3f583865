"""The pages' POST actions answer as every page does: a row outside the person's scope is 404 (before
their role is asked), a row in it that their role may not act on is 403, and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clients.models import RequirementStatus
from records.models import Asset
from tests.factories import ClientRequirementFactory, MembershipFactory, UserFactory
from tests.production.factories import project_for
from tests.records.factories import AssetFactory


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def analyst(world):
    return MembershipFactory(agency=world.agency_a, role="analyst", user=UserFactory(username="analyst_a")).user


@pytest.mark.parametrize("name", ["accept", "decline", "fulfil"])
def test_requirement_actions_answer_403_to_a_role_without_the_right_and_404_outside_the_scope(world, name):
    own = ClientRequirementFactory(client=world.client_a1)
    foreign = ClientRequirementFactory(client=world.client_b)
    reader = browser(analyst(world))
    refused = reader.post(reverse("clients:requirement-action", args=[own.pk, name]), {f"{name}-note": "x"})
    assert refused.status_code == 403
    assert reader.post(reverse("clients:requirement-action", args=[foreign.pk, name])).status_code == 404
    admin = browser(world.staff_a)
    assert admin.post(reverse("clients:requirement-action", args=[foreign.pk, name])).status_code == 404
    assert admin.post(reverse("clients:requirement-action", args=[own.pk, "no-such-action"])).status_code == 404
    own.refresh_from_db()
    assert own.status == RequirementStatus.OPEN


def test_a_client_person_is_not_answered_about_another_clients_requirement(world):
    other_client = ClientRequirementFactory(client=world.client_a2)
    response = browser(world.approver_a1).post(reverse("clients:requirement-action", args=[other_client.pk, "accept"]))
    assert response.status_code in (302, 404)  # sent back to the client area, never told the row exists
    other_client.refresh_from_db()
    assert other_client.status == RequirementStatus.OPEN


def test_a_void_answers_404_outside_the_scope_before_the_role_is_asked(world):
    own, foreign = AssetFactory(client=world.client_a1), AssetFactory(client=world.client_b)
    reader = browser(analyst(world))
    body = {"void-reason": "Broken"}
    assert reader.post(reverse("records:void", args=["asset", own.pk]), body).status_code == 403
    assert reader.post(reverse("records:void", args=["asset", foreign.pk]), body).status_code == 404
    assert not Asset.dangerously_all_agencies.filter(pk=own.pk, voided_at__isnull=False).exists()


def test_production_actions_answer_404_outside_the_scope_before_the_role_is_asked(world):
    own, foreign = project_for(world.client_a1), project_for(world.client_b)
    reader = browser(analyst(world))
    assert reader.post(reverse("production:project-action", args=[own.pk, "advance"])).status_code == 403
    assert reader.post(reverse("production:project-action", args=[foreign.pk, "advance"])).status_code == 404
