"""Reads of the platform's daily figures for the dashboard APIs (a client's dashboard and the
agency's overview): totals per account, a daily series and the best videos of a period. Each is
one query over an index that starts with ``agency`` (the metric tables hold a year of rows per
account), whatever the number of accounts or days. The pages' charts read ``metrics``."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Sum
from django.utils import timezone

from accounts_ops.models import AccountDailyMetric, VideoDailyMetric
from agency.tenancy import Actor
from clients.models import Video

DASHBOARD_DAYS = 30  # the period a dashboard shows unless asked otherwise
DASHBOARD_MAX_DAYS = 366  # a year of daily figures, the most a dashboard reads at once
TOP_SHOWN = 10  # the best videos (and clients) a dashboard lists

SERIES_COUNTS = ("plays", "likes", "comments", "shares", "followers_gained")
VIDEO_COUNTS = ("plays", "likes", "comments", "shares")


def dashboard_period(actor: Actor, days: int) -> tuple[dt.date, dt.date]:
    """The last ``days`` days up to yesterday in the agency's time zone (today's figures are not
    in yet)."""
    end = timezone.localdate(timezone=actor.agency.tz) - dt.timedelta(days=1)
    return end - dt.timedelta(days=days - 1), end


def _totals(rows, counts) -> dict:
    return {name: rows.get(name) or 0 for name in counts}


def daily_series(actor: Actor, start: dt.date, end: dt.date, **filters) -> list[dict]:
    """The summed figures per date of the accounts matched by ``filters`` (``client_id=...``, or
    none for the whole agency); dates without figures are left out."""
    rows = (
        AccountDailyMetric.objects.visible_to(actor)
        .filter(date__range=(start, end), **filters)
        .values("date")
        .annotate(**{name: Sum(name) for name in SERIES_COUNTS})
        .order_by("date")
    )
    return [{"date": row["date"], **_totals(row, SERIES_COUNTS)} for row in rows]


def account_totals(actor: Actor, start: dt.date, end: dt.date, *, client_id: int) -> dict[int, dict]:
    """Account id → its summed figures over the period, for one client's accounts."""
    rows = (
        AccountDailyMetric.objects.visible_to(actor)
        .filter(client_id=client_id, date__range=(start, end))
        .values("account_id")
        .annotate(**{name: Sum(name) for name in SERIES_COUNTS})
        .order_by()
    )
    return {row["account_id"]: _totals(row, SERIES_COUNTS) for row in rows}


def client_totals(actor: Actor, start: dt.date, end: dt.date, *, limit: int = TOP_SHOWN) -> list[dict]:
    """The clients with the most plays over the period, with their summed figures."""
    rows = (
        AccountDailyMetric.objects.visible_to(actor)
        .filter(date__range=(start, end))
        .values("client_id", "client__name")
        .annotate(**{name: Sum(name) for name in SERIES_COUNTS})
        .order_by(F("plays").desc(nulls_last=True), "client_id")[:limit]
    )
    return [
        {"client": row["client_id"], "name": row["client__name"], **_totals(row, SERIES_COUNTS)}
        for row in rows
        if row["plays"] is not None
    ]


def top_videos(
    actor: Actor, start: dt.date, end: dt.date, *, account_ids: list[int], limit: int = TOP_SHOWN
) -> list[dict]:
    """The videos of these accounts with the most plays over the period, with their totals."""
    if not account_ids:
        return []
    rows = list(
        VideoDailyMetric.objects.visible_to(actor)
        .filter(account_id__in=account_ids, date__range=(start, end))
        .values("video_id")
        .annotate(**{name: Sum(name) for name in VIDEO_COUNTS})
        .order_by(F("plays").desc(nulls_last=True), "video_id")[:limit]
    )
    videos = Video.objects.visible_to(actor).in_bulk([row["video_id"] for row in rows])
    return [
        {
            "id": video.pk,
            "account": video.account_id,
            "title": video.title,
            "published_at": video.published_at,
            **_totals(row, VIDEO_COUNTS),
        }
        for row in rows
        if (video := videos.get(row["video_id"])) is not None
    ]
