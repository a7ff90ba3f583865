"""What the other chapters add to the records' reports (9 j, 9 k): daily metrics, top videos,
live sessions and store visits in the statistics report; videos delivered on time, first
responses and live sessions run in the work assessment report. Figures are checked against
rows made for the period, the period before and another client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from agency.conformance import Period
from agency.models import Membership
from agency.tenancy import tenant_context
from extensions.models import BookingStatus
from production.models import Stage
from records.selectors.reports import assessment_for, statistics_for
from tests.accounts_ops.factories import (
    AccountDailyMetricFactory,
    InboxMessageFactory,
    OutboxReplyFactory,
    VideoDailyMetricFactory,
)
from tests.extensions.factories import (
    EndedLiveSessionFactory,
    LiveSessionResultFactory,
    LiveTeamAssignmentFactory,
    StoreVisitBookingFactory,
)
from tests.factories import PlatformAccountFactory, VideoFactory
from tests.production.factories import StageTransitionFactory, VideoProjectFactory
from tests.records.factories import last_month


@pytest.fixture
def period(world):
    start, end = last_month(timezone.localdate(timezone=world.agency_a.tz))
    return Period(start, end)


@pytest.fixture
def staff(world):
    actor = Membership.objects.select_related("agency", "user").get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor):
        yield actor


def at(day: dt.date, world, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=world.agency_a.tz)


def section(report: dict, title_start: str) -> dict:
    return next(s for s in report["sections"] if s["title"].startswith(title_start))


def figures(sec: dict) -> dict:
    return {f["label"]: (f["value"], f["previous"]) for f in sec["figures"]}


def test_the_statistics_report_reads_the_daily_metrics(world, staff, period):
    one, two = PlatformAccountFactory(client=world.client_a1), PlatformAccountFactory(client=world.client_a1)
    before = period.start - dt.timedelta(days=1)
    AccountDailyMetricFactory(account=one, date=before, followers_total=900, plays=1000, likes=10, comments=0, shares=0)
    AccountDailyMetricFactory(account=one, date=period.start, followers_total=1000, followers_gained=100, plays=2000)
    AccountDailyMetricFactory(
        account=one,
        date=period.end,
        followers_total=1100,
        followers_gained=100,
        plays=3000,
        likes=200,
        comments=50,
        shares=50,
    )
    AccountDailyMetricFactory(account=two, date=period.start, followers_total=500, followers_gained=5, plays=0)
    AccountDailyMetricFactory(account=PlatformAccountFactory(client=world.client_a2), date=period.end, plays=99999)

    report = statistics_for(world.client_a1, period)
    metrics = section(report, "Fans, plays and engagement")
    got = figures(metrics)
    assert got["Fans at the end of the period"] == (1100 + 500, 900)
    assert got["New followers"] == (205, 35)  # 35: the factory's default on the row before
    assert got["Plays"] == (2000 + 3000, 1000)
    engaged = (900 + 80 + 40) + (200 + 50 + 50) + (900 + 80 + 40)  # the factory's defaults on the other rows
    assert got["Likes, comments and shares"] == (engaged, 10)
    assert got["Engagement rate (%)"] == (round(engaged * 100 / 5000, 2), 1.0)
    plays = next(c for c in metrics["charts"] if c["title"] == "Plays per day")
    assert sum(plays["values"]) == 5000 and len(plays["values"]) == (period.end - period.start).days + 1
    assert report["has_data"] and metrics["has_data"]


def test_top_videos_are_ranked_by_their_plays_in_the_period(world, staff, period):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie")
    quiet, loud = VideoFactory(account=account, title="Quiet"), VideoFactory(account=account, title="Loud")
    VideoDailyMetricFactory(account=account, video=quiet, date=period.start, plays=10)
    VideoDailyMetricFactory(account=account, video=loud, date=period.start, plays=300)
    VideoDailyMetricFactory(account=account, video=loud, date=period.end, plays=200)
    VideoDailyMetricFactory(account=account, video=quiet, date=period.start - dt.timedelta(days=1), plays=10**6)
    table = section(statistics_for(world.client_a1, period), "Top videos")["tables"][0]
    assert [(row[0], row[1], row[2]) for row in table["rows"]] == [("Loud", "@laojie", 500), ("Quiet", "@laojie", 10)]


def test_a_client_without_metrics_gets_sections_that_say_so(world, staff, period):
    report = statistics_for(world.client_a2, period)
    assert not report["has_data"]
    notes = [n for s in report["sections"] for n in s["notes"]]
    assert "No daily account metrics were recorded for this period." in notes
    assert "No live session ended in this period." in notes


def test_live_sessions_and_store_visits_of_the_period_are_reported(world, staff, period):
    account = PlatformAccountFactory(client=world.client_a1)
    held = EndedLiveSessionFactory(
        account=account, planned_start=at(period.start, world, 19), planned_end=at(period.start, world, 21)
    )
    LiveSessionResultFactory(session=held, total_viewers=1000, views=4000, orders=50, gmv=Decimal("5000.00"))
    EndedLiveSessionFactory(  # ended in the month before
        account=account,
        planned_start=at(period.start - dt.timedelta(days=3), world, 19),
        planned_end=at(period.start - dt.timedelta(days=3), world, 21),
    )
    StoreVisitBookingFactory(
        campaign__client=world.client_a1,
        status=BookingStatus.POSTED,
        posted_at=at(period.end, world),
        video_url="https://www.douyin.com/video/7300000000000000001",
        plays=8000,
        coupon_redemptions=12,
    )
    report = statistics_for(world.client_a1, period)
    live = figures(section(report, "Live sessions"))
    assert live["Sessions held"] == (1, 1)
    assert live["GMV (yuan)"] == (5000.0, 0.0)
    assert live["UV value (yuan per viewer)"][0] == 5.0  # 5000 / 1000, from derive_live_figures
    assert live["Conversion (%)"][0] == 5.0
    visits = figures(section(report, "Influencer store visits"))
    assert visits["Visit videos posted"] == (1, 0)
    assert visits["Plays of the visit videos"][0] == 8000
    assert visits["Coupon redemptions attributed"][0] == 12


def test_the_assessment_counts_videos_delivered_by_their_due_date(world, staff, period):
    person = world.staff_a
    on_time = VideoProjectFactory(
        account=PlatformAccountFactory(client=world.client_a1),
        assignee=person,
        due_date=period.end,
        stage=Stage.PUBLISHED,
    )
    late = VideoProjectFactory(
        account=PlatformAccountFactory(client=world.client_a1),
        assignee=person,
        due_date=period.start,
        stage=Stage.PUBLISHED,
    )
    VideoProjectFactory(  # due in the period, still in post-production
        account=PlatformAccountFactory(client=world.client_a1),
        assignee=person,
        due_date=period.start,
        stage=Stage.POST_PRODUCTION,
    )
    StageTransitionFactory(project=on_time, to_stage=Stage.PUBLISHED, at=at(period.start + dt.timedelta(days=3), world))
    StageTransitionFactory(project=late, to_stage=Stage.PUBLISHED, at=at(period.start + dt.timedelta(days=2), world))

    for subject in (world.client_a1, person):
        delivered = figures(section(assessment_for(subject, period), "Videos delivered on time"))
        assert delivered["Videos delivered (published)"] == (2, 0)
        assert delivered["Delivered by their due date"] == (1, 0)
        assert delivered["Due in the period and not yet published"] == (1, None)
    other = figures(section(assessment_for(world.client_a2, period), "Videos delivered on time"))
    assert other["Videos delivered (published)"] == (0, 0)


def test_the_assessment_reports_first_responses(world, staff, period):
    account = PlatformAccountFactory(client=world.client_a1)
    for minutes, seconds in ((60, 30), (120, 90), (180, 600)):
        received = at(period.start, world) + dt.timedelta(minutes=minutes)
        message = InboxMessageFactory(
            account=account,
            received_at=received,
            first_response_at=received + dt.timedelta(seconds=seconds),
            first_response_seconds=seconds,
            matched_rule=None,
        )
        OutboxReplyFactory(message=message, source="manual", author=world.staff_a, rule=None)
    client_view = figures(section(assessment_for(world.client_a1, period), "First responses"))
    assert client_view["Messages received"] == (3, 0)
    assert client_view["Median first response (s, middle of the accounts' medians)"][0] == 90
    person = figures(section(assessment_for(world.staff_a, period), "First responses"))
    assert person["Messages first answered"][0] == 3
    assert person["Median first response of those (s)"][0] == 90


def test_the_assessment_counts_live_sessions_a_person_was_on_the_team_of(world, staff, period):
    session = EndedLiveSessionFactory(
        account=PlatformAccountFactory(client=world.client_a1),
        planned_start=at(period.end, world, 19),
        planned_end=at(period.end, world, 21),
    )
    LiveTeamAssignmentFactory(session=session, person=world.staff_a, role="host")
    LiveSessionResultFactory(session=session, review="Good pacing; start the giveaway earlier.")
    for subject in (world.client_a1, world.staff_a):
        run = figures(section(assessment_for(subject, period), "Live sessions run"))
        assert run["Live sessions run"] == (1, 0) and run["Of which reviewed in writing"][0] == 1
    assert figures(section(assessment_for(world.client_a2, period), "Live sessions run"))["Live sessions run"] == (
        0,
        0,
    )
