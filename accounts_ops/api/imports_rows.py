"""The rows of the bulk endpoints of platform data, declared once.

Each kind of row has its serializer here (``AccountMetricRowSerializer``...): the fields of a row
in our names, with the JSON type, format, length and limits the services read them with (the
limits are the model's columns, as ``accounts_ops.rows`` reads them). The request serializer of a
bulk endpoint (``BulkRequestSerializer``) holds the optional ``account`` (or ``platform``) of
rows that name none and ``rows``, a list of that row serializer, and is both what the OpenAPI
schema states and what the view reads the request with:

- ``rows`` is a list of at most the endpoint's limit (``ensure_batch``: "Give a list of rows.",
  "The list of rows is empty.", "N rows; at most M per request.");
- every value a row gives is of its field's JSON type (and text form: a date ``YYYY-MM-DD``, a time
  in RFC 3339 or a Unix timestamp, a percentage ``35.2%``), refused otherwise, naming
  ``rows[i].field``. The check goes column by column over the rows that share their keys (the
  rows of one request do), without a serializer call per row: a request of 10,000 rows is
  checked in milliseconds (``BENCHMARKS.md``);
- the rest is the service's, row by row, against the world (an account of the agency, a day not
  in the future, no key twice, the 7.3 portrait rules): its refusal names each row and field. A
  request with values of the wrong type is refused naming those and what the service's check of
  the rows finds besides (``refuse_rows``): every problem of every row, in one answer.

A row may give a field under the platform's name (Douyin's ``new_play``) instead of ours
(``accounts_ops.platform_fields``); each field's description lists the names it takes. A key that
is none of them is ignored (a connector may send more than is kept)."""

from __future__ import annotations

import datetime as dt
import re
from operator import itemgetter

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DRFValidationError

from accounts_ops import rows as read
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
    spelling_key,
)
from accounts_ops.portrait import DIMENSION_NAMES, MAX_KEYS
from accounts_ops.services.audience import SNAPSHOTS_BULK_MAX
from accounts_ops.services.comments import COMMENT_TEXT_MAX_CHARS, COMMENTS_BULK_MAX, LOCAL_ID_PREFIX
from accounts_ops.services.common import METRICS_BULK_MAX, ROWS_KEY, Checked, RowProblem, ensure_batch, refusal
from accounts_ops.services.hot_topics import HOT_TOPICS_BULK_MAX, platform_names
from accounts_ops.services.metrics import WATCH_SECONDS_MAX
from agency.api.serializers import ScopedSerializer
from clients.models import PlatformAccount, Video

# --- the text forms a row's values take in JSON -----------------------------------------------

# A calendar date (``accounts_ops.rows.date`` reads more forms from files).
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A point in time, RFC 3339 (OpenAPI's ``date-time``).
MOMENT_TEXT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
# The largest Unix timestamp read (in milliseconds; ``accounts_ops.rows.moment``): 9999-12-31.
TIMESTAMP_MAX = 253_402_300_799_999
# A share written as a percentage, at most 100% and to the share's places (``accounts_ops.rows.share``).
PERCENT_TEXT = r"^(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)%$"
# An id, a handle or a link holds no control character (``accounts_ops.rows.ident``).
NO_CONTROL = rf"^[^{read.CONTROL_CHARACTERS}]*$"
NOT_BLANK_NO_CONTROL = rf"^[^{read.CONTROL_CHARACTERS}]*[^\s{read.CONTROL_CHARACTERS}][^{read.CONTROL_CHARACTERS}]*$"
# Free text must hold something besides white space and NUL (which is removed; ``read.text``).
NOT_BLANK_TEXT = r"[^\s\x00]"
CONTROL = re.compile(f"[{read.CONTROL_CHARACTERS}]")
NUMBERS = (int, float)
NONE = type(None)


# --- the fields a row holds -------------------------------------------------------------------


class RowField:
    """A field of a bulk row, with ``problem(value)``: what is wrong with a value given (not
    ``null``, a value left out) as the field's schema states it (JSON type, text form, length,
    limits), or ``None``; and ``column_clean(column)``, whether a column's values are all plainly
    clean, seen at once (the common case, without a call per value)."""

    def problem(self, value) -> str | None:
        raise NotImplementedError

    def column_clean(self, column: list) -> bool:
        """Whether every value of ``column`` is plainly clean, seen at once (``False`` when it
        cannot tell: its values are then read one by one)."""
        return False


class _Whole(RowField, serializers.IntegerField):
    def column_clean(self, column):
        if not set(map(type, column)) <= {int, NONE}:
            return False
        given = [value for value in column if value is not None] if None in column else column
        return not given or (min(given) >= self.min_value and max(given) <= self.max_value)

    def problem(self, value):
        if type(value) is not int:
            return _("give a whole number")
        if value < self.min_value or value > self.max_value:
            return _("%(value)s is not from %(min)s to %(max)s") % {
                "value": value,
                "min": self.min_value,
                "max": self.max_value,
            }
        return None


class CountField(_Whole):
    """A count: a whole number from 0 (or ``minimum``) to its column's limit (``read.count_limit``)."""

    def __init__(self, model, name: str, *, minimum: int = 0, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(min_value=minimum, max_value=read.count_limit(model, name), **kwargs)


class KeyField(_Whole):
    """The id of one of our rows (an account, a video): a whole number its primary key holds."""

    def __init__(self, model, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(min_value=1, max_value=read.key_limit(model), **kwargs)


class _Text(RowField, serializers.CharField):
    pattern: str | None = None

    def problem(self, value):
        if type(value) is not str:
            return _("give text")
        if len(value) > self.max_length:
            return _("%(count)d characters; at most %(max)d") % {"count": len(value), "max": self.max_length}
        if self.pattern is not None and re.search(self.pattern, value) is None:
            return self.pattern_message(value)
        return None

    def column_clean(self, column):
        return self._column_clean(column, self.pattern)

    def _column_clean(self, column, pattern):
        if not set(map(type, column)) <= {str, NONE}:
            return False
        given = [value for value in column if value is not None] if None in column else column
        if not given:
            return True
        if max(map(len, given)) > self.max_length:
            return False
        if pattern is None:
            return True
        if pattern == NOT_BLANK_TEXT:
            return all(value.replace("\x00", "").strip() for value in given)
        if pattern not in (NO_CONTROL, NOT_BLANK_NO_CONTROL):
            return False  # (a pattern of its own: each value is matched)
        if CONTROL.search("".join(given)) is not None:
            return False
        return pattern == NO_CONTROL or all(map(str.strip, given))

    def pattern_message(self, value: str) -> str:
        if getattr(self, "required_text", False) and not value.strip():
            return _("this field is required")
        if getattr(self, "refused_prefix", "") and value.lstrip().startswith(self.refused_prefix):
            return _("ids starting “local-” are ours")  # (the service's words: ``comments.LOCAL_ID_PREFIX``)
        return _("holds a control character; an id holds none")


class IdField(_Text):
    """A platform's id, a handle or a link (``read.ident``): no control character, at most its
    column's length; white space around it is not kept."""

    def __init__(
        self,
        model,
        name: str,
        *,
        required: bool = False,
        pattern: str | None = None,
        refused_prefix: str = "",
        **kwargs,
    ):
        kwargs.setdefault("allow_null", not required)
        super().__init__(
            max_length=read.max_chars_of(model, name), required=required, allow_blank=not required, **kwargs
        )
        self.base_pattern = pattern or (NOT_BLANK_NO_CONTROL if required else NO_CONTROL)
        self.refused_prefix = refused_prefix  # (stripped first, as ``read.ident`` strips)
        self.pattern = self.base_pattern
        if refused_prefix:
            # (a prefix of letters and hyphens, written as it is: ECMA's patterns refuse ``\-``)
            self.pattern = rf"^(?!\s*{refused_prefix}){self.base_pattern.removeprefix('^')}"
        self.required_text = required

    def column_clean(self, column):
        if self.refused_prefix:
            given = [value for value in column if type(value) is str]
            if any(value.lstrip().startswith(self.refused_prefix) for value in given):
                return False
        return self._column_clean(column, self.base_pattern)


class TextField(_Text):
    """Free text (``read.text``): NUL removed, a lone surrogate replaced, at most ``max_chars``."""

    def __init__(self, *, max_chars: int, required: bool = False, **kwargs):
        kwargs.setdefault("allow_null", not required)
        super().__init__(max_length=max_chars, required=required, allow_blank=not required, **kwargs)
        self.required_text = required
        self.pattern = NOT_BLANK_TEXT if required else None


class DayField(RowField, serializers.DateField):
    """A calendar day, ``YYYY-MM-DD``."""

    def problem(self, value):
        if type(value) is not str or DATE_TEXT.fullmatch(value) is None:
            return _("give a date as YYYY-MM-DD")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return _("%(value)s is not a date") % {"value": value}
        return None


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "date-time"},
            {"type": "number", "minimum": 0, "maximum": TIMESTAMP_MAX},
        ]
    }
)
class MomentField(RowField, serializers.Field):
    """A point in time: RFC 3339, or a Unix timestamp in seconds or milliseconds (the platform's
    ``create_time``)."""

    def problem(self, value):
        if type(value) in NUMBERS:
            return None if 0 <= value <= TIMESTAMP_MAX else _("%(value)s is not a time") % {"value": value}
        if type(value) is str and MOMENT_TEXT.fullmatch(value) is not None:
            try:
                dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
            except ValueError:
                return _("%(value)s is not a time") % {"value": value}
            return None
        return _("give a time in RFC 3339 (2026-11-03T20:15:00+08:00) or a Unix timestamp")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "number", "minimum": 0, "maximum": 1},
            {"type": "string", "pattern": PERCENT_TEXT},
        ]
    }
)
class ShareField(RowField, serializers.Field):
    """A share from 0 to 1, or a percentage (``"35.2%"``)."""

    def problem(self, value):
        if type(value) in NUMBERS and 0 <= value <= 1:
            return None
        if type(value) is str and re.fullmatch(PERCENT_TEXT, value) is not None:
            return None
        return _("give a number from 0 to 1, or a percentage such as 35.2%")


class SecondsField(RowField, serializers.FloatField):
    """A duration in seconds, to the hundredth."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(min_value=0, max_value=WATCH_SECONDS_MAX, **kwargs)

    def problem(self, value):
        if type(value) not in NUMBERS or not (self.min_value <= value <= self.max_value):
            return _("give a number from %(min)s to %(max)s") % {"min": self.min_value, "max": self.max_value}
        return None


# The names a platform is given by (``PlatformNameEnum`` of the schema: ``ENUM_NAME_OVERRIDES``).
PLATFORM_NAMES = tuple(platform_names())


@extend_schema_field({"type": "string", "enum": list(PLATFORM_NAMES)})
class PlatformField(RowField, serializers.ChoiceField):
    """A platform: its value, its name, or the name its users know it by (``抖音``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(choices=list(PLATFORM_NAMES), **kwargs)

    def problem(self, value):
        if type(value) is not str or value not in self.choices:
            return _("choose one of %(choices)s") % {"choices": ", ".join(self.choices)}
        return None


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": 0},
                "maxProperties": MAX_KEYS,
            },
            {
                "type": "array",
                "maxItems": MAX_KEYS,
                "items": {
                    "type": "object",
                    "properties": {
                        "item": {"type": "string", "minLength": 1},
                        "value": {"type": "number", "minimum": 0},
                    },
                    "required": ["item", "value"],
                },
            },
        ]
    }
)
class DistributionField(RowField, serializers.Field):
    """A fan-portrait dimension (``accounts_ops.portrait``): ``{key: share}`` or the platform's
    ``[{"item": key, "value": share}]``, shares or percentages."""

    def problem(self, value):
        if type(value) is dict:
            shares = list(value.values())
        elif type(value) is list:
            if not all(type(entry) is dict and "item" in entry and "value" in entry for entry in value):
                return _('give an object of key → share, or a list of {"item": key, "value": share}')
            if not all(type(entry["item"]) is str and entry["item"] for entry in value):
                return _("an entry's item is a name")
            shares = [entry["value"] for entry in value]
        else:
            return _('give an object of key → share, or a list of {"item": key, "value": share}')
        if len(shares) > MAX_KEYS:
            return _("%(count)d entries; at most %(max)d") % {"count": len(shares), "max": MAX_KEYS}
        if not all(type(share) in NUMBERS and share >= 0 for share in shares):
            return _("a share is a number, not below 0")
        return None


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


# --- the rows of each endpoint ----------------------------------------------------------------


class AccountMetricRowSerializer(BulkRowSerializer):
    """An account's figures of one day. At least one figure; the account by id or handle, or the
    body's ``account``."""

    kind = ACCOUNT_METRICS
    one_of = (("account",), ("handle",))
    figures = AccountDailyMetric.COUNTS
    reported_as = {"handle": "account"}

    account = KeyField(PlatformAccount, help_text="The account's id.")
    handle = IdField(PlatformAccount, "handle", help_text="The account's handle, with or without @.")
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


VIDEO_REFERENCE = (("video",), ("item_id", "account"), ("item_id", "handle"))
VIDEO_REPORTED_AS = {"item_id": "video", "account": "video", "handle": "video"}


class VideoMetricRowSerializer(BulkRowSerializer):
    """A video's figures of one day. At least one figure; the video by id, or by the platform's
    ``item_id`` with the account (by id or handle, or the body's ``account``)."""

    kind = VIDEO_METRICS
    one_of = VIDEO_REFERENCE
    figures = ("plays", "likes", "comments", "shares", "avg_watch_seconds", "completion_rate")
    reported_as = VIDEO_REPORTED_AS

    video = KeyField(Video, help_text="The video's id.")
    account = KeyField(PlatformAccount, help_text="The account of a video named by its item id.")
    handle = IdField(PlatformAccount, "handle", help_text="The account's handle, with or without @.")
    item_id = IdField(Video, "platform_item_id", help_text="The platform's id of the video.")
    date = DayField(help_text="The day, not after today in the agency's time zone, from 2000 on.")
    plays = CountField(VideoDailyMetric, "plays")
    likes = CountField(VideoDailyMetric, "likes")
    comments = CountField(VideoDailyMetric, "comments")
    shares = CountField(VideoDailyMetric, "shares")
    avg_watch_seconds = SecondsField(help_text="Average watch time in seconds.")
    completion_rate = ShareField(required=False, allow_null=True, help_text="A share (0.352) or a percentage (35.2%).")


class CommentRowSerializer(BulkRowSerializer):
    """A comment on a video, as the platform gives it. The video by id, or by the platform's
    ``item_id`` with the account (by id or handle, or the body's ``account``)."""

    kind = COMMENTS
    one_of = VIDEO_REFERENCE
    reported_as = VIDEO_REPORTED_AS

    video = KeyField(Video, help_text="The video's id.")
    account = KeyField(PlatformAccount, help_text="The account of a video named by its item id.")
    handle = IdField(PlatformAccount, "handle", help_text="The account's handle, with or without @.")
    item_id = IdField(Video, "platform_item_id", help_text="The platform's id of the video.")
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


class AudienceSnapshotRowSerializer(BulkRowSerializer):
    """An account's fan portrait on one day (7.3): ``fans_total`` or at least one dimension; the
    account by id or handle, or the body's ``account``."""

    one_of = (("account",), ("handle",))
    figures = ("fans_total", *DIMENSION_NAMES)
    reported_as = {"handle": "account"}

    account = KeyField(PlatformAccount, help_text="The account's id.")
    handle = IdField(PlatformAccount, "handle", help_text="The account's handle, with or without @.")
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


# --- the check of the JSON types --------------------------------------------------------------

_PLANS: dict[tuple[type, tuple], list[tuple[str, str, RowField]]] = {}
PLANS_KEPT = 512


def _plan(row: type[BulkRowSerializer], keys: tuple) -> list[tuple[str, str, RowField]]:
    """(key as given, our name, field) for each key of ``keys`` that is a field of ``row``."""
    plan = _PLANS.get((row, keys))
    if plan is None:
        fields = _row_fields(row)
        aliases = row.aliases()
        plan = []
        for key in keys:
            ours = key if key in fields else aliases.get(key) or aliases.get(spelling_key(key))
            if ours in fields:
                plan.append((key, ours, fields[ours]))
        if len(_PLANS) >= PLANS_KEPT:  # key sets are the client's: keep a bounded number
            _PLANS.clear()
        _PLANS[(row, keys)] = plan
    return plan


_FIELDS: dict[type, dict[str, RowField]] = {}


def _row_fields(row: type[BulkRowSerializer]) -> dict[str, RowField]:
    if row not in _FIELDS:
        _FIELDS[row] = {name: field for name, field in row().fields.items() if isinstance(field, RowField)}
    return _FIELDS[row]


def check_rows(row: type[BulkRowSerializer], rows: list) -> list[RowProblem]:
    """What is wrong with the values of ``rows`` as their fields' schema states them
    (``RowField.problem``), column by column over the rows that share their keys; ``null`` is a
    value left out. A row that is not an object is the service's to name."""
    groups: dict[tuple, list[int]] = {}
    for index, raw in enumerate(rows):
        if type(raw) is dict:
            groups.setdefault(tuple(raw), []).append(index)
    problems: list[RowProblem] = []
    for keys, indices in groups.items():
        group = rows if len(indices) == len(rows) else [rows[index] for index in indices]
        for key, ours, field in _plan(row, keys):
            column = list(map(itemgetter(key), group))
            if field.column_clean(column):
                continue  # the common case: a column plainly clean, at once
            try:  # each value once (a date, a share repeats down a column); by type: 1, 1.0 and True differ
                distinct = set(zip(map(type, column), column, strict=True))
                said = {given: field.problem(given[1]) for given in distinct if given[0] is not NONE}
            except TypeError:  # an object or a list (a portrait's dimension): one by one
                said = None
            if said is not None and not any(said.values()):
                continue
            name = row.reported_as.get(ours, ours)
            for index, value in zip(indices, column, strict=True):
                if value is not None:
                    problem = said[(type(value), value)] if said is not None else field.problem(value)
                    if problem is not None:
                        problems.append(RowProblem(index, name, problem))
    problems.sort(key=lambda problem: problem.index)
    return problems


# --- the schema -------------------------------------------------------------------------------


def _given(prop: dict) -> dict:
    """A field's schema for a value given: not ``null`` (a value left out), and for text not
    empty (which names nothing)."""
    given = {key: value for key, value in prop.items() if key not in ("nullable", "description", "title")}
    if given.get("type") == "string" and "enum" not in given:
        given["minLength"] = max(1, given.get("minLength", 0))
    return given


def _one_of(properties: dict, groups) -> dict:
    """At least one whole group of the fields ``groups`` given."""
    return {
        "anyOf": [
            {"required": list(group), "properties": {name: _given(properties[name]) for name in group}}
            for group in groups
        ]
    }


def row_schema(auto_schema, row: type[BulkRowSerializer], direction) -> dict:
    """The schema of ``row`` (``BulkRowSchema``)."""
    schema = auto_schema._map_serializer(row(), direction, bypass_extensions=True)
    properties = schema["properties"]
    for name, field in _row_fields(row).items():
        if isinstance(field, _Text):
            prop = {"type": "string", "maxLength": field.max_length}
            if field.pattern is not None:
                prop["pattern"] = field.pattern
            if field.allow_null:
                prop["nullable"] = True
            if properties[name].get("description"):
                prop["description"] = properties[name]["description"]
            properties[name] = prop
    schema["additionalProperties"] = True
    if row.figures:
        schema["allOf"] = [_one_of(properties, [(name,) for name in row.figures])]
    return schema


class BulkRowSchema(OpenApiSerializerExtension):
    """A row's schema: its fields as the check reads them (``RowField.problem``: an id's or a
    link's pattern, a free text's), at least one of its ``figures`` given, and keys besides its
    fields taken (the platform's names; others are ignored). Which fields name its account, video
    or platform is the request's (``BulkRequestSchema``)."""

    target_class = "accounts_ops.api.imports_rows.BulkRowSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        row = self.target if isinstance(self.target, type) else type(self.target)
        return row_schema(auto_schema, row, direction)


BODY_TYPES = {"account": "integer", "platform": "string"}


class BulkRequestSchema(OpenApiSerializerExtension):
    """A bulk request: each row names its account (or video, or platform) by a whole group of its
    ``one_of``, unless the body gives the account (or platform) of rows that name none; then a
    row naming its video by item id needs no account."""

    target_class = "accounts_ops.api.imports_rows.BulkRequestSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        serializer = self.target if isinstance(self.target, type) else type(self.target)
        row = serializer._declared_fields[ROWS_KEY].row
        if not row.one_of:
            return schema
        row_properties = row_schema(auto_schema, row, direction)["properties"]
        body_field = "platform" if "platform" in serializer._declared_fields else "account"
        # (given, not null: OpenAPI 3.0's schema is not nullable unless it says so)
        body_given = {"required": [body_field], "properties": {body_field: {"type": BODY_TYPES[body_field]}}}
        with_body = tuple({tuple(name for name in group if name != body_field) for group in row.one_of})
        if all(with_body):
            body_given["properties"][ROWS_KEY] = {"items": _one_of(row_properties, sorted(with_body))}
        schema["anyOf"] = [body_given, {"properties": {ROWS_KEY: {"items": _one_of(row_properties, row.one_of)}}}]
        return schema
