"""Reads of chapter 6 for pages, the API and the conformance checks: the current profile, flagged
accounts, due boosts, first-response times and campaign money. Fixed numbers of queries."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts_ops.models.basic import (
    MONEY_DIGITS,
    MONEY_PLACES,
    ZERO,
    AccountDirection,
    AdBudgetApproval,
    AdCampaign,
    AdSpend,
    BoostTask,
    BoostTaskStatus,
    InboxMessage,
    InboxStatus,
    OutboxReply,
    OutboxStatus,
    PinnedVideo,
    ProfileChange,
    ProfileChangeStatus,
    ProfileField,
    ReplyRule,
    SentConfirmation,
)
from agency.adjustable import adjustable
from agency.tenancy import Actor
from clients.models import AccountStatus, PlatformAccount

# 6.4: the agency's promise for answering a private message, measured from the message's arrival
# to the first reply sent. The standard asks for "timely" answers; the platforms' own service
# figure counts replies within 3 minutes.
DM_FIRST_RESPONSE_TARGET_SECONDS = adjustable(
    "dm_first_response_target_seconds",
    180,
    clause="6.4",
    minimum=10,
    maximum=7 * 24 * 3600,
    label=gettext_lazy("Target first-response time for private messages, in seconds (6.4)"),
)
RESPONSE_PERCENTILE = 90  # 6.4: the summary shows the median and this percentile


# --- 6.2 -------------------------------------------------------------------------------------


def current_profile(account: PlatformAccount) -> dict[str, ProfileChange | None]:
    """The latest applied change of each of the four parts (6.2), in one query."""
    changes = ProfileChange.objects.filter(account=account, status=ProfileChangeStatus.APPLIED).order_by(
        "field", "-applied_on", "-id"
    )
    profile: dict[str, ProfileChange | None] = dict.fromkeys(ProfileField.values)
    for change in changes:
        if profile[change.field] is None:
            profile[change.field] = change
    return profile


# --- 6.3 -------------------------------------------------------------------------------------


def open_pins():
    return PinnedVideo.objects.filter(account=OuterRef("pk"), unpinned_on__isnull=True)


def flagged_accounts(actor: Actor):
    """Active accounts with no pinned video (6.3 wants 1-3), e.g. after the last was unpinned."""
    return (
        PlatformAccount.objects.visible_to(actor)
        .filter(status=AccountStatus.ACTIVE)
        .filter(~Exists(open_pins()))
        .select_related("client")
        .order_by("client__name", "handle")
    )


def open_boost_tasks(actor: Actor):
    """The boosts operators have to do (6.3), oldest due first."""
    return (
        BoostTask.objects.visible_to(actor)
        .filter(status=BoostTaskStatus.OPEN)
        .select_related("pinned_video__video", "account", "client")
        .order_by("due_on", "id")
    )


# --- 6.4 -------------------------------------------------------------------------------------


def nearest_rank(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


@dataclass
class ResponseSummary:
    """First-response figures of one account over a window (6.4). Messages never answered count
    as infinitely late once the target has passed; closed messages and those still within the
    target are left out."""

    account_id: int
    messages: int
    answered: int
    unanswered_late: int
    median_seconds: float | None
    p90_seconds: float | None
    within_target: int
    target_seconds: int
    reported: int = 0  # first responses timed by a report through the API, not confirmed by the platform

    @property
    def meets_target(self) -> bool | None:
        if self.median_seconds is None:
            return None
        return self.median_seconds <= self.target_seconds

    @property
    def within_target_share(self) -> float | None:
        counted = self.answered + self.unanswered_late
        return self.within_target / counted if counted else None

    @staticmethod
    def show(seconds: float | None) -> str:
        if seconds is None:
            return "—"
        if math.isinf(seconds):
            return "∞"
        return f"{int(seconds)} s" if seconds < 120 else f"{seconds / 60:.1f} min"

    @property
    def median_display(self) -> str:
        return self.show(self.median_seconds)

    @property
    def p90_display(self) -> str:
        return self.show(self.p90_seconds)


def message_response_seconds(message: InboxMessage, *, as_of: dt.datetime, target: int) -> float | None:
    """A message's first-response time as it stood at ``as_of``: seconds to the first reply sent,
    infinity when still unanswered past the target, None when not counted."""
    if message.status == InboxStatus.CLOSED:
        return None
    if message.first_response_at is not None and message.first_response_at <= as_of:
        return float(message.first_response_seconds or 0)
    if (as_of - message.received_at).total_seconds() > target:
        return math.inf
    return None


def response_summaries(
    *, account_ids: list[int], start: dt.datetime, end: dt.datetime, target: int, as_of: dt.datetime | None = None
) -> dict[int, ResponseSummary]:
    """Per account: median and p90 first-response time of the messages received in [start, end)."""
    as_of = as_of or min(end, timezone.now())
    rows = InboxMessage.objects.filter(account_id__in=account_ids, received_at__gte=start, received_at__lt=end).only(
        "id",
        "account_id",
        "status",
        "received_at",
        "first_response_at",
        "first_response_seconds",
        "first_response_confirmation",
    )
    times: dict[int, list[float]] = {pk: [] for pk in account_ids}
    counts: dict[int, int] = dict.fromkeys(account_ids, 0)
    reported: dict[int, int] = dict.fromkeys(account_ids, 0)
    for message in rows:
        counts[message.account_id] += 1
        seconds = message_response_seconds(message, as_of=as_of, target=target)
        if seconds is not None:
            times[message.account_id].append(seconds)
            if not math.isinf(seconds) and message.first_response_confirmation == SentConfirmation.REPORTED:
                reported[message.account_id] += 1
    out = {}
    for pk in account_ids:
        values = times[pk]
        late = sum(1 for v in values if math.isinf(v))
        out[pk] = ResponseSummary(
            account_id=pk,
            messages=counts[pk],
            answered=len(values) - late,
            unanswered_late=late,
            median_seconds=statistics.median(values) if values else None,
            p90_seconds=nearest_rank(values, RESPONSE_PERCENTILE),
            within_target=sum(1 for v in values if v <= target),
            target_seconds=target,
            reported=reported[pk],
        )
    return out


def inbox_overview(actor: Actor, *, days: int = 30) -> list[tuple[PlatformAccount, ResponseSummary]]:
    """The last ``days`` of first-response figures for every active account with messages."""
    end = timezone.now()
    start = end - dt.timedelta(days=days)
    accounts = list(
        PlatformAccount.objects.visible_to(actor)
        .filter(status=AccountStatus.ACTIVE)
        .filter(Exists(InboxMessage.objects.filter(account=OuterRef("pk"), received_at__gte=start)))
        .select_related("client")
        .order_by("client__name", "handle")
    )
    target = actor.agency.setting(DM_FIRST_RESPONSE_TARGET_SECONDS)
    summaries = response_summaries(account_ids=[a.pk for a in accounts], start=start, end=end, target=target)
    return [(account, summaries[account.pk]) for account in accounts]


# --- 6.7 -------------------------------------------------------------------------------------


def with_money(queryset):
    """Campaigns with ``spent`` and ``approved_extra`` (6.7), as subqueries: no join fan-out."""
    money = DecimalField(max_digits=MONEY_DIGITS + 4, decimal_places=MONEY_PLACES)
    spent = (
        AdSpend.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    extra = (
        AdBudgetApproval.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum("extra_amount"))
        .values("total")
    )
    return queryset.annotate(
        spent=Coalesce(Subquery(spent, output_field=money), Value(ZERO), output_field=money),
        approved_extra=Coalesce(Subquery(extra, output_field=money), Value(ZERO), output_field=money),
    )


# --- the chapter's dashboard -------------------------------------------------------------------


def basic_operations_dashboard(actor: Actor) -> dict:
    """What the chapter 6 landing page shows (fixed number of queries)."""
    accounts = PlatformAccount.objects.visible_to(actor).filter(status=AccountStatus.ACTIVE)
    counts = accounts.aggregate(
        active=Count("id"),
        with_direction=Count(
            "id", filter=Q(Exists(AccountDirection.objects.filter(account=OuterRef("pk"), is_current=True)))
        ),
        with_rules=Count("id", filter=Q(Exists(ReplyRule.objects.filter(account=OuterRef("pk"), is_active=True)))),
    )
    inbox = InboxMessage.objects.visible_to(actor).aggregate(
        waiting=Count("id", filter=Q(status=InboxStatus.OPEN)),
    )
    outbox = OutboxReply.objects.visible_to(actor).filter(status=OutboxStatus.QUEUED).count()
    campaigns = list(
        with_money(AdCampaign.objects.visible_to(actor).exclude(status__in=["finished", "cancelled"]))
        .select_related("client", "account")
        .order_by("ends_on")[:10]
    )
    return {
        "counts": counts,
        "inbox": inbox,
        "outbox_queued": outbox,
        "boost_tasks": list(open_boost_tasks(actor)[:20]),
        "flagged_accounts": list(flagged_accounts(actor)[:20]),
        "profile_waiting": list(
            ProfileChange.objects.visible_to(actor)
            .filter(status=ProfileChangeStatus.REQUESTED)
            .select_related("account")
            .order_by("requested_at")[:10]
        ),
        "campaigns": campaigns,
        "response": inbox_overview(actor),
        "target_seconds": actor.agency.setting(DM_FIRST_RESPONSE_TARGET_SECONDS),
    }


def account_operations(actor: Actor, account: PlatformAccount) -> dict:
    """Everything chapter 6 knows about one account, for its page."""
    directions = list(AccountDirection.objects.visible_to(actor).filter(account=account).order_by("-version"))
    pins = list(
        PinnedVideo.objects.visible_to(actor)
        .filter(account=account)
        .select_related("video")
        .annotate(boost_count=Count("boosts"))
        .order_by("unpinned_on", "slot", "-pinned_on")
    )
    return {
        "directions": directions,
        "current_direction": next((d for d in directions if d.is_current), None),
        "profile": current_profile(account),
        "profile_history": list(
            ProfileChange.objects.visible_to(actor).filter(account=account).order_by("-requested_at")[:30]
        ),
        "pins": [p for p in pins if p.unpinned_on is None],
        "past_pins": [p for p in pins if p.unpinned_on is not None][:10],
        "boost_tasks": list(
            BoostTask.objects.visible_to(actor).filter(account=account, status=BoostTaskStatus.OPEN).order_by("due_on")
        ),
        "rules": list(ReplyRule.objects.visible_to(actor).filter(account=account).order_by("priority", "id")),
        "recent_messages": list(
            InboxMessage.objects.visible_to(actor)
            .filter(account=account)
            .select_related("matched_rule")
            .order_by("-received_at")[:20]
        ),
        "campaigns": list(
            with_money(AdCampaign.objects.visible_to(actor).filter(account=account)).order_by("-starts_on")
        ),
    }
