"""Writes of 7.4, the IP persona: each change is a new version."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts_ops.models.ip_persona import IpPersona
from agency.services import validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount


@transaction.atomic
def ip_persona_record(
    *,
    actor: Actor,
    account: PlatformAccount,
    effective_from: dt.date,
    name: str = "",
    age: str = "",
    gender: str = "",
    personality: str = "",
    cultural_background: str = "",
    specialty: str = "",
    style: str = "",
    note: str = "",
) -> IpPersona:
    """Record a new version of the account's IP persona (7.4); it becomes the current one and the
    one before stays as history."""
    values = {
        "name": name,
        "age": age,
        "gender": gender,
        "personality": personality,
        "cultural_background": cultural_background,
        "specialty": specialty,
        "style": style,
        "note": note,
    }
    PlatformAccount.objects.select_for_update().filter(pk=account.pk).first()  # one writer per account
    current = IpPersona.objects.filter(account=account, is_current=True).first()
    if current is not None and effective_from < current.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "Version %(version)d is effective from %(day)s; a new version cannot start earlier."
                )
                % {"version": current.version, "day": current.effective_from.isoformat()}
            }
        )
    last = IpPersona.objects.filter(account=account).aggregate(last=Max("version"))["last"] or 0
    persona_row = IpPersona(
        agency=actor.agency,
        account=account,
        version=last + 1,
        effective_from=effective_from,
        **{field_name: (value or "").strip() for field_name, value in values.items()},
    )
    if current is not None:  # first, so that the new version may be the one current
        current.is_current = False
        current.save()
    return validated_save(persona_row)
