"""Writes of chapter 6 (basic account operations). Pages, the API, tasks and the webhook call these;
each validates before it writes and raises ValidationError naming the field."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts_ops import autoreply
from accounts_ops.images import clean_profile_image
from accounts_ops.models.basic import (
    IMAGE_PROFILE_FIELDS,
    OPEN_PROFILE_STATUSES,
    PINNED_SLOTS_MAX,
    PINNED_SLOTS_MIN,
    ZERO,
    AccountDirection,
    AdBudgetApproval,
    AdCampaign,
    AdKind,
    AdSpend,
    AutoReplySettings,
    BoostChannel,
    BoostRecord,
    BoostTask,
    BoostTaskStatus,
    DealStatus,
    GroupBuyDeal,
    InboxMessage,
    InboxStatus,
    LocalLifeEnablement,
    MessageSource,
    OutboxReply,
    OutboxStatus,
    PinnedVideo,
    PoiLink,
    PoiStatus,
    ProfileChange,
    ProfileChangeStatus,
    ProfileField,
    PromotionStatus,
    PromotionTask,
    ReplyRule,
    ReplySource,
    SentConfirmation,
    yuan,
)
from agency.adjustable import adjustable
from agency.models import Agency
from agency.roles import Role
from agency.tenancy import Actor, require_agency
from clients.models import AccountStatus, Client, PlatformAccount, Video
from extensions.rules import INFLUENCER_FOLLOWERS_MIN

# 6.7: only an agency admin may approve spend beyond a campaign's budget.
OVERSPEND_APPROVER_ROLE = Role.AGENCY_ADMIN  # 6.7
# 6.4: a platform's clock may run a little ahead of ours; a message further in the future is refused.
MESSAGE_CLOCK_SKEW = dt.timedelta(minutes=5)  # 6.4
INBOX_BULK_MAX = 500  # 6.4: messages per bulk call


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


# --- 6.1 direction -----------------------------------------------------------------------------


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
        client_id=account.client_id,
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


# --- 6.2 profile -------------------------------------------------------------------------------


def _current_profile_value(account: PlatformAccount, part: str) -> ProfileChange | None:
    return (
        ProfileChange.objects.filter(account=account, field=part, status=ProfileChangeStatus.APPLIED)
        .order_by("-applied_on", "-id")
        .first()
    )


def _attach_image(change: ProfileChange, upload, *, field_name: str) -> None:
    cleaned = clean_profile_image(upload, field=field_name)
    change.after_image.save(cleaned.name, cleaned, save=False)


def _save_with_file(change: ProfileChange) -> ProfileChange:
    """Save the row; if it cannot be saved, remove the file just stored (no file without a row)."""
    try:
        with transaction.atomic():
            change.save()
    except Exception:
        if change.after_image:
            change.after_image.storage.delete(change.after_image.name)
        raise
    return change


def _profile_change(
    *,
    actor: Actor,
    account: PlatformAccount,
    part: str,
    after_text: str,
    after_image,
    reason: str,
    requested_by_name: str,
) -> ProfileChange:
    if part not in ProfileField.values:
        raise ValidationError({"field": _("Choose avatar, banner, bio or nickname.")})
    if part in IMAGE_PROFILE_FIELDS and after_image is None:
        raise ValidationError({"after_image": _("Upload the new image.")})
    current = _current_profile_value(account, part)
    change = ProfileChange(
        agency=actor.agency,
        client_id=account.client_id,
        account=account,
        field=part,
        after_text="" if part in IMAGE_PROFILE_FIELDS else (after_text or "").strip(),
        reason=(reason or "").strip(),
        requested_by=actor.user,
        requested_by_name=(requested_by_name or "").strip(),
        requested_at=timezone.now(),
    )
    if current is not None:
        change.before_text = current.after_text
        change.before_image.name = current.after_image.name or ""
    elif part == ProfileField.NICKNAME:
        change.before_text = account.nickname
    change.full_clean(exclude=["after_image", "before_image"])
    return change


@transaction.atomic
def profile_change_request(
    *,
    actor: Actor,
    account: PlatformAccount,
    field: str,
    after_text: str = "",
    after_image=None,
    reason: str = "",
    requested_by_name: str = "",
) -> ProfileChange:
    """Ask for a change of one part of the account's profile (6.2); the value before is taken from
    the current profile. One open request per part at a time."""
    _ensure_own_client(actor, account.client_id)
    waiting = ProfileChange.objects.filter(account=account, field=field, status__in=OPEN_PROFILE_STATUSES).first()
    if waiting is not None:
        raise ValidationError(
            {
                "field": _("A change of the %(part)s is already open (#%(id)d); decide or apply it first.")
                % {"part": waiting.get_field_display(), "id": waiting.pk}
            }
        )
    change = _profile_change(
        actor=actor,
        account=account,
        part=field,
        after_text=after_text,
        after_image=after_image,
        reason=reason,
        requested_by_name=requested_by_name,
    )
    if after_image is not None:
        _attach_image(change, after_image, field_name="after_image")
    return _save_with_file(change)


@transaction.atomic
def profile_record_baseline(
    *,
    actor: Actor,
    account: PlatformAccount,
    field: str,
    applied_on: dt.date,
    after_text: str = "",
    after_image=None,
) -> ProfileChange:
    """Record a part of the profile as the agency found it on the platform (6.2), so that the
    current profile is complete before any change is asked for."""
    _not_after_today(actor.agency, applied_on, "applied_on")
    if ProfileChange.objects.filter(account=account, field=field).exists():
        raise ValidationError({"field": _("This part already has a recorded history; request a change instead.")})
    change = _profile_change(
        actor=actor,
        account=account,
        part=field,
        after_text=after_text,
        after_image=after_image,
        reason=_("Recorded as found on the platform."),
        requested_by_name="",
    )
    change.is_baseline = True
    change.status = ProfileChangeStatus.APPLIED
    change.decided_by = change.applied_by = actor.user
    change.decided_at = timezone.now()
    change.applied_on = applied_on
    if after_image is not None:
        _attach_image(change, after_image, field_name="after_image")
    return _save_with_file(change)


def _locked_change(change: ProfileChange) -> ProfileChange:
    return ProfileChange.objects.select_for_update().get(pk=change.pk)


@transaction.atomic
def profile_change_decide(*, actor: Actor, change: ProfileChange, approve: bool, note: str = "") -> ProfileChange:
    """Approve or reject a requested profile change (6.2). A rejection says why."""
    change = _locked_change(change)
    _ensure_own_client(actor, change.client_id)
    if change.status != ProfileChangeStatus.REQUESTED:
        raise ValidationError(
            {"status": _("This change was already decided (%(status)s).") % {"status": change.get_status_display()}}
        )
    if not approve and not (note or "").strip():
        raise ValidationError({"note": _("Say why the change is rejected.")})
    change.status = ProfileChangeStatus.APPROVED if approve else ProfileChangeStatus.REJECTED
    change.decided_by = actor.user
    change.decided_at = timezone.now()
    change.decision_note = (note or "").strip()
    change.save()
    return change


@transaction.atomic
def profile_change_apply(*, actor: Actor, change: ProfileChange, applied_on: dt.date) -> ProfileChange:
    """Record that an approved change was made on the platform on ``applied_on`` (6.2)."""
    change = _locked_change(change)
    if change.status != ProfileChangeStatus.APPROVED:
        raise ValidationError(
            {
                "status": _("Only an approved change can be applied; this one is %(status)s.")
                % {"status": change.get_status_display()}
            }
        )
    _not_after_today(actor.agency, applied_on, "applied_on")
    if applied_on < timezone.localtime(change.requested_at, actor.agency.tz).date():
        raise ValidationError({"applied_on": _("A change cannot be applied before it was asked for.")})
    change.status = ProfileChangeStatus.APPLIED
    change.applied_on = applied_on
    change.applied_by = actor.user
    change.save()
    if change.field == ProfileField.NICKNAME:
        PlatformAccount.objects.filter(pk=change.account_id).update(
            nickname=change.after_text[:100], updated_at=timezone.now()
        )
    return change


# --- 6.3 pinned videos and boosts --------------------------------------------------------------


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
    return _save(
        PinnedVideo(
            agency=actor.agency,
            client_id=account.client_id,
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
    unpinned_on = unpinned_on or _today(actor.agency)
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
    return _save(pinned)


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
    record = _save(
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
    return _save(record)


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


# --- 6.4 private-message auto-replies ----------------------------------------------------------


@transaction.atomic
def autoreply_settings_save(*, actor: Actor, account: PlatformAccount, **values) -> AutoReplySettings:
    """Create or change the account's business hours and reply values (6.4)."""
    allowed = {"opens_at", "closes_at", "business_days", "store_address", "coupon_link", "webhook_secret"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown setting.")})
    row = AutoReplySettings.objects.select_for_update().filter(account=account).first()
    if row is None:
        row = AutoReplySettings(agency=actor.agency, client_id=account.client_id, account=account)
    empty = {"opens_at": None, "closes_at": None, "business_days": []}
    for name, value in values.items():
        setattr(row, name, value if value is not None else empty.get(name, ""))
    return _save(row)


@transaction.atomic
def autoreply_secret_rotate(*, actor: Actor, account: PlatformAccount) -> str:
    """A new webhook secret for the account (6.4); returned once, to paste into the platform."""
    secret = secrets.token_urlsafe(32)
    autoreply_settings_save(actor=actor, account=account, webhook_secret=secret)
    return secret


RULE_FIELDS = ("name", "trigger", "keywords", "keyword_mode", "pattern", "priority", "reply_text", "is_active")


@transaction.atomic
def reply_rule_create(*, actor: Actor, account: PlatformAccount, **values) -> ReplyRule:
    """Add a reply rule to the account (6.4); patterns that could run long are refused."""
    rule = ReplyRule(agency=actor.agency, client_id=account.client_id, account=account)
    for name in RULE_FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    return _save(rule)


@transaction.atomic
def reply_rule_update(*, actor: Actor, rule: ReplyRule, **values) -> ReplyRule:
    rule = ReplyRule.objects.select_for_update().get(pk=rule.pk)
    for name in RULE_FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    return _save(rule)


@dataclass
class IncomingMessage:
    """One private message as a platform delivers it."""

    platform_message_id: str
    sender_uid: str
    received_at: dt.datetime
    text: str = ""
    sender_nickname: str = ""
    conversation_id: str = ""
    message_type: str = "text"


@dataclass
class ReceiveResult:
    messages: list[InboxMessage] = field(default_factory=list)
    created: int = 0
    duplicates: int = 0


def _check_incoming(item: IncomingMessage, prefix: str) -> None:
    if not (item.platform_message_id or "").strip():
        raise ValidationError({f"{prefix}platform_message_id": _("The platform's message id is required.")})
    if not (item.sender_uid or "").strip():
        raise ValidationError({f"{prefix}sender_uid": _("The sender's id is required.")})
    if item.received_at is None or timezone.is_naive(item.received_at):
        raise ValidationError({f"{prefix}received_at": _("Give the time with its time zone.")})
    if item.received_at > timezone.now() + MESSAGE_CLOCK_SKEW:
        raise ValidationError({f"{prefix}received_at": _("The message is dated in the future.")})


@transaction.atomic
def inbox_receive(
    *, account: PlatformAccount, items: list[IncomingMessage], source: str = MessageSource.API, bulk: bool = False
) -> ReceiveResult:
    """Store incoming private messages of one account (6.4) and decide each one's reply. A message
    id already stored is accepted and not stored again. All or nothing: one invalid message
    stores none; with ``bulk`` each refusal names its message (``messages[3].received_at``). Runs
    inside the account's agency (a request, a task or the webhook)."""
    agency = require_agency()
    if len(items) > INBOX_BULK_MAX:
        raise ValidationError(
            {
                "messages": _("%(count)d messages; at most %(max)d per call.")
                % {"count": len(items), "max": INBOX_BULK_MAX}
            }
        )
    for index, item in enumerate(items):
        _check_incoming(item, f"messages[{index}]." if bulk else "")
    # Ids are stored stripped: look them up (and recognise repeats) the same way.
    items = [
        replace(item, platform_message_id=item.platform_message_id.strip(), sender_uid=item.sender_uid.strip())
        for item in items
    ]
    result = ReceiveResult()
    ids = {item.platform_message_id for item in items}
    existing = {
        m.platform_message_id: m for m in InboxMessage.objects.filter(account=account, platform_message_id__in=ids)
    }
    senders = {item.sender_uid for item in items}
    known_senders = set(
        InboxMessage.objects.filter(account=account, sender_uid__in=senders).values_list("sender_uid", flat=True)
    )
    settings = AutoReplySettings.objects.filter(account=account).first()
    compiled = autoreply.compiled_rules_for(account.pk)
    tz = agency.tz
    for item in sorted(items, key=lambda i: i.received_at):
        if item.platform_message_id in existing:
            result.duplicates += 1
            result.messages.append(existing[item.platform_message_id])
            continue
        first_contact = item.sender_uid not in known_senders
        outside = settings is not None and not autoreply.within_business_hours(
            item.received_at,
            tz=tz,
            opens_at=settings.opens_at,
            closes_at=settings.closes_at,
            days=settings.business_days,
        )
        decision = compiled.decide(
            item.text,
            first_contact=first_contact,
            outside_hours=outside,
            values={
                "nickname": item.sender_nickname,
                "store_address": settings.store_address if settings else "",
                "coupon_link": settings.coupon_link if settings else "",
            },
        )
        message = InboxMessage(
            agency=agency,
            client_id=account.client_id,
            account=account,
            platform_message_id=item.platform_message_id.strip(),
            conversation_id=item.conversation_id or "",
            sender_uid=item.sender_uid.strip(),
            sender_nickname=(item.sender_nickname or "")[:100],
            message_type=(item.message_type or "text")[:20],
            text=item.text or "",
            received_at=item.received_at,
            source=source,
            is_first_contact=first_contact,
            matched_rule_id=decision.rule_id,
            decision=(
                _("Rule “%(rule)s” fired: %(reason)s.") % {"rule": decision.rule_name, "reason": decision.reason}
                if decision.fired
                else _("No rule matched; waiting for a reply by hand.")
            )[: InboxMessage._meta.get_field("decision").max_length],
        )
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:  # the same id arrived at the same time through another path
            message = InboxMessage.objects.get(account=account, platform_message_id=item.platform_message_id)
            result.duplicates += 1
            result.messages.append(message)
            continue
        if decision.fired and decision.reply:
            OutboxReply.objects.create(
                agency=agency,
                client_id=account.client_id,
                account=account,
                message=message,
                text=decision.reply,
                source=ReplySource.AUTO,
                rule_id=decision.rule_id,
            )
        existing[message.platform_message_id] = message
        known_senders.add(message.sender_uid)
        result.created += 1
        result.messages.append(message)
    return result


@transaction.atomic
def inbox_reply(*, actor: Actor, message: InboxMessage, text: str) -> OutboxReply:
    """Answer a message by hand (6.4): the reply waits in the outbox for the connector."""
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the reply.")})
    if len(text) > autoreply.REPLY_MAX_CHARS:
        raise ValidationError({"text": _("At most %(max)d characters.") % {"max": autoreply.REPLY_MAX_CHARS}})
    message = InboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == InboxStatus.CLOSED:
        raise ValidationError({"message": _("This message was closed without a reply.")})
    return OutboxReply.objects.create(
        agency=actor.agency,
        client_id=message.client_id,
        account_id=message.account_id,
        message=message,
        text=text.strip(),
        source=ReplySource.MANUAL,
        author=actor.user,
    )


@transaction.atomic
def inbox_close(*, actor: Actor, message: InboxMessage) -> InboxMessage:
    """Close a message that needs no reply (a thank-you, spam); it leaves the response figures."""
    message = InboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != InboxStatus.OPEN:
        raise ValidationError({"status": _("Only a message waiting for a reply can be closed.")})
    message.status = InboxStatus.CLOSED
    message.save()
    OutboxReply.objects.filter(message=message, status=OutboxStatus.QUEUED).update(
        status=OutboxStatus.FAILED, error=_("Message closed before sending."), updated_at=timezone.now()
    )
    return message


@transaction.atomic
def outbox_mark_sent(
    *, actor: Actor | None, reply: OutboxReply, sent_at: dt.datetime | None = None, platform_message_id: str = ""
) -> OutboxReply:
    """Someone reports through the API that a reply was sent (6.4). The first response is measured
    to when the report arrives, never to the time it states (kept beside it as reported), so that a
    reply cannot be dated back; only the connector's delivery (``outbox_confirm_sent``) confirms."""
    now = timezone.now()
    return _sent(
        reply,
        at=now,
        reported_at=sent_at or now,
        confirmation=SentConfirmation.REPORTED,
        platform_id=platform_message_id,
    )


@transaction.atomic
def outbox_confirm_sent(*, reply: OutboxReply, sent_at: dt.datetime, platform_message_id: str = "") -> OutboxReply:
    """The platform accepted the connector's reply at ``sent_at`` (6.4): the confirmed first response."""
    return _sent(
        reply, at=sent_at, reported_at=None, confirmation=SentConfirmation.PLATFORM, platform_id=platform_message_id
    )


def _sent(
    reply: OutboxReply, *, at: dt.datetime, reported_at: dt.datetime | None, confirmation: str, platform_id: str
) -> OutboxReply:
    """The message's first response is the earliest reply sent."""
    reply = OutboxReply.objects.select_for_update().get(pk=reply.pk)
    if reply.status == OutboxStatus.SENT:
        raise ValidationError({"status": _("This reply was already sent.")})
    message = InboxMessage.objects.select_for_update().get(pk=reply.message_id)
    for field_name, value in (("sent_at", at), ("sent_at", reported_at)):
        if value is None:
            continue
        if value < message.received_at:
            raise ValidationError({field_name: _("A reply cannot be sent before the message arrived.")})
        if value > timezone.now() + MESSAGE_CLOCK_SKEW:
            raise ValidationError({field_name: _("The time is in the future.")})
    reply.status = OutboxStatus.SENT
    reply.sent_at = at
    reply.sent_confirmation = confirmation
    reply.reported_sent_at = reported_at
    reply.platform_message_id = (platform_id or "")[:128]
    reply.error = ""
    reply.save()
    if message.first_response_at is None or at < message.first_response_at:
        message.first_response_at = at
        message.first_response_seconds = int((at - message.received_at).total_seconds())
        message.first_response_confirmation = confirmation
    message.status = InboxStatus.ANSWERED
    message.save()
    return reply


@transaction.atomic
def outbox_mark_failed(*, actor: Actor | None, reply: OutboxReply, error: str) -> OutboxReply:
    reply = OutboxReply.objects.select_for_update().get(pk=reply.pk)
    if reply.status != OutboxStatus.QUEUED:
        raise ValidationError({"status": _("Only a queued reply can fail.")})
    reply.status = OutboxStatus.FAILED
    reply.error = (error or "").strip() or _("No reason given.")
    reply.save()
    return reply


# --- 6.5 group-buy and POI ---------------------------------------------------------------------


def _enablement(agency: Agency, client_id: int) -> LocalLifeEnablement:
    row = LocalLifeEnablement.objects.select_for_update().filter(client_id=client_id).first()
    return row or LocalLifeEnablement(agency=agency, client_id=client_id)


def _tick(agency: Agency, client_id: int, step: str, day: dt.date) -> None:
    row = _enablement(agency, client_id)
    if getattr(row, step) is None:
        setattr(row, step, day)
        row.save()


@transaction.atomic
def enablement_record_qualification(
    *, actor: Actor, client: Client, submitted_on: dt.date | None, note: str = ""
) -> LocalLifeEnablement:
    """Tick (or clear) the first step of the client's local-life checklist (6.5)."""
    _not_after_today(actor.agency, submitted_on, "qualification_submitted_on")
    row = _enablement(actor.agency, client.pk)
    row.qualification_submitted_on = submitted_on
    row.qualification_note = (note or "").strip()
    return _save(row)


@transaction.atomic
def poi_save(*, actor: Actor, poi: PoiLink | None = None, account: PlatformAccount | None = None, **values) -> PoiLink:
    """Create or change a POI link (6.5); claiming it ticks the client's checklist."""
    if poi is None:
        if account is None:
            raise ValidationError({"account": _("Choose the account the POI links to.")})
        poi = PoiLink(agency=actor.agency, client_id=account.client_id, account=account)
    else:
        poi = PoiLink.objects.select_for_update().get(pk=poi.pk)
        if account is not None and account.pk != poi.account_id:
            poi.account = account
            poi.client_id = account.client_id
    for name in ("store_name", "address", "platform_poi_id", "status"):
        if name in values:
            setattr(poi, name, values[name])
    _save(poi)
    if poi.status in (PoiStatus.CLAIMED, PoiStatus.LINKED):
        _tick(actor.agency, poi.client_id, "poi_claimed_on", _today(actor.agency))
    return poi


DEAL_FIELDS = (
    "poi",
    "title",
    "price",
    "list_price",
    "valid_from",
    "valid_until",
    "stock",
    "platform_status",
    "platform_deal_id",
)


@transaction.atomic
def deal_save(
    *, actor: Actor, deal: GroupBuyDeal | None = None, account: PlatformAccount | None = None, **values
) -> GroupBuyDeal:
    """Create or change a group-buy deal (6.5). Prices are decimal yuan, never negative, and the
    price is not above the list price; going live ticks the client's checklist."""
    if deal is None:
        if account is None:
            raise ValidationError({"account": _("Choose the account the deal is sold on.")})
        deal = GroupBuyDeal(agency=actor.agency, client_id=account.client_id, account=account)
    else:
        deal = GroupBuyDeal.objects.select_for_update().get(pk=deal.pk)
    for name in DEAL_FIELDS:
        if name in values:
            setattr(deal, name, values[name])
    for name in ("price", "list_price"):
        amount = getattr(deal, name)
        if amount is not None and amount < 0:
            raise ValidationError({name: _("%(amount)s is negative.") % {"amount": yuan(amount)}})
    if deal.platform_status == DealStatus.LIVE and deal.first_live_on is None:
        deal.first_live_on = _today(actor.agency)
    _save(deal)
    if deal.first_live_on is not None:
        _tick(actor.agency, deal.client_id, "first_deal_live_on", deal.first_live_on)
    return deal


# --- 6.6 promotion -----------------------------------------------------------------------------

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
    return _save(task)


@transaction.atomic
def promotion_update(*, actor: Actor, task: PromotionTask, **values) -> PromotionTask:
    task = PromotionTask.objects.select_for_update().get(pk=task.pk)
    for name in PROMOTION_FIELDS:
        if name in values:
            setattr(task, name, values[name])
    return _save(task)


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
    return _save(task)


@transaction.atomic
def promotion_cancel(*, actor: Actor, task: PromotionTask) -> PromotionTask:
    task = PromotionTask.objects.select_for_update().get(pk=task.pk)
    if task.status != PromotionStatus.PLANNED:
        raise ValidationError({"status": _("Only a planned promotion can be cancelled.")})
    task.status = PromotionStatus.CANCELLED
    return _save(task)


# --- 6.7 advertising ---------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    "name",
    "kind",
    "ad_product",
    "partner_platform",
    "partner_handle",
    "partner_followers",
    "budget",
    "starts_on",
    "ends_on",
    "status",
)


# 6.7 "投放 to high-follower accounts": the fewest followers a creator-collaboration partner may
# have. The standard states no figure for 6.7; its one follower figure is the influencer band of
# 8.2, whose lower end is the default here. An agency may state its own threshold.
AD_PARTNER_FOLLOWERS_MIN = adjustable(
    "ad_partner_followers_min",
    INFLUENCER_FOLLOWERS_MIN.default,
    clause="6.7",
    minimum=1,
    maximum=1_000_000_000,
    label=gettext_lazy("Fewest followers of a high-follower account to advertise with (6.7)"),
)


def partner_followers_problem(campaign: AdCampaign, agency: Agency) -> str | None:
    """Why ``campaign``'s partner is not a high-follower account under 6.7, or None."""
    if campaign.kind != AdKind.CREATOR_COLLABORATION or campaign.partner_followers is None:
        return None
    threshold = agency.setting(AD_PARTNER_FOLLOWERS_MIN)
    if campaign.partner_followers >= threshold:
        return None
    return _(
        "@%(partner)s has %(followers)s followers; a high-follower account has at least %(threshold)s "
        "(the agency's setting ad_partner_followers_min, 6.7)."
    ) % {
        "partner": campaign.partner_handle,
        "followers": f"{campaign.partner_followers:,}",
        "threshold": f"{threshold:,}",
    }


def _check_partner(campaign: AdCampaign, agency: Agency) -> None:
    problem = partner_followers_problem(campaign, agency)
    if problem:
        raise ValidationError({"partner_followers": problem})


@transaction.atomic
def campaign_create(*, actor: Actor, account: PlatformAccount, **values) -> AdCampaign:
    """Start an ad campaign for the account (6.7) with its budget and period; a collaboration's
    partner must be a high-follower account by the agency's threshold."""
    campaign = AdCampaign(agency=actor.agency, client_id=account.client_id, account=account)
    for name in CAMPAIGN_FIELDS:
        if name in values:
            setattr(campaign, name, values[name])
    _check_partner(campaign, actor.agency)
    return _save(campaign)


@dataclass(frozen=True)
class CampaignMoney:
    budget: Decimal
    approved_extra: Decimal
    spent: Decimal

    @property
    def limit(self) -> Decimal:
        return self.budget + self.approved_extra

    @property
    def remaining(self) -> Decimal:
        return self.limit - self.spent


def campaign_money(campaign: AdCampaign) -> CampaignMoney:
    spent = AdSpend.objects.filter(campaign=campaign).aggregate(total=Sum("amount"))["total"] or ZERO
    extra = AdBudgetApproval.objects.filter(campaign=campaign).aggregate(total=Sum("extra_amount"))["total"] or ZERO
    return CampaignMoney(budget=campaign.budget, approved_extra=extra, spent=spent)


@transaction.atomic
def campaign_update(*, actor: Actor, campaign: AdCampaign, **values) -> AdCampaign:
    """Change a campaign (6.7); its budget cannot fall below what was already spent."""
    campaign = AdCampaign.objects.select_for_update().get(pk=campaign.pk)
    for name in CAMPAIGN_FIELDS:
        if name in values:
            setattr(campaign, name, values[name])
    if {"kind", "partner_handle", "partner_followers"} & set(values):
        _check_partner(campaign, actor.agency)
    money = campaign_money(campaign)
    if money.spent > money.limit:
        raise ValidationError(
            {
                "budget": _("%(spent)s is already spent; the budget cannot go below it without an approval.")
                % {"spent": yuan(money.spent)}
            }
        )
    return _save(campaign)


@transaction.atomic
def ad_spend_record(
    *,
    actor: Actor,
    campaign: AdCampaign,
    spent_on: dt.date,
    amount: Decimal,
    platform_order_id: str = "",
    note: str = "",
) -> AdSpend:
    """Record money spent on a campaign (6.7). Spend beyond the budget (plus any extra an agency
    admin approved) is refused, naming the budget and the spend."""
    campaign = AdCampaign.objects.select_for_update().get(pk=campaign.pk)
    if amount is None or amount <= 0:
        raise ValidationError(
            {"amount": _("The amount must be more than zero (got %(amount)s).") % {"amount": yuan(amount)}}
        )
    if spent_on < campaign.starts_on or spent_on > campaign.ends_on:
        raise ValidationError(
            {
                "spent_on": _("%(day)s is outside the campaign's period %(start)s – %(end)s.")
                % {"day": spent_on, "start": campaign.starts_on, "end": campaign.ends_on}
            }
        )
    _not_after_today(actor.agency, spent_on, "spent_on")
    money = campaign_money(campaign)
    if money.spent + amount > money.limit:
        raise ValidationError(
            {
                "amount": _(
                    "Spending %(amount)s would bring “%(campaign)s” to %(total)s, beyond its budget of %(budget)s "
                    "(approved extra: %(extra)s). An agency admin must record an approval first."
                )
                % {
                    "amount": yuan(amount),
                    "campaign": campaign.name,
                    "total": yuan(money.spent + amount),
                    "budget": yuan(money.budget),
                    "extra": yuan(money.approved_extra),
                }
            }
        )
    return _save(
        AdSpend(
            agency=actor.agency,
            client_id=campaign.client_id,
            account_id=campaign.account_id,
            campaign=campaign,
            spent_on=spent_on,
            amount=amount,
            platform_order_id=(platform_order_id or "").strip(),
            note=(note or "").strip(),
        )
    )


@transaction.atomic
def ad_budget_approve(*, actor: Actor, campaign: AdCampaign, extra_amount: Decimal, reason: str) -> AdBudgetApproval:
    """An agency admin approves spending ``extra_amount`` beyond the campaign's budget (6.7)."""
    if actor.role != OVERSPEND_APPROVER_ROLE:
        raise ValidationError({"approved_by": _("Only an agency admin can approve spend beyond a budget.")})
    if extra_amount is None or extra_amount <= 0:
        raise ValidationError({"extra_amount": _("The extra amount must be more than zero.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the budget may be passed.")})
    campaign = AdCampaign.objects.select_for_update().get(pk=campaign.pk)
    return _save(
        AdBudgetApproval(
            agency=actor.agency,
            client_id=campaign.client_id,
            account_id=campaign.account_id,
            campaign=campaign,
            extra_amount=extra_amount,
            reason=reason.strip(),
            approved_by=actor.user,
            approved_at=timezone.now(),
        )
    )


@transaction.atomic
def campaign_record_results(
    *,
    actor: Actor,
    campaign: AdCampaign,
    impressions: int,
    clicks: int,
    conversions: int,
    orders: int,
    sales: Decimal,
    recorded_on: dt.date | None = None,
) -> AdCampaign:
    """Record the campaign's KPIs as the platform reports them (6.7); ROI follows from them."""
    campaign = AdCampaign.objects.select_for_update().get(pk=campaign.pk)
    if sales is not None and sales < 0:
        raise ValidationError({"sales": _("Sales cannot be negative (%(amount)s).") % {"amount": yuan(sales)}})
    recorded_on = recorded_on or _today(actor.agency)
    _not_after_today(actor.agency, recorded_on, "recorded_on")
    campaign.impressions, campaign.clicks, campaign.conversions, campaign.orders = (
        impressions,
        clicks,
        conversions,
        orders,
    )
    campaign.sales = sales
    campaign.results_recorded_on = recorded_on
    return _save(campaign)
