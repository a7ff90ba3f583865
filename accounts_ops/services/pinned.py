"""Writes of clause 6.3, pinned videos and their boosts. Each validates before it writes and raises
ValidationError naming the field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.models.common import ZERO, yuan
from accounts_ops.models.pinned import BoostChannel, BoostRecord, BoostTask, BoostTaskStatus, PinnedVideo
from accounts_ops.rules import PINNED_SLOTS_MAX, PINNED_SLOTS_MIN
from accounts_ops.services.common import _not_after_today
from agency.services import validated_save
from agency.tenancy import Actor
from clients.models import AccountStatus, PlatformAccount, Video


def _lock_account(account: PlatformAccount) -> PlatformAccount:
    return PlatformAccount.objects.select_for_update().get(pk=account.pk)


@transaction.atomic
def pinned_video_pin(
    *,
    actor: Actor,
    account: PlatformAccount,
    video: Video,
    pinned_on: dt.date,
    boost_interval_days: int,
    boost_budget: Decimal,
    boost_channel: str = BoostChannel.DOU_PLUS,  # the model's default: the field is optional
    slot: int | None = None,
    note: str = "",
) -> PinnedVideo:
    """Pin one of the account's videos with its boost plan (6.3). An account holds at most
    ``PINNED_SLOTS_MAX`` pinned videos: pinning one more is refused."""
    account = _lock_account(account)
    if video.account_id != account.pk:
        raise ValidationError(
            {
                "video": _("Video “%(video)s” belongs to another account, not @%(handle)s.")
                % {"video": video, "handle": account.handle}
            }
        )
    _not_after_today(actor.agency, pinned_on, "pinned_on")
    pinned = list(PinnedVideo.objects.filter(account=account, unpinned_on__isnull=True))
    if len(pinned) >= PINNED_SLOTS_MAX:
        raise ValidationError(
            {
                "account": _(
                    "@%(handle)s already has %(count)d pinned videos; clause 6.3 allows %(min)d to %(max)d. "
                    "Unpin one first."
                )
                % {"handle": account.handle, "count": len(pinned), "min": PINNED_SLOTS_MIN, "max": PINNED_SLOTS_MAX}
            }
        )
    if any(p.video_id == video.pk for p in pinned):
        raise ValidationError({"video": _("This video is already pinned.")})
    taken = {p.slot for p in pinned}
    if slot is None:
        slot = min(set(range(PINNED_SLOTS_MIN, PINNED_SLOTS_MAX + 1)) - taken)
    elif slot in taken:
        raise ValidationError({"slot": _("Slot %(slot)d is taken; unpin its video first.") % {"slot": slot}})
    return validated_save(
        PinnedVideo(
            agency=actor.agency,
            account=account,
            video=video,
            slot=slot,
            pinned_on=pinned_on,
            boost_interval_days=boost_interval_days,
            boost_budget=boost_budget,
            boost_channel=boost_channel,
            note=note or "",
        )
    )


@dataclass
class UnpinResult:
    pinned: PinnedVideo
    account_flagged: bool  # 6.3: no pinned video left


@transaction.atomic
def pinned_video_unpin(*, actor: Actor, pinned: PinnedVideo, unpinned_on: dt.date | None = None) -> UnpinResult:
    """Unpin a video (6.3); its open boost tasks are cancelled. Unpinning the last one is allowed
    but leaves the account flagged: 6.3 wants at least one pinned video."""
    _lock_account(pinned.account)
    pinned = PinnedVideo.objects.select_for_update().get(pk=pinned.pk)
    if pinned.unpinned_on is not None:
        raise ValidationError({"unpinned_on": _("This video was already unpinned.")})
    unpinned_on = unpinned_on or actor.agency.today()
    _not_after_today(actor.agency, unpinned_on, "unpinned_on")
    if unpinned_on < pinned.pinned_on:
        raise ValidationError({"unpinned_on": _("A video cannot be unpinned before it was pinned.")})
    pinned.unpinned_on = unpinned_on
    pinned.save()
    BoostTask.objects.filter(pinned_video=pinned, status=BoostTaskStatus.OPEN).update(
        status=BoostTaskStatus.CANCELLED, completed_at=timezone.now(), updated_at=timezone.now()
    )
    left = PinnedVideo.objects.filter(account_id=pinned.account_id, unpinned_on__isnull=True).count()
    return UnpinResult(pinned, account_flagged=left < PINNED_SLOTS_MIN)


@transaction.atomic
def pinned_video_update_plan(
    *,
    actor: Actor,
    pinned: PinnedVideo,
    boost_interval_days: int | None = None,
    boost_budget: Decimal | None = None,
    boost_channel: str | None = None,
    note: str | None = None,
) -> PinnedVideo:
    """Change a pinned video's boost plan (6.3)."""
    pinned = PinnedVideo.objects.select_for_update().get(pk=pinned.pk)
    if pinned.unpinned_on is not None:
        raise ValidationError({"unpinned_on": _("An unpinned video has no boost plan to change.")})
    for name, value in (
        ("boost_interval_days", boost_interval_days),
        ("boost_budget", boost_budget),
        ("boost_channel", boost_channel),
        ("note", note),
    ):
        if value is not None:
            setattr(pinned, name, value)
    return validated_save(pinned)


def boost_next_due(pinned: PinnedVideo, last_boosted_on: dt.date | None) -> dt.date:
    """6.3: the next boost falls due one plan interval after the last boost (or the pinning)."""
    return (last_boosted_on or pinned.pinned_on) + dt.timedelta(days=pinned.boost_interval_days)


@transaction.atomic
def boost_record(
    *,
    actor: Actor,
    pinned_video: PinnedVideo,
    boosted_on: dt.date,
    spend: Decimal = ZERO,
    channel: str = "",
    platform_order_id: str = "",
    plays_gained: int | None = None,
    followers_gained: int | None = None,
    note: str = "",
) -> BoostRecord:
    """Record a re-boost of a pinned video (6.3); the boost tasks due by then are done."""
    pinned = PinnedVideo.objects.select_for_update().get(pk=pinned_video.pk)
    _not_after_today(actor.agency, boosted_on, "boosted_on")
    if boosted_on < pinned.pinned_on:
        raise ValidationError({"boosted_on": _("A boost cannot come before the video was pinned.")})
    if pinned.unpinned_on is not None and boosted_on > pinned.unpinned_on:
        raise ValidationError({"boosted_on": _("The video was unpinned on %(day)s.") % {"day": pinned.unpinned_on}})
    if spend is not None and spend < 0:
        raise ValidationError({"spend": _("Spend cannot be negative (%(amount)s).") % {"amount": yuan(spend)}})
    task = (
        BoostTask.objects.filter(pinned_video=pinned, status=BoostTaskStatus.OPEN, due_on__lte=boosted_on)
        .order_by("due_on")
        .first()
    )
    record = validated_save(
        BoostRecord(
            agency=actor.agency,
            client_id=pinned.client_id,
            account_id=pinned.account_id,
            pinned_video=pinned,
            boost_task=task,
            boosted_on=boosted_on,
            channel=channel or pinned.boost_channel,
            spend=ZERO if spend is None else spend,
            platform_order_id=(platform_order_id or "").strip(),
            plays_gained=plays_gained,
            followers_gained=followers_gained,
            note=note or "",
        )
    )
    BoostTask.objects.filter(pinned_video=pinned, status=BoostTaskStatus.OPEN, due_on__lte=boosted_on).update(
        status=BoostTaskStatus.DONE, completed_at=timezone.now(), updated_at=timezone.now()
    )
    return record


@transaction.atomic
def boost_record_results(
    *, actor: Actor, record: BoostRecord, plays_gained: int | None, followers_gained: int | None
) -> BoostRecord:
    """Add what a boost brought, once the platform reports it (6.3)."""
    record = BoostRecord.objects.select_for_update().get(pk=record.pk)
    record.plays_gained = plays_gained
    record.followers_gained = followers_gained
    return validated_save(record)


@transaction.atomic
def boost_tasks_create_due(*, today: dt.date) -> int:
    """Make one boost task per pinned video whose plan is due by ``today`` (6.3). Idempotent: the
    due date only moves when a boost is recorded, and (pinned video, due date) is unique, so a
    second run creates nothing. Runs inside one agency's context."""
    pins = (
        PinnedVideo.objects.filter(unpinned_on__isnull=True, account__status=AccountStatus.ACTIVE)
        .annotate(last_boost=Max("boosts__boosted_on"))
        .order_by("pk")
    )
    created = 0
    for pinned in pins:
        due_on = boost_next_due(pinned, pinned.last_boost)
        if due_on > today:
            continue
        _task, made = BoostTask.objects.get_or_create(
            pinned_video=pinned,
            due_on=due_on,
            defaults={"agency": pinned.agency, "client_id": pinned.client_id, "account_id": pinned.account_id},
        )
        created += made
    return created
