"""Demo platform data for chapter 7 (part of ``manage.py seed_demo``): 120 days of daily metrics
for every active account, 30 days of figures for each account's latest videos, a fan portrait
with its persona report, and comments with their sentiment. Everything goes in through the same
services a platform connector uses, so the demo shows what real data looks like in the pages,
the charts and the reports. The figures are made up but repeatable: the same every run."""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections import Counter

from accounts_ops.models import AccountDailyMetric, AudienceSnapshot, VideoComment, VideoDailyMetric
from accounts_ops.services.audience import audience_snapshots_ingest, persona_period, persona_reports_build
from accounts_ops.services.comments import comments_classify_pending, comments_receive
from accounts_ops.services.metrics import account_metrics_ingest, video_metrics_ingest
from agency.models import Agency
from clients.models import AccountStatus, Client, PlatformAccount, Video

METRIC_DAYS = 120
VIDEO_DAYS = 30
VIDEOS_WITH_FIGURES = 8

PORTRAITS = {
    "zh": {
        "gender": {"male": 0.41, "female": 0.59},
        "age": {"1-23": 0.16, "24-30": 0.39, "31-40": 0.29, "41-50": 0.11, "50-": 0.05},
        "provinces": {"四川": 0.52, "重庆": 0.18, "广东": 0.08},
        "cities": {"成都": 0.46, "重庆": 0.18, "深圳": 0.05},
        "devices": {"iPhone": 0.44, "华为": 0.31, "小米": 0.12},
        "interests": {"美食": 0.71, "旅行": 0.33, "亲子": 0.14},
    },
    "en": {
        "gender": {"male": 0.37, "female": 0.63},
        "age": {"1-23": 0.21, "24-30": 0.42, "31-40": 0.24, "41-50": 0.09, "50-": 0.04},
        "provinces": {"上海": 0.31, "江苏": 0.22, "浙江": 0.17},
        "cities": {"上海": 0.31, "南京": 0.09, "杭州": 0.12},
        "devices": {"iPhone": 0.58, "华为": 0.22, "小米": 0.09},
        "interests": {"美妆": 0.64, "时尚": 0.41, "健身": 0.18},
    },
}
ACTIVE_DAYS = {"mon": 0.11, "tue": 0.1, "wed": 0.12, "thu": 0.13, "fri": 0.16, "sat": 0.21, "sun": 0.17}
ACTIVE_HOURS = {str(h): (0.09 if h in (12, 18, 19, 20, 21) else 0.55 / 19) for h in range(24)}

COMMENTS = {
    "zh": [
        ("老顾客了，毛肚还是那么脆！", 42),
        ("周末排队两小时，能不能开个线上取号？", 18),
        ("上次去汤底太咸了，服务员态度也一般。", 7),
        ("团购券怎么用？到店说不能叠加。", 11),
        ("看饿了，明天就去", 25),
        ("环境干净，推荐带爸妈去", 9),
    ],
    "en": [
        ("Bought the serum after this video, skin feels great", 31),
        ("Shipping took 9 days, customer service never answered", 6),
        ("Does it suit sensitive skin?", 14),
        ("Love the lab stories series!", 22),
        ("Broke out after two days, very disappointed", 4),
        ("Finally an honest ingredient list", 17),
    ],
}


def _noise(*parts) -> float:
    """A repeatable number in [0, 1) from the parts (no random state: the demo is the same every run)."""
    return (zlib.crc32(":".join(map(str, parts)).encode()) % 10_000) / 10_000


def _lang(agency: Agency) -> str:
    return "zh" if agency.language.startswith("zh") else "en"


def _account_rows(account: PlatformAccount, today: dt.date) -> list[dict]:
    """Daily figures of one account: fans growing towards today's count, plays with a weekly
    rhythm (weekends higher) and a slow upward trend, engagement a few percent of plays."""
    size = max(account.followers, 2_000)
    start_fans = int(size * 0.82)
    rows = []
    for n in range(METRIC_DAYS, 0, -1):
        day = today - dt.timedelta(days=n)
        progress = (METRIC_DAYS - n) / METRIC_DAYS
        fans = int(start_fans + (size - start_fans) * progress)
        weekend = 1.35 if day.weekday() >= 5 else 1.0
        wobble = 0.75 + 0.5 * _noise(account.pk, day)
        plays = int(size * 0.9 * weekend * wobble * (0.8 + 0.4 * progress))
        rate = 0.035 + 0.02 * _noise("rate", account.pk, day)
        likes = int(plays * rate)
        rows.append(
            {
                "account": account.pk,
                "date": day.isoformat(),
                "followers_total": fans,
                "followers_gained": max(0, int((size - start_fans) / METRIC_DAYS * wobble)),
                "active_fans": int(fans * (0.16 + 0.05 * _noise("active", account.pk, day))),
                "profile_visits": int(plays * 0.04),
                "plays": plays,
                "likes": likes,
                "comments": int(likes * 0.09),
                "shares": int(likes * 0.05),
                "videos_posted": 1 if _noise("post", account.pk, day) > 0.55 else 0,
            }
        )
    return rows


def _video_rows(videos: list[Video], today: dt.date) -> list[dict]:
    """Each video's figures from its publication: a launch peak decaying over the following days."""
    rows = []
    for video in videos:
        published = video.published_at.date() if video.published_at else today - dt.timedelta(days=VIDEO_DAYS)
        strength = 2_000 + int(40_000 * _noise("video", video.pk))
        for n in range(VIDEO_DAYS, 0, -1):
            day = today - dt.timedelta(days=n)
            if day < published:
                continue
            age = (day - published).days
            plays = int(strength * math.exp(-age / 4)) + 50
            rows.append(
                {
                    "video": video.pk,
                    "date": day.isoformat(),
                    "plays": plays,
                    "likes": int(plays * 0.05),
                    "comments": int(plays * 0.004),
                    "shares": int(plays * 0.002),
                    "avg_watch_seconds": f"{9 + 8 * _noise('watch', video.pk):.2f}",
                    "completion_rate": f"{0.2 + 0.25 * _noise('done', video.pk):.4f}",
                }
            )
    return rows


def _portrait(agency: Agency, account: PlatformAccount, today: dt.date, made: Counter) -> None:
    day = today - dt.timedelta(days=2)
    if AudienceSnapshot.objects.filter(account=account).exists():
        return
    audience_snapshots_ingest(
        actor=None,
        rows=[
            {
                "account": account.pk,
                "date": day.isoformat(),
                "fans_total": account.followers,
                **PORTRAITS[_lang(agency)],
                "active_days": ACTIVE_DAYS,
                "active_hours": ACTIVE_HOURS,
            }
        ],
    )
    made["fan portraits"] += 1
    start, end = persona_period(agency, today)
    made["persona reports"] += persona_reports_build(
        account_ids=[account.pk], period_start=min(start, day), period_end=max(end, day)
    )


def _comments(agency: Agency, account: PlatformAccount, videos: list[Video], today: dt.date, made: Counter) -> None:
    if not videos or VideoComment.objects.filter(account=account).exists():
        return
    rows = []
    for index, (text, likes) in enumerate(COMMENTS[_lang(agency)]):
        video = videos[index % len(videos)]
        posted = dt.datetime.combine(today - dt.timedelta(days=1 + index % 3), dt.time(12 + index, 5), tzinfo=agency.tz)
        rows.append(
            {
                "video": video.pk,
                "platform_comment_id": f"{account.handle}-c{index:03d}",
                "author_uid": f"fan-{index:03d}",
                "author_nickname": f"fan{index:03d}",
                "text": text,
                "posted_at": posted.isoformat(),
                "like_count": likes,
                "reply_count": 0,
            }
        )
    made["comments"] += comments_receive(actor=None, rows=rows).created
    comments_classify_pending()


def seed(*, agency: Agency, clients: list[Client], today: dt.date) -> Counter:
    """Platform data for ``agency``'s active accounts (idempotent: an account with metrics is skipped)."""
    made: Counter = Counter()
    accounts = PlatformAccount.objects.filter(client__in=clients, status=AccountStatus.ACTIVE).order_by("pk")
    for account in accounts:
        if AccountDailyMetric.objects.filter(account=account).exists():
            continue
        made["daily account metrics"] += account_metrics_ingest(actor=None, rows=_account_rows(account, today)).created
        videos = list(Video.objects.filter(account=account).order_by("-published_at", "-pk")[:VIDEOS_WITH_FIGURES])
        if videos and not VideoDailyMetric.objects.filter(account=account).exists():
            made["daily video metrics"] += video_metrics_ingest(actor=None, rows=_video_rows(videos, today)).created
        account.refresh_from_db(fields=["followers"])
        _portrait(agency, account, today, made)
        _comments(agency, account, videos, today, made)
    return made
