"""Writes on clients and their requirements. Views, the API, admin and tasks call these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import validated_save
from agency.tenancy import Actor
from agency.uploads import clean_document, save_with_files
from clients.models import Client, ClientRequirement, ClientStatus, RequirementStatus


@transaction.atomic
def requirement_raise(
    *,
    actor: Actor,
    client: Client,
    title: str,
    text: str,
    raised_by_name: str = "",
    raised_at: dt.datetime | None = None,
) -> ClientRequirement:
    """Record a requirement the client raised (4.1). Client people raise it for their own client;
    staff record one the client raised elsewhere (name the person in ``raised_by_name``)."""
    if actor.is_client_person and client.pk != actor.client_id:
        raise ValidationError({"client": _("You can raise requirements only for your own client.")})
    if raised_at is not None and raised_at > timezone.now():
        raise ValidationError({"raised_at": _("A requirement cannot be raised in the future.")})
    requirement = ClientRequirement(
        agency=actor.agency,
        client=client,
        title=title.strip(),
        text=text.strip(),
        raised_by=actor.user if actor.is_client_person or not raised_by_name else None,
        raised_by_name=raised_by_name.strip(),
        raised_at=raised_at or timezone.now(),
    )
    return validated_save(requirement)


def _ensure_open(requirement: ClientRequirement) -> None:
    if requirement.status != RequirementStatus.OPEN:
        raise ValidationError(
            {
                "status": _("This requirement was already decided (%(status)s).")
                % {"status": requirement.get_status_display()}
            }
        )


@transaction.atomic
def requirement_accept(*, actor: Actor, requirement: ClientRequirement, due_date: dt.date | None) -> ClientRequirement:
    """Accept a requirement with the date by which it will be met (4.1)."""
    requirement = ClientRequirement.objects.select_for_update().get(pk=requirement.pk)
    _ensure_open(requirement)
    if due_date is None:
        raise ValidationError({"due_date": _("An accepted requirement needs a due date.")})
    if due_date < actor.agency.today():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    requirement.status = RequirementStatus.ACCEPTED
    requirement.due_date = due_date
    requirement.decided_by = actor.user
    requirement.decided_at = timezone.now()
    return validated_save(requirement)


@transaction.atomic
def requirement_decline(*, actor: Actor, requirement: ClientRequirement, reason: str) -> ClientRequirement:
    """Decline a requirement that is not reasonable, saying why (4.1 asks to adopt reasonable ones)."""
    requirement = ClientRequirement.objects.select_for_update().get(pk=requirement.pk)
    _ensure_open(requirement)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the requirement is declined.")})
    requirement.status = RequirementStatus.DECLINED
    requirement.decline_reason = reason.strip()
    requirement.decided_by = actor.user
    requirement.decided_at = timezone.now()
    return validated_save(requirement)


@transaction.atomic
def requirement_fulfil(
    *, actor: Actor, requirement: ClientRequirement, note: str, evidence_url: str = "", evidence_file=None
) -> ClientRequirement:
    """Record how an accepted requirement was met, with evidence (4.1). An evidence file is
    checked from its bytes (``agency.uploads.clean_document``) before anything is written."""
    requirement = ClientRequirement.objects.select_for_update().get(pk=requirement.pk)
    if requirement.status != RequirementStatus.ACCEPTED:
        raise ValidationError(
            {
                "status": _("Only an accepted requirement can be fulfilled; this one is %(status)s.")
                % {"status": requirement.get_status_display()}
            }
        )
    if not (note or "").strip():
        raise ValidationError({"note": _("Describe how the requirement was met.")})
    clean_file = clean_document(evidence_file, field="evidence_file") if evidence_file is not None else None
    requirement.status = RequirementStatus.FULFILLED
    requirement.fulfilment_note = note.strip()
    requirement.evidence_url = evidence_url or ""
    if clean_file is not None:
        requirement.evidence_file = clean_file
    requirement.fulfilled_by = actor.user
    requirement.fulfilled_at = timezone.now()
    requirement.full_clean()
    save_with_files(requirement, "evidence_file")
    return requirement


@transaction.atomic
def clients_refresh_contract_status(*, today: dt.date) -> int:
    """End the service of active clients whose contract ended before ``today``. Idempotent:
    a second run finds nothing to change. Runs inside one agency's context."""
    return Client.objects.filter(status=ClientStatus.ACTIVE, contract_end__lt=today).update(
        status=ClientStatus.ENDED, updated_at=timezone.now()
    )
