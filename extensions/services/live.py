"""Writes of 8.1 that have rules: live sessions, their products, run sheet, team and results.

Each validates before it writes and raises ``ValidationError`` naming the field; nothing is
half-written (each runs in one transaction)."""

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
from agency.services import UNCHANGED, fields_taken, given, validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount
from extensions.models import (
    LiveProduct,
    LiveRole,
    LiveSession,
    LiveSessionResult,
    LiveSessionStatus,
    LiveTeamAssignment,
    ResultSource,
    RunSheetSegment,
)
from extensions.rules import LIVE_TEAM_REQUIRED_ROLES, missing_live_roles, role_labels
from extensions.services.common import local_time_text, refuse_future

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
        "start": local_time_text(other.planned_start, actor),
        "end": local_time_text(other.planned_end, actor),
        "this_start": local_time_text(start, actor),
        "this_end": local_time_text(end, actor),
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
        account=account,
        theme=(theme or "").strip(),
        planned_start=planned_start,
        planned_end=planned_end,
        goal_gmv=goal_gmv,
        goal_viewers=goal_viewers,
        notes=notes or "",
    )
    return validated_save(session)


@transaction.atomic
def live_session_update(
    *,
    actor: Actor,
    session: LiveSession,
    account: PlatformAccount = UNCHANGED,
    theme: str = UNCHANGED,
    planned_start: dt.datetime = UNCHANGED,
    planned_end: dt.datetime = UNCHANGED,
    goal_gmv: Decimal | None = UNCHANGED,
    goal_viewers: int | None = UNCHANGED,
    notes: str = UNCHANGED,
) -> LiveSession:
    """Change a session's plan (the fields given). A planned session may move: its team must still
    be free and its run sheet must still fit; once live, only the goals and notes change."""
    changes = given(
        account=account,
        theme=theme,
        planned_start=planned_start,
        planned_end=planned_end,
        goal_gmv=goal_gmv,
        goal_viewers=goal_viewers,
        notes=notes,
    )
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
        session=session,
        role=role,
        person=person,
        external_name=(external_name or "").strip(),
        notes=notes or "",
    )
    return validated_save(assignment)


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
    refuse_future(started_at, "started_at", actor)
    team: dict[str, list[dict]] = {}
    for member in session.team.select_related("person").order_by("role", "pk"):
        team.setdefault(member.role, []).append({"person_id": member.person_id, "name": member.person_name})
    session.status = LiveSessionStatus.LIVE
    session.started_at = started_at
    session.team_at_start = team
    return validated_save(session)


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
                % {"end": local_time_text(ended_at, actor), "start": local_time_text(session.started_at, actor)}
            }
        )
    refuse_future(ended_at, "ended_at", actor)
    session.status = LiveSessionStatus.ENDED
    session.ended_at = ended_at
    return validated_save(session)


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
    return validated_save(session)


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
        session=session,
        name=(name or "").strip(),
        price=price,
        stock=stock,
        commission_rate=commission_rate,
        selected_by=selected_by,
        position=position,
        notes=notes or "",
    )
    return validated_save(product)


@transaction.atomic
def live_product_update(
    *,
    actor: Actor,
    product: LiveProduct,
    name: str = UNCHANGED,
    price: Decimal = UNCHANGED,
    stock: int = UNCHANGED,
    commission_rate: Decimal = UNCHANGED,
    selected_by=UNCHANGED,
    position: int = UNCHANGED,
    notes: str = UNCHANGED,
) -> LiveProduct:
    """Change a product of a session that is still planned or live (the fields given)."""
    changes = given(
        name=name,
        price=price,
        stock=stock,
        commission_rate=commission_rate,
        selected_by=selected_by,
        position=position,
        notes=notes,
    )
    session = _lock_session(product.session)
    _ensure_editable(session)
    product = LiveProduct.objects.get(pk=product.pk)
    for name, value in changes.items():
        setattr(product, name, value)
    if "selected_by" in changes:
        _check_selector(session, product.selected_by)
    return validated_save(product)


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


@transaction.atomic
def run_sheet_segment_update(
    *,
    actor: Actor,
    segment: RunSheetSegment,
    kind: str = UNCHANGED,
    title: str = UNCHANGED,
    start_minute: int = UNCHANGED,
    duration_minutes: int = UNCHANGED,
    product: LiveProduct | None = UNCHANGED,
    notes: str = UNCHANGED,
) -> RunSheetSegment:
    """Change a segment of the run sheet (the fields given): it stays within the session and
    overlaps no other."""
    changes = given(
        kind=kind,
        title=title,
        start_minute=start_minute,
        duration_minutes=duration_minutes,
        product=product,
        notes=notes,
    )
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


@transaction.atomic
def live_result_record(
    *,
    actor: Actor,
    session: LiveSession,
    source: str = ResultSource.ENTERED,
    peak_concurrent_viewers: int = UNCHANGED,
    average_concurrent_viewers: int = UNCHANGED,
    total_viewers: int = UNCHANGED,
    views: int = UNCHANGED,
    average_watch_seconds: int = UNCHANGED,
    comments: int = UNCHANGED,
    new_followers: int = UNCHANGED,
    orders: int = UNCHANGED,
    gmv: Decimal = UNCHANGED,
    refund_orders: int = UNCHANGED,
    refund_amount: Decimal = UNCHANGED,
    review: str | None = UNCHANGED,
) -> LiveSessionResult:
    """Record (or correct) the results of an ended session (8.1; the figures given): by hand or
    pushed through the API. Counts are non-negative whole numbers, money is yuan, nothing negative."""
    figures = given(
        peak_concurrent_viewers=peak_concurrent_viewers,
        average_concurrent_viewers=average_concurrent_viewers,
        total_viewers=total_viewers,
        views=views,
        average_watch_seconds=average_watch_seconds,
        comments=comments,
        new_followers=new_followers,
        orders=orders,
        gmv=gmv,
        refund_orders=refund_orders,
        refund_amount=refund_amount,
        review=review,
    )
    session = _lock_session(session)
    if session.status != LiveSessionStatus.ENDED:
        raise ValidationError(
            {
                "session": _("Results are recorded once the session has ended; this one is %(status)s.")
                % {"status": session.get_status_display()}
            }
        )
    result = LiveSessionResult.objects.filter(session=session).first() or LiveSessionResult(
        agency=actor.agency, session=session
    )
    for name, value in figures.items():
        setattr(result, name, "" if name == "review" and value is None else value)
    result.source = source
    return validated_save(result)


# The figures of a result, as ``live_result_record`` takes them (the API's changeable fields).
RESULT_FIGURES = tuple(name for name in fields_taken(live_result_record, row="session") if name != "source")
