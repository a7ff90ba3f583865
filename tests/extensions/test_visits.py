"""Clause 8.2, influencer store visits: the follower rule at its boundaries, the reading's age,
the agency's own range, and a booking's path from invitation to payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.tenancy import tenant_context
from extensions.models import BookingStatus, StoreVisitBooking
from extensions.rules import INFLUENCER_FOLLOWERS_MAX, INFLUENCER_FOLLOWERS_MAX_AGE_DAYS, INFLUENCER_FOLLOWERS_MIN
from extensions.services.visits import (
    store_visit_advance,
    store_visit_book,
    store_visit_cancel,
    store_visit_record_results,
)
from tests.extensions.factories import InfluencerFactory, StoreVisitCampaignFactory, actor_for

LOW, HIGH = INFLUENCER_FOLLOWERS_MIN.default, INFLUENCER_FOLLOWERS_MAX.default


@pytest.fixture
def ctx(world):
    actor = actor_for(world.agency_a, user=world.staff_a)
    with tenant_context(world.agency_a, actor):
        yield actor


@pytest.fixture
def campaign(world, ctx):
    return StoreVisitCampaignFactory(client=world.client_a1)


def book(ctx, campaign, influencer):
    return store_visit_book(actor=ctx, campaign=campaign, influencer=influencer, fee=Decimal("1500"))


def test_the_default_range_is_the_clauses_30_thousand_to_5_million():
    assert (LOW, HIGH) == (30_000, 5_000_000)


@pytest.mark.parametrize("followers", [LOW, HIGH])
def test_an_influencer_at_either_end_of_the_range_can_be_booked(world, ctx, campaign, followers):
    influencer = InfluencerFactory(agency=world.agency_a, followers=followers)
    booking = book(ctx, campaign, influencer)
    assert booking.status == BookingStatus.INVITED
    assert (booking.followers_at_booking, booking.followers_min_at_booking, booking.followers_max_at_booking) == (
        followers,
        LOW,
        HIGH,
    )


@pytest.mark.parametrize("followers,shown", [(LOW - 1, "29,999"), (HIGH + 1, "5,000,001")])
def test_an_influencer_outside_the_range_is_refused_with_the_figure_and_the_range(
    world, ctx, campaign, followers, shown
):
    influencer = InfluencerFactory(agency=world.agency_a, followers=followers, handle="edge_case")
    with pytest.raises(ValidationError) as exc:
        book(ctx, campaign, influencer)
    message = " ".join(exc.value.message_dict["influencer"])
    assert shown in message and f"{LOW:,}" in message and f"{HIGH:,}" in message and "@edge_case" in message
    assert not StoreVisitBooking.objects.exists()


def test_a_follower_count_read_too_long_ago_is_refused(world, ctx, campaign):
    days = INFLUENCER_FOLLOWERS_MAX_AGE_DAYS.default
    today = timezone.localdate(timezone=world.agency_a.tz)
    fresh_enough = InfluencerFactory(agency=world.agency_a, followers_read_on=today - dt.timedelta(days=days))
    stale = InfluencerFactory(agency=world.agency_a, followers_read_on=today - dt.timedelta(days=days + 1))
    assert book(ctx, campaign, fresh_enough).pk
    with pytest.raises(ValidationError) as exc:
        book(ctx, campaign, stale)
    assert str(days + 1) in " ".join(exc.value.message_dict["influencer"])


def test_the_agency_may_set_its_own_range(world, campaign):
    world.agency_a.settings = {INFLUENCER_FOLLOWERS_MIN.key: 100_000}
    world.agency_a.full_clean()
    world.agency_a.save()
    actor = actor_for(world.agency_a, user=world.staff_a)
    with tenant_context(world.agency_a, actor):
        with pytest.raises(ValidationError) as exc:
            book(actor, campaign, InfluencerFactory(agency=world.agency_a, followers=99_999))
        assert "100,000" in " ".join(exc.value.message_dict["influencer"])
        assert book(actor, campaign, InfluencerFactory(agency=world.agency_a, followers=100_000)).pk


def test_an_influencer_is_invited_once_per_campaign(world, ctx, campaign):
    influencer = InfluencerFactory(agency=world.agency_a)
    book(ctx, campaign, influencer)
    with pytest.raises(ValidationError):
        book(ctx, campaign, influencer)


def test_a_booking_moves_one_step_at_a_time_and_posting_needs_the_video(world, ctx, campaign):
    booking = book(ctx, campaign, InfluencerFactory(agency=world.agency_a))
    with pytest.raises(ValidationError) as exc:
        store_visit_advance(actor=ctx, booking=booking, status=BookingStatus.VISITED)
    assert "status" in exc.value.message_dict
    store_visit_advance(actor=ctx, booking=booking, status=BookingStatus.CONFIRMED)
    store_visit_advance(actor=ctx, booking=booking, status=BookingStatus.VISITED)
    with pytest.raises(ValidationError) as exc:
        store_visit_advance(actor=ctx, booking=booking, status=BookingStatus.POSTED)
    assert "video_url" in exc.value.message_dict
    posted = store_visit_advance(
        actor=ctx, booking=booking, status=BookingStatus.POSTED, video_url="https://v.douyin.com/abc/"
    )
    assert posted.posted_at is not None
    paid = store_visit_advance(actor=ctx, booking=booking, status=BookingStatus.PAID)
    assert paid.status == BookingStatus.PAID and paid.paid_at is not None


def test_results_are_recorded_once_the_video_is_posted(world, ctx, campaign):
    booking = book(ctx, campaign, InfluencerFactory(agency=world.agency_a))
    with pytest.raises(ValidationError):
        store_visit_record_results(actor=ctx, booking=booking, plays=1000)
    for status in (BookingStatus.CONFIRMED, BookingStatus.VISITED):
        store_visit_advance(actor=ctx, booking=booking, status=status)
    store_visit_advance(actor=ctx, booking=booking, status=BookingStatus.POSTED, video_url="https://v.douyin.com/xyz/")
    with pytest.raises(ValidationError) as exc:
        store_visit_record_results(actor=ctx, booking=booking, plays=-5)
    assert "plays" in exc.value.message_dict
    done = store_visit_record_results(
        actor=ctx, booking=booking, plays=52_000, likes=3_100, comments=240, shares=180, coupon_redemptions=75
    )
    assert done.coupon_redemptions == 75 and done.results_read_at is not None


def test_a_booking_is_cancelled_only_before_the_visit_with_a_reason(world, ctx, campaign):
    booking = book(ctx, campaign, InfluencerFactory(agency=world.agency_a))
    with pytest.raises(ValidationError):
        store_visit_cancel(actor=ctx, booking=booking, reason=" ")
    assert store_visit_cancel(actor=ctx, booking=booking, reason="Sick").status == BookingStatus.CANCELLED


def test_an_inactive_influencer_cannot_be_booked(world, ctx, campaign):
    with pytest.raises(ValidationError):
        book(ctx, campaign, InfluencerFactory(agency=world.agency_a, is_active=False))
