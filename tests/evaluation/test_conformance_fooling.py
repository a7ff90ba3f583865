"""Cases that once fooled clause 10.1's check, each now read as the standard says.

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
from evaluation.models import CampaignStatus
from tests.evaluation.factories import EvaluationCampaignFactory, SurveyInvitationFactory

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
