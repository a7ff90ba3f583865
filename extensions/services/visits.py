"""Writes of 8.2 that have rules: store-visit bookings, from the invitation (refused outside the
agency's follower range) to the posted video's results.

Each validates before it writes and raises ``ValidationError`` naming the field; nothing is
half-written (each runs in one transaction)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor
from extensions.models import BOOKING_PATH, BookingStatus, Influencer, StoreVisitBooking, StoreVisitCampaign
from extensions.rules import INFLUENCER_FOLLOWERS_MAX_AGE_DAYS, follower_range, follower_rule_refusal
from extensions.services.common import refuse_future


@transaction.atomic
def store_visit_book(
    *,
    actor: Actor,
    campaign: StoreVisitCampaign,
    influencer: Influencer,
    fee: Decimal,
    notes: str = "",
) -> StoreVisitBooking:
    """Invite an influencer to a store-visit campaign (8.2). Refused unless the influencer's
    follower count is within the agency's range and was read recently; the count, its date and
    the range are kept on the booking as evidence."""
    influencer = Influencer.objects.select_for_update().get(pk=influencer.pk)
    if not influencer.is_active:
        raise ValidationError(
            {"influencer": _("@%(handle)s is not active in the registry.") % {"handle": influencer.handle}}
        )
    refusal = follower_rule_refusal(influencer, actor.agency, actor.agency.today())
    if refusal:
        raise ValidationError({"influencer": refusal})
    low, high = follower_range(actor.agency)
    booking = StoreVisitBooking(
        agency=actor.agency,
        campaign=campaign,
        influencer=influencer,
        influencer_handle=influencer.handle,
        fee=fee,
        followers_at_booking=influencer.followers,
        followers_read_on_at_booking=influencer.followers_read_on,
        followers_min_at_booking=low,
        followers_max_at_booking=high,
        followers_max_age_days_at_booking=actor.agency.setting(INFLUENCER_FOLLOWERS_MAX_AGE_DAYS),
        booked_at=timezone.now(),
        notes=notes or "",
    )
    return validated_save(booking)


STATUS_TIMESTAMP = {
    BookingStatus.CONFIRMED: "confirmed_at",
    BookingStatus.VISITED: "visited_at",
    BookingStatus.POSTED: "posted_at",
    BookingStatus.PAID: "paid_at",
}


@transaction.atomic
def store_visit_advance(
    *, actor: Actor, booking: StoreVisitBooking, status: str, video_url: str = "", at: dt.datetime | None = None
) -> StoreVisitBooking:
    """Move a booking one step along invited → confirmed → visited → posted → paid. Posting
    needs the posted video's link."""
    booking = StoreVisitBooking.objects.select_for_update().get(pk=booking.pk)
    path = list(BOOKING_PATH)
    if (
        booking.status not in path
        or path.index(booking.status) + 1 >= len(path)
        or (path[path.index(booking.status) + 1] != status)
    ):
        labels = dict(BookingStatus.choices)
        raise ValidationError(
            {
                "status": _(
                    "A booking moves %(path)s one step at a time; this one is %(current)s and cannot become %(to)s."
                )
                % {
                    "path": " → ".join(str(labels[s]) for s in path),
                    "current": booking.get_status_display(),
                    "to": labels.get(status, status),
                }
            }
        )
    at = at or timezone.now()
    refuse_future(at, "at", actor)
    if video_url:
        booking.video_url = video_url
    if status == BookingStatus.POSTED and not booking.video_url:
        raise ValidationError({"video_url": _("Give the link of the posted video.")})
    booking.status = status
    setattr(booking, STATUS_TIMESTAMP[status], at)
    return validated_save(booking)


@transaction.atomic
def store_visit_cancel(*, actor: Actor, booking: StoreVisitBooking, reason: str) -> StoreVisitBooking:
    """Cancel a booking before the visit, saying why."""
    booking = StoreVisitBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.status not in (BookingStatus.INVITED, BookingStatus.CONFIRMED):
        raise ValidationError(
            {
                "status": _("Only an invited or confirmed booking can be cancelled; this one is %(status)s.")
                % {"status": booking.get_status_display()}
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the booking is cancelled.")})
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.notes = "\n".join(part for part in (booking.notes, reason.strip()) if part)
    return validated_save(booking)


@transaction.atomic
def store_visit_record_results(
    *,
    actor: Actor,
    booking: StoreVisitBooking,
    plays: int | None = UNCHANGED,
    likes: int | None = UNCHANGED,
    comments: int | None = UNCHANGED,
    shares: int | None = UNCHANGED,
    coupon_redemptions: int | None = UNCHANGED,
    video_url: str = UNCHANGED,
) -> StoreVisitBooking:
    """Record the posted video's results (plays, likes, comments, shares, coupon redemptions; the
    ones given), and its link when one is given."""
    results = given(
        plays=plays,
        likes=likes,
        comments=comments,
        shares=shares,
        coupon_redemptions=coupon_redemptions,
        video_url=video_url,
    )
    booking = StoreVisitBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.status not in (BookingStatus.POSTED, BookingStatus.PAID):
        raise ValidationError(
            {
                "status": _("Results are recorded once the video is posted; this booking is %(status)s.")
                % {"status": booking.get_status_display()}
            }
        )
    for name, value in results.items():
        if name == "video_url" and not value:
            continue
        setattr(booking, name, value)
    booking.results_read_at = timezone.now()
    return validated_save(booking)
