"""The rows of the bulk endpoints of platform data, declared once.

Each kind of row has its serializer here (``AccountMetricRowSerializer``...): the fields of a row
in our names, with the JSON type, format, length and limits the services read them with (the
limits are the model's columns, as ``accounts_ops.rows`` reads them; the kinds of field are
``accounts_ops.api.imports_fields``'s). The request serializer of a
bulk endpoint (``BulkRequestSerializer``) holds the optional ``account`` (or ``platform``) of
rows that name none and ``rows``, a list of that row serializer, and is both what the OpenAPI
schema states and what the view reads the request with:

- ``rows`` is a list of at most the endpoint's limit (``ensure_batch``: "Give a list of rows.",
  "The list of rows is empty.", "N rows; at most M per request.");
- every value a row gives is of its field's JSON type (and text form: a date ``YYYY-MM-DD``, a time
  in RFC 3339 or a Unix timestamp, a percentage ``35.2%``), refused otherwise, naming
  ``rows[i].field``. The check (``accounts_ops.api.imports_schema.check_rows``) goes column by
  column over the rows that share their keys (the rows of one request do), without a serializer
  call per row: a request of 10,000 rows is checked in milliseconds (``BENCHMARKS.md``);
- the rest is the service's, row by row, against the world (an account of the agency, a day not
  in the future, no key twice, the 7.3 portrait rules): its refusal names each row and field. A
  request with values of the wrong type is refused naming those and what the service's check of
  the rows finds besides (``refuse_rows``): every problem of every row, in one answer.

A row may give a field under the platform's name (Douyin's ``new_play``) instead of ours
(``accounts_ops.platform_fields``); each field's description lists the names it takes. A key that
is none of them is ignored (a connector may send more than is kept)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DRFValidationError

from accounts_ops import rows as read
from accounts_ops.api.imports_fields import (
    CountField,
    DayField,
    DistributionField,
    IdField,
    KeyField,
    MomentField,
    PlatformField,
    SecondsField,
    ShareField,
    TextField,
)
from accounts_ops.api.imports_schema import check_rows
from accounts_ops.models.audience import AudienceSnapshot
from accounts_ops.models.comments import VideoComment
from accounts_ops.models.hot_topics import HotTopic
from accounts_ops.models.metrics import AccountDailyMetric, VideoDailyMetric
from accounts_ops.platform_fields import (
    ACCOUNT_METRICS,
    COMMENTS,
    FIELDS,
    HOT_TOPICS,
    LOOKUP,
    PORTRAIT_FIELDS,
    VIDEO_METRICS,
)
from accounts_ops.portrait import DIMENSION_NAMES
from accounts_ops.services.audience import SNAPSHOTS_BULK_MAX
from accounts_ops.services.comments import COMMENT_TEXT_MAX_CHARS, COMMENTS_BULK_MAX, LOCAL_ID_PREFIX
from accounts_ops.services.common import METRICS_BULK_MAX, ROWS_KEY, Checked, RowProblem, ensure_batch, refusal
from accounts_ops.services.hot_topics import HOT_TOPICS_BULK_MAX
from agency.api.serializers import ScopedSerializer
from clients.models import PlatformAccount, Video

# --- the row ----------------------------------------------------------------------------------


class BulkRowSerializer(serializers.Serializer):
    """A row of a bulk endpoint. ``kind``: its platform names (``accounts_ops.platform_fields``);
    ``one_of``: groups of fields of which a row gives at least one whole group (a video by id,
    or by item id and account), ``one_of_else``: the body field that stands in for the row's
    account (a row then needs none); ``figures``: fields of which a row gives at least one."""

    kind: str | None = None
    one_of: tuple[tuple[str, ...], ...] = ()
    figures: tuple[str, ...] = ()
    # A problem of a field that names another row is named after what it names, as the service
    # names it (a handle's, ``rows[3].account``; a video's item id's, ``rows[3].video``).
    reported_as: dict[str, str] = {}

    @classmethod
    def aliases(cls) -> dict[str, str]:
        """Each spelling a row's key may take (``spelling_key``) → our name."""
        if cls.kind is None:
            return {}
        return LOOKUP[cls.kind]

    @classmethod
    def names_of(cls, ours: str) -> list[str]:
        """The names a field takes besides ours (Douyin's, the creator centre's)."""
        if cls.kind is None:
            return [name for name, field in PORTRAIT_FIELDS.items() if field == ours]
        for field in FIELDS[cls.kind]:
            if field.ours == ours:
                return [name for name in (field.douyin, *field.aliases) if name and name != ours]
        return []

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            others = self.names_of(name)
            if others:
                field.help_text = " ".join(
                    filter(None, [field.help_text, _("Also read as: %(names)s.") % {"names": ", ".join(others)}])
                )
        return fields


class AccountRowSerializer(BulkRowSerializer):
    """A row about one account: the account by id or handle, or the body's ``account``."""

    one_of = (("account",), ("handle",))
    reported_as = {"handle": "account"}

    account = KeyField(PlatformAccount, help_text="The account's id.")
    handle = IdField(PlatformAccount, "handle", help_text="The account's handle, with or without @.")


class VideoRowSerializer(BulkRowSerializer):
    """A row about one video: the video by id, or by the platform's ``item_id`` with the account (by
    id or handle, or the body's ``account``)."""

    one_of = (("video",), ("item_id", "account"), ("item_id", "handle"))
    reported_as = {"item_id": "video", "account": "video", "handle": "video"}

    video = KeyField(Video, help_text="The video's id.")
    account = KeyField(PlatformAccount, help_text="The account of a video named by its item id.")
    handle = IdField(PlatformAccount, "handle", help_text="The account's handle, with or without @.")
    item_id = IdField(Video, "platform_item_id", help_text="The platform's id of the video.")


# --- the rows of each endpoint ----------------------------------------------------------------


class AccountMetricRowSerializer(AccountRowSerializer):
    """An account's figures of one day. At least one figure; the account by id or handle, or the
    body's ``account``."""

    kind = ACCOUNT_METRICS
    figures = AccountDailyMetric.COUNTS

    date = DayField(help_text="The day, not after today in the agency's time zone, from 2000 on.")
    followers_total = CountField(AccountDailyMetric, "followers_total")
    followers_gained = CountField(AccountDailyMetric, "followers_gained")
    active_fans = CountField(AccountDailyMetric, "active_fans")
    profile_visits = CountField(AccountDailyMetric, "profile_visits")
    plays = CountField(AccountDailyMetric, "plays")
    likes = CountField(AccountDailyMetric, "likes")
    comments = CountField(AccountDailyMetric, "comments")
    shares = CountField(AccountDailyMetric, "shares")
    videos_posted = CountField(AccountDailyMetric, "videos_posted")


class VideoMetricRowSerializer(VideoRowSerializer):
    """A video's figures of one day. At least one figure; the video by id, or by the platform's
    ``item_id`` with the account (by id or handle, or the body's ``account``)."""

    kind = VIDEO_METRICS
    figures = ("plays", "likes", "comments", "shares", "avg_watch_seconds", "completion_rate")

    date = DayField(help_text="The day, not after today in the agency's time zone, from 2000 on.")
    plays = CountField(VideoDailyMetric, "plays")
    likes = CountField(VideoDailyMetric, "likes")
    comments = CountField(VideoDailyMetric, "comments")
    shares = CountField(VideoDailyMetric, "shares")
    avg_watch_seconds = SecondsField(help_text="Average watch time in seconds.")
    completion_rate = ShareField(required=False, allow_null=True, help_text="A share (0.352) or a percentage (35.2%).")


class CommentRowSerializer(VideoRowSerializer):
    """A comment on a video, as the platform gives it. The video by id, or by the platform's
    ``item_id`` with the account (by id or handle, or the body's ``account``)."""

    kind = COMMENTS

    platform_comment_id = IdField(
        VideoComment,
        "platform_comment_id",
        required=True,
        refused_prefix=LOCAL_ID_PREFIX,
        help_text=f"The platform's id of the comment (ids starting “{LOCAL_ID_PREFIX}” are ours).",
    )
    parent_comment_id = IdField(VideoComment, "parent_comment_id", help_text="The comment it answers.")
    author_uid = IdField(VideoComment, "author_uid")
    author_nickname = TextField(max_chars=read.max_chars_of(VideoComment, "author_nickname"))
    text = TextField(max_chars=COMMENT_TEXT_MAX_CHARS, required=True)
    posted_at = MomentField(help_text="When it was posted; not in the future, from 2000 on.")
    like_count = CountField(VideoComment, "like_count")
    reply_count = CountField(VideoComment, "reply_count")


class HotTopicRowSerializer(BulkRowSerializer):
    """A topic of a hot list. Its platform, or the body's ``platform``."""

    kind = HOT_TOPICS
    one_of = (("platform",),)

    platform = PlatformField()
    title = TextField(max_chars=read.max_chars_of(HotTopic, "title"), required=True)
    heat = CountField(HotTopic, "heat")
    rank = CountField(HotTopic, "rank", minimum=1)
    seen_at = MomentField(
        required=False, allow_null=True, help_text="When it was seen (now when left out); not in the future."
    )
    source = TextField(max_chars=read.max_chars_of(HotTopic, "source"))
    url = IdField(HotTopic, "url", pattern=r"^(?:https?://[^\x00-\x20\x7f-\x9f]+)?$", help_text="An http(s) link.")


class AudienceSnapshotRowSerializer(AccountRowSerializer):
    """An account's fan portrait on one day (7.3): ``fans_total`` or at least one dimension; the
    account by id or handle, or the body's ``account``."""

    figures = ("fans_total", *DIMENSION_NAMES)

    date = DayField(help_text="The day, not after today in the agency's time zone, from 2000 on.")
    fans_total = CountField(AudienceSnapshot, "fans_total", help_text="Also read as: total_fans.")
    gender = DistributionField(required=False, allow_null=True)
    age = DistributionField(required=False, allow_null=True)
    provinces = DistributionField(required=False, allow_null=True)
    cities = DistributionField(required=False, allow_null=True)
    devices = DistributionField(required=False, allow_null=True)
    interests = DistributionField(required=False, allow_null=True)
    active_days = DistributionField(required=False, allow_null=True)
    active_hours = DistributionField(required=False, allow_null=True)

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"total_fans": "fans_total", **PORTRAIT_FIELDS}


# --- the request ------------------------------------------------------------------------------


class RowsField(serializers.ListField):
    """The rows of a bulk request: a list of ``child`` rows, at most ``max_length``. Read without a
    call per row (``check_rows``)."""

    def __init__(self, row: type[BulkRowSerializer], *, maximum: int, **kwargs):
        kwargs.setdefault("help_text", f"Up to {maximum:,} rows; all are stored, or none.")
        super().__init__(child=row(), allow_empty=False, max_length=maximum, **kwargs)
        self.row = row
        self.maximum = maximum

    def to_internal_value(self, data):
        from django.core.exceptions import ValidationError

        try:
            ensure_batch(data, maximum=self.maximum)
        except ValidationError as exc:
            raise DRFValidationError([m for messages in exc.message_dict.values() for m in messages]) from None
        return data


class BulkRequestSerializer(ScopedSerializer):
    """``{"account": optional id, "rows": [...]}``: the rows are checked here for their JSON types
    (``check_rows``), then by the service against the world."""

    account = serializers.PrimaryKeyRelatedField(
        queryset=PlatformAccount.objects.none(),
        required=False,
        allow_null=True,
        help_text="The account of rows that name none.",
    )

    def validate(self, attrs):
        # Refused with what the service finds in the rows too (``refuse_rows``), all in one answer.
        self.row_problems = check_rows(self.fields[ROWS_KEY].row, attrs[ROWS_KEY])
        return attrs


def refuse_rows(problems: list[RowProblem], checked: Checked) -> None:
    """Refuse a request whose rows have ``problems`` of their JSON types, naming besides them what
    the service's check of the rows (``checked``) found: per row and field, the service's words
    where it names the field too."""
    named = {(problem.index, problem.field) for problem in checked.problems}
    merged = [*checked.problems, *(problem for problem in problems if (problem.index, problem.field) not in named)]
    merged.sort(key=lambda problem: problem.index)
    raise refusal(merged)


class AccountMetricsBulkSerializer(BulkRequestSerializer):
    rows = RowsField(AccountMetricRowSerializer, maximum=METRICS_BULK_MAX)


class VideoMetricsBulkSerializer(BulkRequestSerializer):
    rows = RowsField(VideoMetricRowSerializer, maximum=METRICS_BULK_MAX)


class CommentsBulkSerializer(BulkRequestSerializer):
    rows = RowsField(CommentRowSerializer, maximum=COMMENTS_BULK_MAX)


class AudienceSnapshotsBulkSerializer(BulkRequestSerializer):
    rows = RowsField(AudienceSnapshotRowSerializer, maximum=SNAPSHOTS_BULK_MAX)


class HotTopicsBulkSerializer(BulkRequestSerializer):
    """``{"platform": optional, "rows": [...]}``: the platform of rows that name none."""

    account = None
    platform = PlatformField(help_text="The platform of rows that name none.")
    rows = RowsField(HotTopicRowSerializer, maximum=HOT_TOPICS_BULK_MAX)
