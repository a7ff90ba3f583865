"""What the account operations app contributes to today's work (chapters 6 and 7). Messages and
comments waiting lead to the one inbox: the section to its list of conversations waiting, a row to
its fan's conversation (the old message or comment page only for a row no conversation holds yet)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts_ops.models import AlertStatus, CommentStatus, OpinionAlert, Sentiment, VideoComment
from accounts_ops.models.conversations import Conversation
from accounts_ops.models.inbox import InboxMessage, InboxStatus
from accounts_ops.selectors.pinned import flagged_accounts, open_boost_tasks
from agency.roles import CHANGE
from agency.today import WorkRow, WorkSection, first_rows, local, today_section

# The columns of a row's account its text names (``PlatformAccount.__str__``): a section reads only
# what its rows show.
ACCOUNT_NAME = ("account__platform", "account__handle")


def _with_conversation(queryset, fan_field: str):
    """Each row with the id of its fan's conversation on its account (None before there is one)."""
    conversation = Conversation.objects.filter(account_id=OuterRef("account_id"), fan_uid=OuterRef(fan_field))
    return queryset.annotate(conversation_pk=Subquery(conversation.values("pk")[:1]))


def _in_the_inbox(row) -> str:
    if row.conversation_pk is None:
        return row.get_absolute_url()
    return reverse("accounts_ops:conversation-detail", args=[row.conversation_pk])


@today_section(resource="boost", order=30)
def boosts_due(actor, today):
    queryset = open_boost_tasks(actor).filter(due_on__lte=today)
    count, rows = first_rows(
        queryset,
        lambda t: WorkRow(f"{t.account} · {t.pinned_video.video}", "", f"{t.due_on:%Y-%m-%d}", t.due_on < today),
    )
    return WorkSection(_("Pinned videos due a boost (6.3)"), count, reverse("accounts_ops:boost-list"), rows)


@today_section(resource="inbox", order=31)
def messages_waiting(actor, today):
    queryset = _with_conversation(
        InboxMessage.objects.visible_to(actor)
        .filter(status=InboxStatus.OPEN)
        .select_related("account")
        .only("sender_nickname", "sender_uid", "text", "received_at", *ACCOUNT_NAME)
        .order_by("received_at", "id"),
        "sender_uid",
    )
    count, rows = first_rows(
        queryset,
        lambda m: WorkRow(
            f"{m.account} · {m.sender_nickname or m.sender_uid}: {m.text[:40]}",
            _in_the_inbox(m),
            f"{local(m.received_at, actor):%m-%d %H:%M}",
        ),
    )
    url = reverse("accounts_ops:conversation-list")  # the inbox opens on the conversations waiting
    return WorkSection(_("Private messages waiting for a reply (6.4)"), count, url, rows)


@today_section(resource="pinned_video", order=32)
def accounts_without_pins(actor, today):
    count, rows = first_rows(
        flagged_accounts(actor).only("platform", "handle", "client__name"),
        lambda a: WorkRow(f"{a.client} · {a}", reverse("accounts_ops:account", args=[a.pk])),
    )
    return WorkSection(_("Active accounts with no pinned video (6.3)"), count, reverse("accounts_ops:pin-list"), rows)


@today_section(resource="comment", order=33, action=CHANGE)
def comments_waiting(actor, today):
    """7.1: comments waiting for someone to handle them, negative ones first."""
    queryset = _with_conversation(
        VideoComment.objects.visible_to(actor)
        .filter(is_from_account=False, status=CommentStatus.WAITING)
        .select_related("account")
        .only("author_nickname", "text", "sentiment", *ACCOUNT_NAME)
        .annotate(
            negative_first=Case(
                When(sentiment=Sentiment.NEGATIVE, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("negative_first", "posted_at", "id"),
        "author_uid",
    )
    count, rows = first_rows(
        queryset,
        lambda c: WorkRow(
            f"{c.account} · {c.author_nickname or '—'}: {c.text[:40]}",
            _in_the_inbox(c),
            c.get_sentiment_display() if c.sentiment else "",
        ),
    )
    url = reverse("accounts_ops:conversation-list")
    return WorkSection(_("Comments waiting to be handled (7.1)"), count, url, rows)


@today_section(resource="opinion_alert", order=34, action=CHANGE)
def alerts_open(actor, today):
    """7.1: opinion alerts still open."""
    queryset = (
        OpinionAlert.objects.visible_to(actor)
        .filter(status=AlertStatus.OPEN)
        .select_related("account")
        .only("raised_at", *ACCOUNT_NAME)
        .order_by("raised_at", "id")
    )
    count, rows = first_rows(
        queryset, lambda a: WorkRow(str(a.account), a.get_absolute_url(), f"{local(a.raised_at, actor):%m-%d %H:%M}")
    )
    return WorkSection(_("Open opinion alerts (7.1)"), count, reverse("accounts_ops:alert-list") + "?status=open", rows)
