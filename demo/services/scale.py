"""Data at agency-network scale, for benchmarks and for trying the product under a real load.

``seed_scale`` (the management command) calls ``seed``: agencies, each with its clients, their
platform accounts, a year of daily account metrics, videos with a month of daily video metrics,
comments, private messages, audience portraits, video projects in every stage, live sessions with
results, daily inspection records and a yearly evaluation campaign per client.

Everything goes through the bulk paths, one agency at a time, inside that agency's
``tenant_context`` and one transaction (so row-level security checks every row against the agency,
exactly as for the application's own writes):

- the metric tables (millions of rows) are streamed with COPY into a temporary staging table and
  moved with one ``INSERT ... SELECT`` (PostgreSQL refuses ``COPY FROM`` into a table with
  row-level security); on SQLite they use ``bulk_create``;
- every other table uses ``bulk_create`` in batches of ``BATCH``.

Values are random but plausible and reproducible (one seeded generator per agency). The rows are
what the services would have written, but the services' side effects (notifications, tasks,
audit of the metrics) are not run: this is data, not a replay of a year of work. The audit trail's
database trigger does record the seeded rows of the tables it covers.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from accounts_ops.models import (
    AccountDailyMetric,
    AudienceSnapshot,
    CommentStatus,
    InboxMessage,
    InboxStatus,
    Sentiment,
    VideoComment,
    VideoDailyMetric,
)
from accounts_ops.services.audience import persona_period
from accounts_ops.services.metrics_rollups import rebuild_metric_rollups
from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import tenant_context
from clients.models import Client, ClientKind, Platform, PlatformAccount, Service, Video, VideoOrigin
from evaluation.models import CampaignKind, CampaignStatus, EvaluationCampaign
from evaluation.services.questionnaires import questionnaire_ensure_default
from extensions.models import LiveSession, LiveSessionResult, LiveSessionStatus
from production.models import Stage, VideoProject
from records.models import DailyInspection, InspectionStatus

BATCH = 5_000  # rows per bulk_create statement
COPY_CHUNK = 20_000  # rows per COPY write

CITIES = ["成都", "重庆", "杭州", "深圳", "广州", "西安", "长沙", "武汉", "上海", "北京"]
INDUSTRIES = ["餐饮", "茶饮", "家居", "美妆", "服饰", "母婴", "文旅", "汽车", "教育", "健身"]
COMMENT_TEXTS = ["好吃！", "地址在哪里", "排队太久了", "下次还来", "价格有点贵", "环境不错", "求优惠券", "服务一般"]
MESSAGE_TEXTS = ["你好，营业到几点？", "有团购吗", "可以预约包间吗", "停车方便吗", "今天有位置吗"]


@dataclass(frozen=True)
class Sizes:
    """How much to make. The defaults are the network the product is planned for at its first
    step: 100 agencies × 50 clients × 3 accounts = 15,000 accounts; 365 days of account metrics
    (≈5.5 million rows); 20 videos per account with 30 days of video metrics (≈9 million rows)."""

    agencies: int = 100
    clients_per_agency: int = 50
    accounts_per_client: int = 3
    metric_days: int = 365
    videos_per_account: int = 20
    video_metric_days: int = 30
    comments_per_account: int = 20
    messages_per_account: int = 10
    live_sessions_per_client: int = 2
    inspection_days: int = 7

    def __post_init__(self):
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{item.name} must be a whole number of at least 0, not {value!r}.")
        for name in ("agencies", "clients_per_agency", "accounts_per_client"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1.")

    @property
    def accounts(self) -> int:
        return self.agencies * self.clients_per_agency * self.accounts_per_client


@dataclass
class Part:
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Report:
    """Rows made and seconds spent, per part, over all agencies."""

    parts: dict[str, Part] = field(default_factory=dict)
    agencies: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def timed(self, name: str, make: Callable[[], int]) -> int:
        started = time.perf_counter()
        rows = make()
        part = self.parts.setdefault(name, Part())
        part.rows += rows
        part.seconds += time.perf_counter() - started
        return rows

    @property
    def rows(self) -> int:
        return sum(part.rows for part in self.parts.values())


def seed(
    sizes: Sizes, *, prefix: str = "scale", seed_value: int = 11, progress: Callable[[str], None] = print
) -> Report:
    """Make ``sizes.agencies`` agencies (slugs ``<prefix>-0001``...) with all their rows. Refuses
    to run when an agency with such a slug exists (seed into a fresh database, or another prefix)."""
    slugs = [f"{prefix}-{n:04d}" for n in range(1, sizes.agencies + 1)]
    taken = sorted(Agency.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if taken:
        raise ValueError(f"Agencies {', '.join(taken[:5])} already exist: use a fresh database or another --prefix.")
    report = Report()
    started = time.perf_counter()
    for number, slug in enumerate(slugs, start=1):
        rng = random.Random(f"{seed_value}-{slug}")
        with transaction.atomic():
            agency = Agency.objects.create(name=f"规模测试代运营 {number:04d}", slug=slug)
            people = _people(agency, slug)
            with tenant_context(agency, channel="command"):
                AgencySeeder(agency, sizes, rng, report, people).run()
        report.agencies.append(agency.pk)
        if number == 1 or number % 10 == 0 or number == sizes.agencies:
            elapsed = time.perf_counter() - started
            progress(f"  {number}/{sizes.agencies} agencies, {report.rows:,} rows, {elapsed:,.0f} s")
    report.seconds = time.perf_counter() - started
    return report


def _people(agency: Agency, slug: str) -> dict:
    """An agency admin and a client viewer (of the agency's first client, set later) per agency,
    with unusable passwords: benchmarks sign in with API tokens."""
    User = get_user_model()
    admin = User(username=f"{slug}-admin")
    admin.set_unusable_password()
    viewer = User(username=f"{slug}-viewer")
    viewer.set_unusable_password()
    User.objects.bulk_create([admin, viewer])
    Membership.objects.create(user=admin, agency=agency, role=Role.AGENCY_ADMIN)
    return {"admin": admin, "viewer": viewer}


class AgencySeeder:
    def __init__(self, agency: Agency, sizes: Sizes, rng: random.Random, report: Report, people: dict):
        self.agency = agency
        self.sizes = sizes
        self.rng = rng
        self.report = report
        self.people = people
        self.today = agency.today()
        self.yesterday = self.today - dt.timedelta(days=1)
        self.now = timezone.now()

    def run(self) -> None:
        timed = self.report.timed
        timed("clients", self.clients)
        timed("platform accounts", self.accounts)
        timed("account daily metrics", self.account_metrics)
        # The bulk load bypasses the ingest service: the rollups are computed from its rows once.
        timed("account metric rollups", rebuild_metric_rollups)
        timed("videos", self.videos)
        timed("video daily metrics", self.video_metrics)
        timed("comments", self.comments)
        timed("private messages", self.messages)
        timed("audience portraits", self.portraits)
        timed("video projects", self.projects)
        timed("live sessions and results", self.live_sessions)
        timed("daily inspections", self.inspections)
        timed("evaluation campaigns", self.evaluations)

    # --- clients and accounts ----------------------------------------------------------------

    def clients(self) -> int:
        rng = self.rng
        rows = [
            Client(
                agency=self.agency,
                name=f"客户 {n:03d} {rng.choice(INDUSTRIES)}",
                kind=rng.choice(ClientKind.values),
                industry=rng.choice(INDUSTRIES),
                city=rng.choice(CITIES),
                services=Service.values,
                contract_start=self.today - dt.timedelta(days=rng.randint(400, 900)),
                contract_end=self.today + dt.timedelta(days=rng.randint(30, 400)),
                account_manager=self.people["admin"],
            )
            for n in range(1, self.sizes.clients_per_agency + 1)
        ]
        self.client_list = Client.objects.bulk_create(rows, batch_size=BATCH)
        Membership.objects.create(
            user=self.people["viewer"], agency=self.agency, role=Role.CLIENT_VIEWER, client=self.client_list[0]
        )
        return len(rows)

    def accounts(self) -> int:
        platforms = Platform.values
        self.start_followers = {}
        rows = []
        for client in self.client_list:
            for n in range(self.sizes.accounts_per_client):
                rows.append(
                    PlatformAccount(
                        agency=self.agency,
                        client=client,
                        platform=platforms[n % len(platforms)],
                        handle=f"c{client.pk}_{n}",
                        nickname=f"{client.name} {n + 1}号",
                        followers=0,
                    )
                )
        self.account_list = PlatformAccount.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    # --- a year of account metrics --------------------------------------------------------------

    def account_metrics(self) -> int:
        days = self.sizes.metric_days
        if not days:
            return 0
        rng = self.rng
        first = self.yesterday - dt.timedelta(days=days - 1)
        dates = [first + dt.timedelta(days=d) for d in range(days)]
        latest = {}
        now = self.now

        def rows():
            for account in self.account_list:
                fans = rng.randint(2_000, 400_000)
                scale = fans / 100
                for date in dates:
                    gained = int(rng.random() * scale * 0.02)
                    fans += gained
                    plays = int(rng.random() * scale * 40)
                    yield (
                        self.agency.pk,
                        account.client_id,
                        account.pk,
                        date,
                        fans,
                        gained,
                        fans // 6,
                        int(plays * 0.02),
                        plays,
                        plays // 25,
                        plays // 300,
                        plays // 500,
                        1 if rng.random() < 0.4 else 0,
                        now,
                        now,
                    )
                latest[account.pk] = fans

        columns = (
            "agency_id",
            "client_id",
            "account_id",
            "date",
            *AccountDailyMetric.COUNTS,
            "created_at",
            "updated_at",
        )
        made = copy_insert(AccountDailyMetric, columns, rows())
        # An account's follower count is its latest daily figure, as the ingest leaves it.
        for account in self.account_list:
            account.followers = latest[account.pk]
            account.followers_updated_at = now
        PlatformAccount.objects.bulk_update(self.account_list, ["followers", "followers_updated_at"], batch_size=BATCH)
        return made

    # --- videos and their month of metrics -----------------------------------------------------

    def videos(self) -> int:
        rng = self.rng
        rows = []
        for account in self.account_list:
            for n in range(self.sizes.videos_per_account):
                published = self.now - dt.timedelta(days=rng.randint(self.sizes.video_metric_days + 1, 365))
                rows.append(
                    Video(
                        agency=self.agency,
                        client_id=account.client_id,
                        account=account,
                        platform_item_id=f"73{account.pk:09d}{n:04d}",
                        title=f"{rng.choice(COMMENT_TEXTS)} 第{n + 1}期",
                        published_at=published,
                        duration_seconds=Decimal(rng.randint(7, 60)),
                        origin=VideoOrigin.PRODUCED if n % 2 else VideoOrigin.IMPORTED,
                    )
                )
        self.video_list = Video.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def video_metrics(self) -> int:
        days = self.sizes.video_metric_days
        if not days or not self.video_list:
            return 0
        rng = self.rng
        first = self.yesterday - dt.timedelta(days=days - 1)
        dates = [first + dt.timedelta(days=d) for d in range(days)]
        now = self.now

        def rows():
            for video in self.video_list:
                base = rng.randint(50, 20_000)
                for date in dates:
                    plays = int(base * (0.2 + rng.random()))
                    yield (
                        self.agency.pk,
                        video.client_id,
                        video.account_id,
                        video.pk,
                        date,
                        plays,
                        plays // 20,
                        plays // 250,
                        plays // 400,
                        Decimal(rng.randint(300, 3_000)) / 100,
                        Decimal(rng.randint(500, 6_000)) / 10_000,
                        now,
                        now,
                    )

        columns = (
            "agency_id",
            "client_id",
            "account_id",
            "video_id",
            "date",
            *VideoDailyMetric.COUNTS,
            "avg_watch_seconds",
            "completion_rate",
            "created_at",
            "updated_at",
        )
        return copy_insert(VideoDailyMetric, columns, rows())

    # --- interactions -----------------------------------------------------------------------------

    def comments(self) -> int:
        per_account = self.sizes.comments_per_account
        if not per_account or not self.sizes.videos_per_account:
            return 0
        rng = self.rng
        videos_of = {}
        for video in self.video_list:
            videos_of.setdefault(video.account_id, []).append(video)
        rows = []
        for account in self.account_list:
            for n in range(per_account):
                video = rng.choice(videos_of[account.pk])
                sentiment = rng.choices(Sentiment.values, weights=(5, 3, 2))[0]
                handled = rng.random() < 0.6
                posted = self.now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 30))
                rows.append(
                    VideoComment(
                        agency=self.agency,
                        client_id=account.client_id,
                        account=account,
                        video=video,
                        platform_comment_id=f"c{video.pk}_{n}",
                        author_uid=f"u{rng.randint(1, 10**9)}",
                        author_nickname=f"用户{rng.randint(1000, 9999)}",
                        text=rng.choice(COMMENT_TEXTS),
                        posted_at=posted,
                        like_count=rng.randint(0, 200),
                        sentiment=sentiment,
                        sentiment_score={"positive": 0.9, "neutral": 0.5, "negative": 0.1}[sentiment],
                        classified_at=posted,
                        status=CommentStatus.HANDLED if handled else CommentStatus.WAITING,
                        handled_at=posted + dt.timedelta(minutes=30) if handled else None,
                    )
                )
        VideoComment.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def messages(self) -> int:
        per_account = self.sizes.messages_per_account
        rng = self.rng
        rows = []
        for account in self.account_list:
            for n in range(per_account):
                received = self.now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 30))
                answered = rng.random() < 0.8
                seconds = rng.randint(5, 3_600) if answered else None
                rows.append(
                    InboxMessage(
                        agency=self.agency,
                        client_id=account.client_id,
                        account=account,
                        platform_message_id=f"m{account.pk}_{n}",
                        conversation_id=f"conv{account.pk}_{n // 2}",
                        sender_uid=f"u{rng.randint(1, 10**9)}",
                        sender_nickname=f"用户{rng.randint(1000, 9999)}",
                        text=rng.choice(MESSAGE_TEXTS),
                        received_at=received,
                        is_first_contact=n % 2 == 0,
                        status=InboxStatus.ANSWERED if answered else InboxStatus.OPEN,
                        first_response_at=received + dt.timedelta(seconds=seconds) if answered else None,
                        first_response_seconds=seconds,
                    )
                )
        InboxMessage.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def portraits(self) -> int:
        """Two audience snapshots per account: at the end of the latest whole persona period and of
        the one before, so the scheduled persona job has a full period to report on."""
        rng = self.rng
        start, end = persona_period(self.agency, self.today)
        dates = (start - dt.timedelta(days=1), end)
        rows = [
            AudienceSnapshot(
                agency=self.agency,
                client_id=account.client_id,
                account=account,
                date=date,
                fans_total=account.followers,
                **portrait(rng),
            )
            for account in self.account_list
            for date in dates
        ]
        AudienceSnapshot.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    # --- production, live, records, evaluation -------------------------------------------------

    def projects(self) -> int:
        """One video project in every stage per client; the published one is linked to a video."""
        rng = self.rng
        first_video = {}
        for video in self.video_list:
            first_video.setdefault(video.client_id, video)
        accounts_of = {}
        for account in self.account_list:
            accounts_of.setdefault(account.client_id, account)
        rows = []
        for client in self.client_list:
            for stage in Stage.values:
                published = stage == Stage.PUBLISHED
                video = first_video.get(client.pk) if published else None
                account = video.account if video is not None else accounts_of[client.pk]
                rows.append(
                    VideoProject(
                        agency=self.agency,
                        client=client,
                        account=account,
                        title=f"{client.name} {Stage(stage).label}",
                        brief="门店探店短视频",
                        due_date=self.today + dt.timedelta(days=rng.randint(-30, 60)),
                        assignee=self.people["admin"],
                        stage=stage,
                        stage_changed_at=self.now - dt.timedelta(days=rng.randint(0, 20)),
                        video=video,
                    )
                )
        VideoProject.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def live_sessions(self) -> int:
        """Per client: ended sessions with their results, and one planned session."""
        rng = self.rng
        accounts_of = {}
        for account in self.account_list:
            accounts_of.setdefault(account.client_id, account)
        sessions = []
        for client in self.client_list:
            for n in range(self.sizes.live_sessions_per_client):
                ended = n < self.sizes.live_sessions_per_client - 1
                start = self.now + dt.timedelta(days=-rng.randint(1, 90) if ended else rng.randint(1, 30))
                sessions.append(
                    LiveSession(
                        agency=self.agency,
                        client=client,
                        account=accounts_of[client.pk],
                        theme=f"{client.name} 直播 {n + 1}",
                        planned_start=start,
                        planned_end=start + dt.timedelta(hours=3),
                        goal_gmv=Decimal(rng.randint(10_000, 500_000)),
                        goal_viewers=rng.randint(5_000, 200_000),
                        status=LiveSessionStatus.ENDED if ended else LiveSessionStatus.PLANNED,
                        started_at=start if ended else None,
                        ended_at=start + dt.timedelta(hours=3) if ended else None,
                    )
                )
        sessions = LiveSession.objects.bulk_create(sessions, batch_size=BATCH)
        results = []
        for session in sessions:
            if session.status != LiveSessionStatus.ENDED:
                continue
            viewers = rng.randint(2_000, 150_000)
            orders = rng.randint(10, 3_000)
            results.append(
                LiveSessionResult(
                    agency=self.agency,
                    client_id=session.client_id,
                    session=session,
                    peak_concurrent_viewers=viewers // 10,
                    average_concurrent_viewers=viewers // 25,
                    total_viewers=viewers,
                    views=viewers * 2,
                    average_watch_seconds=rng.randint(20, 400),
                    comments=viewers // 8,
                    new_followers=viewers // 50,
                    orders=orders,
                    gmv=Decimal(orders * rng.randint(30, 300)),
                    refund_orders=orders // 20,
                    refund_amount=Decimal(orders // 20 * 50),
                )
            )
        LiveSessionResult.objects.bulk_create(results, batch_size=BATCH)
        return len(sessions) + len(results)

    def inspections(self) -> int:
        """9: the daily inspection of every account for the last days, done but for today's."""
        rows = []
        for days_ago in range(self.sizes.inspection_days):
            date = self.today - dt.timedelta(days=days_ago)
            done = days_ago > 0
            for account in self.account_list:
                rows.append(
                    DailyInspection(
                        agency=self.agency,
                        client_id=account.client_id,
                        account=account,
                        inspection_date=date,
                        status=InspectionStatus.DONE if done else InspectionStatus.PENDING,
                        profile_intact=True if done else None,
                        pinned_videos_in_place=True if done else None,
                        interactions_handled=True if done else None,
                        no_violation_notice=True if done else None,
                        metrics_arrived=True if done else None,
                        inspected_by=self.people["admin"] if done else None,
                        completed_at=self.now - dt.timedelta(days=days_ago) if done else None,
                    )
                )
        DailyInspection.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def evaluations(self) -> int:
        """10.1: last year's yearly campaign of every client, closed."""
        template = questionnaire_ensure_default()
        year = self.today.year - 1
        rows = [
            EvaluationCampaign(
                agency=self.agency,
                client=client,
                kind=CampaignKind.YEARLY,
                year=year,
                template=template,
                status=CampaignStatus.CLOSED,
                opens_on=dt.date(year, 11, 1),
                closes_on=dt.date(year, 11, 30),
                opened_at=self.now - dt.timedelta(days=365),
                closed_at=self.now - dt.timedelta(days=330),
            )
            for client in self.client_list
        ]
        EvaluationCampaign.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)


def portrait(rng: random.Random) -> dict:
    def split(keys: Sequence[str]) -> dict[str, float]:
        weights = [rng.random() + 0.05 for _ in keys]
        total = sum(weights)
        shares = [round(w / total, 4) for w in weights]
        shares[-1] = round(1 - sum(shares[:-1]), 4)
        return dict(zip(keys, shares, strict=True))

    return {
        "gender": split(["male", "female"]),
        "age": split(["1-23", "24-30", "31-40", "41-50", "50-"]),
        "provinces": {"四川": 0.4, "重庆": 0.2, "广东": 0.1},
        "cities": {"成都": 0.35, "重庆": 0.2, "深圳": 0.05},
        "devices": {"iPhone": 0.45, "华为": 0.3, "小米": 0.1},
        "interests": {"美食": 0.7, "旅行": 0.3},
        "active_days": split(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
        "active_hours": split([str(h) for h in range(24)]),
    }


def copy_insert(model, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table through its bulk path:
    COPY into a temporary staging table, then one ``INSERT ... SELECT`` (row-level security
    checks every row). Runs inside a transaction and the rows' agency's ``tenant_context``."""
    if connection.vendor != "postgresql":
        batch, made = [], 0
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) == BATCH:
                made += len(model.objects.bulk_create(batch))
                batch = []
        return made + len(model.objects.bulk_create(batch))
    table = model._meta.db_table
    quote = connection.ops.quote_name
    staging = quote(f"seed_{table}")
    column_list = ", ".join(quote(c) for c in columns)
    made = 0
    with connection.cursor() as cursor:
        # Through Django's cursor first: it hands the tenant context to the database.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {column_list} FROM {quote(table)} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                made += 1
        cursor.execute(f"INSERT INTO {quote(table)} ({column_list}) SELECT {column_list} FROM {staging}")
        cursor.execute(f"DROP TABLE {staging}")
    return made


def all_scale_agencies(prefix: str = "scale") -> list[Agency]:
    return list(Agency.objects.filter(slug__startswith=f"{prefix}-").order_by("slug"))
