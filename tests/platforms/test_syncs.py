"""Syncs: a connected account's daily figures, fan portrait, videos with their figures, and
comments with replies arrive through the chapter apps' ingest services; a repeated sync changes
nothing, a failing stream writes nothing of its period, and each error is on the run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts_ops.models import AccountDailyMetric, AudienceSnapshot, VideoComment, VideoDailyMetric
from agency.tenancy import tenant_context
from clients.models import PlatformAccount, Video
from platforms import rules
from platforms.adapters.base import (
    AccountDay,
    CommentItem,
    PlatformUnavailable,
    Portrait,
    RateLimited,
    ScopeMissing,
    VideoItem,
)
from platforms.models import Connection, ConnectionStatus, SyncRun, SyncStatus, SyncTrigger
from platforms.services.syncs import sync_connection, sync_request
from tests.factories import MembershipFactory
from tests.platforms.factories import actor_of, connect

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_as_in_production")]


def agency_today(agency) -> dt.date:
    return timezone.localdate(timezone=agency.tz)


def fill(fake_platform, agency, *, videos=5):
    """Seven days of figures up to yesterday, a portrait, ``videos`` recent videos, and comments
    (one with a reply of the account's own) under the newest."""
    yesterday = agency_today(agency) - dt.timedelta(days=1)
    for n in range(7):
        day = yesterday - dt.timedelta(days=n)
        fake_platform.days[day] = AccountDay(
            day, followers=10_000 - n * 10, new_followers=10, plays=5_000 + n, likes=300, comments=20, shares=5,
            profile_visits=80,
        )  # fmt: skip
    fake_platform.portrait = Portrait(
        yesterday,
        fans_total=10_000,
        gender={"male": 0.4, "female": 0.6},
        age={"1-23": 0.2, "24-30": 0.5, "31-40": 0.3},
    )
    now = timezone.now()
    for n in range(videos):
        fake_platform.videos.append(
            VideoItem(
                f"item-{n}",
                title=f"视频 {n}",
                url=f"https://www.douyin.com/video/{n}",
                published_at=now - dt.timedelta(days=n + 1, hours=1),
                plays=1_000 * (n + 1),
                likes=50,
                comments=3,
                shares=1,
            )
        )
    fake_platform.comments["item-0"] = [
        CommentItem("c-1", "item-0", "看着好吃", now - dt.timedelta(hours=5), likes=4, replies=1, author_id="fan-1"),
        CommentItem("c-2", "item-0", "在哪里？", now - dt.timedelta(hours=4), likes=0, replies=0, author_id="fan-2"),
        CommentItem(
            "c-3",
            "item-0",
            "春熙路店",
            now - dt.timedelta(hours=3),
            parent_comment_id="c-1",
            author_id=fake_platform.open_id,
            is_from_account=True,
        ),
    ]


def run_sync(agency, connection, **kwargs) -> SyncRun:
    with tenant_context(agency):
        trigger = kwargs.pop("trigger", SyncTrigger.SCHEDULE)
        return sync_connection(connection_id=connection.pk, trigger=trigger, **kwargs)


def counts(agency) -> dict:
    with tenant_context(agency):
        return {
            "days": AccountDailyMetric.objects.count(),
            "snapshots": AudienceSnapshot.objects.count(),
            "videos": Video.objects.count(),
            "video_days": VideoDailyMetric.objects.count(),
            "comments": VideoComment.objects.count(),
        }


@pytest.fixture
def shop(db, world, fake_platform):
    connection = connect(fake_platform, client=world.client_a1)
    fill(fake_platform, world.agency_a)
    return connection


def test_a_first_sync_pulls_every_stream_through_the_ingest_services(world, shop, fake_platform):
    run = run_sync(world.agency_a, shop)
    assert run.status == SyncStatus.DONE, run.errors
    yesterday = agency_today(world.agency_a) - dt.timedelta(days=1)
    assert (run.period_start, run.period_end) == (yesterday - dt.timedelta(days=rules.SYNC_FIRST_DAYS - 1), yesterday)
    assert run.counts == {
        "account_days": {"created": 7, "updated": 0},
        "portrait": {"created": 1, "updated": 0},
        "videos": {"created": 5, "updated": 0},
        "video_days": {"created": 5, "updated": 0},
        "comments": {"created": 3, "updated": 0},
    }
    assert fake_platform.calls.count("videos") == 3  # five videos, two a page: the cursor followed
    with tenant_context(world.agency_a):
        day = AccountDailyMetric.objects.get(date=yesterday)
        assert (day.followers_total, day.followers_gained, day.plays, day.profile_visits) == (10_000, 10, 5_000, 80)
        account = PlatformAccount.objects.get(pk=shop.account_id)
        assert account.followers == 10_000  # refreshed from the latest day
        video = Video.objects.get(platform_item_id="item-2")
        assert video.title == "视频 2" and video.origin == "imported" and video.url.endswith("/2")
        figures = VideoDailyMetric.objects.get(video=video)
        assert figures.plays == 3_000 and figures.date == timezone.localtime(video.published_at).date()
        own = VideoComment.objects.get(platform_comment_id="c-3")
        assert own.parent_comment_id == "c-1" and own.is_from_account
        assert VideoComment.objects.get(platform_comment_id="c-1").needs_answer
        assert AudienceSnapshot.objects.get().gender == {"male": 0.4, "female": 0.6}
        connection = Connection.objects.get(pk=shop.pk)
    assert connection.synced_through == yesterday and connection.last_synced_at is not None
    assert connection.cursors["videos_listed"] is True


def test_a_repeated_sync_of_the_same_period_changes_nothing(world, shop, fake_platform):
    first = run_sync(world.agency_a, shop)
    before = counts(world.agency_a)
    with tenant_context(world.agency_a):
        stamps = sorted(AccountDailyMetric.objects.values_list("updated_at", flat=True))
    again = run_sync(world.agency_a, shop, start=first.period_start, end=first.period_end)
    assert again.status == SyncStatus.DONE, again.errors
    assert all(stream == {"created": 0, "updated": 0} for stream in again.counts.values()), again.counts
    assert counts(world.agency_a) == before
    with tenant_context(world.agency_a):
        assert sorted(AccountDailyMetric.objects.values_list("updated_at", flat=True)) == stamps


def test_the_next_sync_starts_after_the_last_day_and_adds_what_the_videos_gained(world, shop, fake_platform):
    run_sync(world.agency_a, shop)
    today = agency_today(world.agency_a) + dt.timedelta(days=1)  # the next night
    fake_platform.days[today - dt.timedelta(days=1)] = AccountDay(today - dt.timedelta(days=1), followers=10_050)
    grown = fake_platform.videos[0]
    fake_platform.videos[0] = VideoItem(
        grown.item_id, title=grown.title, published_at=grown.published_at, plays=grown.plays + 700, likes=grown.likes
    )
    run = run_sync(
        world.agency_a, shop, start=today - dt.timedelta(days=1), end=today - dt.timedelta(days=1)
    )  # as the period the next night computes
    assert run.counts["account_days"] == {"created": 1, "updated": 0}
    assert run.counts["video_days"] == {"created": 1, "updated": 0}
    with tenant_context(world.agency_a):
        added = VideoDailyMetric.objects.get(video__platform_item_id="item-0", date=today - dt.timedelta(days=1))
        assert added.plays == 700 and added.likes == 0
        assert Connection.objects.get(pk=shop.pk).synced_through == today - dt.timedelta(days=1)


def test_a_failing_stream_leaves_no_half_written_period(world, shop, fake_platform):
    # The figures call fails after the list was fetched: none of the videos listed are stored.
    fake_platform.fail_next("video_stats", PlatformUnavailable("系统繁忙", code=2100004))
    run = run_sync(world.agency_a, shop)
    assert run.status == SyncStatus.PARTIAL
    assert run.errors == [{"stream": "videos", "code": 2100004, "message": "系统繁忙"}]
    assert "videos" not in run.counts and run.counts["account_days"]["created"] == 7
    after = counts(world.agency_a)
    assert after["videos"] == 0 and after["video_days"] == 0
    assert after["comments"] == 0  # no video of the account is known yet


def test_a_bad_row_from_the_platform_stores_none_of_the_period(world, shop, fake_platform):
    yesterday = agency_today(world.agency_a) - dt.timedelta(days=1)
    fake_platform.days[yesterday] = AccountDay(yesterday, plays=-5)  # a figure no day can have
    run = run_sync(world.agency_a, shop)
    [error] = [e for e in run.errors if e["stream"] == "account_days"]
    assert error["code"] == "invalid" and "plays" in error["message"]
    with tenant_context(world.agency_a):
        assert AccountDailyMetric.objects.count() == 0
        assert Connection.objects.get(pk=shop.pk).synced_through is None  # the period is tried again


def test_garbage_from_the_adapter_is_an_error_of_its_stream(world, shop, fake_platform):
    fake_platform.portrait = {"gender": "???"}  # not a Portrait
    run = run_sync(world.agency_a, shop)
    [error] = run.errors
    assert error["stream"] == "portrait" and "unusable" in error["message"]
    assert counts(world.agency_a)["snapshots"] == 0 and run.status == SyncStatus.PARTIAL


def test_a_missing_scope_skips_its_stream_and_names_the_scope(world, shop, fake_platform):
    fake_platform.fail_next("portrait", ScopeMissing("没有权限", scope="fans.data", code=2190015))
    run = run_sync(world.agency_a, shop)
    assert run.status == SyncStatus.PARTIAL
    assert run.errors == [{"stream": "portrait", "code": 2190015, "message": "没有权限", "scope": "fans.data"}]
    assert run.counts["comments"]["created"] == 3  # the other streams went on
    with tenant_context(world.agency_a):
        assert Connection.objects.get(pk=shop.pk).missing_scopes == ["fans.data"]


def test_a_rate_limit_stops_the_run_and_the_next_resumes_after_the_window(world, shop, fake_platform):
    fake_platform.fail_next("videos", RateLimited("访问频率过高", retry_after=600, code=2190004))
    run = run_sync(world.agency_a, shop)
    assert run.status == SyncStatus.PARTIAL and run.errors[-1]["retry_after"] == 600
    assert "comments" not in fake_platform.calls  # stopped there
    with tenant_context(world.agency_a):
        paused = Connection.objects.get(pk=shop.pk).not_before
    assert paused > timezone.now() + dt.timedelta(seconds=590)
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), pytest.raises(ValidationError, match="asked us to wait"):
        sync_request(actor=actor, connection=shop)
    calls = len(fake_platform.calls)
    early = run_sync(world.agency_a, shop)
    assert early.status == SyncStatus.PARTIAL and len(fake_platform.calls) == calls  # the platform is left alone
    with tenant_context(world.agency_a):
        Connection.objects.filter(pk=shop.pk).update(not_before=timezone.now() - dt.timedelta(seconds=1))
    later = run_sync(world.agency_a, shop)
    assert later.status == SyncStatus.DONE and later.counts["videos"]["created"] == 5


def test_a_lost_authorisation_fails_the_run(world, shop, fake_platform):
    fake_platform.expire_access_tokens()
    fake_platform.revoked = True
    run = run_sync(world.agency_a, shop)
    assert run.status == SyncStatus.FAILED and run.errors[0]["code"] == "not_connected"
    assert counts(world.agency_a)["days"] == 0
    with tenant_context(world.agency_a):
        assert Connection.objects.get(pk=shop.pk).status == ConnectionStatus.RECONNECT
    assert run_sync(world.agency_a, shop).status == SyncStatus.FAILED


def test_the_older_catalogue_is_listed_from_the_kept_cursor(world, db, fake_platform, monkeypatch):
    monkeypatch.setattr(rules, "SYNC_VIDEO_BACKFILL_PAGES", 1)
    connection = connect(fake_platform, client=world.client_a1)
    old = timezone.now() - dt.timedelta(days=rules.SYNC_VIDEO_FIGURES_DAYS + 10)
    fake_platform.videos = [VideoItem("new-1", published_at=timezone.now() - dt.timedelta(days=1), plays=10)] + [
        VideoItem(f"old-{n}", published_at=old - dt.timedelta(days=n)) for n in range(7)
    ]
    run = run_sync(world.agency_a, connection)
    # The first page reaches the old videos; one more page of the catalogue follows, the rest waits.
    assert run.counts["videos"]["created"] == 4
    with tenant_context(world.agency_a):
        cursors = Connection.objects.get(pk=connection.pk).cursors
    assert cursors["videos"] and cursors["videos_listed"] is False
    assert run.counts["video_days"]["created"] == 1  # figures of the recent video only
    run_sync(world.agency_a, connection)
    run_sync(world.agency_a, connection)
    with tenant_context(world.agency_a):
        assert Video.objects.count() == 8
        assert Connection.objects.get(pk=connection.pk).cursors == {"videos": "", "videos_listed": True}


def test_sync_now_queues_a_run_and_refuses_a_second_while_it_runs(world, shop, fake_platform):
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor):
        run = sync_request(actor=actor, connection=shop)  # committed: its task ran
        run.refresh_from_db()
        assert run.status == SyncStatus.DONE and run.trigger == SyncTrigger.MANUAL
        assert SyncRun.objects.count() == 1 and AccountDailyMetric.objects.count() == 7
        with transaction.atomic():
            SyncRun.objects.filter(pk=run.pk).update(status=SyncStatus.RUNNING)
        with pytest.raises(ValidationError, match="still running"), transaction.atomic():
            sync_request(actor=actor, connection=shop)
        SyncRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - rules.SYNC_RUN_STALE)
        with transaction.atomic():
            sync_request(actor=actor, connection=shop)
        assert SyncRun.objects.count() == 2


def test_sync_now_is_refused_when_not_connected_or_not_allowed(world, shop, fake_platform):
    analyst = MembershipFactory(agency=world.agency_a, role="analyst").user
    with tenant_context(world.agency_a):
        Connection.objects.filter(pk=shop.pk).update(status=ConnectionStatus.RECONNECT)
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), pytest.raises(ValidationError, match="not connected"):
        sync_request(actor=actor, connection=shop)
    reader = actor_of(analyst, world.agency_a)
    with tenant_context(world.agency_a, reader), pytest.raises(PermissionDenied):
        sync_request(actor=reader, connection=shop)
    with tenant_context(world.agency_a):
        assert not SyncRun.objects.exists()
