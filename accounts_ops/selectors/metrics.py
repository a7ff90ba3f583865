"""Reads of the platform's daily account metrics for charts and key figures: fans, plays and
engagement over time for one account, a client's accounts or the whole agency, and each client's
figures beside the previous period's (the trend arrows of the overview). Each function runs a fixed
number of queries, whatever the number of accounts or days.

Engagement is counted as the platform's interactions (likes + comments + shares); the engagement
rate is interactions ÷ plays, as the 8.3 valuation reads it (``extensions.valuation``).

The dashboard APIs (a client's dashboard and the agency's overview) read totals per account, a
daily series and the best clients of a period from the rollups (``metrics_rollups``), and the best
videos of a period here: each one query over an index that starts with ``agency`` (the metric
tables hold a year of rows per account).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts_ops.models.metrics import AccountDailyMetric, VideoDailyMetric
from accounts_ops.models.metrics_rollups import AgencyMetricRollup, ClientMetricRollup, Grain
from accounts_ops.selectors.metrics_rollups import PeriodParts, period_parts
from agency.charts import BAR, LEVEL, LINE, RATE, Chart, Series
from agency.tenancy import Actor
from clients.models import AccountStatus, Client, PlatformAccount

ENGAGEMENT_COUNTS = ("likes", "comments", "shares")
CHART_DAYS = (30, 90, 365)  # the ranges a page offers; the first is the default
FIGURE_DAYS = 30  # key figures compare the last 30 days with the 30 before


def chart_days(value) -> int:
    """``?days=`` of a chart page or endpoint: one of ``CHART_DAYS``, else the default."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return CHART_DAYS[0]
    return days if days in CHART_DAYS else CHART_DAYS[0]


def engagement_rate(interactions: int | None, plays: int | None) -> float | None:
    """Interactions per 100 plays, to two places; unknown without plays."""
    if not plays or interactions is None:
        return None
    return round(interactions * 100 / plays, 2)


@dataclass
class MetricSeries:
    """Daily figures over a window: fans at the end of each day (summed over the accounts, each
    account's last known count carried forward), and the day's plays and interactions."""

    dates: list[dt.date]
    fans: list[int | None]
    plays: list[int | None]
    interactions: list[int | None]

    @property
    def engagement(self) -> list[float | None]:
        return [engagement_rate(i, p) for i, p in zip(self.interactions, self.plays, strict=True)]

    def chart(self, title: str = "") -> Chart:
        return Chart(
            title=title or _("Fans, plays and engagement"),
            labels=[d.isoformat() for d in self.dates],
            series=[
                Series("fans", _("Fans"), self.fans, measure=LEVEL),
                Series("plays", _("Plays"), self.plays, style=BAR),
                Series("interactions", _("Likes, comments and shares"), self.interactions, axis="y2"),
                Series("engagement", _("Engagement rate"), self.engagement, style=LINE, percent=True, measure=RATE),
            ],
        )


def _dates(end: dt.date, days: int) -> list[dt.date]:
    return [end - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]


# How far back the first look for an account's fan count reaches: the month partitions it spans
# are read newest first and the rest pruned (docs/scaling.md, "Partitioning").
RECENT_FANS_DAYS = 31


def latest_fans(on_or_before: dt.date) -> Coalesce:
    """An account's last reported fan count on or before a day (the unique (account, date) key
    serves it). It is looked for in the last ``RECENT_FANS_DAYS`` days first, which touches one or
    two monthly partitions, and only for an account with no count there over every day before
    (PostgreSQL evaluates the second only when the first is null): the same figure either way,
    without an index probe into every month for every account."""

    def last(**dates) -> Subquery:
        return Subquery(
            AccountDailyMetric.objects.filter(account=OuterRef("pk"), followers_total__isnull=False, **dates)
            .order_by("-date")
            .values("followers_total")[:1]
        )

    recent = last(date__lte=on_or_before, date__gt=on_or_before - dt.timedelta(days=RECENT_FANS_DAYS))
    return Coalesce(recent, last(date__lte=on_or_before))


def metric_series(actor: Actor, accounts: Iterable[PlatformAccount], *, days: int) -> MetricSeries:
    """The daily series of the given accounts (already scoped to what ``actor`` may see) over the
    last ``days`` days in the agency's time zone: two queries."""
    end = actor.agency.today()
    dates = _dates(end, days)
    start = dates[0]
    account_ids = [a.pk for a in accounts]
    before = dict(
        PlatformAccount.objects.visible_to(actor)
        .filter(pk__in=account_ids)
        .annotate(fans=latest_fans(start - dt.timedelta(days=1)))
        .values_list("pk", "fans")
    )
    rows = (
        AccountDailyMetric.objects.visible_to(actor)
        .filter(account_id__in=account_ids, date__gte=start, date__lte=end)
        .values_list("account_id", "date", "followers_total", "plays", *ENGAGEMENT_COUNTS)
        .order_by()
    )
    fans_on: dict[tuple[int, dt.date], int] = {}
    plays: dict[dt.date, int] = defaultdict(int)
    interactions: dict[dt.date, int] = defaultdict(int)
    reported: set[dt.date] = set()
    for account_id, day, followers, day_plays, *counts in rows:
        if followers is not None:
            fans_on[account_id, day] = followers
        if day_plays is not None:
            plays[day] += day_plays
            reported.add(day)
        known = [c for c in counts if c is not None]
        if known:
            interactions[day] += sum(known)
            reported.add(day)
    fans: list[int | None] = []
    last = {pk: before.get(pk) for pk in account_ids}
    for day in dates:
        for pk in account_ids:
            if (pk, day) in fans_on:
                last[pk] = fans_on[pk, day]
        known = [v for v in last.values() if v is not None]
        fans.append(sum(known) if known else None)
    return MetricSeries(
        dates=dates,
        fans=fans,
        plays=[plays[d] if d in reported else None for d in dates],
        interactions=[interactions[d] if d in reported else None for d in dates],
    )


def account_series(actor: Actor, account: PlatformAccount, *, days: int) -> MetricSeries:
    return metric_series(actor, [account], days=days)


def client_series(actor: Actor, client: Client, *, days: int) -> MetricSeries:
    """A client's active accounts together."""
    accounts = PlatformAccount.objects.visible_to(actor).filter(client=client, status=AccountStatus.ACTIVE)
    return metric_series(actor, list(accounts.only("pk")), days=days)


def agency_activity(actor: Actor, *, days: int) -> MetricSeries:
    """Plays and interactions per day across the agency's accounts (one query over the agency's
    day rollups; fans are in ``key_figures``). A day none of whose rows reported plays has no plays."""
    end = actor.agency.today()
    dates = _dates(end, days)
    rows = _period_rollups(actor).filter(grain=Grain.DAY, starts_on__range=(dates[0], end)).values_list(*ROLLUP_ROW)
    return _activity(dates, rows)


# The columns of a rollup row the key figures and the activity chart read, in this order.
ROLLUP_ROW = ("grain", "starts_on", "plays", "plays_reported", "likes", "comments", "shares", "days")


def _activity(dates: list[dt.date], rows) -> MetricSeries:
    """The activity series of ``dates`` from rollup rows (``ROLLUP_ROW``; the day rows among them)."""
    per_day = {row[1]: row[1:7] for row in rows if row[0] == Grain.DAY and dates[0] <= row[1] <= dates[-1]}
    return MetricSeries(
        dates=dates,
        fans=[None] * len(dates),
        plays=[per_day[d][1] if d in per_day and per_day[d][2] else None for d in dates],
        interactions=[sum(per_day[d][3:]) if d in per_day else None for d in dates],
    )


def _period_rollups(actor: Actor):
    """The rollup rows of everything ``actor`` sees: the agency's, or a client person's client's."""
    if actor.is_client_person:
        return ClientMetricRollup.objects.visible_to(actor).filter(client_id=actor.client_id)
    return AgencyMetricRollup.objects.visible_to(actor)


def _period_figures(now: PeriodParts, before: PeriodParts) -> dict:
    """The sums of a period and of the one before it over rollup rows, with what tells an unknown
    figure from a zero: rows summed (``days``) and rows that reported plays."""
    out = {}
    for name, parts in (("now", now.rollups()), ("before", before.rollups())):
        out[f"plays_{name}"] = Sum("plays", filter=parts)
        out[f"reported_{name}"] = Sum("plays_reported", filter=parts)
        out[f"days_{name}"] = Sum("days", filter=parts)
        out[f"inter_{name}"] = Sum(F("likes") + F("comments") + F("shares"), filter=parts)
    return out


def _known(row: dict) -> tuple:
    """Plays now and before, interactions now and before, as the sums of the daily rows say them:
    plays unknown where no row reported any, interactions unknown where there is no row."""
    return (
        row.get("plays_now") if row.get("reported_now") else None,
        row.get("plays_before") if row.get("reported_before") else None,
        row.get("inter_now") if row.get("days_now") else None,
        row.get("inter_before") if row.get("days_before") else None,
    )


# --- key figures with their trend ---------------------------------------------------------------


@dataclass
class Trend:
    """A figure beside the same figure one period earlier."""

    value: float | int | None
    previous: float | int | None

    @property
    def change_pct(self) -> float | None:
        if self.value is None or not self.previous:
            return None
        return round((self.value - self.previous) * 100 / self.previous, 1)

    @property
    def direction(self) -> str:
        """``up``, ``down`` or ``flat`` (also when either value is unknown)."""
        if self.value is None or self.previous is None or self.value == self.previous:
            return "flat"
        return "up" if self.value > self.previous else "down"


@dataclass
class Figures:
    """Fans now and ``FIGURE_DAYS`` ago, plays and engagement rate over the last ``FIGURE_DAYS``
    days and the ``FIGURE_DAYS`` before."""

    fans: Trend
    plays: Trend
    engagement: Trend


def _figures(fans_now, fans_before, plays_now, plays_before, inter_now, inter_before) -> Figures:
    return Figures(
        fans=Trend(fans_now, fans_before),
        plays=Trend(plays_now, plays_before),
        engagement=Trend(engagement_rate(inter_now, plays_now), engagement_rate(inter_before, plays_before)),
    )


def _interactions(date_filter: Q):
    return Sum(
        Coalesce("likes", 0) + Coalesce("comments", 0) + Coalesce("shares", 0),
        filter=date_filter,
    )


def client_figures(actor: Actor, client_ids: list[int], *, days: int = FIGURE_DAYS) -> dict[int, Figures]:
    """Each client's figures (over its active accounts) with their trend: two queries."""
    return _figures_by(actor, "client_id", client_ids, days=days)


def account_figures(actor: Actor, account_ids: list[int], *, days: int = FIGURE_DAYS) -> dict[int, Figures]:
    """Each account's figures with their trend: two queries."""
    return _figures_by(actor, "account_id", account_ids, days=days)


def _figures_by(actor: Actor, key: str, ids: list[int], *, days: int) -> dict[int, Figures]:
    """Figures grouped by client or by account: the fans from each account's daily rows, the
    activity from the clients' rollups, or an account's daily rows. An account with no reported fan
    count counts with the figure kept on the account."""
    today = actor.agency.today()
    start = today - dt.timedelta(days=days - 1)
    earlier = start - dt.timedelta(days=days)
    account_key = "pk" if key == "account_id" else key
    fans_now: dict[int, int] = defaultdict(int)
    fans_before: dict[int, int | None] = {}
    accounts = (
        PlatformAccount.objects.visible_to(actor)
        .filter(**{f"{account_key}__in": ids})
        .annotate(now=latest_fans(today), before=latest_fans(start - dt.timedelta(days=1)))
    )
    if key == "client_id":
        accounts = accounts.filter(status=AccountStatus.ACTIVE)
    for group, followers, now, before in accounts.values_list(account_key, "followers", "now", "before"):
        fans_now[group] += now if now is not None else followers
        if before is not None:
            fans_before[group] = (fans_before.get(group) or 0) + before
    if key == "client_id":  # the clients' rollups: a handful of rows per client and period
        now, before = period_parts(start, today), period_parts(earlier, start - dt.timedelta(days=1))
        activity = {
            row[key]: _known(row)
            for row in ClientMetricRollup.objects.visible_to(actor)
            .filter(now.rollups() | before.rollups(), client_id__in=ids)
            .values(key)
            .annotate(**_period_figures(now, before))
            .order_by()
        }
    else:
        recent, older = Q(date__gte=start), Q(date__lt=start)
        activity = {
            row[key]: (row["plays_now"], row["plays_before"], row["inter_now"], row["inter_before"])
            for row in AccountDailyMetric.objects.visible_to(actor)
            .filter(**{f"{key}__in": ids}, date__gte=earlier, date__lte=today)
            .values(key)
            .annotate(
                plays_now=Sum("plays", filter=recent),
                plays_before=Sum("plays", filter=older),
                inter_now=_interactions(recent),
                inter_before=_interactions(older),
            )
            .order_by()
        }
    return {
        group: _figures(fans_now.get(group), fans_before.get(group), *activity.get(group, (None,) * 4)) for group in ids
    }


def _agency_fans(actor: Actor, today: dt.date, start: dt.date) -> tuple[int, int | None]:
    """Fans across the active accounts today and the day before ``start`` (one query; in no
    order, so without the join to the clients the accounts' own order needs)."""
    fans_now, fans_before = 0, None
    accounts = (
        PlatformAccount.objects.visible_to(actor)
        .filter(status=AccountStatus.ACTIVE)
        .annotate(now=latest_fans(today), before=latest_fans(start - dt.timedelta(days=1)))
        .order_by()
        .values_list("followers", "now", "before")
    )
    for followers, now, before in accounts:
        fans_now += now if now is not None else followers
        if before is not None:
            fans_before = (fans_before or 0) + before
    return fans_now, fans_before


def agency_figures(actor: Actor, *, days: int = FIGURE_DAYS) -> Figures:
    """The same figures across every active account of the agency: two queries (the activity from
    the agency's rollups)."""
    today = actor.agency.today()
    start = today - dt.timedelta(days=days - 1)
    fans_now, fans_before = _agency_fans(actor, today, start)
    earlier = start - dt.timedelta(days=days)
    now, before = period_parts(start, today), period_parts(earlier, start - dt.timedelta(days=1))
    activity = _period_rollups(actor).filter(now.rollups() | before.rollups()).aggregate(**_period_figures(now, before))
    return _figures(fans_now, fans_before, *_known(activity))


def agency_figures_and_activity(actor: Actor, *, days: int = FIGURE_DAYS, chart_days: int = CHART_DAYS[0]):
    """``agency_figures`` and ``agency_activity(days=chart_days)`` together, as the home page shows
    them: the fans (one query) and one query over the agency's rollups for both (the figures'
    months, weeks and days, and the chart's days), summed here as the two would sum them."""
    today = actor.agency.today()
    start = today - dt.timedelta(days=days - 1)
    fans_now, fans_before = _agency_fans(actor, today, start)
    earlier = start - dt.timedelta(days=days)
    now, before = period_parts(start, today), period_parts(earlier, start - dt.timedelta(days=1))
    dates = _dates(today, chart_days)
    chart = Q(grain=Grain.DAY, starts_on__range=(dates[0], today))
    rows = list(_period_rollups(actor).filter(now.rollups() | before.rollups() | chart).values_list(*ROLLUP_ROW))
    activity = {**_summed(rows, now, "now"), **_summed(rows, before, "before")}
    return _figures(fans_now, fans_before, *_known(activity)), _activity(dates, rows)


def _summed(rows, parts: PeriodParts, name: str) -> dict:
    """``_period_figures`` of one period, summed here over rollup rows (``ROLLUP_ROW``): None where
    the period has no row, as SQL's SUM over no rows."""
    kept = {(Grain.MONTH, day) for day in parts.months} | {(Grain.WEEK, day) for day in parts.weeks}
    kept |= {(Grain.DAY, day) for day in parts.days}
    mine = [row for row in rows if (row[0], row[1]) in kept]
    if not mine:
        return {f"{figure}_{name}": None for figure in ("plays", "reported", "days", "inter")}
    return {
        f"plays_{name}": sum(row[2] for row in mine),
        f"reported_{name}": sum(row[3] for row in mine),
        f"days_{name}": sum(row[7] for row in mine),
        f"inter_{name}": sum(row[4] + row[5] + row[6] for row in mine),
    }


# --- the dashboard APIs: totals, a daily series, the best videos ---------------------------------

TOP_SHOWN = 10  # the best videos (and clients) a dashboard lists

SERIES_COUNTS = ("plays", "likes", "comments", "shares", "followers_gained")
VIDEO_COUNTS = ("plays", "likes", "comments", "shares")


def _totals(rows, counts) -> dict:
    return {name: rows.get(name) or 0 for name in counts}


def top_videos(
    actor: Actor, start: dt.date, end: dt.date, *, account_ids: list[int], limit: int = TOP_SHOWN
) -> list[dict]:
    """The videos of these accounts with the most plays over the period, with their totals (one
    query: the videos' own columns are joined to the sums)."""
    if not account_ids:
        return []
    rows = (
        VideoDailyMetric.objects.visible_to(actor)
        .filter(account_id__in=account_ids, date__range=(start, end))
        .values("video_id", "video__account_id", "video__title", "video__published_at")
        .annotate(**{name: Sum(name) for name in VIDEO_COUNTS})
        .order_by(F("plays").desc(nulls_last=True), "video_id")[:limit]
    )
    return [
        {
            "id": row["video_id"],
            "account": row["video__account_id"],
            "title": row["video__title"],
            "published_at": row["video__published_at"],
            **_totals(row, VIDEO_COUNTS),
        }
        for row in rows
    ]
