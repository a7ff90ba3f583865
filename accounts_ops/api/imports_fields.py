"""The kinds of field a bulk row holds (``accounts_ops.api.imports_rows``), and the text forms their
values take in JSON.

Each kind (``CountField``, ``KeyField``, ``IdField``, ``TextField``, ``DayField``, ``MomentField``,
``ShareField``, ``SecondsField``, ``PlatformField``, ``DistributionField``) is a ``RowField``: it
says what is wrong with a value given (``problem``: its JSON type, text form, length and limits,
the limits being the model's columns as ``accounts_ops.rows`` reads them), and whether a whole
column of values is plainly clean at once (``column_clean``), which the check of a request's rows
reads (``accounts_ops.api.imports_schema.check_rows``). The schema states the same: the field's
type, and for text its length and pattern (``DATE_TEXT``, ``NO_CONTROL``...)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts_ops import rows as read
from accounts_ops.portrait import MAX_KEYS
from accounts_ops.services.hot_topics import platform_names
from accounts_ops.services.metrics import WATCH_SECONDS_MAX

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


def _values_given(column: list) -> list:
    """The values of ``column`` given (``null`` is a value left out)."""
    return [value for value in column if value is not None] if None in column else column


class _Whole(RowField, serializers.IntegerField):
    def column_clean(self, column):
        if not set(map(type, column)) <= {int, NONE}:
            return False
        given = _values_given(column)
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


class RowText(RowField, serializers.CharField):
    """A field whose value is text: at most ``max_length`` characters, matching ``pattern`` when it
    has one (the schema states both: ``accounts_ops.api.imports_schema.row_schema``)."""

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
        given = _values_given(column)
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


class IdField(RowText):
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


class TextField(RowText):
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
