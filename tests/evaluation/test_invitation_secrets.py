"""A personal survey link is the invited person's secret: it goes to them alone by email, and no role
reads it back (API, pages); staff see whether the invitation went out and was answered."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from agency.tenancy import tenant_context
from evaluation.models import CampaignStatus, SurveyInvitation
from evaluation.services import campaigns as campaign_services
from tests.evaluation.factories import EvaluationCampaignFactory, SurveyInvitationFactory
from tests.factories import MembershipFactory, UserFactory

STAFF_ROLES = ["agency_admin", "account_manager", "producer", "operator", "live_team", "analyst"]


@pytest.fixture
def invitation(world):
    return SurveyInvitationFactory(campaign=EvaluationCampaignFactory(client=world.client_a1))


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_no_staff_role_reads_a_personal_link_through_the_api(world, api, invitation, role):
    person = MembershipFactory(agency=world.agency_a, role=role, user=UserFactory(username=f"{role}_a")).user
    listed = api(person).get(reverse("surveyinvitation-list"))
    detail = api(person).get(reverse("surveyinvitation-detail", args=[invitation.pk]))
    assert listed.status_code == 200 and detail.status_code == 200
    assert invitation.token not in listed.content.decode() and invitation.token not in detail.content.decode()
    assert "link" not in detail.json() and "token" not in detail.json()
    assert detail.json()["answered"] is False and detail.json()["responded_at"] is None


def test_the_campaign_page_shows_invitations_without_their_links(world, invitation):
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.staff_a)
    page = browser.get(reverse("evaluation:campaign-detail", args=[invitation.campaign.pk]))
    assert page.status_code == 200
    assert invitation.email in page.content.decode() and invitation.token not in page.content.decode()


def test_a_created_invitation_answers_without_its_link(world, api):
    campaign = EvaluationCampaignFactory(client=world.client_a1, status=CampaignStatus.DRAFT, opened_at=None)
    created = api(world.staff_a).post(
        reverse("surveyinvitation-list"), {"campaign": campaign.pk, "email": "boss@a1.test"}, format="json"
    )
    assert created.status_code == 201, created.content
    token = SurveyInvitation.dangerously_all_agencies.get(pk=created.json()["id"]).token
    assert token not in created.content.decode() and "link" not in created.json()


def test_the_invited_person_gets_their_link_by_email_and_it_answers_as_them(world, mailoutbox):
    campaign = EvaluationCampaignFactory(client=world.client_a1, status=CampaignStatus.OPEN)
    invitation = SurveyInvitationFactory(campaign=campaign, email="boss@a1.test")
    with tenant_context(world.agency_a):
        assert campaign_services.campaign_send_invitations(campaign=campaign) == 1
    (mail,) = mailoutbox
    assert mail.to == ["boss@a1.test"]
    assert campaign_services.invitation_link(invitation) in mail.body
    page = Browser().get(reverse("evaluation:public-survey", args=[invitation.token]))
    assert page.status_code == 200
    assert Browser().get(reverse("evaluation:public-survey", args=[invitation.token[:-1] + "x"])).status_code == 404
