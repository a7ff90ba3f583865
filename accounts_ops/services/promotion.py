"""Writes of clause 6.6, promotion tasks. Each validates before it writes and raises ValidationError
naming the field."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts_ops.models.promotion import PromotionStatus, PromotionTask
from accounts_ops.services.common import _not_after_today
from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount


@transaction.atomic
def promotion_plan(
    *,
    actor: Actor,
    account: PlatformAccount,
    channel: str = UNCHANGED,
    target_kind: str = UNCHANGED,
    target: str = UNCHANGED,
    target_video=UNCHANGED,
    content: str = UNCHANGED,
    search_keywords: list = UNCHANGED,
    planned_on: dt.date = UNCHANGED,
    outcome: str = UNCHANGED,
    reach: int | None = UNCHANGED,
) -> PromotionTask:
    """Plan a promotion of a person, clip or product through one channel (6.6); a field not given
    takes the model's default (a required one is refused as missing)."""
    task = PromotionTask(agency=actor.agency, account=account)
    _set(
        task,
        channel=channel,
        target_kind=target_kind,
        target=target,
        target_video=target_video,
        content=content,
        search_keywords=search_keywords,
        planned_on=planned_on,
        outcome=outcome,
        reach=reach,
    )
    return validated_save(task)


@transaction.atomic
def promotion_update(
    *,
    actor: Actor,
    task: PromotionTask,
    channel: str = UNCHANGED,
    target_kind: str = UNCHANGED,
    target: str = UNCHANGED,
    target_video=UNCHANGED,
    content: str = UNCHANGED,
    search_keywords: list = UNCHANGED,
    planned_on: dt.date = UNCHANGED,
    outcome: str = UNCHANGED,
    reach: int | None = UNCHANGED,
) -> PromotionTask:
    """Change a promotion task (the fields given)."""
    task = PromotionTask.objects.select_for_update().get(pk=task.pk)
    _set(
        task,
        channel=channel,
        target_kind=target_kind,
        target=target,
        target_video=target_video,
        content=content,
        search_keywords=search_keywords,
        planned_on=planned_on,
        outcome=outcome,
        reach=reach,
    )
    return validated_save(task)


def _set(row, **values) -> None:
    """Set the fields given (those not left ``UNCHANGED``) on ``row``."""
    for name, value in given(**values).items():
        setattr(row, name, value)


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
