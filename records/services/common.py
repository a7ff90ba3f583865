"""Writes every clause 9 record shares: a change of a live record, voiding one with its reason, and
the check of the people a record names.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.people import check_person_field
from agency.services import validated_save
from agency.tenancy import Actor
from records.models.common import VoidableRecord


def ensure_live(record: VoidableRecord) -> None:
    if record.voided_at is not None:
        raise ValidationError(
            {
                "voided_at": _("This record was voided on %(date)s and can no longer change.")
                % {"date": record.voided_at.date().isoformat()}
            }
        )


@transaction.atomic
def record_update(*, actor: Actor, record: VoidableRecord, changes: dict) -> VoidableRecord:
    """Change the plain fields of a live record (the API's PATCH); the model's rules decide."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    ensure_live(record)
    for name, value in changes.items():
        setattr(record, name, value)
    check_people(record, only=set(changes))
    return validated_save(record)


@transaction.atomic
def record_void(*, actor: Actor, record: VoidableRecord, reason: str) -> VoidableRecord:
    """Clause 9: a record is never deleted; a wrong one is voided, saying why. It stays visible
    (marked void) in lists, exports and the audit trail."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if record.voided_at is not None:
        raise ValidationError({"reason": _("This record is already void.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record is voided.")})
    record.voided_at = timezone.now()
    record.voided_by = actor.user
    record.void_reason = reason
    return validated_save(record)


# The person fields of clause 9's records, with the resource whose permissions decide whether a
# person of the record's own client may be named in them (agency.people).
PERSON_FIELDS = {
    "records.asset": (("custodian", "asset"),),
    "records.assetcheckout": (("checked_out_by", "asset"),),
    "records.inspectionfollowup": (("assignee", "inspection"),),
    "records.usagerecord": (("user", "usage_record"),),
}


def check_people(record, *, only: set[str] | None = None) -> None:
    """Every person named on ``record`` is staff, or of the record's own client where the role allows."""
    for field, resource in PERSON_FIELDS.get(record._meta.label_lower, ()):
        if only is not None and field not in only:
            continue
        client_id = getattr(record, "client_id", None)
        if client_id is None and hasattr(record, "asset_id"):
            client_id = record.asset.client_id
        check_person_field(
            agency=record.agency, client_id=client_id, user=getattr(record, field), field=field, resource=resource
        )
