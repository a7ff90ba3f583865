"""The client area's "waiting for you": the counts at the top of the client's dashboard (scripts
and cuts to approve, answers to their requirements, surveys to answer), each leading to where it
is done, and their total as a badge in the client's navigation. Only the person's own client's
rows count (never another client's of the same agency, nor another agency's), the approvals only
for a person who may decide them, and staff pages carry none of it."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from agency.models import Membership
from agency.tenancy import tenant_context
from agency.today import CLIENT_SECTIONS, waiting_for_client
from clients.models import RequirementStatus
from evaluation.models import CampaignStatus, SurveyInvitation
from production.models import RoundStatus, ScriptStatus
from tests.evaluation.factories import EvaluationCampaignFactory, SurveyInvitationFactory
from tests.factories import ClientRequirementFactory, UserFactory
from tests.production.factories import ReviewRoundFactory, ScriptFactory, project_for


def page_of(user, url_name="client-area:dashboard") -> str:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    response = b.get(reverse(url_name))
    assert response.status_code == 200
    return response.content.decode()


def waiting_cards(page: str) -> dict[str, tuple[int, str]]:
    """{title: (count, link)} of the dashboard's "Waiting for you" section."""
    start = page.index('class="waiting-for-you"')
    section = page[start : page.index("</section>", start)]
    cards = re.findall(
        r'<a class="card waiting" href="([^"]+)"><div class="figure">([\d,]+)</div><div class="label">([^<]+)</div>',
        section,
    )
    return {title: (int(count.replace(",", "")), url) for url, count, title in cards}


def badge(page: str) -> int | None:
    start = page.index('class="client-nav"')
    nav = page[start : page.index("</nav>", start)]
    found = re.search(r'class="count-badge">(\d+)<', nav)
    return int(found.group(1)) if found else None


def something_waiting_for_every_client(world) -> None:
    """For client A1: two scripts and one cut to approve, one requirement answered this week (and
    one answered long ago, and one still open), one survey for the approver to answer (and one
    answered, one closed, one for someone else). The same kinds of rows for client A2 of the
    same agency and client B of another agency, addressed to the same e-mail where that can be."""
    now = timezone.now()
    email = world.approver_a1.email or "approver_a1@client.test"
    world.approver_a1.email = email
    world.approver_a1.save(update_fields=["email"])
    for client in (world.client_a1, world.client_a2, world.client_b):
        ScriptFactory(project=project_for(client), status=ScriptStatus.SUBMITTED, submitted_at=now)
        ReviewRoundFactory(project=project_for(client), status=RoundStatus.OPEN)
        ClientRequirementFactory(
            client=client, status=RequirementStatus.DECLINED, decline_reason="Not this month.", decided_at=now
        )
        SurveyInvitationFactory(campaign=EvaluationCampaignFactory(client=client), email=email)
    ScriptFactory(project=project_for(world.client_a1), status=ScriptStatus.SUBMITTED, submitted_at=now)
    ScriptFactory(project=project_for(world.client_a1), status=ScriptStatus.APPROVED)
    ReviewRoundFactory(project=project_for(world.client_a1), status=RoundStatus.APPROVED, decided_at=now)
    ClientRequirementFactory(
        client=world.client_a1,
        status=RequirementStatus.ACCEPTED,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        decided_at=now - dt.timedelta(days=30),
    )
    ClientRequirementFactory(client=world.client_a1)  # still open: nothing to read yet
    SurveyInvitationFactory(campaign=EvaluationCampaignFactory(client=world.client_a1), email=email, responded_at=now)
    SurveyInvitationFactory(
        campaign=EvaluationCampaignFactory(client=world.client_a1, status=CampaignStatus.CLOSED), email=email
    )
    SurveyInvitationFactory(campaign=EvaluationCampaignFactory(client=world.client_a1))  # someone else's


def test_every_kind_of_waiting_is_contributed_by_its_app():
    assert {spec.func.__module__ for spec in CLIENT_SECTIONS} >= {
        "production.today",
        "clients.today",
        "evaluation.today",
    }


def test_the_approver_sees_their_own_clients_counts_linking_to_the_lists_and_their_total_as_a_badge(world):
    something_waiting_for_every_client(world)
    page = page_of(world.approver_a1)
    cards = waiting_cards(page)
    assert cards == {
        "Scripts to approve": (2, reverse("production:client-home") + "#scripts"),
        "Cuts to approve": (1, reverse("production:client-home") + "#cuts"),
        "Requirements answered in the last 7 days": (1, reverse("client-area:dashboard") + "#requirements"),
        "Surveys to answer": (1, cards["Surveys to answer"][1]),
    }
    assert badge(page) == 5
    # The survey's card leads to the approver's own personal link of their client's open campaign.
    survey_url = cards["Surveys to answer"][1]
    invitation = SurveyInvitation.dangerously_all_agencies.get(
        client=world.client_a1, email=world.approver_a1.email, responded_at=None, campaign__status="open"
    )
    assert survey_url == reverse("evaluation:public-survey", args=[invitation.token])
    # Where the cards lead holds what they count.
    assert 'id="scripts"' in page_of(world.approver_a1, "production:client-home")
    assert 'id="requirements"' in page
    # The badge is on every page of the client area, with the same total.
    assert badge(page_of(world.approver_a1, "production:client-home")) == 5
    assert badge(page_of(world.approver_a1, "evaluation:client-home")) == 5


def test_a_viewer_is_not_asked_to_approve_what_they_may_not_decide(world):
    something_waiting_for_every_client(world)
    page = page_of(world.viewer_a1)
    cards = waiting_cards(page)
    assert set(cards) == {"Requirements answered in the last 7 days"}  # no survey is addressed to them
    assert badge(page) == 1


def test_nothing_waiting_says_so_and_shows_no_badge(world):
    page = page_of(world.approver_a1)
    assert waiting_cards(page) == {} and "Nothing is waiting for you." in page
    assert badge(page) is None


def test_the_counts_are_the_clients_alone_in_the_registry_too(world):
    something_waiting_for_every_client(world)
    actor = Membership.objects.get(user=world.approver_a1).as_actor()
    with tenant_context(actor.agency, actor):
        counts = {section.title: section.count for section in waiting_for_client(actor)}
    assert counts == {
        "Scripts to approve": 2,
        "Cuts to approve": 1,
        "Requirements answered in the last 7 days": 1,
        "Surveys to answer": 1,
    }
    # A person of client A2 counts A2's rows only, whatever the e-mail of an invitation says.
    a2_person = Membership.objects.create(
        agency=world.agency_a, client=world.client_a2, role="client_approver", user=UserFactory()
    )
    with tenant_context(world.agency_a, a2_person.as_actor()):
        counts = {section.title: section.count for section in waiting_for_client(a2_person.as_actor())}
    assert counts == {"Scripts to approve": 1, "Cuts to approve": 1, "Requirements answered in the last 7 days": 1}


def test_staff_are_shown_neither_the_section_nor_a_badge(world):
    something_waiting_for_every_client(world)
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    assert waiting_for_client(actor) == [] and waiting_for_client(None) == []
    page = page_of(world.staff_a, "home")
    assert "count-badge" not in page and "waiting-for-you" not in page
