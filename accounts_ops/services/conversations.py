"""Writes of the one inbox (6.4 private messages and 7.1 comments as one conversation per fan):
replying, assigning, marking handled and hiding, one conversation or many at once, and the saved
replies the agency keeps. Replies and comment actions go through the 6.4 and 7.1 services, so the
platform connector delivers them as before; each write validates before it writes and refuses
with a ValidationError naming the field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts_ops.models.comments import CommentStatus, VideoComment
from accounts_ops.models.conversations import SAVED_REPLY_VARIABLES, Conversation, SavedReply
from accounts_ops.models.inbox import AutoReplySettings, InboxMessage, InboxStatus
from accounts_ops.rules import INBOX_BULK_CONVERSATIONS_MAX
from accounts_ops.services.comments import (
    comment_hide,
    comment_mark_handled,
    comment_reply,
    staff_choices,
)
from accounts_ops.services.inbox import inbox_close, inbox_reply
from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor

VARIABLE = re.compile(r"\{(" + "|".join(SAVED_REPLY_VARIABLES) + r")\}")


class BulkAction:
    HANDLED = "handled"
    ASSIGN = "assign"
    HIDE = "hide"
    ALL = (HANDLED, ASSIGN, HIDE)


def reply_values(conversation: Conversation) -> dict[str, str]:
    """What a saved reply's variables say in this conversation."""
    account = conversation.account
    reply_settings = AutoReplySettings.objects.filter(account_id=account.pk).only("store_address", "coupon_link")
    found = reply_settings.first()
    return {
        "fan": conversation.fan_nickname or conversation.fan_uid,
        "store": account.nickname or account.handle,
        "client": conversation.client.name,
        "address": found.store_address if found else "",
        "coupon": found.coupon_link if found else "",
    }


def fill_variables(text: str, values: dict[str, str]) -> str:
    """``text`` with its variables (``{store}``...) replaced; other braces are left as written."""
    return VARIABLE.sub(lambda match: values.get(match.group(1), ""), text or "")


def _fan_messages(conversation: Conversation):
    return InboxMessage.objects.filter(account_id=conversation.account_id, sender_uid=conversation.fan_uid)


def _fan_comments(conversation: Conversation):
    return VideoComment.objects.filter(
        account_id=conversation.account_id, author_uid=conversation.fan_uid, is_from_account=False
    )


TARGET_PATTERN = r"^(?:(?:message|comment):[0-9]{1,18})?$"  # what a reply's ``target`` names (empty: the latest)


def parse_target(target: str) -> tuple[str, int] | None:
    """``"message:12"`` or ``"comment:7"`` → ``("message", 12)``; empty → None."""
    if not target:
        return None
    kind, _sep, number = target.partition(":")
    if kind not in ("message", "comment") or not number.isdigit():
        raise ValidationError({"target": _("Choose a message or a comment of this conversation.")})
    return kind, int(number)


def _default_target(conversation: Conversation):
    """What a reply answers when none is chosen: the fan's latest item waiting for one, else the
    latest message still open to a reply, else the latest comment still shown."""
    message = _fan_messages(conversation).filter(status=InboxStatus.OPEN).order_by("-received_at", "-id").first()
    comment = (
        _fan_comments(conversation)
        .filter(status=CommentStatus.WAITING, is_hidden=False)
        .order_by("-posted_at", "-id")
        .first()
    )
    if message and comment:
        return message if message.received_at >= comment.posted_at else comment
    if message or comment:
        return message or comment
    message = _fan_messages(conversation).exclude(status=InboxStatus.CLOSED).order_by("-received_at", "-id").first()
    if message:
        return message
    comment = _fan_comments(conversation).filter(is_hidden=False).order_by("-posted_at", "-id").first()
    if comment:
        return comment
    raise ValidationError({"target": _("Nothing in this conversation can be answered.")})


@transaction.atomic
def conversation_reply(*, actor: Actor, conversation: Conversation, text: str, target: str = ""):
    """Answer the fan (6.4 or 7.1): a private message is answered in the chat, a comment under its
    video; the reply is queued for the connector and the conversation stops waiting at once. The
    text's variables are filled for this conversation. Answers the queued reply (an outbox reply
    or a comment action)."""
    conversation = Conversation.objects.select_related("account", "client").get(pk=conversation.pk)
    text = fill_variables(text, reply_values(conversation)).strip()
    chosen = parse_target(target)
    if chosen is None:
        item = _default_target(conversation)
    elif chosen[0] == "message":
        item = _fan_messages(conversation).filter(pk=chosen[1]).first()
    else:
        item = _fan_comments(conversation).filter(pk=chosen[1]).first()
    if item is None:
        raise ValidationError({"target": _("Choose a message or a comment of this conversation.")})
    if isinstance(item, InboxMessage):
        return inbox_reply(actor=actor, message=item, text=text)
    return comment_reply(actor=actor, comment=item, text=text)


@transaction.atomic
def conversation_assign(*, actor: Actor, conversation: Conversation, assignee) -> Conversation:
    """Give the conversation to a member of the agency's staff (``None`` takes it back)."""
    if assignee is not None and not staff_choices(actor.agency).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("%(user)s is not on this agency's staff.") % {"user": assignee}})
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    conversation.assignee = assignee
    return validated_save(conversation)


def _handled_note(note: str) -> str:
    return (note or "").strip() or _("Handled in the inbox.")


@transaction.atomic
def conversation_mark_handled(*, actor: Actor, conversation: Conversation, note: str = "") -> Conversation:
    """Nothing more is owed to the fan: the messages waiting are closed without a reply (6.4) and the
    comments waiting are marked handled with the note (7.1)."""
    messages = list(_fan_messages(conversation).filter(status=InboxStatus.OPEN))
    comments = list(_fan_comments(conversation).filter(status=CommentStatus.WAITING))
    if not messages and not comments:
        raise ValidationError({"status": _("Nothing in this conversation waits for a reply.")})
    for message in messages:
        inbox_close(actor=actor, message=message)
    for comment in comments:
        comment_mark_handled(actor=actor, comment=comment, note=_handled_note(note))
    return Conversation.objects.get(pk=conversation.pk)


@transaction.atomic
def conversation_hide(*, actor: Actor, conversation: Conversation, note: str) -> Conversation:
    """Spam or abuse: the fan's comments still shown are hidden on the platform (7.1, with the
    reason) and their messages waiting are closed without a reply (6.4)."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the conversation is hidden.")})
    comments = list(_fan_comments(conversation).filter(is_hidden=False))
    messages = list(_fan_messages(conversation).filter(status=InboxStatus.OPEN))
    if not comments and not messages:
        raise ValidationError({"status": _("Nothing of this fan is shown or waiting.")})
    for comment in comments:
        comment_hide(actor=actor, comment=comment, hidden=True, note=note)
    for message in messages:
        inbox_close(actor=actor, message=message)
    return Conversation.objects.get(pk=conversation.pk)


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # nothing in them to act on


@transaction.atomic
def conversations_bulk(
    *, actor: Actor, conversations: list[Conversation], action: str, assignee=None, note: str = ""
) -> BulkResult:
    """One action on many conversations at once: ``handled``, ``assign`` (to ``assignee``, or
    nobody) or ``hide`` (with ``note``). All or nothing: a refusal other than "nothing to do"
    undoes the whole batch; conversations with nothing to act on are skipped and named."""
    if action not in BulkAction.ALL:
        raise ValidationError({"action": _("Choose mark handled, assign or hide.")})
    if not conversations:
        raise ValidationError({"conversations": _("Choose at least one conversation.")})
    if len(conversations) > INBOX_BULK_CONVERSATIONS_MAX:
        raise ValidationError(
            {
                "conversations": _("%(count)d conversations; at most %(max)d at once.")
                % {"count": len(conversations), "max": INBOX_BULK_CONVERSATIONS_MAX}
            }
        )
    if action == BulkAction.HIDE and not (note or "").strip():
        raise ValidationError({"note": _("Say why the conversations are hidden.")})
    if (
        action == BulkAction.ASSIGN
        and assignee is not None
        and not staff_choices(actor.agency).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError({"assignee": _("%(user)s is not on this agency's staff.") % {"user": assignee}})
    result = BulkResult()
    if action == BulkAction.ASSIGN:
        ids = [c.pk for c in conversations]
        Conversation.objects.filter(pk__in=ids).update(assignee=assignee)
        result.done = ids
        return result
    for conversation in conversations:
        try:
            with transaction.atomic():
                if action == BulkAction.HANDLED:
                    conversation_mark_handled(actor=actor, conversation=conversation, note=note)
                else:
                    conversation_hide(actor=actor, conversation=conversation, note=note)
        except ValidationError as exc:
            if "status" not in getattr(exc, "error_dict", {}):
                raise
            result.skipped.append(conversation.pk)
        else:
            result.done.append(conversation.pk)
    return result


# --- saved replies ----------------------------------------------------------------------------


@transaction.atomic
def saved_reply_create(*, actor: Actor, title: str, text: str) -> SavedReply:
    """Keep a reply ready for the inbox; its variables are checked now, filled when used."""
    row = SavedReply(agency=actor.agency, title=(title or "").strip(), text=(text or "").strip())
    return validated_save(row)


@transaction.atomic
def saved_reply_update(
    *, actor: Actor, saved_reply: SavedReply, title: str = UNCHANGED, text: str = UNCHANGED
) -> SavedReply:
    """Change a saved reply's title or text (the fields given)."""
    values = given(title=title, text=text)
    row = SavedReply.objects.select_for_update().get(pk=saved_reply.pk)
    for name, value in values.items():
        setattr(row, name, (value or "").strip())
    return validated_save(row)
