"""Reads of clause 6.4, private-message auto-replies: settings, rules, the inbox and the outbox.
Fixed numbers of queries."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts_ops.models.inbox import InboxMessage, InboxStatus, SentConfirmation
from accounts_ops.rules import DM_FIRST_RESPONSE_TARGET_SECONDS, RESPONSE_PERCENTILE
from agency.tenancy import Actor
from clients.models import AccountStatus, PlatformAccount


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
    # The next moment a figure changes with nothing written: a first response already stamped
    # later than ``as_of`` counts from then, a message still within the target turns late then.
    changes_at: dt.datetime | None = None

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


def message_changes_at(message: InboxMessage, *, as_of: dt.datetime, target: int) -> dt.datetime | None:
    """When ``message_response_seconds`` of ``message`` next changes as ``as_of`` moves on, with
    nothing written (None: never)."""
    if message.status == InboxStatus.CLOSED:
        return None
    if message.first_response_at is not None and message.first_response_at <= as_of:
        return None
    late_at = message.received_at + dt.timedelta(seconds=target)
    moments = [moment for moment in (late_at, message.first_response_at) if moment is not None and moment > as_of]
    return min(moments, default=None)


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
    changes: dict[int, dt.datetime | None] = dict.fromkeys(account_ids)
    for message in rows:
        counts[message.account_id] += 1
        moment = message_changes_at(message, as_of=as_of, target=target)
        if moment is not None and (changes[message.account_id] is None or moment < changes[message.account_id]):
            changes[message.account_id] = moment
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
            changes_at=changes[pk],
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
