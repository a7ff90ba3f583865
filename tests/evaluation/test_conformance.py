"""Clauses 10.1 and 10.2 as the product checks them, at their boundaries, judged as each period
stood at its end."""

from __future__ import annotations

import datetime as dt

import pytest

from agency.conformance import CHECKS, Period, Status, evaluate
from agency.tenancy import tenant_context
from clients.models import Client
from evaluation.models import ActionStatus, CampaignKind, CampaignStatus, CycleStatus, EvaluationCampaign
from evaluation.rules import COMPLAINTS_ON_TIME_PERCENT, EVALUATION_MONTH, FOLLOW_UP_WITHIN_DAYS
from tests.evaluation.factories import (
    ComplaintFactory,
    EvaluationCampaignFactory,
    ImprovementActionFactory,
    ImprovementCycleFactory,
    SurveyInvitationFactory,
)

TZ = dt.timezone(dt.timedelta(hours=8))
YEAR_2025 = Period.year(2025)
NOVEMBER = Period.month(2025, 11)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def check(clause: str, client, period):
    client = Client.dangerously_all_agencies.select_related("agency").get(pk=client.pk)
    with tenant_context(client.agency):
        return CHECKS[clause](client, period)


@pytest.fixture
def client(world):
    """Agency A's client, a client since 2024."""
    Client.dangerously_all_agencies.filter(pk=world.client_a1.pk).update(created_at=at(dt.date(2024, 3, 1)))
    return world.client_a1


def sent_campaign(client, year: int, sent: dt.date, **fields) -> EvaluationCampaign:
    """A campaign sent on ``sent``: opened, and its invitation to the client's person sent that day."""
    campaign = EvaluationCampaignFactory(
        client=client,
        year=year,
        opens_on=sent,
        closes_on=sent + dt.timedelta(days=30),
        opened_at=at(sent),
        status=CampaignStatus.CLOSED,
        **fields,
    )
    SurveyInvitationFactory(campaign=campaign, sent_at=at(sent))
    return campaign


# --- 10.1 -------------------------------------------------------------------------------------


def test_a_year_without_an_evaluation_is_not_met(client):
    result = check("10.1", client, YEAR_2025)
    assert result.status == Status.NOT_MET and "2025" in result.summary


def test_an_evaluation_sent_in_the_year_is_met_with_its_evidence(client):
    campaign = sent_campaign(client, 2025, dt.date(2025, 10, 8))
    result = check("10.1", client, YEAR_2025)
    assert result.status == Status.MET
    assert any(e.object_id == campaign.pk and e.model == "evaluation.evaluationcampaign" for e in result.evidence)


def test_before_the_agencys_month_the_evaluation_is_not_due_yet(client):
    month = EVALUATION_MONTH.default
    early = Period.month(2025, month - 1)
    assert check("10.1", client, early).status == Status.MET
    assert check("10.1", client, Period.month(2025, month)).status == Status.NOT_MET


def test_a_campaign_sent_after_the_period_does_not_count_for_it(client):
    sent_campaign(client, 2025, dt.date(2025, 12, 10))
    assert check("10.1", client, NOVEMBER).status == Status.NOT_MET
    assert check("10.1", client, Period.month(2025, 12)).status == Status.MET


def test_a_client_that_did_not_exist_yet_is_not_applicable(world):
    assert check("10.1", world.client_a1, Period.year(2020)).status == Status.NOT_APPLICABLE


def test_a_complaint_resolved_after_its_deadline_is_not_met_until_the_agency_accepts_less(client, world):
    sent_campaign(client, 2025, dt.date(2025, 10, 8))
    received = at(dt.date(2025, 11, 1))
    ComplaintFactory(
        client=client,
        subject="Late reply",
        received_at=received,
        respond_by=received + dt.timedelta(hours=24),
        resolve_by=received + dt.timedelta(days=3),
        resolved_at=received + dt.timedelta(days=5),
        status="closed",
        resolution="Answered",
    )
    ComplaintFactory(
        client=client,
        received_at=received,
        respond_by=received + dt.timedelta(hours=24),
        resolve_by=received + dt.timedelta(days=3),
        resolved_at=received + dt.timedelta(days=1),
        status="closed",
        resolution="Answered",
    )
    result = check("10.1", client, NOVEMBER)
    assert result.status == Status.NOT_MET and "Late reply" in result.summary
    world.agency_a.settings = {COMPLAINTS_ON_TIME_PERCENT.key: 50}
    world.agency_a.save()
    assert check("10.1", client, NOVEMBER).status == Status.MET


def test_a_complaint_due_after_the_period_does_not_count_for_it(client):
    sent_campaign(client, 2025, dt.date(2025, 10, 8))
    received = at(dt.date(2025, 11, 29))
    ComplaintFactory(
        client=client,
        received_at=received,
        respond_by=received + dt.timedelta(hours=24),
        resolve_by=received + dt.timedelta(days=7),
    )
    assert check("10.1", client, NOVEMBER).status == Status.MET
    assert check("10.1", client, Period.month(2025, 12)).status == Status.NOT_MET  # still open past its deadline


# --- 10.2 -------------------------------------------------------------------------------------


def done_action(client, completed: dt.date, *, sent: dt.date | None):
    cycle = ImprovementCycleFactory(client=client, opened_at=at(completed - dt.timedelta(days=20)))
    follow_up = EvaluationCampaignFactory(
        client=client,
        kind=CampaignKind.FOLLOW_UP,
        year=completed.year,
        cycle=cycle,
        round=1,
        due_by=completed + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS),
        opens_on=min(sent or completed, completed + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS)),
        closes_on=completed + dt.timedelta(days=60),
        opened_at=at(sent) if sent else None,
        status=CampaignStatus.OPEN if sent else CampaignStatus.DRAFT,
    )
    # Rows made today stand for rows made back then.
    EvaluationCampaign.dangerously_all_agencies.filter(pk=follow_up.pk).update(created_at=at(completed))
    if sent:
        SurveyInvitationFactory(campaign=follow_up, sent_at=at(sent))
    return ImprovementActionFactory(
        cycle=cycle,
        status=ActionStatus.DONE,
        completed_at=at(completed),
        evidence="Done",
        follow_up=follow_up,
    )


def test_no_finding_is_not_applicable(client):
    assert check("10.2", client, NOVEMBER).status == Status.NOT_APPLICABLE


def test_a_follow_up_sent_on_the_thirtieth_day_is_met(client):
    completed = dt.date(2025, 10, 1)
    done_action(client, completed, sent=completed + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS))
    result = check("10.2", client, NOVEMBER)
    assert result.status == Status.MET
    assert any(e.model == "evaluation.improvementaction" for e in result.evidence)


def test_a_follow_up_sent_a_day_late_is_not_met(client):
    completed = dt.date(2025, 10, 1)
    done_action(client, completed, sent=completed + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS + 1))
    assert check("10.2", client, NOVEMBER).status == Status.NOT_MET


def test_an_unsent_follow_up_is_met_while_there_is_time_and_not_met_after(client):
    completed = dt.date(2025, 11, 20)
    done_action(client, completed, sent=None)
    assert check("10.2", client, NOVEMBER).status == Status.MET
    assert check("10.2", client, Period.month(2026, 1)).status == Status.NOT_MET


def test_open_cycles_are_listed_until_satisfied_as_they_stood(client):
    completed = dt.date(2025, 10, 1)
    action = done_action(client, completed, sent=completed + dt.timedelta(days=10))
    cycle = action.cycle
    closed_at = at(dt.date(2025, 12, 2))
    EvaluationCampaign.dangerously_all_agencies.filter(pk=action.follow_up_id).update(
        closed_at=closed_at, status=CampaignStatus.CLOSED, outcome_met=True
    )
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = closed_at
    cycle.save()
    november = check("10.2", client, NOVEMBER)
    assert november.status == Status.MET and cycle.finding in november.summary
    december = check("10.2", client, Period.month(2025, 12))
    assert cycle.finding not in december.summary


def test_evaluate_reports_both_clauses_of_chapter_ten(client):
    client = Client.dangerously_all_agencies.select_related("agency").get(pk=client.pk)
    with tenant_context(client.agency):
        statuses = {row.clause_id: row.status for row in evaluate(client, NOVEMBER)}
    assert statuses["10.1"] != Status.NOT_IMPLEMENTED and statuses["10.2"] == Status.NOT_APPLICABLE
