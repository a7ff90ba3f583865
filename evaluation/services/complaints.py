"""Writes of the customer protection mechanism (客户保障机制, clause 10.1): filing a complaint or
guarantee claim with its deadlines, answering, resolving with any compensation, the
complainant's confirmation, and the escalation of overdue complaints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Membership
from agency.roles import Role
from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor, require_agency
from clients.models import Client
from evaluation.models import (
    Complaint,
    ComplaintChannel,
    ComplaintSource,
    ComplaintStatus,
    EvaluationCampaign,
    ServiceGuarantee,
    Severity,
)
from evaluation.notifications import notify_on_commit, public_url
from evaluation.rules import COMPLAINT_RESOLVE_HOURS, COMPLAINT_RESPONSE_HOURS, TOP_ESCALATION_LEVEL
from evaluation.services.common import check_staff_owner


def _deadlines(complaint: Complaint) -> None:
    agency = complaint.agency
    complaint.resolve_by = complaint.received_at + dt.timedelta(
        hours=agency.setting(COMPLAINT_RESOLVE_HOURS[complaint.severity])
    )
    response_hours = agency.setting(COMPLAINT_RESPONSE_HOURS)
    if complaint.guarantee_id and complaint.guarantee.response_hours:
        response_hours = min(response_hours, complaint.guarantee.response_hours)
    complaint.respond_by = min(complaint.received_at + dt.timedelta(hours=response_hours), complaint.resolve_by)


def _check_guarantee(guarantee: ServiceGuarantee | None) -> None:
    if guarantee is not None and not guarantee.is_active:
        raise ValidationError({"guarantee": _("This guarantee is no longer offered.")})


def _recipients(complaint: Complaint, level: int = 1) -> list[str]:
    emails = []
    if complaint.owner_id and complaint.owner.email:
        emails.append(complaint.owner.email)
    manager = complaint.client.account_manager
    if manager is not None and manager.email:
        emails.append(manager.email)
    if level >= TOP_ESCALATION_LEVEL or not emails:
        emails += list(
            Membership.objects.filter(agency_id=complaint.agency_id, role=Role.AGENCY_ADMIN, is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    return emails


@transaction.atomic
def complaint_file(
    *,
    actor: Actor,
    client: Client,
    subject: str,
    description: str,
    category: str,
    severity: str = Severity.MEDIUM,
    source: str = ComplaintSource.CLIENT,
    channel: str = ComplaintChannel.OTHER,
    complainant_name: str = "",
    complainant_contact: str = "",
    guarantee: ServiceGuarantee | None = None,
    promised: str = "",
    campaign: EvaluationCampaign | None = None,
    owner=None,
    received_at: dt.datetime | None = None,
) -> Complaint:
    """Record a complaint or guarantee claim (10.1) with its deadlines from the agency's
    promises. Client people file for their own client, from the client area."""
    agency = require_agency()
    if actor.is_client_person:
        if client.pk != actor.client_id:
            raise ValidationError({"client": _("You can file complaints only for your own client.")})
        source, channel, owner, received_at = ComplaintSource.CLIENT, ComplaintChannel.CLIENT_AREA, None, None
        complainant_name = complainant_name or actor.user.get_full_name() or actor.user.get_username()
        complainant_contact = complainant_contact or actor.user.email
    now = timezone.now()
    if received_at is not None and received_at > now:
        raise ValidationError({"received_at": _("A complaint cannot be received in the future.")})
    _check_guarantee(guarantee)
    check_staff_owner(agency.pk, owner)
    if not promised and guarantee is not None:
        promised = f"{guarantee}: {guarantee.description}".strip(": ")
    complaint = Complaint(
        agency=agency,
        client=client,
        source=source,
        channel=channel,
        category=category,
        severity=severity,
        subject=(subject or "").strip(),
        description=(description or "").strip(),
        complainant_name=complainant_name.strip(),
        complainant_contact=complainant_contact.strip(),
        guarantee=guarantee,
        promised=promised,
        campaign=campaign,
        owner=owner if owner is not None else client.account_manager,
        received_at=received_at or now,
    )
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Choose a severity: %(known)s.") % {"known": ", ".join(Severity.values)}})
    _deadlines(complaint)
    validated_save(complaint)
    notify_on_commit(
        _recipients(complaint),
        _("New complaint from %(client)s: %(subject)s") % {"client": client, "subject": complaint.subject},
        _("Severity %(severity)s. Respond by %(respond)s, resolve by %(resolve)s.\n%(link)s")
        % {
            "severity": complaint.get_severity_display(),
            "respond": timezone.localtime(complaint.respond_by, agency.tz).strftime("%Y-%m-%d %H:%M"),
            "resolve": timezone.localtime(complaint.resolve_by, agency.tz).strftime("%Y-%m-%d %H:%M"),
            "link": public_url(complaint.get_absolute_url()),
        },
    )
    return complaint


def _lock_open(complaint: Complaint) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",)).select_related("guarantee", "client").get(pk=complaint.pk)
    )
    if complaint.status != ComplaintStatus.OPEN:
        raise ValidationError(
            {"status": _("The complaint is %(status)s.") % {"status": complaint.get_status_display()}}
        )
    return complaint


@transaction.atomic
def complaint_change(
    *,
    actor: Actor,
    complaint: Complaint,
    category: str = UNCHANGED,
    severity: str = UNCHANGED,
    subject: str = UNCHANGED,
    description: str = UNCHANGED,
    complainant_name: str = UNCHANGED,
    complainant_contact: str = UNCHANGED,
    guarantee: ServiceGuarantee | None = UNCHANGED,
    promised: str = UNCHANGED,
    owner=UNCHANGED,
) -> Complaint:
    """Correct an open complaint (the fields given): its category, severity (the deadline
    follows), owner, guarantee."""
    changes = given(
        category=category,
        severity=severity,
        subject=subject,
        description=description,
        complainant_name=complainant_name,
        complainant_contact=complainant_contact,
        guarantee=guarantee,
        promised=promised,
        owner=owner,
    )
    complaint = _lock_open(complaint)
    if "owner" in changes:
        check_staff_owner(complaint.agency_id, changes["owner"])
    if "guarantee" in changes:
        _check_guarantee(changes["guarantee"])
    for name, value in changes.items():
        setattr(complaint, name, value)
    if {"severity", "guarantee"} & set(changes):
        _deadlines(complaint)
    return validated_save(complaint)


@transaction.atomic
def complaint_respond(*, actor: Actor, complaint: Complaint, response: str) -> Complaint:
    """Record the first response to the complainant."""
    complaint = _lock_open(complaint)
    if complaint.first_response_at is not None:
        raise ValidationError({"response": _("The complaint already has its first response.")})
    if not (response or "").strip():
        raise ValidationError({"response": _("Write the response given.")})
    complaint.first_response = response.strip()
    complaint.first_response_at = timezone.now()
    return validated_save(complaint)


@transaction.atomic
def complaint_resolve(
    *,
    actor: Actor,
    complaint: Complaint,
    resolution: str,
    compensation: str = "",
    compensation_amount: Decimal | None = None,
) -> Complaint:
    """Record how the complaint was resolved and any compensation given; the complainant then
    confirms (or not)."""
    complaint = _lock_open(complaint)
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Say how the complaint was resolved.")})
    if compensation_amount is not None and compensation_amount < 0:
        raise ValidationError({"compensation_amount": _("Compensation cannot be negative.")})
    now = timezone.now()
    complaint.resolution = resolution.strip()
    complaint.compensation = (compensation or "").strip()
    complaint.compensation_amount = compensation_amount
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolved_at = now
    complaint.resolved_by = actor.user
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        complaint.first_response = complaint.resolution
    return validated_save(complaint)


@transaction.atomic
def complaint_confirm(*, actor: Actor, complaint: Complaint, accepted: bool, note: str = "") -> Complaint:
    """The complainant's answer to the resolution: accepted closes the complaint; not accepted
    opens it again (its deadline unchanged). Client people answer for their own client's
    complaints; staff record a platform user's answer."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if actor.is_client_person and complaint.client_id != actor.client_id:
        raise ValidationError({"complaint": _("You can confirm only your own client's complaints.")})
    if complaint.status != ComplaintStatus.RESOLVED:
        raise ValidationError({"status": _("Only a resolved complaint can be confirmed.")})
    note = (note or "").strip()
    if accepted:
        complaint.status = ComplaintStatus.CLOSED
        complaint.confirmed_at = timezone.now()
        complaint.confirmation_note = note
    else:
        if not note:
            raise ValidationError({"note": _("Say why the resolution is not accepted.")})
        complaint.status = ComplaintStatus.OPEN
        complaint.resolved_at = None
        complaint.resolved_by = None
        complaint.confirmation_note = note
    validated_save(complaint)
    if not accepted:
        notify_on_commit(
            _recipients(complaint),
            _("Resolution not accepted: %(subject)s") % {"subject": complaint.subject},
            note + "\n" + public_url(complaint.get_absolute_url()),
        )
    return complaint


def escalation_level_due(complaint: Complaint, now: dt.datetime) -> int:
    """The level an unresolved complaint should be at ``now``: 0 before its deadline, 1 past it,
    2 once it is late by as long again as it was given."""
    if complaint.status != ComplaintStatus.OPEN or now <= complaint.resolve_by:
        return 0
    window = max(complaint.resolve_by - complaint.received_at, dt.timedelta(hours=1))
    return TOP_ESCALATION_LEVEL if now > complaint.resolve_by + window else 1


@transaction.atomic
def complaints_escalate_overdue(*, now: dt.datetime) -> list[Complaint]:
    """Raise every overdue complaint of the current agency to the level it is due and tell the
    people of that level. Idempotent: a second run at the same moment escalates nothing."""
    overdue = (
        Complaint.objects.select_for_update(of=("self",))
        .filter(status=ComplaintStatus.OPEN, resolve_by__lt=now, escalation_level__lt=TOP_ESCALATION_LEVEL)
        .select_related("client", "client__account_manager", "owner")
        .order_by("resolve_by", "pk")
    )
    tz = require_agency().tz
    escalated = []
    for complaint in overdue:
        level = escalation_level_due(complaint, now)
        if level <= complaint.escalation_level:
            continue
        complaint.escalation_level = level
        complaint.escalated_at = now
        complaint.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
        notify_on_commit(
            _recipients(complaint, level),
            _("Overdue complaint (level %(level)d): %(subject)s") % {"level": level, "subject": complaint.subject},
            _("%(client)s's complaint was due to be resolved by %(due)s.\n%(link)s")
            % {
                "client": complaint.client,
                "due": timezone.localtime(complaint.resolve_by, tz).strftime("%Y-%m-%d %H:%M"),
                "link": public_url(complaint.get_absolute_url()),
            },
        )
        escalated.append(complaint)
    return escalated


@transaction.atomic
def guarantee_delete(*, actor: Actor, guarantee: ServiceGuarantee) -> None:
    """Delete a guarantee no complaint has claimed; a claimed one is kept as evidence (deactivate it)."""
    if Complaint.objects.filter(guarantee=guarantee).exists():
        raise ValidationError(
            {"guarantee": _("Complaints claim this guarantee, so it is kept; deactivate it instead.")}
        )
    guarantee.delete()
