"""Cases that once fooled clauses 10.1 and 10.2's checks, each now read as the standard says.

- A yearly campaign counted as sent with no invitation to any of the client's people.
- A year before the client row existed read "not yet a client" although the stated contract
  started in it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agency.conformance import CHECKS, Period, Status
from agency.tenancy import tenant_context
from clients.models import Client
from evaluation.models import ActionStatus, CampaignKind, CampaignStatus
from evaluation.rules import FOLLOW_UP_WITHIN_DAYS
from tests.evaluation.factories import (
    EvaluationCampaignFactory,
    ImprovementActionFactory,
    ImprovementCycleFactory,
    SurveyInvitationFactory,
)
from tests.factories import MembershipFactory, UserFactory

TZ = dt.timezone(dt.timedelta(hours=8))
YEAR_2025 = Period.year(2025)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def check(client, period):
    client = Client.dangerously_all_agencies.select_related("agency").get(pk=client.pk)
    with tenant_context(client.agency):
        return CHECKS["10.1"](client, period)


@pytest.fixture
def client(world):
    Client.dangerously_all_agencies.filter(pk=world.client_a1.pk).update(created_at=at(dt.date(2024, 3, 1)))
    return world.client_a1


def opened_campaign(client, sent: dt.date):
    return EvaluationCampaignFactory(
        client=client,
        year=sent.year,
        opens_on=sent,
        closes_on=sent + dt.timedelta(days=30),
        opened_at=at(sent),
        status=CampaignStatus.CLOSED,
    )


def test_101_a_yearly_campaign_with_no_invitation_is_not_sent(client):
    opened_campaign(client, dt.date(2025, 10, 8))
    result = check(client, YEAR_2025)
    assert result.status == Status.NOT_MET, result.summary
    assert "2025" in result.summary
    assert any("no invitation reached the client's people" in e.label for e in result.evidence)


def test_101_an_invitation_made_but_never_sent_does_not_count(client):
    campaign = opened_campaign(client, dt.date(2025, 10, 8))
    SurveyInvitationFactory(campaign=campaign, sent_at=None)
    assert check(client, YEAR_2025).status == Status.NOT_MET


def test_101_an_invitation_sent_after_the_period_does_not_count_for_it(client):
    campaign = opened_campaign(client, dt.date(2025, 12, 20))
    SurveyInvitationFactory(campaign=campaign, sent_at=at(dt.date(2026, 1, 3)))
    assert check(client, YEAR_2025).status == Status.NOT_MET


def test_101_an_invitation_to_the_agencys_own_staff_does_not_reach_the_client(client, world):
    campaign = opened_campaign(client, dt.date(2025, 10, 8))
    SurveyInvitationFactory(
        campaign=campaign, user=world.staff_a, email="staff@agency.test", sent_at=at(dt.date(2025, 10, 8))
    )
    assert check(client, YEAR_2025).status == Status.NOT_MET


def test_101_a_campaign_sent_to_the_clients_people_is_met(client):
    campaign = opened_campaign(client, dt.date(2025, 10, 8))
    SurveyInvitationFactory(campaign=campaign, sent_at=at(dt.date(2025, 10, 8), 11))
    result = check(client, YEAR_2025)
    assert result.status == Status.MET, result.summary
    assert any("to 1 of the client's people" in e.label for e in result.evidence)


def test_101_a_year_inside_the_stated_contract_is_judged_though_the_row_was_entered_later(world):
    """The client row was entered today; the agency states the contract started on 1 January 2025:
    2025 needed its evaluation."""
    client = world.client_a1
    assert timezone.localdate().year > 2025
    result = check(client, YEAR_2025)
    assert result.status == Status.NOT_APPLICABLE  # nothing stated: the row's date is all there is
    Client.dangerously_all_agencies.filter(pk=client.pk).update(contract_start=dt.date(2025, 1, 1))
    result = check(client, YEAR_2025)
    assert result.status == Status.NOT_MET and "2025" in result.summary


# --- 10.2 ------------------------------------------------------------------------------------
# Cases that once fooled 10.2's check: a follow-up counted as sent the moment it opened, with no
# one of the client's people asked; an invitation to the agency's own staff or to another client's
# person counted as asking the client; a survey sent before the improvement was done, or one of
# another cycle, counted as its follow-up.

NOVEMBER = Period.month(2025, 11)


def check_102(client, period):
    client = Client.dangerously_all_agencies.select_related("agency").get(pk=client.pk)
    with tenant_context(client.agency):
        return CHECKS["10.2"](client, period)


def follow_up_of(cycle, completed: dt.date, sent: dt.date):
    return EvaluationCampaignFactory(
        client=cycle.client,
        kind=CampaignKind.FOLLOW_UP,
        year=completed.year,
        cycle=cycle,
        round=1,
        due_by=completed + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS),
        opens_on=sent,
        closes_on=sent + dt.timedelta(days=14),
        opened_at=at(sent),
        status=CampaignStatus.OPEN,
    )


def finished_action(client, completed: dt.date, sent: dt.date, *, follow_up=None):
    cycle = ImprovementCycleFactory(client=client, opened_at=at(completed - dt.timedelta(days=20)))
    follow_up = follow_up or follow_up_of(cycle, completed, sent)
    action = ImprovementActionFactory(
        cycle=cycle, status=ActionStatus.DONE, completed_at=at(completed), evidence="Done", follow_up=follow_up
    )
    return action, follow_up


COMPLETED = dt.date(2025, 10, 20)
SENT = dt.date(2025, 11, 3)


def test_102_a_follow_up_opened_with_no_invitation_is_not_sent(client):
    finished_action(client, COMPLETED, SENT)
    result = check_102(client, NOVEMBER)
    assert result.status == Status.NOT_MET, result.summary
    assert any("no follow-up sent" in e.label for e in result.evidence)


def test_102_an_invitation_made_but_never_sent_or_sent_after_the_period_does_not_count(client):
    _, follow_up = finished_action(client, COMPLETED, SENT)
    SurveyInvitationFactory(campaign=follow_up, sent_at=None)
    assert check_102(client, NOVEMBER).status == Status.NOT_MET
    SurveyInvitationFactory(campaign=follow_up, sent_at=at(dt.date(2025, 12, 2)))
    assert check_102(client, NOVEMBER).status == Status.NOT_MET  # sent in December, past the 30 days too
    assert check_102(client, Period.month(2025, 12)).status == Status.NOT_MET


def test_102_an_invitation_to_the_agencys_staff_asks_nobody_of_the_client(client, world):
    _, follow_up = finished_action(client, COMPLETED, SENT)
    staff = world.staff_a
    staff.email = "Boss@Agency.test"
    staff.save()
    SurveyInvitationFactory(campaign=follow_up, email="boss@agency.test", sent_at=at(SENT))
    assert check_102(client, NOVEMBER).status == Status.NOT_MET
    SurveyInvitationFactory(campaign=follow_up, user=world.staff_a, email="other@agency.test", sent_at=at(SENT))
    assert check_102(client, NOVEMBER).status == Status.NOT_MET


def test_102_an_invitation_to_another_clients_person_asks_nobody_of_this_client(client, world):
    _, follow_up = finished_action(client, COMPLETED, SENT)
    other = MembershipFactory(
        agency=world.agency_a, role="client_viewer", client=world.client_a2, user=UserFactory(email="tea@a2.test")
    ).user
    SurveyInvitationFactory(campaign=follow_up, email="tea@a2.test", user=other, sent_at=at(SENT))
    assert check_102(client, NOVEMBER).status == Status.NOT_MET


def test_102_a_follow_up_sent_to_the_clients_person_within_the_month_is_met(client, world):
    _, follow_up = finished_action(client, COMPLETED, SENT)
    viewer = world.viewer_a1
    SurveyInvitationFactory(campaign=follow_up, email=viewer.email or "viewer@a1.test", user=viewer, sent_at=at(SENT))
    result = check_102(client, NOVEMBER)
    assert result.status == Status.MET, result.summary


def test_102_the_follow_up_counts_from_its_first_invitation_not_from_its_opening(client):
    """Opened on day 14 but its first invitation went out on day 31: a day late."""
    _, follow_up = finished_action(client, COMPLETED, SENT)
    SurveyInvitationFactory(campaign=follow_up, sent_at=at(COMPLETED + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS + 1)))
    assert check_102(client, Period.month(2025, 12)).status == Status.NOT_MET


def test_102_a_survey_sent_before_the_improvement_was_done_does_not_follow_it_up(client):
    cycle = ImprovementCycleFactory(client=client, opened_at=at(dt.date(2025, 9, 1)))
    earlier = follow_up_of(cycle, dt.date(2025, 9, 20), dt.date(2025, 10, 1))
    SurveyInvitationFactory(campaign=earlier, sent_at=at(dt.date(2025, 10, 1)))
    ImprovementActionFactory(
        cycle=cycle, status=ActionStatus.DONE, completed_at=at(COMPLETED), evidence="Done", follow_up=earlier
    )
    assert check_102(client, Period.month(2025, 12)).status == Status.NOT_MET


def test_102_a_yearly_campaign_is_not_an_actions_follow_up(client):
    yearly = opened_campaign(client, SENT)
    SurveyInvitationFactory(campaign=yearly, sent_at=at(SENT))
    finished_action(client, COMPLETED, SENT, follow_up=yearly)
    result = check_102(client, Period.month(2025, 12))
    assert result.status == Status.NOT_MET, result.summary


def test_102_another_cycles_follow_up_is_not_this_actions_follow_up(client):
    other_cycle = ImprovementCycleFactory(client=client, opened_at=at(dt.date(2025, 9, 1)))
    foreign = follow_up_of(other_cycle, COMPLETED, SENT)
    SurveyInvitationFactory(campaign=foreign, sent_at=at(SENT))
    finished_action(client, COMPLETED, SENT, follow_up=foreign)
    result = check_102(client, Period.month(2025, 12))
    assert result.status == Status.NOT_MET, result.summary
