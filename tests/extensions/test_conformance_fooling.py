"""Cases that could make chapter 8's checks read "met" when the standard is not, each now reading
"not met" with its reason (or shown to hold).

- 8.1: a session that ended in a period's last days (or started the evening before it) was never
  asked for its results: the period it ended in had not reached its due day, and the next one
  looked only at sessions started in it.
- 8.2: the influencer's follower count edited in the registry after booking.
- 8.3: an effect explained with blanks; a valuation recorded after the month and dated back.
"""

from __future__ import annotations

import datetime as dt

from agency.conformance import CHECKS, Period, Status
from agency.tenancy import tenant_context
from extensions.models import AccountValuation, Influencer, ValuationFactor
from extensions.rules import (
    INFLUENCER_FOLLOWERS_MAX,
    INFLUENCER_FOLLOWERS_MIN,
    LIVE_RESULTS_DUE_DAYS,
    LIVE_TEAM_REQUIRED_ROLES,
)
from tests.extensions.factories import (
    EndedLiveSessionFactory,
    LiveSessionResultFactory,
    StoreVisitBookingFactory,
    StoreVisitCampaignFactory,
    make_valuation,
)
from tests.factories import PlatformAccountFactory

TZ = dt.timezone(dt.timedelta(hours=8))
OCTOBER = Period.month(2025, 10)
NOVEMBER = Period.month(2025, 11)
DECEMBER = Period.month(2025, 12)  # all past months: "today" plays no part
FULL_TEAM = {role: [{"person_id": None, "name": "someone"}] for role in LIVE_TEAM_REQUIRED_ROLES}


def at(day: dt.date, hour: int = 20) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def check(clause, client, period=NOVEMBER):
    with tenant_context(client.agency):
        return CHECKS[clause](client, period)


def dated(row, moment: dt.datetime):
    """The row as recorded at ``moment``."""
    type(row).dangerously_all_agencies.filter(pk=row.pk).update(created_at=moment)
    return row


def session(client, start: dt.datetime, end: dt.datetime, theme: str):
    return EndedLiveSessionFactory(
        account=PlatformAccountFactory(client=client),
        planned_start=start,
        planned_end=end,
        team_at_start=FULL_TEAM,
        theme=theme,
    )


# --- 8.1 ---------------------------------------------------------------------------------------


def test_81_a_session_that_ended_in_the_months_last_days_answers_for_its_results_in_the_next(world):
    """Ended 29 November, results never recorded: November had not reached the due day, and
    December must not let it off because the session started in November."""
    session(world.client_a1, at(dt.date(2025, 11, 29)), at(dt.date(2025, 11, 29), 22), "Last Saturday")
    assert check("8.1", world.client_a1).status == Status.MET  # not yet due at November's end
    result = check("8.1", world.client_a1, DECEMBER)
    assert result.status == Status.NOT_MET and "without results: Last Saturday" in result.summary


def test_81_a_session_started_the_evening_before_the_month_answers_for_its_results_in_it(world):
    """Started 31 October at 23:00, ended 1 November: neither month asked for its results."""
    start = dt.datetime(2025, 10, 31, 23, tzinfo=TZ)
    session(world.client_a1, start, start + dt.timedelta(hours=2), "Halloween night")
    assert check("8.1", world.client_a1, OCTOBER).status == Status.MET  # still live at October's end
    result = check("8.1", world.client_a1)
    assert result.status == Status.NOT_MET and "without results: Halloween night" in result.summary


def test_81_results_recorded_in_time_for_a_session_ended_at_the_months_end_are_met(world):
    ended = session(world.client_a1, at(dt.date(2025, 11, 29)), at(dt.date(2025, 11, 29), 22), "Last Saturday")
    days = LIVE_RESULTS_DUE_DAYS.default
    dated(LiveSessionResultFactory(session=ended), at(dt.date(2025, 11, 29) + dt.timedelta(days=days), 10))
    result = check("8.1", world.client_a1, DECEMBER)
    assert result.status == Status.MET and result.evidence[0].object_id == ended.pk


# --- 8.2 ---------------------------------------------------------------------------------------


def booked(client, followers: int):
    booking = StoreVisitBookingFactory(
        campaign=StoreVisitCampaignFactory(client=client), booked_at=at(dt.date(2025, 11, 5), 10)
    )
    type(booking).dangerously_all_agencies.filter(pk=booking.pk).update(
        followers_at_booking=followers, followers_read_on_at_booking=dt.date(2025, 11, 4)
    )
    return booking


def test_82_followers_edited_into_the_range_after_booking_do_not_mend_it(world):
    """Booked at 29,999 followers; the registry now says 40,000: the booking was outside the range."""
    booking = booked(world.client_a1, INFLUENCER_FOLLOWERS_MIN.default - 1)
    with tenant_context(world.agency_a):
        influencer = Influencer.objects.get(pk=booking.influencer_id)
        influencer.followers = 40_000
        influencer.save()
    result = check("8.2", world.client_a1)
    assert result.status == Status.NOT_MET and f"@{booking.influencer_handle} (29,999)" in result.summary


def test_82_the_range_holds_at_both_ends(world):
    booked(world.client_a1, INFLUENCER_FOLLOWERS_MIN.default)
    booked(world.client_a1, INFLUENCER_FOLLOWERS_MAX.default)
    assert check("8.2", world.client_a1).status == Status.MET
    over = booked(world.client_a1, INFLUENCER_FOLLOWERS_MAX.default + 1)
    result = check("8.2", world.client_a1)
    assert result.status == Status.NOT_MET and f"@{over.influencer_handle} (5,000,001)" in result.summary


# --- 8.3 ---------------------------------------------------------------------------------------


def valued(client, day=dt.date(2025, 11, 20)):
    return make_valuation(
        PlatformAccountFactory(client=client),
        valued_on=day,
        window_start=day - dt.timedelta(days=30),
        window_end=day - dt.timedelta(days=1),
    )


def test_83_a_factor_whose_effect_is_explained_with_blanks_is_not_stated(world):
    valuation = dated(valued(world.client_a1), at(dt.date(2025, 11, 20)))
    ValuationFactor.dangerously_all_agencies.filter(valuation=valuation, factor="style").update(effect_text=" \u3000 ")
    result = check("8.3", world.client_a1)
    assert result.status == Status.NOT_MET and "factors missing or without source: style" in result.summary


def test_83_a_valuation_recorded_after_the_month_and_dated_back_does_not_count(world):
    """Recorded today, dated 20 November: November had no valuation."""
    valuation = valued(world.client_a1)
    assert check("8.3", world.client_a1).status == Status.NOT_APPLICABLE
    AccountValuation.dangerously_all_agencies.filter(pk=valuation.pk).update(created_at=at(dt.date(2025, 11, 20)))
    assert check("8.3", world.client_a1).status == Status.MET
