"""The one place where platform field names meet ours.

Platform data (metrics, comments, fan portraits, hot lists) arrives through the API or a file in
the shape a platform connector or a creator-centre export gives it. Field names follow the Douyin
Open Platform's data where one exists (user data ``total_fans``, ``new_fans``, ``profile_uv``,
``new_play``, ``new_like``, ``new_comment``, ``new_share``, ``new_issue``; item data ``play``,
``digg``, ``comment``, ``share``, ``avg_play_duration``); the creator centre's exports use Chinese
column titles. Each is mapped here, once, to the clear name our models use. Our own names are
accepted too, so an integration may send either.

``canonical(kind, name)`` answers our name for any accepted spelling (case, spaces and
underscores do not matter), or ``None`` for a field we do not know.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCOUNT_METRICS = "account_metrics"
VIDEO_METRICS = "video_metrics"
COMMENTS = "comments"
HOT_TOPICS = "hot_topics"


@dataclass(frozen=True)
class PlatformField:
    ours: str
    douyin: str | None  # the Douyin Open Platform's name, where the platform has one
    aliases: tuple[str, ...] = ()  # creator-centre column titles and other spellings


# --- account daily metrics (per account and date) ---------------------------------------------
ACCOUNT_METRIC_FIELDS: tuple[PlatformField, ...] = (
    PlatformField("account", None, ("account_id", "账号", "账号id")),
    PlatformField("handle", None, ("抖音号", "douyin_id", "账号名")),
    PlatformField("date", "date", ("日期", "时间", "stat_date")),
    PlatformField("followers_total", "total_fans", ("粉丝总数", "总粉丝数", "粉丝数", "累计粉丝")),
    PlatformField("followers_gained", "new_fans", ("新增粉丝", "新增粉丝数", "涨粉")),
    # The platform reports no daily-active-fan count in its open data; creator centres do.
    PlatformField("active_fans", None, ("daily_active_fans", "日活跃粉丝", "活跃粉丝数", "活跃粉丝")),
    PlatformField("profile_visits", "profile_uv", ("主页访问", "主页访问数", "主页访问人数")),
    PlatformField("plays", "new_play", ("播放量", "播放", "视频播放量", "作品播放量")),
    PlatformField("likes", "new_like", ("点赞", "点赞量", "点赞数", "新增点赞")),
    PlatformField("comments", "new_comment", ("评论", "评论量", "评论数", "新增评论")),
    PlatformField("shares", "new_share", ("分享", "分享量", "分享数", "新增分享")),
    PlatformField("videos_posted", "new_issue", ("投稿数", "发布作品数", "新增作品", "作品数")),
)
ACCOUNT_METRIC_COUNTS = (
    "followers_total",
    "followers_gained",
    "active_fans",
    "profile_visits",
    "plays",
    "likes",
    "comments",
    "shares",
    "videos_posted",
)

# --- video daily metrics (per video and date) -------------------------------------------------
VIDEO_METRIC_FIELDS: tuple[PlatformField, ...] = (
    PlatformField("video", None, ("video_id", "视频id")),
    PlatformField("account", None, ("account_id", "账号", "账号id")),
    PlatformField("handle", None, ("抖音号", "douyin_id", "账号名")),
    PlatformField("item_id", "item_id", ("作品id", "视频编号", "platform_item_id")),
    PlatformField("date", "date", ("日期", "时间", "stat_date")),
    PlatformField("plays", "play", ("play_count", "播放量", "播放")),
    PlatformField("likes", "digg", ("digg_count", "like", "点赞", "点赞量", "点赞数")),
    PlatformField("comments", "comment", ("comment_count", "评论", "评论量", "评论数")),
    PlatformField("shares", "share", ("share_count", "分享", "分享量", "分享数")),
    PlatformField("avg_watch_seconds", "avg_play_duration", ("平均播放时长", "平均观看时长", "人均观看时长")),
    PlatformField("completion_rate", None, ("play_finish_ratio", "完播率")),
)
VIDEO_METRIC_COUNTS = ("plays", "likes", "comments", "shares")

# --- comments on videos ------------------------------------------------------------------------
COMMENT_FIELDS: tuple[PlatformField, ...] = (
    PlatformField("video", None, ("video_id", "视频id")),
    PlatformField("account", None, ("account_id", "账号id")),
    PlatformField("handle", None, ("抖音号", "douyin_id", "账号名")),
    PlatformField("item_id", "item_id", ("作品id", "platform_item_id")),
    PlatformField("platform_comment_id", "comment_id", ("评论id",)),
    PlatformField("parent_comment_id", "reply_to_comment_id", ("回复评论id",)),
    PlatformField("author_uid", "comment_user_id", ("open_id", "用户id")),
    PlatformField("author_nickname", "nick_name", ("nickname", "用户昵称", "昵称")),
    PlatformField("text", "content", ("评论内容", "内容")),
    PlatformField("posted_at", "create_time", ("评论时间", "时间")),
    PlatformField("like_count", "digg_count", ("点赞数", "点赞")),
    PlatformField("reply_count", "reply_comment_total", ("回复数",)),
)

# --- hot topics --------------------------------------------------------------------------------
HOT_TOPIC_FIELDS: tuple[PlatformField, ...] = (
    PlatformField("platform", None, ("平台",)),
    PlatformField("title", "sentence", ("word", "话题", "热点", "标题")),
    PlatformField("heat", "hot_level", ("hot_value", "热度", "热度值")),
    PlatformField("rank", "position", ("排名", "名次")),
    PlatformField("seen_at", "event_time", ("时间", "上榜时间", "发现时间")),
    PlatformField("source", None, ("来源",)),
    PlatformField("url", None, ("链接",)),
)

FIELDS: dict[str, tuple[PlatformField, ...]] = {
    ACCOUNT_METRICS: ACCOUNT_METRIC_FIELDS,
    VIDEO_METRICS: VIDEO_METRIC_FIELDS,
    COMMENTS: COMMENT_FIELDS,
    HOT_TOPICS: HOT_TOPIC_FIELDS,
}


def spelling_key(name: str) -> str:
    return "".join(str(name).split()).replace("_", "").replace("-", "").lower()


LOOKUP: dict[str, dict[str, str]] = {
    kind: {
        spelling_key(spelling): field.ours
        for field in fields
        for spelling in (field.ours, field.douyin, *field.aliases)
        if spelling
    }
    for kind, fields in FIELDS.items()
}


def canonical(kind: str, name: str) -> str | None:
    """Our name for ``name`` (any accepted spelling), or ``None``."""
    return LOOKUP[kind].get(spelling_key(name))


def douyin_name(kind: str, ours: str) -> str | None:
    return next((f.douyin for f in FIELDS[kind] if f.ours == ours), None)


def translate_row(kind: str, row: dict) -> tuple[dict, list[str]]:
    """The row with our names; and the names that were given twice (``plays`` and ``new_play``).
    Unknown names are dropped (a connector may send more than we keep)."""
    out: dict = {}
    twice: list[str] = []
    lookup = LOOKUP[kind]
    for name, value in row.items():
        ours = lookup.get(name) if name in lookup else lookup.get(spelling_key(name))
        if ours is None:
            continue
        if ours in out:
            twice.append(ours)
        out[ours] = value
    return out, twice


def header_map(kind: str, headers: list[str]) -> dict[int, str]:
    """Column index → our name, for the columns of a file we understand."""
    mapping = {}
    for index, header in enumerate(headers):
        ours = canonical(kind, header or "") if header is not None else None
        if ours is not None and ours not in mapping.values():
            mapping[index] = ours
    return mapping


# --- fan portraits ------------------------------------------------------------------------------
# Douyin's fan-portrait age buckets, as the platform reports them.
AGE_BUCKETS = ("1-23", "24-30", "31-40", "41-50", "50-")
AGE_ALIASES = {"<24": "1-23", "0-23": "1-23", "18-23": "1-23", "50+": "50-", ">50": "50-", "51-": "50-"}
GENDER_KEYS = ("male", "female")
GENDER_ALIASES = {"1": "male", "2": "female", "男": "male", "女": "female", "m": "male", "f": "female"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_ALIASES = {
    "1": "mon",
    "2": "tue",
    "3": "wed",
    "4": "thu",
    "5": "fri",
    "6": "sat",
    "7": "sun",
    "周一": "mon",
    "周二": "tue",
    "周三": "wed",
    "周四": "thu",
    "周五": "fri",
    "周六": "sat",
    "周日": "sun",
    "星期一": "mon",
    "星期二": "tue",
    "星期三": "wed",
    "星期四": "thu",
    "星期五": "fri",
    "星期六": "sat",
    "星期日": "sun",
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
HOURS = tuple(str(hour) for hour in range(24))
# Douyin's portrait names (fans data) → our snapshot fields.
PORTRAIT_FIELDS = {
    "gender_distributions": "gender",
    "age_distributions": "age",
    "geographical_distributions": "provinces",
    "city_distributions": "cities",
    "device_distributions": "devices",
    "interest_distributions": "interests",
    "active_days_distributions": "active_days",
    "active_hours_distributions": "active_hours",
}
