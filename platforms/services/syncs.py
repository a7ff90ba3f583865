"""Pulling a connected account's data from its platform into the chapter apps.

A sync run pulls, for what the connection's adapter can do, four streams in turn:

- ``account_days``: daily account figures for the period, through
  ``accounts_ops.services.account_metrics_ingest`` (which also refreshes the account's followers);
- ``portrait``: the fan portrait (7.3), through ``audience_snapshots_ingest``;
- ``videos``: the video list, newest first (the platform's cursor; the older catalogue is listed a
  few pages per run from the cursor kept in ``Connection.cursors``), each recent video's figures,
  stored as the account's ``Video`` rows and their daily metrics through ``video_metrics_ingest``;
- ``comments``: the comments and replies of the newest videos, through ``comments_receive``.

So a synced row is the row a file import or the bulk API makes, checked by the same rules, and a
second sync of the same period changes nothing (the ingest services are idempotent upserts).

Each stream fetches all its pages first, then stores them in one transaction: a period's rows are
stored together or not at all. A stream's failure is recorded on the run with the platform's code
and message; a missing permission skips that stream (the connection names the scope), a rate limit
stops the run (``partial``; the connection remembers the platform's window, and the next run starts
after it), a lost authorisation fails it.

The platform reports a video's figures as totals to date; the daily metrics hold what each day
added (what the dashboards and reports sum). A video seen for the first time has its total on the
day it was published; each later sync stores, on the last day of its period, what the total grew
by since the days already stored. A day that added nothing is not stored, so a repeated sync finds
nothing to change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.bulk import UpsertResult, upsert
from accounts_ops.models import CommentSource, VideoDailyMetric
from accounts_ops.services.audience import audience_snapshots_ingest
from accounts_ops.services.comments import COMMENTS_BULK_MAX, comments_receive
from accounts_ops.services.common import METRICS_BULK_MAX
from accounts_ops.services.metrics import account_metrics_ingest, video_metrics_ingest
from agency.tasks import enqueue
from agency.tenancy import Actor, require_agency
from clients.models import Video, VideoOrigin
from platforms import rules
from platforms.adapters import adapter_for
from platforms.adapters.base import (
    AccountDay,
    Capability,
    CommentItem,
    Page,
    PlatformError,
    PlatformUnavailable,
    Portrait,
    RateLimited,
    ReconnectNeeded,
    Refused,
    ScopeMissing,
    VideoItem,
)
from platforms.models import Connection, ConnectionStatus, SyncRun, SyncStatus, SyncTrigger
from platforms.services.calls import NotConnected, call, require_outside_transaction

logger = logging.getLogger(__name__)

ACCOUNT_DAYS = "account_days"
PORTRAIT = "portrait"
VIDEOS = "videos"
VIDEO_DAYS = "video_days"
COMMENTS = "comments"
# The streams in the order they run (videos before comments: a comment needs its video) and the
# capability each needs.
STREAMS = (
    (ACCOUNT_DAYS, Capability.ACCOUNT_DATA),
    (PORTRAIT, Capability.PORTRAIT),
    (VIDEOS, Capability.VIDEOS),
    (COMMENTS, Capability.COMMENTS),
)
# Connection.cursors keys
CURSOR_VIDEOS = "videos"  # where the listing of the older catalogue goes on
CURSOR_VIDEOS_DONE = "videos_listed"  # the whole catalogue has been listed once

TITLE_MAX = Video._meta.get_field("title").max_length
URL_MAX = Video._meta.get_field("url").max_length
ITEM_MAX = Video._meta.get_field("platform_item_id").max_length


def _unusable(what: str) -> PlatformUnavailable:
    return PlatformUnavailable(_("The platform answered something unusable: %(what)s.") % {"what": what})


def _expect(value, kind: type, what: str):
    if not isinstance(value, kind):
        raise _unusable(what)
    return value


def _page(value, item_kind: type, what: str) -> Page:
    page = _expect(value, Page, what)
    for item in page.items:
        _expect(item, item_kind, what)
    return page


# --- "sync now" ------------------------------------------------------------------------------------


def _running(connection: Connection) -> SyncRun | None:
    return (
        SyncRun.objects.filter(
            connection=connection,
            status=SyncStatus.RUNNING,
            started_at__gt=timezone.now() - rules.SYNC_RUN_STALE,
        )
        .order_by("-started_at")
        .first()
    )


@transaction.atomic
def sync_request(*, actor: Actor, connection: Connection) -> SyncRun:
    """ "Sync now": a run of ``connection`` is recorded as running and its task queued. Refused
    when the account is not connected, a run of it is still going, or the platform asked us to
    wait."""
    if not actor.can("change", "platform_account"):
        raise PermissionDenied(_("You may not sync this account."))
    row = Connection.objects.select_for_update().get(pk=connection.pk)
    if row.status != ConnectionStatus.CONNECTED:
        raise ValidationError(
            {"connection": _("The account is not connected (%(status)s).") % {"status": row.get_status_display()}}
        )
    if _running(row) is not None:
        raise ValidationError({"connection": _("A sync of this account is still running.")})
    now = timezone.now()
    if row.not_before and row.not_before > now:
        raise ValidationError(
            {
                "connection": _("The platform asked us to wait until %(time)s.")
                % {"time": timezone.localtime(row.not_before).strftime("%Y-%m-%d %H:%M")}
            }
        )
    run = SyncRun.objects.create(
        agency=actor.agency,
        client_id=row.client_id,
        account_id=row.account_id,
        connection=row,
        trigger=SyncTrigger.MANUAL,
        status=SyncStatus.RUNNING,
        started_at=now,
    )
    enqueue(
        "platforms.tasks.sync_connection_task",
        agency_id=actor.agency.pk,
        connection_id=row.pk,
        trigger=SyncTrigger.MANUAL,
        run_id=run.pk,
    )
    return run


# --- the run ---------------------------------------------------------------------------------------


def sync_period(connection: Connection, today: dt.date) -> tuple[dt.date, dt.date]:
    """From the day after the last day synced (or ``SYNC_FIRST_DAYS`` back) to yesterday, reaching
    back at most ``SYNC_MAX_DAYS``."""
    end = today - dt.timedelta(days=1)
    if connection.synced_through is None:
        start = end - dt.timedelta(days=rules.SYNC_FIRST_DAYS - 1)
    else:
        start = connection.synced_through + dt.timedelta(days=1)
    return max(start, end - dt.timedelta(days=rules.SYNC_MAX_DAYS - 1)), end


def _open_run(connection: Connection, trigger: str, run_id: int | None, start, end) -> SyncRun | None:
    """The run to carry on (``run_id``, made by "sync now") or a new one; ``None`` when there is
    nothing to do (that run is over, or another of this connection is running)."""
    with transaction.atomic():
        Connection.objects.select_for_update().get(pk=connection.pk)  # one run starts at a time
        if run_id is not None:
            run = SyncRun.objects.select_for_update().get(pk=run_id, connection=connection)
            if run.status != SyncStatus.RUNNING or run.period_start is not None:
                return None  # finished, or started by a task delivered before this one
        else:
            if _running(connection) is not None:
                return None
            run = SyncRun(
                agency=require_agency(),
                client_id=connection.client_id,
                account_id=connection.account_id,
                connection=connection,
                trigger=trigger,
                status=SyncStatus.RUNNING,
                started_at=timezone.now(),
            )
        run.period_start, run.period_end = start, end
        run.save()
    return run


def sync_connection(
    *,
    connection_id: int,
    trigger: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    run_id: int | None = None,
) -> SyncRun | None:
    """Pull ``connection``'s data for the period (see the module). Outside a transaction: each
    stream commits on its own. Returns the run, or ``None`` when another run of the connection is
    under way (or ``run_id``'s is over: a task delivered twice)."""
    require_outside_transaction("sync_connection()")
    agency = require_agency()
    connection = Connection.objects.select_related("account").get(pk=connection_id)
    default_start, default_end = sync_period(connection, agency.today())
    start, end = start or default_start, end or default_end
    run = _open_run(connection, trigger, run_id, start, end)
    if run is None:
        return SyncRun.objects.filter(pk=run_id).first() if run_id else None
    counts: dict = {}
    errors: list[dict] = []
    status = SyncStatus.DONE
    try:
        capabilities = adapter_for(connection.platform).capabilities
    except LookupError as exc:
        capabilities = frozenset()
        errors.append({"stream": "connection", "code": "no_connector", "message": str(exc)})
        status = SyncStatus.FAILED
    if connection.status != ConnectionStatus.CONNECTED:
        errors.append(
            {"stream": "connection", "code": "not_connected", "message": connection.problem or _("Not connected.")}
        )
        status = SyncStatus.FAILED
        capabilities = frozenset()
    for stream, capability in STREAMS:
        if capability not in capabilities:
            continue
        try:
            counts.update(PULLS[stream](connection, start, end))
        except NotConnected as exc:
            errors.append({"stream": stream, "code": "not_connected", "message": str(exc)})
            status = SyncStatus.FAILED
            break
        except (ValidationError, PlatformError) as exc:
            errors.append(_error(stream, exc))
            if isinstance(exc, RateLimited):
                status = SyncStatus.PARTIAL  # the connection keeps the window; the next run starts after it
                break
            if isinstance(exc, ReconnectNeeded):
                status = SyncStatus.FAILED
                break
        except Exception as exc:  # an answer no check foresaw: recorded, and the run goes on
            logger.exception("Sync %s of connection %s: stream %s failed", run.pk, connection.pk, stream)
            errors.append({"stream": stream, "code": type(exc).__name__, "message": str(exc)[:2_000]})
        connection.refresh_from_db()
    if status == SyncStatus.DONE and errors:
        status = SyncStatus.PARTIAL
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run.pk)
        run.status = status
        run.counts = counts
        run.errors = errors
        run.finished_at = timezone.now()
        run.save()
    logger.info("Sync %s of connection %s: %s %s", run.pk, connection.pk, status, counts)
    return run


def _error(stream: str, exc: BaseException) -> dict:
    """A stream's error as the run records it: the platform's code and message (and the missing
    scope, the rate-limit window), or the rows the ingest refused."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            message = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in exc.message_dict.items())
        else:
            message = "; ".join(map(str, exc.messages))
        return {"stream": stream, "code": "invalid", "message": message[:2_000]}
    entry = {"stream": stream, "code": getattr(exc, "code", None), "message": getattr(exc, "message", str(exc))}
    if isinstance(exc, ScopeMissing):
        entry["scope"] = exc.scope
    if isinstance(exc, RateLimited):
        entry["retry_after"] = exc.retry_after
    if getattr(exc, "log_id", ""):
        entry["log_id"] = exc.log_id
    return entry


def _counts(name: str, result: UpsertResult) -> dict:
    return {name: {"created": result.created, "updated": result.updated}}


# --- account days ----------------------------------------------------------------------------------


def pull_account_days(connection: Connection, start: dt.date, end: dt.date) -> dict:
    """The daily account figures of the period, stored together; the connection then counts as
    synced through the last day the platform gave."""
    if start > end:
        return _counts(ACCOUNT_DAYS, UpsertResult())
    days = _expect(call(connection, "account_days", start=start, end=end), list, _("account days"))
    rows = []
    for day in days:
        _expect(day, AccountDay, _("account days"))
        _expect(day.date, dt.date, _("a day's date"))
        if not start <= day.date <= end:
            continue
        figures = {
            "followers_total": day.followers,
            "followers_gained": day.new_followers,
            "plays": day.plays,
            "likes": day.likes,
            "comments": day.comments,
            "shares": day.shares,
            "profile_visits": day.profile_visits,
        }
        if all(value is None for value in figures.values()):
            continue  # the platform has nothing for that day (yet)
        rows.append({"account": connection.account_id, "date": day.date.isoformat(), **figures})
    with transaction.atomic():
        result = UpsertResult()
        for chunk in _chunks(rows, METRICS_BULK_MAX):
            result.add(account_metrics_ingest(actor=None, rows=chunk, account=connection.account))
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        if rows:
            latest = max(dt.date.fromisoformat(r["date"]) for r in rows)
            row.synced_through = max(latest, row.synced_through) if row.synced_through else latest
        row.last_synced_at = timezone.now()
        row.save()
    return _counts(ACCOUNT_DAYS, result)


# --- portrait --------------------------------------------------------------------------------------

PORTRAIT_DIMENSIONS = ("gender", "age", "provinces", "cities", "devices", "interests", "active_days", "active_hours")


def pull_portrait(connection: Connection, start: dt.date, end: dt.date) -> dict:
    portrait = call(connection, "portrait")
    if portrait is None:
        return _counts(PORTRAIT, UpsertResult())
    _expect(portrait, Portrait, _("fan portrait"))
    _expect(portrait.date, dt.date, _("the portrait's date"))
    row = {"account": connection.account_id, "date": portrait.date.isoformat(), "fans_total": portrait.fans_total}
    for name in PORTRAIT_DIMENSIONS:
        value = getattr(portrait, name)
        row[name] = value or None  # an empty distribution keeps the one stored
    if row["fans_total"] is None and all(row[name] is None for name in PORTRAIT_DIMENSIONS):
        return _counts(PORTRAIT, UpsertResult())
    with transaction.atomic():
        result = audience_snapshots_ingest(actor=None, rows=[row], account=connection.account)
    return _counts(PORTRAIT, result)


# --- videos ----------------------------------------------------------------------------------------


def _list_videos(connection: Connection, cursor: str, pages: int, *, until: dt.datetime | None) -> tuple[list, str]:
    """Video pages from ``cursor``, at most ``pages``, stopping after a page that reaches videos
    published before ``until``. The videos and the cursor of what is left ("" when nothing)."""
    items: list[VideoItem] = []
    for _number in range(pages):
        page = _page(call(connection, "videos", cursor=cursor), VideoItem, _("video list"))
        items.extend(page.items)
        cursor = page.cursor if page.has_more else ""
        if not cursor:
            break
        if until is not None and any(v.published_at and v.published_at < until for v in page.items):
            break
    return items, cursor


def _video_row(connection: Connection, video: VideoItem) -> dict:
    item_id = (video.item_id or "").strip()
    if not item_id or len(item_id) > ITEM_MAX or not item_id.isprintable():
        raise _unusable(_("a video without a usable item id"))
    if video.published_at is not None and (
        not isinstance(video.published_at, dt.datetime) or timezone.is_naive(video.published_at)
    ):
        raise _unusable(_("video %(item)s's publication time") % {"item": item_id})
    url = (video.url or "").strip()
    if url and (len(url) > URL_MAX or urlsplit(url).scheme not in ("http", "https")):
        url = ""
    return {
        "agency_id": connection.agency_id,
        "client_id": connection.client_id,
        "account_id": connection.account_id,
        "platform_item_id": item_id,
        "origin": VideoOrigin.IMPORTED,
        "title": (video.title or "").strip()[:TITLE_MAX] or None,
        "url": url or None,
        "published_at": video.published_at,
    }


def _store_videos(rows: list[dict]) -> UpsertResult:
    """The account's videos by item id: new ones made, the platform's title, link and time kept
    current (an empty value keeps what is stored). Inside the stream's transaction."""
    unique = {row["platform_item_id"]: row for row in rows}
    return upsert(
        Video,
        list(unique.values()),
        key=("agency_id", "account_id", "platform_item_id"),
        fixed=("client_id", "origin"),
        values=("title", "url", "published_at"),
        user_id=None,
        defaults={"title": "", "url": ""},
    )


FIGURES = ("plays", "likes", "comments", "shares")


def _figure(video: VideoItem, name: str) -> int | None:
    value = getattr(video, name)
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise _unusable(_("video %(item)s's %(figure)s") % {"item": video.item_id, "figure": name})
    return value


def _daily_rows(connection: Connection, totals: dict[str, VideoItem], end: dt.date) -> list[dict]:
    """What each video's totals added since the days stored (see the module), as daily rows."""
    tz = require_agency().tz
    ids = dict(
        Video.objects.filter(account_id=connection.account_id, platform_item_id__in=totals).values_list(
            "platform_item_id", "pk"
        )
    )
    stored = {
        row["video_id"]: row
        for row in VideoDailyMetric.objects.filter(video_id__in=ids.values(), date__lt=end)
        .values("video_id")
        .annotate(**{name: Sum(name) for name in FIGURES})
    }
    on_end = set(
        VideoDailyMetric.objects.filter(video_id__in=ids.values(), date=end).values_list("video_id", flat=True)
    )
    rows = []
    for item_id, video in totals.items():
        pk = ids.get(item_id)
        if pk is None:
            continue
        figures = {name: _figure(video, name) for name in FIGURES}
        if all(value is None for value in figures.values()):
            continue
        before = stored.get(pk)
        day = end
        if before is None and pk not in on_end and video.published_at is not None:
            published = timezone.localtime(video.published_at, tz).date()
            day = min(max(published, end - dt.timedelta(days=rules.SYNC_MAX_DAYS)), end)
        added = {
            name: None if value is None else max(value - ((before or {}).get(name) or 0), 0)
            for name, value in figures.items()
        }
        if pk not in on_end and before is not None and not any(added.values()):
            continue  # nothing new that day: no row to store
        rows.append({"video": pk, "date": day.isoformat(), **added})
    return rows


def pull_videos(connection: Connection, start: dt.date, end: dt.date) -> dict:
    """The video list (newest first, then the older catalogue from the kept cursor), the figures
    of the videos published within ``SYNC_VIDEO_FIGURES_DAYS``, stored together with the cursor."""
    now = timezone.now()
    window = now - dt.timedelta(days=rules.SYNC_VIDEO_FIGURES_DAYS)
    listed, left = _list_videos(connection, "", rules.SYNC_VIDEO_PAGES_MAX, until=window)
    cursors = dict(connection.cursors or {})
    if not cursors.get(CURSOR_VIDEOS_DONE):
        backfill_from = cursors.get(CURSOR_VIDEOS) or left
        if backfill_from:
            older, left = _list_videos(connection, backfill_from, rules.SYNC_VIDEO_BACKFILL_PAGES, until=None)
            listed.extend(older)
        cursors[CURSOR_VIDEOS] = left
        cursors[CURSOR_VIDEOS_DONE] = not left
    rows = [_video_row(connection, video) for video in listed]
    recent = [row["platform_item_id"] for row in rows if row["published_at"] is None or row["published_at"] >= window]
    totals: dict[str, VideoItem] = {}
    batch = rules.SYNC_VIDEO_STATS_BATCH
    for index in range(0, len(recent), batch):
        stats = _expect(call(connection, "video_stats", item_ids=recent[index : index + batch]), list, _("video data"))
        for video in stats:
            _expect(video, VideoItem, _("video data"))
            totals[video.item_id] = video
    with transaction.atomic():
        videos = _store_videos(rows) if rows else UpsertResult()
        daily = UpsertResult()
        daily_rows = _daily_rows(connection, totals, end) if totals else []
        for chunk in _chunks(daily_rows, METRICS_BULK_MAX):
            daily.add(video_metrics_ingest(actor=None, rows=chunk, account=connection.account))
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        row.cursors = {**(row.cursors or {}), **cursors}
        row.save()
    return {**_counts(VIDEOS, videos), **_counts(VIDEO_DAYS, daily)}


# --- comments --------------------------------------------------------------------------------------


def _pages(fetch, item_kind: type, what: str) -> list:
    items, cursor = [], ""
    for _number in range(rules.SYNC_COMMENT_PAGES_MAX):
        page = _page(fetch(cursor), item_kind, what)
        items.extend(page.items)
        cursor = page.cursor if page.has_more else ""
        if not cursor:
            break
    return items


def _comment_row(connection: Connection, own_uid: str, item_id: str, comment: CommentItem) -> dict:
    if not isinstance(comment.posted_at, dt.datetime):
        raise _unusable(_("comment %(id)s's time") % {"id": comment.comment_id})
    author = comment.author_id or ""
    if comment.is_from_account and own_uid:
        author = own_uid  # the account's own comment (a reply of ours)
    return {
        "account": connection.account_id,
        "item_id": item_id,
        "platform_comment_id": comment.comment_id,
        "parent_comment_id": comment.parent_comment_id or "",
        "author_uid": author,
        "author_nickname": comment.author_nickname or "",
        "text": comment.text,
        "posted_at": comment.posted_at.isoformat(),
        "like_count": comment.likes,
        "reply_count": comment.replies,
    }


def pull_comments(connection: Connection, start: dt.date, end: dt.date) -> dict:
    """The comments, and their replies, of the account's newest videos, stored together."""
    since = timezone.now() - dt.timedelta(days=rules.SYNC_COMMENT_DAYS)
    item_ids = list(
        Video.objects.filter(account_id=connection.account_id, published_at__gte=since)
        .order_by("-published_at", "-pk")
        .values_list("platform_item_id", flat=True)[: rules.SYNC_COMMENT_VIDEOS]
    )
    own_uid = connection.account.platform_uid or ""
    rows: list[dict] = []
    for item_id in item_ids:
        try:
            comments = _pages(
                lambda cursor, item_id=item_id: call(connection, "comments", item_id=item_id, cursor=cursor),
                CommentItem,
                _("comments"),
            )
        except Refused as exc:
            # The platform does not know this video as the account's (deleted there, or an imported
            # row with another id): there is nothing to pull for it, and the other videos go on.
            logger.info("Comments of video %s of connection %s skipped: %s", item_id, connection.pk, exc.message)
            continue
        for comment in comments:
            if not (comment.text or "").strip():
                continue  # removed on the platform: nothing to keep
            rows.append(_comment_row(connection, own_uid, item_id, comment))
            if comment.replies is None or comment.replies > 0:
                replies = _pages(
                    lambda cursor, item_id=item_id, parent=comment.comment_id: call(
                        connection, "comment_replies", item_id=item_id, comment_id=parent, cursor=cursor
                    ),
                    CommentItem,
                    _("comment replies"),
                )
                for reply in replies:
                    if not (reply.text or "").strip():
                        continue
                    row = _comment_row(connection, own_uid, item_id, reply)
                    row["parent_comment_id"] = row["parent_comment_id"] or comment.comment_id
                    rows.append(row)
    unique = list({row["platform_comment_id"]: row for row in rows}.values())
    result = UpsertResult()
    with transaction.atomic():
        for chunk in _chunks(unique, COMMENTS_BULK_MAX):
            result.add(comments_receive(actor=None, rows=chunk, account=connection.account, source=CommentSource.API))
    return _counts(COMMENTS, result)


def _chunks(rows: list, size: int) -> Iterable[list]:
    for index in range(0, len(rows), size):
        yield rows[index : index + size]


PULLS = {
    ACCOUNT_DAYS: pull_account_days,
    PORTRAIT: pull_portrait,
    VIDEOS: pull_videos,
    COMMENTS: pull_comments,
}
