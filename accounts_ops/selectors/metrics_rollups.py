"""The dashboards' figures read from the rollups (``accounts_ops.models.metrics_rollups``): a
period is read as whole months, whole ISO weeks and single days (``period_parts``), so a client's
accounts, its daily series, the agency's daily series and its best clients read a handful of
rows whatever the period. The answers are those of summing the daily rows
(``tests/accounts_ops/test_metrics_rollups.py`` compares them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, F, Q, Sum, When

from accounts_ops.models.metrics import AccountDailyMetric
from accounts_ops.models.metrics_rollups import (
    ROLLUP_COUNTS,
    AccountMetricRollup,
    AgencyMetricRollup,
    ClientMetricRollup,
    Grain,
)
from agency.tenancy import Actor

TOP_SHOWN = 10


@dataclass
class PeriodParts:
    """A period as the rollups hold it: the starts of its whole months and whole ISO weeks, and its
    remaining single days."""

    months: list[dt.date] = field(default_factory=list)
    weeks: list[dt.date] = field(default_factory=list)
    days: list[dt.date] = field(default_factory=list)

    def rollups(self, *, days: bool = True) -> Q:
        """The rollup rows of the period (``days=False``: its weeks and months only)."""
        parts = Q(grain=Grain.MONTH, starts_on__in=self.months) | Q(grain=Grain.WEEK, starts_on__in=self.weeks)
        if days:
            parts |= Q(grain=Grain.DAY, starts_on__in=self.days)
        return parts


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def period_parts(start: dt.date, end: dt.date) -> PeriodParts:
    """``start`` to ``end`` (both included) as whole months, then whole weeks that do not take a
    whole month's first day, then days."""
    parts = PeriodParts()
    day = start
    while day <= end:
        if day.day == 1 and _month_end(day) <= end:
            parts.months.append(day)
            day = _month_end(day) + dt.timedelta(days=1)
            continue
        week_end = day + dt.timedelta(days=6)
        if day.weekday() == 0 and week_end <= end and not _takes_a_month(day, week_end, end):
            parts.weeks.append(day)
            day = week_end + dt.timedelta(days=1)
            continue
        parts.days.append(day)
        day += dt.timedelta(days=1)
    return parts


def _takes_a_month(first: dt.date, last: dt.date, end: dt.date) -> bool:
    """A whole month (up to ``end``) starts after ``first`` and by ``last``."""
    following = _month_end(first) + dt.timedelta(days=1)
    return following <= last and _month_end(following) <= end


def _sums(prefix: str = "") -> dict:
    return {name: Sum(f"{prefix}{name}") for name in ROLLUP_COUNTS}


def _totals(row: dict) -> dict:
    return {name: row.get(name) or 0 for name in ROLLUP_COUNTS}


def daily_series(actor: Actor, start: dt.date, end: dt.date, *, client_id: int | None = None) -> list[dict]:
    """The summed figures per date of one client's accounts (``client_id``) or of every account
    ``actor`` sees; dates without figures are left out. One query over the days' rollups."""
    if client_id is None and actor.is_client_person:
        client_id = actor.client_id  # a client person sees their client's accounts only
    if client_id is None:
        rows = AgencyMetricRollup.objects.visible_to(actor)
    else:
        rows = ClientMetricRollup.objects.visible_to(actor).filter(client_id=client_id)
    rows = rows.filter(grain=Grain.DAY, starts_on__range=(start, end)).order_by("starts_on")
    return [
        {"date": row[0], **dict(zip(ROLLUP_COUNTS, row[1:], strict=True))}
        for row in rows.values_list("starts_on", *ROLLUP_COUNTS)
    ]


def account_totals(actor: Actor, start: dt.date, end: dt.date, *, client_id: int) -> dict[int, dict]:
    """Account id → its summed figures over the period, for the accounts of one client that have
    figures in it: its weeks and months from the account rollups, its single days from the daily
    rows."""
    parts = period_parts(start, end)
    queries = []
    if parts.months or parts.weeks:
        queries.append(
            AccountMetricRollup.objects.visible_to(actor)
            .filter(parts.rollups(days=False), client_id=client_id)
            .values("account_id")
            .annotate(**_sums())
            .order_by()
        )
    if parts.days:
        queries.append(
            AccountDailyMetric.objects.visible_to(actor)
            .filter(client_id=client_id, date__in=parts.days)
            .values("account_id")
            .annotate(**_sums())
            .order_by()
        )
    rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    totals: dict[int, dict] = {}
    for row in rows:  # one query
        total = totals.setdefault(row["account_id"], dict.fromkeys(ROLLUP_COUNTS, 0))
        for name in ROLLUP_COUNTS:
            total[name] += row[name] or 0
    return totals


def client_totals(actor: Actor, start: dt.date, end: dt.date, *, limit: int = TOP_SHOWN) -> list[dict]:
    """The clients with the most plays over the period, with their summed figures (a client whose
    daily rows all left plays out is not listed). One query over the clients' rollups."""
    reported = Sum("plays_reported")
    rows = (
        ClientMetricRollup.objects.visible_to(actor)
        .filter(period_parts(start, end).rollups())
        .values("client_id", "client__name")
        .annotate(**_sums(), reported=reported)
        .annotate(ranked=Case(When(reported__gt=0, then=F("plays"))))
        .order_by(F("ranked").desc(nulls_last=True), "client_id")[:limit]
    )
    return [
        {"client": row["client_id"], "name": row["client__name"], **_totals(row)}
        for row in rows
        if row["ranked"] is not None
    ]
