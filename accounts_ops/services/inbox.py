"""Writes of clause 6.4, private-message auto-replies: settings, rules, the inbox and the outbox.
Each validates before it writes and raises ValidationError naming the field."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops import autoreply
from accounts_ops.models.inbox import (
    AutoReplySettings,
    InboxMessage,
    InboxStatus,
    MessageSource,
    OutboxReply,
    OutboxStatus,
    ReplyRule,
    ReplySource,
    SentConfirmation,
)
from accounts_ops.rules import INBOX_BULK_MAX, MESSAGE_CLOCK_SKEW
from accounts_ops.services.conversations_touch import conversations_touch
from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor, require_agency
from clients.models import PlatformAccount


@transaction.atomic
def autoreply_settings_save(
    *,
    actor: Actor,
    account: PlatformAccount,
    opens_at: dt.time | None = UNCHANGED,
    closes_at: dt.time | None = UNCHANGED,
    business_days: list | None = UNCHANGED,
    store_address: str | None = UNCHANGED,
    coupon_link: str | None = UNCHANGED,
    webhook_secret: str | None = UNCHANGED,
) -> AutoReplySettings:
    """Create or change the account's business hours and reply values (6.4; the fields given, a
    None one emptied)."""
    values = given(
        opens_at=opens_at,
        closes_at=closes_at,
        business_days=business_days,
        store_address=store_address,
        coupon_link=coupon_link,
        webhook_secret=webhook_secret,
    )
    row = AutoReplySettings.objects.select_for_update().filter(account=account).first()
    if row is None:
        row = AutoReplySettings(agency=actor.agency, account=account)
    empty = {"opens_at": None, "closes_at": None, "business_days": []}
    for name, value in values.items():
        setattr(row, name, value if value is not None else empty.get(name, ""))
    return validated_save(row)


@transaction.atomic
def autoreply_secret_rotate(*, actor: Actor, account: PlatformAccount) -> str:
    """A new webhook secret for the account (6.4); returned once, to paste into the platform."""
    secret = secrets.token_urlsafe(32)
    autoreply_settings_save(actor=actor, account=account, webhook_secret=secret)
    return secret


@transaction.atomic
def reply_rule_create(
    *,
    actor: Actor,
    account: PlatformAccount,
    name: str = UNCHANGED,
    trigger: str = UNCHANGED,
    keywords: list = UNCHANGED,
    keyword_mode: str = UNCHANGED,
    pattern: str = UNCHANGED,
    priority: int = UNCHANGED,
    reply_text: str = UNCHANGED,
    is_active: bool = UNCHANGED,
) -> ReplyRule:
    """Add a reply rule to the account (6.4); patterns that could run long are refused. A field not
    given takes the model's default (a required one is refused as missing)."""
    rule = ReplyRule(agency=actor.agency, account=account)
    values = given(
        name=name,
        trigger=trigger,
        keywords=keywords,
        keyword_mode=keyword_mode,
        pattern=pattern,
        priority=priority,
        reply_text=reply_text,
        is_active=is_active,
    )
    for field_name, value in values.items():
        setattr(rule, field_name, value)
    return validated_save(rule)


@transaction.atomic
def reply_rule_update(
    *,
    actor: Actor,
    rule: ReplyRule,
    name: str = UNCHANGED,
    trigger: str = UNCHANGED,
    keywords: list = UNCHANGED,
    keyword_mode: str = UNCHANGED,
    pattern: str = UNCHANGED,
    priority: int = UNCHANGED,
    reply_text: str = UNCHANGED,
    is_active: bool = UNCHANGED,
) -> ReplyRule:
    """Change a reply rule (the fields given)."""
    values = given(
        name=name,
        trigger=trigger,
        keywords=keywords,
        keyword_mode=keyword_mode,
        pattern=pattern,
        priority=priority,
        reply_text=reply_text,
        is_active=is_active,
    )
    rule = ReplyRule.objects.select_for_update().get(pk=rule.pk)
    for field_name, value in values.items():
        setattr(rule, field_name, value)
    return validated_save(rule)


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
    fans = []
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
            message.status = InboxStatus.QUEUED
            message.save(update_fields=["status", "updated_at"])
            OutboxReply.objects.create(
                agency=agency,
                account=account,
                message=message,
                text=decision.reply,
                source=ReplySource.AUTO,
                rule_id=decision.rule_id,
            )
        existing[message.platform_message_id] = message
        known_senders.add(message.sender_uid)
        fans.append((account.pk, account.client_id, message.sender_uid, message.sender_nickname, message.received_at))
        result.created += 1
        result.messages.append(message)
    conversations_touch(fans)
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
    # A reply in the chat answers the fan's messages up to this one: none of them waits any more.
    _earlier_of_fan(message).filter(status=InboxStatus.OPEN).update(
        status=InboxStatus.QUEUED, updated_at=timezone.now()
    )
    return OutboxReply.objects.create(
        agency=actor.agency,
        client_id=message.client_id,
        account_id=message.account_id,
        message=message,
        text=text.strip(),
        source=ReplySource.MANUAL,
        author=actor.user,
    )


def _earlier_of_fan(message: InboxMessage):
    """The fan's messages to the account up to ``message`` (itself included)."""
    return InboxMessage.objects.filter(
        account_id=message.account_id, sender_uid=message.sender_uid, received_at__lte=message.received_at
    )


@transaction.atomic
def inbox_close(*, actor: Actor, message: InboxMessage) -> InboxMessage:
    """Close a message that needs no reply (a thank-you, spam); it leaves the response figures."""
    message = InboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in (InboxStatus.OPEN, InboxStatus.QUEUED):
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
    # The fan's earlier messages this reply answered (``inbox_reply``) are answered with it.
    for earlier in _earlier_of_fan(message).filter(status=InboxStatus.QUEUED).exclude(pk=message.pk):
        if earlier.first_response_at is None and at >= earlier.received_at:
            earlier.first_response_at = at
            earlier.first_response_seconds = int((at - earlier.received_at).total_seconds())
            earlier.first_response_confirmation = confirmation
        earlier.status = InboxStatus.ANSWERED
        earlier.save()
    return reply


@transaction.atomic
def outbox_mark_failed(*, actor: Actor | None, reply: OutboxReply, error: str) -> OutboxReply:
    reply = OutboxReply.objects.select_for_update().get(pk=reply.pk)
    if reply.status != OutboxStatus.QUEUED:
        raise ValidationError({"status": _("Only a queued reply can fail.")})
    reply.status = OutboxStatus.FAILED
    reply.error = (error or "").strip() or _("No reason given.")
    reply.save()
    # The messages it was answering wait again, unless another reply on its way answers them.
    message = InboxMessage.objects.get(pk=reply.message_id)
    pending = OutboxReply.objects.filter(
        message__account_id=message.account_id,
        message__sender_uid=message.sender_uid,
        status=OutboxStatus.QUEUED,
    ).values_list("message__received_at", flat=True)
    covered_until = max(pending, default=None)
    waiting = _earlier_of_fan(message).filter(status=InboxStatus.QUEUED)
    if covered_until is not None:
        waiting = waiting.filter(received_at__gt=covered_until)
    waiting.update(status=InboxStatus.OPEN, updated_at=timezone.now())
    return reply
