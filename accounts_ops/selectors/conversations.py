"""Reads of the one inbox (6.4 private messages and 7.1 comments, one conversation per fan): the
list with each conversation's status, latest words and response clock, read in one query for a
page; a conversation's history across messages and comments in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from accounts_ops.models.comments import (
    CommentAction,
    CommentActionKind,
    CommentActionStatus,
    CommentStatus,
    VideoComment,
)
from accounts_ops.models.conversations import Conversation, ConversationStatus
from accounts_ops.models.inbox import InboxMessage, InboxStatus, OutboxReply, OutboxStatus
from accounts_ops.rules import COMMENT_ANSWER_HOURS, DM_FIRST_RESPONSE_TARGET_SECONDS
from agency.tenancy import Actor

MINE, UNASSIGNED = "mine", "none"


def _messages():
    return InboxMessage.objects.filter(account_id=OuterRef("account_id"), sender_uid=OuterRef("fan_uid"))


def _comments():
    return VideoComment.objects.filter(
        account_id=OuterRef("account_id"), author_uid=OuterRef("fan_uid"), is_from_account=False
    )


def conversations_visible(actor: Actor) -> QuerySet[Conversation]:
    """The conversations ``actor`` may see, with their standing (``with_standing``)."""
    return with_standing(Conversation.objects.visible_to(actor))


def with_standing(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Each conversation with ``state`` (a ``ConversationStatus``), ``waiting_since`` (the oldest
    message or comment still owed a reply), the oldest waiting of each kind (for the clock) and the
    latest message and comment (for the preview), all in the one query."""
    message_since = Subquery(
        _messages().filter(status=InboxStatus.OPEN).order_by("received_at").values("received_at")[:1],
        output_field=DateTimeField(),
    )
    comment_since = Subquery(
        _comments().filter(status=CommentStatus.WAITING, is_hidden=False).order_by("posted_at").values("posted_at")[:1],
        output_field=DateTimeField(),
    )
    queued = Exists(
        OutboxReply.objects.filter(
            account_id=OuterRef("account_id"), message__sender_uid=OuterRef("fan_uid"), status=OutboxStatus.QUEUED
        )
    ) | Exists(
        CommentAction.objects.filter(
            account_id=OuterRef("account_id"),
            comment__author_uid=OuterRef("fan_uid"),
            kind=CommentActionKind.REPLY,
            status=CommentActionStatus.QUEUED,
        )
    )
    latest_message = _messages().order_by("-received_at", "-id")
    latest_comment = _comments().order_by("-posted_at", "-id")
    return (
        queryset.select_related("account", "client", "assignee")
        .annotate(
            message_waiting_since=message_since,
            comment_waiting_since=comment_since,
        )
        .annotate(
            waiting_since=Least(
                Coalesce("message_waiting_since", "comment_waiting_since"),
                Coalesce("comment_waiting_since", "message_waiting_since"),
            ),
        )
        .annotate(
            state=Case(
                When(waiting_since__isnull=False, then=Value(ConversationStatus.WAITING)),
                When(queued, then=Value(ConversationStatus.QUEUED)),
                default=Value(ConversationStatus.DONE),
                output_field=CharField(),
            ),
            last_message_text=Subquery(latest_message.values("text")[:1]),
            last_message_at=Subquery(latest_message.values("received_at")[:1], output_field=DateTimeField()),
            last_comment_text=Subquery(latest_comment.values("text")[:1]),
            last_comment_at=Subquery(latest_comment.values("posted_at")[:1], output_field=DateTimeField()),
        )
    )


@dataclass(frozen=True)
class Filters:
    status: str = ConversationStatus.WAITING  # "" for every status
    assigned: str = ""  # MINE, UNASSIGNED, or "" for anyone
    account_id: int | None = None
    search: str = ""


def conversation_list(actor: Actor, filters: Filters = Filters()) -> QuerySet[Conversation]:
    """The inbox: waiting conversations longest-waiting first; others most recent first."""
    queryset = conversations_visible(actor)
    if filters.status:
        queryset = queryset.filter(state=filters.status)
    if filters.assigned == MINE:
        queryset = queryset.filter(assignee_id=actor.user.pk)
    elif filters.assigned == UNASSIGNED:
        queryset = queryset.filter(assignee__isnull=True)
    if filters.account_id:
        queryset = queryset.filter(account_id=filters.account_id)
    if filters.search:
        queryset = queryset.filter(Q(fan_nickname__icontains=filters.search) | Q(fan_uid=filters.search))
    if filters.status == ConversationStatus.WAITING:
        return queryset.order_by("waiting_since", "id")
    return queryset.order_by("-last_activity_at", "-id")


@dataclass(frozen=True)
class Targets:
    """The agency's promises: a private message answered within seconds (6.4), a comment within
    hours (7.1)."""

    message_seconds: int
    comment_seconds: int

    @classmethod
    def of(cls, agency) -> Targets:
        return cls(
            message_seconds=int(agency.setting(DM_FIRST_RESPONSE_TARGET_SECONDS)),
            comment_seconds=int(agency.setting(COMMENT_ANSWER_HOURS)) * 3600,
        )


@dataclass(frozen=True)
class Clock:
    """How long is left to answer (negative: how late) against the agency's targets."""

    due_at: dt.datetime
    seconds_left: int
    target_seconds: int

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0

    @property
    def minutes(self) -> int:
        """Whole minutes left or late, at least one."""
        return max(1, abs(self.seconds_left) // 60)


def clock_of(conversation: Conversation, targets: Targets, now: dt.datetime) -> Clock | None:
    """The conversation's clock: the earliest promise among what waits; None when nothing waits."""
    dues = []
    if conversation.message_waiting_since is not None:
        dues.append(
            (
                conversation.message_waiting_since + dt.timedelta(seconds=targets.message_seconds),
                targets.message_seconds,
            )
        )
    if conversation.comment_waiting_since is not None:
        dues.append(
            (
                conversation.comment_waiting_since + dt.timedelta(seconds=targets.comment_seconds),
                targets.comment_seconds,
            )
        )
    if not dues:
        return None
    due_at, target = min(dues)
    return Clock(due_at=due_at, seconds_left=int((due_at - now).total_seconds()), target_seconds=target)


def with_previews(conversations, actor: Actor, now: dt.datetime | None = None) -> list[Conversation]:
    """The page's conversations with ``clock``, ``preview`` and ``preview_kind`` set (no query)."""
    targets = Targets.of(actor.agency)
    now = now or timezone.now()
    out = []
    for conversation in conversations:
        conversation.clock = clock_of(conversation, targets, now)
        message_at, comment_at = conversation.last_message_at, conversation.last_comment_at
        if comment_at is None or (message_at is not None and message_at >= comment_at):
            conversation.preview, conversation.preview_kind = conversation.last_message_text or "", "message"
        else:
            conversation.preview, conversation.preview_kind = conversation.last_comment_text or "", "comment"
        out.append(conversation)
    return out


@dataclass
class ThreadItem:
    """One message or comment of the fan, with what the account answered to it."""

    kind: str  # "message" or "comment"
    at: dt.datetime
    row: InboxMessage | VideoComment
    replies: list = field(default_factory=list)  # OutboxReply or CommentAction rows, oldest first

    @property
    def target(self) -> str:
        return f"{self.kind}:{self.row.pk}"

    @property
    def waiting(self) -> bool:
        if self.kind == "message":
            return self.row.status == InboxStatus.OPEN
        return self.row.status == CommentStatus.WAITING and not self.row.is_hidden


def conversation_thread(actor: Actor, conversation: Conversation) -> list[ThreadItem]:
    """The history with the fan across private messages and comments, oldest first: four queries."""
    messages = list(
        InboxMessage.objects.visible_to(actor)
        .filter(account_id=conversation.account_id, sender_uid=conversation.fan_uid)
        .select_related("matched_rule")
    )
    comments = list(
        VideoComment.objects.visible_to(actor)
        .filter(account_id=conversation.account_id, author_uid=conversation.fan_uid, is_from_account=False)
        .select_related("video")
    )
    items = {("message", m.pk): ThreadItem("message", m.received_at, m) for m in messages}
    items.update({("comment", c.pk): ThreadItem("comment", c.posted_at, c) for c in comments})
    for reply in (
        OutboxReply.objects.visible_to(actor)
        .filter(message_id__in=[m.pk for m in messages])
        .select_related("author")
        .order_by("id")
    ):
        items[("message", reply.message_id)].replies.append(reply)
    for action in (
        CommentAction.objects.visible_to(actor)
        .filter(comment_id__in=[c.pk for c in comments])
        .select_related("author")
        .order_by("id")
    ):
        items[("comment", action.comment_id)].replies.append(action)
    return sorted(items.values(), key=lambda item: (item.at, item.kind, item.row.pk))


def next_waiting(actor: Actor, after: Conversation, filters: Filters = Filters()) -> Conversation | None:
    """The conversation to open after answering ``after`` ("reply and next"): the first one of the
    list still waiting, other than ``after``."""
    waiting = Filters(status=ConversationStatus.WAITING, assigned=filters.assigned, account_id=filters.account_id)
    return conversation_list(actor, waiting).exclude(pk=after.pk).first()


def counts_by_status(actor: Actor) -> dict[str, int]:
    """How many conversations stand in each status (one query)."""
    rows = conversations_visible(actor).order_by().values("state").annotate(n=Count("id"))
    counts = dict.fromkeys(ConversationStatus.values, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts
