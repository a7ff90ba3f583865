"""Helpers shared by the writes of chapter 6: the agency's today, validate-and-save, and the
checks every account write makes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Agency
from agency.tenancy import Actor


def _today(agency: Agency) -> dt.date:
    return timezone.localdate(timezone=agency.tz)


def _save(row):
    row.full_clean()
    row.save()
    return row


def _ensure_own_client(actor: Actor | None, client_id: int) -> None:
    if actor is not None and actor.is_client_person and actor.client_id != client_id:
        raise ValidationError({"account": _("You can act only on your own client's accounts.")})


def _not_after_today(agency: Agency, day: dt.date | None, field_name: str) -> None:
    if day is not None and day > _today(agency):
        raise ValidationError({field_name: _("%(day)s is in the future.") % {"day": day.isoformat()}})
