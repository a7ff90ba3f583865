"""Factories for chapter 8 (extensions), registered in ``tests.factories.ROW_MAKERS``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from agency.tenancy import tenant_context
from extensions.models import (
    AccountValuation,
    AdverseEvent,
    Influencer,
    LiveProduct,
    LiveSession,
    LiveSessionResult,
    LiveSessionStatus,
    LiveTeamAssignment,
    RunSheetSegment,
    StoreVisitBooking,
    StoreVisitCampaign,
    ValuationFactor,
)
from extensions.rules import INFLUENCER_FOLLOWERS_MAX, INFLUENCER_FOLLOWERS_MAX_AGE_DAYS, INFLUENCER_FOLLOWERS_MIN
from extensions.selectors.valuation import (
    METRIC_DAILY_ACTIVE_FANS,
    METRIC_ENGAGEMENT_RATE,
    METRIC_RETURNING_VIEWER_SHARE,
)
from extensions.selectors.valuation_inputs import EnteredValue
from extensions.services.valuation import account_valuation_create
from tests.factories import (
    ROW_MAKERS,
    AgencyFactory,
    ClientFactory,
    MembershipFactory,
    PlatformAccountFactory,
    TenantFactory,
    UserFactory,
)


def staff_person(agency, role: str = "live_team"):
    return MembershipFactory(agency=agency, role=role, user=UserFactory()).user


def actor_for(agency, role: str = "agency_admin", user=None):
    """An actor of ``agency`` with ``role`` (a new person unless ``user`` is given)."""
    from agency.models import Membership

    membership = Membership.objects.filter(agency=agency, user=user).first() if user is not None else None
    if membership is None:
        membership = MembershipFactory(agency=agency, role=role, user=user or UserFactory())
    return membership.as_actor()


def soon(hours: int = 24) -> dt.datetime:
    return (timezone.now() + dt.timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


class LiveSessionFactory(TenantFactory):
    class Meta:
        model = LiveSession

    account = factory.SubFactory(PlatformAccountFactory)
    client = factory.SelfAttribute("account.client")
    agency = factory.SelfAttribute("account.agency")
    theme = factory.Sequence(lambda n: f"Friday hotpot night {n}")
    planned_start = factory.LazyFunction(soon)
    planned_end = factory.LazyAttribute(lambda o: o.planned_start + dt.timedelta(hours=2))


class EndedLiveSessionFactory(LiveSessionFactory):
    planned_start = factory.LazyFunction(lambda: soon(-30))
    status = LiveSessionStatus.ENDED
    started_at = factory.SelfAttribute("planned_start")
    ended_at = factory.SelfAttribute("planned_end")


class LiveTeamAssignmentFactory(TenantFactory):
    class Meta:
        model = LiveTeamAssignment

    session = factory.SubFactory(LiveSessionFactory)
    client = factory.SelfAttribute("session.client")
    agency = factory.SelfAttribute("session.agency")
    role = "field_controller"
    person = factory.LazyAttribute(lambda o: staff_person(o.session.agency))


class LiveProductFactory(TenantFactory):
    class Meta:
        model = LiveProduct

    session = factory.SubFactory(LiveSessionFactory)
    client = factory.SelfAttribute("session.client")
    agency = factory.SelfAttribute("session.agency")
    name = factory.Sequence(lambda n: f"Hotpot set {n}")
    price = Decimal("99.00")
    stock = 100
    commission_rate = Decimal("20.00")
    position = factory.Sequence(int)


class RunSheetSegmentFactory(TenantFactory):
    class Meta:
        model = RunSheetSegment

    session = factory.SubFactory(LiveSessionFactory)
    client = factory.SelfAttribute("session.client")
    agency = factory.SelfAttribute("session.agency")
    kind = "warm_up"
    title = "Warm-up"
    start_minute = 0
    duration_minutes = 10


class LiveSessionResultFactory(TenantFactory):
    class Meta:
        model = LiveSessionResult

    session = factory.SubFactory(EndedLiveSessionFactory)
    client = factory.SelfAttribute("session.client")
    agency = factory.SelfAttribute("session.agency")
    peak_concurrent_viewers = 800
    average_concurrent_viewers = 300
    total_viewers = 12_000
    views = 20_000
    average_watch_seconds = 95
    comments = 1_500
    new_followers = 420
    orders = 360
    gmv = Decimal("35640.00")


class InfluencerFactory(TenantFactory):
    class Meta:
        model = Influencer

    agency = factory.SubFactory(AgencyFactory)
    platform = "douyin"
    handle = factory.Sequence(lambda n: f"foodie{n}")
    followers = 120_000
    followers_read_on = factory.LazyFunction(timezone.localdate)
    category = "food"
    city = "Chengdu"


class StoreVisitCampaignFactory(TenantFactory):
    class Meta:
        model = StoreVisitCampaign

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    title = factory.Sequence(lambda n: f"Spring menu visits {n}")
    store_name = "Old Street Hotpot, Chunxi Road"
    store_address = "Chunxi Road 8, Chengdu"
    visit_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    window_start = dt.time(11, 0)
    window_end = dt.time(14, 0)
    deliverables = factory.LazyFunction(lambda: ["video"])


class StoreVisitBookingFactory(TenantFactory):
    class Meta:
        model = StoreVisitBooking

    campaign = factory.SubFactory(StoreVisitCampaignFactory)
    client = factory.SelfAttribute("campaign.client")
    agency = factory.SelfAttribute("campaign.agency")
    influencer = factory.LazyAttribute(lambda o: InfluencerFactory(agency=o.campaign.agency))
    influencer_handle = factory.SelfAttribute("influencer.handle")
    fee = Decimal("2000.00")
    followers_at_booking = factory.SelfAttribute("influencer.followers")
    followers_read_on_at_booking = factory.SelfAttribute("influencer.followers_read_on")
    followers_min_at_booking = INFLUENCER_FOLLOWERS_MIN.default
    followers_max_at_booking = INFLUENCER_FOLLOWERS_MAX.default
    followers_max_age_days_at_booking = INFLUENCER_FOLLOWERS_MAX_AGE_DAYS.default
    booked_at = factory.LazyFunction(timezone.now)


class AdverseEventFactory(TenantFactory):
    class Meta:
        model = AdverseEvent

    account = factory.SubFactory(PlatformAccountFactory)
    client = factory.SelfAttribute("account.client")
    agency = factory.SelfAttribute("account.agency")
    kind = "violation"
    severity = "minor"
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    description = "A video was limited for showing a brand logo."


ENTERED_METRICS = {
    METRIC_DAILY_ACTIVE_FANS: EnteredValue(Decimal("12000"), "creator centre, October"),
    METRIC_ENGAGEMENT_RATE: EnteredValue(Decimal("0.06"), "creator centre, October"),
    METRIC_RETURNING_VIEWER_SHARE: EnteredValue(Decimal("0.3"), "creator centre, October"),
}


def make_valuation(account, **kwargs) -> AccountValuation:
    """A valuation of ``account`` made by the service, from entered metrics unless told otherwise."""
    actor = kwargs.pop("actor", None) or actor_for(account.agency)
    kwargs.setdefault("entered", ENTERED_METRICS)
    kwargs.setdefault("style", "clear")
    with tenant_context(account.agency, actor):
        return account_valuation_create(actor=actor, account=account, **kwargs)


def make_factor(account) -> ValuationFactor:
    valuation = make_valuation(account)
    factors = ValuationFactor.dangerously_all_agencies.select_related("valuation", "client", "agency")
    return factors.filter(valuation=valuation).order_by("position").first()


ROW_MAKERS.update(
    {
        LiveSession: lambda agency, client: LiveSessionFactory(account=PlatformAccountFactory(client=client)),
        LiveTeamAssignment: lambda agency, client: LiveTeamAssignmentFactory(
            session=LiveSessionFactory(account=PlatformAccountFactory(client=client))
        ),
        LiveProduct: lambda agency, client: LiveProductFactory(
            session=LiveSessionFactory(account=PlatformAccountFactory(client=client))
        ),
        RunSheetSegment: lambda agency, client: RunSheetSegmentFactory(
            session=LiveSessionFactory(account=PlatformAccountFactory(client=client))
        ),
        LiveSessionResult: lambda agency, client: LiveSessionResultFactory(
            session=EndedLiveSessionFactory(account=PlatformAccountFactory(client=client))
        ),
        Influencer: lambda agency, client: InfluencerFactory(agency=agency),
        StoreVisitCampaign: lambda agency, client: StoreVisitCampaignFactory(client=client),
        StoreVisitBooking: lambda agency, client: StoreVisitBookingFactory(
            campaign=StoreVisitCampaignFactory(client=client)
        ),
        AdverseEvent: lambda agency, client: AdverseEventFactory(account=PlatformAccountFactory(client=client)),
        AccountValuation: lambda agency, client: make_valuation(PlatformAccountFactory(client=client)),
        ValuationFactor: lambda agency, client: make_factor(PlatformAccountFactory(client=client)),
    }
)
