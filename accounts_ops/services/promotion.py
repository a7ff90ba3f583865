"""Writes of clause 6.6, promotion tasks. Each validates before it writes and raises ValidationError
naming the field."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts_ops.models.promotion import PromotionStatus, PromotionTask
from accounts_ops.services.common import _not_after_today
from agency.services import validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount

PROMOTION_FIELDS = (
    "channel",
    "target_kind",
    "target",
    "target_video",
    "content",
    "search_keywords",
    "planned_on",
    "outcome",
    "reach",
)


@transaction.atomic
def promotion_plan(*, actor: Actor, account: PlatformAccount, **values) -> PromotionTask:
    """Plan a promotion of a person, clip or product through one channel (6.6)."""
    task = PromotionTask(agency=actor.agency, client_id=account.client_id, account=account)
    for name in PROMOTION_FIELDS:
        if name in values:
            setattr(task, name, values[name])
    return validated_save(task)


@transaction.atomic
def promotion_update(*, actor: Actor, task: PromotionTask, **values) -> PromotionTask:
    task = PromotionTask.objects.select_for_update().get(pk=task.pk)
    for name in PROMOTION_FIELDS:
        if name in values:
            setattr(task, name, values[name])
    return validated_save(task)


@transaction.atomic
def promotion_complete(
    *, actor: Actor, task: PromotionTask, done_on: dt.date, outcome: str, reach: int | None = None
) -> PromotionTask:
    """Record that a promotion was done, with its outcome (6.6)."""
    task = PromotionTask.objects.select_for_update().get(pk=task.pk)
    if task.status == PromotionStatus.CANCELLED:
        raise ValidationError({"status": _("A cancelled promotion cannot be done.")})
    _not_after_today(actor.agency, done_on, "done_on")
    task.status = PromotionStatus.DONE
    task.done_on = done_on
    task.outcome = (outcome or "").strip()
    if reach is not None:
        task.reach = reach
    return validated_save(task)


@transaction.atomic
def promotion_cancel(*, actor: Actor, task: PromotionTask) -> PromotionTask:
    task = PromotionTask.objects.select_for_update().get(pk=task.pk)
    if task.status != PromotionStatus.PLANNED:
        raise ValidationError({"status": _("Only a planned promotion can be cancelled.")})
    task.status = PromotionStatus.CANCELLED
    return validated_save(task)
