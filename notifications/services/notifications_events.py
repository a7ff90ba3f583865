"""The events of the chapter apps, as notifications: who is told what about which row.

Each builder takes the chapter's row and returns the ``Event`` (or None when the row is not in the
state the kind is about); ``raise_event`` does the rest, once per ``key``. The chapter apps'
models are found by label and their states named by value, so this app reads them without their
code importing it (it sits above them)."""

from __future__ import annotations

import datetime as dt
import logging

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agency.models import Agency
from agency.roles import CHANGE, VIEW
from notifications.rules import COMPLAINT_NEAR_HOURS, Kind
from notifications.services.notifications import Event, client_approvers, raise_event, staff_who_can

logger = logging.getLogger(__name__)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _row_url(row) -> str:
    try:
        return row.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""


def _local(moment: dt.datetime, agency: Agency) -> str:
    return f"{timezone.localtime(moment, agency.tz):%Y-%m-%d %H:%M}"


# --- one builder per kind ------------------------------------------------------------------


def script_waiting(script) -> Event | None:
    """5.1: a script submitted waits for the client's approvers."""
    if script.status != "submitted":
        return None
    return Event(
        Kind.APPROVAL_WAITING,
        f"script:{script.pk}",
        "script_waiting",
        {"subject": f"{script.project.title} v{script.version}"},
        _row_url(script),
        script.client_id,
        client_approvers(script.agency_id, script.client_id),
    )


def cut_waiting(round_) -> Event | None:
    """5: a cut put to the client's review (a review round open) waits for the client's approvers."""
    if round_.status != "open":
        return None
    return Event(
        Kind.APPROVAL_WAITING,
        f"review_round:{round_.pk}",
        "cut_waiting",
        {"subject": f"{round_.project.title} #{round_.number}"},
        _row_url(round_),
        round_.client_id,
        client_approvers(round_.agency_id, round_.client_id),
    )


def opinion_alert(alert) -> Event | None:
    """7.1: an opinion alert raised, to the staff who handle alerts."""
    if alert.status != "open":
        return None
    return Event(
        Kind.OPINION_ALERT,
        f"opinion_alert:{alert.pk}",
        "opinion_alert",
        {"subject": str(alert.account)},
        _row_url(alert),
        alert.client_id,
        staff_who_can(alert.agency_id, "opinion_alert", CHANGE),
    )


def connection_reconnect(connection) -> Event | None:
    """A platform connection whose authorisation is gone, to the staff who connect accounts; once
    per authorisation (a connection authorised again and lost again is told again)."""
    if connection.status != "reconnect":
        return None
    return Event(
        Kind.CONNECTION_RECONNECT,
        f"connection:{connection.pk}:{connection.connected_at:%Y%m%d%H%M%S}",
        "connection_reconnect",
        {"subject": str(connection.account), "reason": connection.problem or "—"},
        _url("accounts_ops:account", connection.account_id),
        connection.client_id,
        staff_who_can(connection.agency_id, "platform_connection", CHANGE),
    )


def publication_refused(publication) -> Event | None:
    """A publication the platform refused, to its producer (or, with none, the staff who run projects)."""
    if publication.status != "refused":
        return None
    recipients = [publication.producer] if publication.producer_id else []
    if not recipients:
        recipients = staff_who_can(publication.agency_id, "video_project", CHANGE)
    return Event(
        Kind.PUBLICATION_REFUSED,
        f"publication:{publication.pk}:refused",
        "publication_refused",
        {"subject": publication.title, "reason": publication.problem or "—"},
        _row_url(publication),
        publication.client_id,
        recipients,
    )


def complaint_near_deadline(complaint, agency: Agency) -> Event:
    """10.1: an open complaint whose answer or resolution is due soon (once per deadline)."""
    answer_first = complaint.first_response_at is None and complaint.respond_by < complaint.resolve_by
    deadline = complaint.respond_by if answer_first else complaint.resolve_by
    return Event(
        Kind.COMPLAINT_DEADLINE,
        f"complaint:{complaint.pk}:{'answer' if answer_first else 'resolve'}:{deadline:%Y%m%d%H%M}",
        "complaint_answer" if answer_first else "complaint_resolve",
        {"subject": complaint.subject, "when": _local(deadline, agency)},
        _row_url(complaint),
        complaint.client_id,
        staff_who_can(agency.pk, "complaint", CHANGE),
    )


def boost_due(task, agency: Agency) -> Event:
    """6.3: a pinned video's boost due today or late, to the staff who do boosts."""
    return Event(
        Kind.BOOST_DUE,
        f"boost:{task.pk}",
        "boost_due",
        {"subject": f"{task.account} · {task.pinned_video.video}", "when": f"{task.due_on:%Y-%m-%d}"},
        _url("accounts_ops:boost-list"),
        task.client_id,
        staff_who_can(agency.pk, "boost", CHANGE) or staff_who_can(agency.pk, "boost", VIEW),
    )


# --- the receivers' entry point and the hourly sweep ---------------------------------------


def raise_for_row(builder, row) -> None:
    """Raise what ``builder`` makes of a saved row (nothing when it is not in that state). A
    failure here never undoes the chapter's write: it is logged, inside its own savepoint."""
    try:
        with transaction.atomic():
            event = builder(row)
            if event is not None and event.recipients:
                raise_event(row.agency, event)
    except Exception:
        logger.exception("Notification of %s %s not raised", type(row).__name__, row.pk)


def raise_due(agency: Agency, *, now: dt.datetime | None = None) -> int:
    """For the current agency: what falls due rather than happens (complaints near their deadline,
    boosts due), and the connections that need reconnecting whose change was written in bulk.
    Idempotent: each event is told once. Returns how many events were looked at."""
    now = now or timezone.now()
    today = timezone.localdate(now, timezone=agency.tz)
    Complaint = apps.get_model("evaluation", "Complaint")
    BoostTask = apps.get_model("accounts_ops", "BoostTask")
    Connection = apps.get_model("platforms", "Connection")
    soon = now + dt.timedelta(hours=COMPLAINT_NEAR_HOURS)
    events = []
    complaints = (
        Complaint.objects.filter(status="open")
        .filter(Q(resolve_by__lte=soon) | Q(first_response_at__isnull=True, respond_by__lte=soon))
        .order_by("id")
    )
    events += [complaint_near_deadline(c, agency) for c in complaints]
    boosts = (
        BoostTask.objects.filter(status="open", due_on__lte=today)
        .select_related("account", "pinned_video__video")
        .order_by("id")
    )
    events += [boost_due(t, agency) for t in boosts]
    reconnect = Connection.objects.filter(status="reconnect").select_related("account").order_by("id")
    events += [connection_reconnect(c) for c in reconnect]
    for event in events:
        if event is not None and event.recipients:
            raise_event(agency, event)
    return len(events)
