"""Writes of clause 6.1, the account's content and direction. Each validates before it writes and
raises ValidationError naming the field."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.models.direction import AccountDirection
from agency.tenancy import Actor
from clients.models import PlatformAccount


@transaction.atomic
def direction_record(
    *,
    actor: Actor,
    account: PlatformAccount,
    effective_from: dt.date,
    positioning: str,
    target_audience: str,
    content_pillars: list[str],
    platform_rules: str,
    operating_goals: str,
) -> AccountDirection:
    """Record a new version of the account's direction (6.1); it becomes the current one."""
    PlatformAccount.objects.select_for_update().filter(pk=account.pk).first()  # one writer per account
    current = AccountDirection.objects.filter(account=account, is_current=True).first()
    if current is not None and effective_from < current.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "Version %(version)d is effective from %(day)s; a new version cannot start earlier."
                )
                % {"version": current.version, "day": current.effective_from.isoformat()}
            }
        )
    last = AccountDirection.objects.filter(account=account).aggregate(last=Max("version"))["last"] or 0
    direction = AccountDirection(
        agency=actor.agency,
        account=account,
        version=last + 1,
        effective_from=effective_from,
        positioning=(positioning or "").strip(),
        target_audience=(target_audience or "").strip(),
        content_pillars=[p.strip() for p in content_pillars or [] if isinstance(p, str)],
        platform_rules=(platform_rules or "").strip(),
        operating_goals=(operating_goals or "").strip(),
        is_current=True,
    )
    direction.full_clean(exclude=["is_current"])
    if current is not None:
        AccountDirection.objects.filter(pk=current.pk).update(is_current=False, updated_at=timezone.now())
    direction.save()
    return direction
