"""Writes of chapter 8 that have rules: live sessions, their products, run sheet, team and
results (8.1); store-visit bookings (8.2); adverse events and account valuations (8.3).

Views, the API, admin and tasks call these. Each validates before it writes and raises
``ValidationError`` naming the field; nothing is half-written (each runs in one transaction).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Membership
from agency.roles import STAFF_ROLES
from agency.tenancy import Actor
from clients.models import PlatformAccount
from extensions import valuation as method
from extensions.models import (
    BOOKING_PATH,
    LIVE_TEAM_REQUIRED_ROLES,
    AccountValuation,
    AdverseEvent,
    BookingStatus,
    FactorSource,
    Influencer,
    LiveProduct,
    LiveRole,
    LiveSession,
    LiveSessionResult,
    LiveSessionStatus,
    LiveTeamAssignment,
    ResultSource,
    RunSheetSegment,
    StoreVisitBooking,
    StoreVisitCampaign,
    ValuationFactor,
)
from extensions.rules import (
    INFLUENCER_FOLLOWERS_MAX_AGE_DAYS,
    follower_range,
    follower_rule_refusal,
    missing_live_roles,
    role_labels,
)


def _local(moment: dt.datetime, actor: Actor) -> str:
    return timezone.localtime(moment, actor.agency.tz).strftime("%Y-%m-%d %H:%M")


def _today(actor: Actor) -> dt.date:
    return timezone.localdate(timezone=actor.agency.tz)


def _not_in_future(moment: dt.datetime, field: str, actor: Actor) -> None:
    if moment > timezone.now():
        raise ValidationError({field: _("%(when)s is in the future.") % {"when": _local(moment, actor)}})


# --- 8.1 live sessions ---------------------------------------------------------------------------

EDITABLE_SESSION = (LiveSessionStatus.PLANNED, LiveSessionStatus.LIVE)


def _lock_session(session: LiveSession) -> LiveSession:
    return LiveSession.objects.select_for_update().get(pk=session.pk)


def _ensure_editable(session: LiveSession, field: str = "session") -> None:
    if session.status not in EDITABLE_SESSION:
        raise ValidationError(
            {
                field: _("The session is %(status)s; its plan and team are kept as they were.")
                % {"status": session.get_status_display()}
            }
        )


def _double_booking(*, actor: Actor, session: LiveSession, person, start: dt.datetime, end: dt.datetime) -> str | None:
    """A message naming the overlapping session when ``person`` is already in the team of another
    session overlapping [start, end), else None. Sessions are half-open: one may start when
    another ends."""
    clash = (
        LiveTeamAssignment.objects.filter(person=person, session__planned_start__lt=end, session__planned_end__gt=start)
        .exclude(session_id=session.pk)
        .exclude(session__status=LiveSessionStatus.CANCELLED)
        .select_related("session")
        .order_by("session__planned_start")
        .first()
    )
    if clash is None:
        return None
    other = clash.session
    return _(
        "%(person)s is already %(role)s in “%(theme)s” from %(start)s to %(end)s, which overlaps this session "
        "(%(this_start)s to %(this_end)s)."
    ) % {
        "person": person.get_full_name() or person.get_username(),
        "role": clash.get_role_display(),
        "theme": other.theme,
        "start": _local(other.planned_start, actor),
        "end": _local(other.planned_end, actor),
        "this_start": _local(start, actor),
        "this_end": _local(end, actor),
    }


def _lock_people(actor: Actor, people) -> None:
    """Serialise team changes per person (their membership row), in a fixed order, so that two
    bookings of one person cannot both pass the double-booking check."""
    ids = sorted({person.pk for person in people})
    if ids:
        list(Membership.objects.select_for_update().filter(agency=actor.agency, user_id__in=ids).order_by("pk"))


def _check_run_sheet_fits(session: LiveSession, segments) -> None:
    minutes = session.planned_minutes
    late = [segment for segment in segments if segment.end_minute > minutes]
    if late:
        raise ValidationError(
            {
                "planned_end": _(
                    "Segment “%(segment)s” runs to minute %(end)s, past the session's %(minutes)s minutes."
                )
                % {"segment": late[0], "end": late[0].end_minute, "minutes": minutes}
            }
        )


@transaction.atomic
def live_session_plan(
    *,
    actor: Actor,
    account: PlatformAccount,
    theme: str,
    planned_start: dt.datetime,
    planned_end: dt.datetime,
    goal_gmv: Decimal | None = None,
    goal_viewers: int | None = None,
    notes: str = "",
) -> LiveSession:
    """Plan a live session on a client's account (8.1)."""
    session = LiveSession(
        agency=actor.agency,
        client=account.client,
        account=account,
        theme=(theme or "").strip(),
        planned_start=planned_start,
        planned_end=planned_end,
        goal_gmv=goal_gmv,
        goal_viewers=goal_viewers,
        notes=notes or "",
    )
    session.full_clean()
    session.save()
    return session


SESSION_CHANGEABLE = ("account", "theme", "planned_start", "planned_end", "goal_gmv", "goal_viewers", "notes")


@transaction.atomic
def live_session_update(*, actor: Actor, session: LiveSession, **changes) -> LiveSession:
    """Change a session's plan. A planned session may move: its team must still be free and its
    run sheet must still fit; once live, only the goals and notes change."""
    unknown = set(changes) - set(SESSION_CHANGEABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    session = _lock_session(session)
    _ensure_editable(session, "status")
    moving = {name for name in ("account", "planned_start", "planned_end") if name in changes}
    if session.status != LiveSessionStatus.PLANNED and any(changes[name] != getattr(session, name) for name in moving):
        raise ValidationError({"status": _("A session that has started keeps its account and times.")})
    for name, value in changes.items():
        setattr(session, name, value)
    if "account" in changes and session.account.client_id != session.client_id:
        raise ValidationError({"account": _("A session stays with its client; plan a new one for another client.")})
    session.full_clean()
    team = list(session.team.select_related("person").filter(person__isnull=False))
    _lock_people(actor, [member.person for member in team])
    errors = [
        message
        for member in team
        if (
            message := _double_booking(
                actor=actor,
                session=session,
                person=member.person,
                start=session.planned_start,
                end=session.planned_end,
            )
        )
    ]
    if errors:
        raise ValidationError({"planned_start": errors})
    _check_run_sheet_fits(session, session.segments.all())
    session.save()
    return session


@transaction.atomic
def live_team_assign(
    *,
    actor: Actor,
    session: LiveSession,
    role: str,
    person=None,
    external_name: str = "",
    notes: str = "",
) -> LiveTeamAssignment:
    """Put one of the agency's staff (or, for the host only, a named outside host) in a role of
    the session's team (8.1). A person holds one role per session and cannot be in the team of
    an overlapping session."""
    session = _lock_session(session)
    _ensure_editable(session)
    if role not in LiveRole.values:
        raise ValidationError({"role": _("Choose one of the live team's roles.")})
    if person is not None:
        _lock_people(actor, [person])
        membership = Membership.objects.filter(agency=actor.agency, user=person, is_active=True).first()
        if membership is None or membership.role not in STAFF_ROLES:
            raise ValidationError(
                {"person": _("%(person)s is not on this agency's staff.") % {"person": person.get_username()}}
            )
        current = session.team.filter(person=person).first()
        if current is not None:
            raise ValidationError(
                {
                    "person": _("%(person)s is already %(role)s in this session.")
                    % {"person": person.get_username(), "role": current.get_role_display()}
                }
            )
        clash = _double_booking(
            actor=actor, session=session, person=person, start=session.planned_start, end=session.planned_end
        )
        if clash:
            raise ValidationError({"person": clash})
    assignment = LiveTeamAssignment(
        agency=actor.agency,
        client=session.client,
        session=session,
        role=role,
        person=person,
        external_name=(external_name or "").strip(),
        notes=notes or "",
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def live_team_unassign(*, actor: Actor, assignment: LiveTeamAssignment) -> None:
    """Take a person off a session's team; a live session keeps each of the four roles staffed."""
    session = _lock_session(assignment.session)
    _ensure_editable(session)
    if (
        session.status == LiveSessionStatus.LIVE
        and assignment.role in LIVE_TEAM_REQUIRED_ROLES
        and not session.team.exclude(pk=assignment.pk).filter(role=assignment.role).exists()
    ):
        raise ValidationError(
            {
                "role": _("The session is live and needs its %(role)s; assign another one first.")
                % {"role": assignment.get_role_display()}
            }
        )
    assignment.delete()


@transaction.atomic
def live_session_start(*, actor: Actor, session: LiveSession, started_at: dt.datetime | None = None) -> LiveSession:
    """Start a planned session (8.1): refused until host assistant, product selector,
    transition assistant and field controller are all staffed, naming the missing ones."""
    session = _lock_session(session)
    if session.status != LiveSessionStatus.PLANNED:
        raise ValidationError(
            {
                "status": _("Only a planned session can start; this one is %(status)s.")
                % {"status": session.get_status_display()}
            }
        )
    missing = missing_live_roles(session)
    if missing:
        raise ValidationError(
            {
                "team": _(
                    "The session cannot start: nobody is assigned as %(missing)s. Clause 8.1 needs a host "
                    "assistant, a product selector, a transition assistant and a field controller."
                )
                % {"missing": role_labels(missing)}
            }
        )
    started_at = started_at or timezone.now()
    _not_in_future(started_at, "started_at", actor)
    team: dict[str, list[dict]] = {}
    for member in session.team.select_related("person").order_by("role", "pk"):
        team.setdefault(member.role, []).append({"person_id": member.person_id, "name": member.person_name})
    session.status = LiveSessionStatus.LIVE
    session.started_at = started_at
    session.team_at_start = team
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def live_session_end(*, actor: Actor, session: LiveSession, ended_at: dt.datetime | None = None) -> LiveSession:
    """End a live session; it cannot end before it started."""
    session = _lock_session(session)
    if session.status != LiveSessionStatus.LIVE:
        raise ValidationError(
            {
                "status": _("Only a live session can end; this one is %(status)s.")
                % {"status": session.get_status_display()}
            }
        )
    ended_at = ended_at or timezone.now()
    if ended_at < session.started_at:
        raise ValidationError(
            {
                "ended_at": _("The session cannot end (%(end)s) before it started (%(start)s).")
                % {"end": _local(ended_at, actor), "start": _local(session.started_at, actor)}
            }
        )
    _not_in_future(ended_at, "ended_at", actor)
    session.status = LiveSessionStatus.ENDED
    session.ended_at = ended_at
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def live_session_cancel(*, actor: Actor, session: LiveSession, reason: str) -> LiveSession:
    """Cancel a planned session, saying why; its team is free again for those hours."""
    session = _lock_session(session)
    if session.status != LiveSessionStatus.PLANNED:
        raise ValidationError(
            {
                "status": _("Only a planned session can be cancelled; this one is %(status)s.")
                % {"status": session.get_status_display()}
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the session is cancelled.")})
    session.status = LiveSessionStatus.CANCELLED
    session.cancel_reason = reason.strip()
    session.full_clean()
    session.save()
    return session


def _check_selector(session: LiveSession, selected_by) -> None:
    if selected_by is None:
        return
    if not session.team.filter(role=LiveRole.PRODUCT_SELECTOR, person=selected_by).exists():
        raise ValidationError(
            {
                "selected_by": _("%(person)s is not a product selector of this session.")
                % {"person": selected_by.get_username()}
            }
        )


@transaction.atomic
def live_product_add(
    *,
    actor: Actor,
    session: LiveSession,
    name: str,
    price: Decimal,
    stock: int = 0,
    commission_rate: Decimal = Decimal("0"),
    selected_by=None,
    position: int | None = None,
    notes: str = "",
) -> LiveProduct:
    """Add a product to a session, picked by one of its product selectors (8.1)."""
    session = _lock_session(session)
    _ensure_editable(session)
    _check_selector(session, selected_by)
    if position is None:
        position = (session.products.aggregate(last=Max("position"))["last"] or 0) + 1
    product = LiveProduct(
        agency=actor.agency,
        client=session.client,
        session=session,
        name=(name or "").strip(),
        price=price,
        stock=stock,
        commission_rate=commission_rate,
        selected_by=selected_by,
        position=position,
        notes=notes or "",
    )
    product.full_clean()
    product.save()
    return product


PRODUCT_CHANGEABLE = ("name", "price", "stock", "commission_rate", "selected_by", "position", "notes")


@transaction.atomic
def live_product_update(*, actor: Actor, product: LiveProduct, **changes) -> LiveProduct:
    unknown = set(changes) - set(PRODUCT_CHANGEABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    session = _lock_session(product.session)
    _ensure_editable(session)
    product = LiveProduct.objects.get(pk=product.pk)
    for name, value in changes.items():
        setattr(product, name, value)
    if "selected_by" in changes:
        _check_selector(session, product.selected_by)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def live_product_remove(*, actor: Actor, product: LiveProduct) -> None:
    session = _lock_session(product.session)
    _ensure_editable(session)
    slot = product.segments.first()
    if slot is not None:
        raise ValidationError(
            {"product": _("The run sheet sells it in “%(segment)s”; change that segment first.") % {"segment": slot}}
        )
    product.delete()


def _check_segment(session: LiveSession, segment: RunSheetSegment) -> None:
    segment.full_clean()
    minutes = session.planned_minutes
    if segment.end_minute > minutes:
        raise ValidationError(
            {
                "duration_minutes": _("The segment runs to minute %(end)s, past the session's %(minutes)s minutes.")
                % {"end": segment.end_minute, "minutes": minutes}
            }
        )
    others = session.segments.exclude(pk=segment.pk).filter(
        start_minute__lt=segment.end_minute,
    )
    for other in others:
        if other.end_minute > segment.start_minute:
            raise ValidationError(
                {
                    "start_minute": _("Minutes %(start)s-%(end)s overlap “%(other)s” (minutes %(o_start)s-%(o_end)s).")
                    % {
                        "start": segment.start_minute,
                        "end": segment.end_minute,
                        "other": other,
                        "o_start": other.start_minute,
                        "o_end": other.end_minute,
                    }
                }
            )


@transaction.atomic
def run_sheet_segment_add(
    *,
    actor: Actor,
    session: LiveSession,
    kind: str,
    start_minute: int,
    duration_minutes: int,
    title: str = "",
    product: LiveProduct | None = None,
    notes: str = "",
) -> RunSheetSegment:
    """Add a timed segment to a session's run sheet: within the session, not overlapping another."""
    session = _lock_session(session)
    _ensure_editable(session)
    segment = RunSheetSegment(
        agency=actor.agency,
        client=session.client,
        session=session,
        kind=kind,
        title=(title or "").strip(),
        start_minute=start_minute,
        duration_minutes=duration_minutes,
        product=product,
        notes=notes or "",
    )
    _check_segment(session, segment)
    segment.save()
    return segment


SEGMENT_CHANGEABLE = ("kind", "title", "start_minute", "duration_minutes", "product", "notes")


@transaction.atomic
def run_sheet_segment_update(*, actor: Actor, segment: RunSheetSegment, **changes) -> RunSheetSegment:
    unknown = set(changes) - set(SEGMENT_CHANGEABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    session = _lock_session(segment.session)
    _ensure_editable(session)
    segment = RunSheetSegment.objects.get(pk=segment.pk)
    for name, value in changes.items():
        setattr(segment, name, value)
    _check_segment(session, segment)
    segment.save()
    return segment


@transaction.atomic
def run_sheet_segment_remove(*, actor: Actor, segment: RunSheetSegment) -> None:
    session = _lock_session(segment.session)
    _ensure_editable(session)
    segment.delete()


RESULT_FIGURES = (
    "peak_concurrent_viewers",
    "average_concurrent_viewers",
    "total_viewers",
    "views",
    "average_watch_seconds",
    "comments",
    "new_followers",
    "orders",
    "gmv",
    "refund_orders",
    "refund_amount",
    "review",
)


@transaction.atomic
def live_result_record(
    *, actor: Actor, session: LiveSession, source: str = ResultSource.ENTERED, **figures
) -> LiveSessionResult:
    """Record (or correct) the results of an ended session (8.1): by hand or pushed through the
    API. Counts are non-negative whole numbers, money is yuan, nothing negative."""
    unknown = set(figures) - set(RESULT_FIGURES)
    if unknown:
        raise ValidationError({name: _("Unknown result field.") for name in unknown})
    session = _lock_session(session)
    if session.status != LiveSessionStatus.ENDED:
        raise ValidationError(
            {
                "session": _("Results are recorded once the session has ended; this one is %(status)s.")
                % {"status": session.get_status_display()}
            }
        )
    result = LiveSessionResult.objects.filter(session=session).first() or LiveSessionResult(
        agency=actor.agency, client=session.client, session=session
    )
    for name, value in figures.items():
        setattr(result, name, "" if name == "review" and value is None else value)
    result.source = source
    result.full_clean()
    result.save()
    return result


# --- 8.2 store visits ----------------------------------------------------------------------------


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
    refusal = follower_rule_refusal(influencer, actor.agency, _today(actor))
    if refusal:
        raise ValidationError({"influencer": refusal})
    low, high = follower_range(actor.agency)
    booking = StoreVisitBooking(
        agency=actor.agency,
        client=campaign.client,
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
    booking.full_clean()
    booking.save()
    return booking


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
    _not_in_future(at, "at", actor)
    if video_url:
        booking.video_url = video_url
    if status == BookingStatus.POSTED and not booking.video_url:
        raise ValidationError({"video_url": _("Give the link of the posted video.")})
    booking.status = status
    setattr(booking, STATUS_TIMESTAMP[status], at)
    booking.full_clean()
    booking.save()
    return booking


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
    booking.full_clean()
    booking.save()
    return booking


VISIT_RESULTS = ("plays", "likes", "comments", "shares", "coupon_redemptions", "video_url")


@transaction.atomic
def store_visit_record_results(*, actor: Actor, booking: StoreVisitBooking, **results) -> StoreVisitBooking:
    """Record the posted video's results (plays, likes, comments, shares, coupon redemptions)."""
    unknown = set(results) - set(VISIT_RESULTS)
    if unknown:
        raise ValidationError({name: _("Unknown result field.") for name in unknown})
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
    booking.full_clean()
    booking.save()
    return booking


# --- 8.3 adverse events and valuations -------------------------------------------------------------


@transaction.atomic
def adverse_event_record(
    *,
    actor: Actor,
    account: PlatformAccount,
    kind: str,
    severity: str,
    occurred_on: dt.date,
    description: str,
    resolved_on: dt.date | None = None,
) -> AdverseEvent:
    """Record an adverse event of an account (8.3 e); it counts in the account's valuations."""
    event = AdverseEvent(
        agency=actor.agency,
        client=account.client,
        account=account,
        kind=kind,
        severity=severity,
        occurred_on=occurred_on,
        resolved_on=resolved_on,
        description=(description or "").strip(),
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def account_valuation_create(
    *,
    actor: Actor,
    account: PlatformAccount,
    style: str,
    style_note: str = "",
    valued_on: dt.date | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
    entered: dict[str, method.EnteredValue] | None = None,
    other_multiplier: Decimal = Decimal("1"),
    other_note: str = "",
    weights: dict[str, Decimal] | None = None,
    notes: str = "",
    recomputed_from: AccountValuation | None = None,
) -> AccountValuation:
    """Value a platform account by the stated method (8.3) and keep the dated record with every
    factor, the inputs and the explanation. Metrics not entered are computed from the metric
    sources over the window; with no metrics there, nothing is written and the message says so."""
    today = _today(actor)
    valued_on = valued_on or today
    if valued_on > today:
        raise ValidationError({"valued_on": _("A valuation cannot be dated in the future.")})
    if window_start is None and window_end is None:
        window_start, window_end = method.default_window(actor.agency, valued_on)
    elif window_start is None or window_end is None:
        raise ValidationError({"window_start": _("Give both ends of the metrics window, or neither.")})
    if window_end < window_start:
        raise ValidationError({"window_end": _("The metrics window ends before it starts.")})
    if window_end > valued_on:
        raise ValidationError({"window_end": _("The metrics window cannot end after the valuation date.")})
    inputs = method.gather_inputs(
        account=account,
        agency=actor.agency,
        valued_on=valued_on,
        window_start=window_start,
        window_end=window_end,
        entered=entered or {},
        style=style,
        style_note=style_note,
        other_multiplier=other_multiplier,
        other_note=other_note,
        weights=weights,
    )
    result = method.compute(inputs)
    valuation = AccountValuation(
        agency=actor.agency,
        client=account.client,
        account=account,
        valued_on=valued_on,
        window_start=window_start,
        window_end=window_end,
        method=result.method,
        inputs=inputs,
        value_low=result.value_low,
        value_point=result.value_point,
        value_high=result.value_high,
        steps=result.steps,
        recomputed_from=recomputed_from,
        notes=notes or "",
    )
    valuation.full_clean()
    valuation.save()
    for position, outcome in enumerate(result.factors):
        factor = ValuationFactor(
            agency=actor.agency,
            client=account.client,
            valuation=valuation,
            factor=outcome.factor,
            value=outcome.value,
            value_number=outcome.value_number,
            source=outcome.source,
            source_detail=outcome.source_detail,
            weight=outcome.weight,
            effect=outcome.effect,
            effect_text=outcome.effect_text,
            position=position,
        )
        factor.full_clean()
        factor.save()
    return valuation


@transaction.atomic
def account_valuation_recompute(*, actor: Actor, valuation: AccountValuation) -> AccountValuation:
    """Value the account again today, over the same metrics window, with the metrics as they
    are now and the agency's current coefficients. Values entered by hand (and weights given
    for that valuation) carry over. The earlier record is kept; the new one names it."""
    inputs = valuation.inputs
    factors = inputs["factors"]
    entered = {
        name: method.EnteredValue(value=Decimal(factors[name]["value"]), note=factors[name].get("detail", ""))
        for name in method.METRICS
        if factors.get(name, {}).get("source") == FactorSource.ENTERED
    }
    weights = (
        {name: Decimal(value) for name, value in inputs["weights"].items()}
        if inputs.get("weights_source") == "entered"
        else None
    )
    return account_valuation_create(
        actor=actor,
        account=valuation.account,
        style=factors["style"]["value"],
        style_note=factors["style"].get("note", ""),
        window_start=valuation.window_start,
        window_end=valuation.window_end,
        entered=entered,
        other_multiplier=Decimal(factors["other"]["value"]),
        other_note=factors["other"].get("note", ""),
        weights=weights,
        notes=valuation.notes,
        recomputed_from=valuation,
    )
