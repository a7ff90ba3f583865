"""Clauses 8.1-8.3 as conformance checks: not applicable with nothing to judge, met, and not
met with the evidence named."""

from __future__ import annotations

import datetime as dt

from agency.conformance import CHECKS, Period, Status, evaluate
from agency.tenancy import tenant_context
from extensions.models import AccountValuation, ValuationFactor
from extensions.rules import INFLUENCER_FOLLOWERS_MIN, LIVE_RESULTS_DUE_DAYS, LIVE_TEAM_REQUIRED_ROLES
from tests.extensions.factories import (
    EndedLiveSessionFactory,
    LiveSessionResultFactory,
    StoreVisitBookingFactory,
    StoreVisitCampaignFactory,
    make_valuation,
)
from tests.factories import PlatformAccountFactory

TZ = dt.timezone(dt.timedelta(hours=8))
NOVEMBER = Period.month(2025, 11)  # a past month: "today" plays no part
FULL_TEAM = {role: [{"person_id": None, "name": "someone"}] for role in LIVE_TEAM_REQUIRED_ROLES}


def at(day: dt.date, hour: int = 20) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def check(clause, client, period=NOVEMBER):
    with tenant_context(client.agency):
        return CHECKS[clause](client, period)


def ended_session(client, day: dt.date, team=FULL_TEAM, **kwargs):
    return EndedLiveSessionFactory(
        account=PlatformAccountFactory(client=client),
        planned_start=at(day),
        planned_end=at(day, 22),
        team_at_start=team,
        **kwargs,
    )


# --- 8.1 ---------------------------------------------------------------------------------------


def test_81_with_no_session_is_not_applicable(world):
    assert check("8.1", world.client_a1).status == Status.NOT_APPLICABLE


def test_81_a_staffed_session_with_results_is_met(world):
    session = ended_session(world.client_a1, dt.date(2025, 11, 10))
    result = LiveSessionResultFactory(session=session)
    type(result).dangerously_all_agencies.filter(pk=result.pk).update(created_at=at(dt.date(2025, 11, 11)))
    outcome = check("8.1", world.client_a1)
    assert outcome.status == Status.MET and outcome.evidence[0].object_id == session.pk


def test_81_a_session_started_without_a_role_is_not_met_naming_it(world):
    team = {role: people for role, people in FULL_TEAM.items() if role != "field_controller"}
    session = ended_session(world.client_a1, dt.date(2025, 11, 10), team=team, theme="Short-handed")
    LiveSessionResultFactory(session=session)
    outcome = check("8.1", world.client_a1, Period.month(2025, 11))
    assert outcome.status == Status.NOT_MET and "Short-handed" in outcome.summary


def test_81_results_are_due_within_the_agencys_days(world):
    days = LIVE_RESULTS_DUE_DAYS.default
    ended_session(world.client_a1, NOVEMBER.end - dt.timedelta(days=days), theme="Just in time")
    assert check("8.1", world.client_a1).status == Status.MET
    ended_session(world.client_a1, NOVEMBER.end - dt.timedelta(days=days + 1), theme="Late")
    outcome = check("8.1", world.client_a1)
    assert outcome.status == Status.NOT_MET and "Late" in outcome.summary and "Just in time" not in outcome.summary


# --- 8.2 ---------------------------------------------------------------------------------------


def booked(client, followers, day=dt.date(2025, 11, 5)):
    booking = StoreVisitBookingFactory(campaign=StoreVisitCampaignFactory(client=client), booked_at=at(day, 10))
    type(booking).dangerously_all_agencies.filter(pk=booking.pk).update(
        followers_at_booking=followers, followers_read_on_at_booking=day - dt.timedelta(days=1)
    )
    return booking


def test_82_with_no_booking_is_not_applicable(world):
    assert check("8.2", world.client_a1).status == Status.NOT_APPLICABLE


def test_82_bookings_within_the_range_are_met(world):
    booking = booked(world.client_a1, INFLUENCER_FOLLOWERS_MIN.default)
    outcome = check("8.2", world.client_a1)
    assert outcome.status == Status.MET and outcome.evidence[0].object_id == booking.pk


def test_82_a_booking_outside_the_range_is_not_met(world):
    booked(world.client_a1, INFLUENCER_FOLLOWERS_MIN.default)
    low = booked(world.client_a1, INFLUENCER_FOLLOWERS_MIN.default - 1)
    outcome = check("8.2", world.client_a1)
    assert outcome.status == Status.NOT_MET and f"@{low.influencer.handle}" in outcome.summary


def test_82_a_booking_on_an_old_count_is_not_met(world):
    booking = booked(world.client_a1, INFLUENCER_FOLLOWERS_MIN.default)
    type(booking).dangerously_all_agencies.filter(pk=booking.pk).update(
        followers_read_on_at_booking=dt.date(2025, 1, 1)
    )
    assert check("8.2", world.client_a1).status == Status.NOT_MET


# --- 8.3 ---------------------------------------------------------------------------------------


def valued(client, day=dt.date(2025, 11, 20)):
    return make_valuation(
        PlatformAccountFactory(client=client),
        valued_on=day,
        window_start=day - dt.timedelta(days=30),
        window_end=day - dt.timedelta(days=1),
    )


def test_83_with_no_valuation_is_not_applicable(world):
    assert check("8.3", world.client_a1).status == Status.NOT_APPLICABLE


def test_83_a_valuation_stating_every_factor_and_the_method_is_met(world):
    valuation = valued(world.client_a1)
    AccountValuation.dangerously_all_agencies.filter(pk=valuation.pk).update(created_at=at(dt.date(2025, 11, 20)))
    outcome = check("8.3", world.client_a1)
    assert outcome.status == Status.MET and outcome.evidence[0].object_id == valuation.pk


def test_83_a_valuation_missing_a_factor_is_not_met(world):
    valuation = valued(world.client_a1)
    AccountValuation.dangerously_all_agencies.filter(pk=valuation.pk).update(created_at=at(dt.date(2025, 11, 20)))
    ValuationFactor.dangerously_all_agencies.filter(valuation=valuation, factor="style").delete()
    outcome = check("8.3", world.client_a1)
    assert outcome.status == Status.NOT_MET and "style" in outcome.summary


def test_83_a_valuation_that_does_not_compute_again_is_not_met(world):
    valuation = valued(world.client_a1)
    AccountValuation.dangerously_all_agencies.filter(pk=valuation.pk).update(
        created_at=at(dt.date(2025, 11, 20)), value_high=valuation.value_high + 100
    )
    assert check("8.3", world.client_a1).status == Status.NOT_MET


def test_the_chapter_8_clauses_are_evaluated_for_clients_who_bought_them(world):
    world.client_a1.services = ["live_streaming", "store_visits", "account_valuation"]
    world.client_a1.save()
    valuation = valued(world.client_a1)
    AccountValuation.dangerously_all_agencies.filter(pk=valuation.pk).update(created_at=at(dt.date(2025, 11, 20)))
    with tenant_context(world.agency_a):
        statuses = {row.clause_id: row.status for row in evaluate(world.client_a1, NOVEMBER)}
        others = {row.clause_id: row.status for row in evaluate(world.client_a2, NOVEMBER)}
    assert (statuses["8.1"], statuses["8.2"], statuses["8.3"]) == (
        Status.NOT_APPLICABLE,
        Status.NOT_APPLICABLE,
        Status.MET,
    )
    assert others["8.3"] == Status.NOT_APPLICABLE  # a2 did not buy the valuation service
