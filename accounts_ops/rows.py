"""Reading the values of one row of platform data, as an API body or a file gives them.

Each reader returns the value in our type or raises ``BadValue`` with a message that names what
is wrong; the ingest services attach the row and the field. They are written for speed: a bulk
request validates tens of thousands of rows before anything is written.

What any row may hold is read so that nothing reaches the database that it would refuse (the
policy of the webhooks' readers, ``accounts_ops.webhooks``):

- free text (``text``): NUL characters, which PostgreSQL cannot store, are removed and lone
  surrogates (which no encoding can carry) replaced by U+FFFD; longer than ``max_chars`` (its
  column's, ``max_chars_of``) is refused;
- ids, handles and links (``ident``): refused when they hold a control character (Unicode's Cc,
  U+0000-U+001F and U+007F-U+009F, NUL included) or a lone surrogate, or are longer than their
  column;
- counts (``count``): whole numbers from 0 to the column's limit (``count_limit``: the integer
  range of the column on PostgreSQL, whatever the database in use, and its validators), never
  beyond ``COUNT_MAX``; row ids (``identifier``) within their primary key's range;
- a message never repeats a value as given, only its ``repr`` (which escapes what cannot be
  written out).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from django.core.validators import MaxValueValidator
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations

COUNT_MAX = 10**15  # a count beyond a quadrillion is a unit mistake, not a figure
# Platform data from before short-video platforms existed is a mistake (a wrong century, a
# spreadsheet's zero date), not history.
EARLIEST_DATE = dt.date(2000, 1, 1)
EARLIEST_MOMENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
TEN_THOUSAND = "万"
HUNDRED_MILLION = "亿"
COUNT_DIGITS = len(str(COUNT_MAX))  # a number written with more digits is too large to be a count
_SURROGATE = re.compile("[\ud800-\udfff]")
# What an id holds none of: a control character (Unicode's Cc, NUL included), as a pattern's
# character range (the schema states it: ``accounts_ops.api.imports_fields``), or a lone surrogate.
CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}\ud800-\udfff]")


class BadValue(ValueError):
    pass


def count(value, *, maximum: int = COUNT_MAX) -> int | None:
    """A non-negative whole number, at most ``maximum`` (the column's ``count_limit``); ``None``
    for an empty value. Files may write ``1,234``, ``12.0`` or the creator centre's ``1.2万``."""
    if value is None:
        return None
    kind = type(value)
    if kind is int:
        number = value
    elif kind is bool:
        raise BadValue(f"{value!r} is not a count")
    elif kind is float:
        if not math.isfinite(value) or value != int(value):
            raise BadValue(f"{value!r} is not a whole number")
        number = int(value)
    elif kind is str:
        number = _count_text(value)
        if number is None:
            return None
    elif isinstance(value, Decimal):
        number = _whole(value, value)
    else:
        raise BadValue(f"{value!r} is not a count")
    if number < 0:
        raise BadValue(f"{number} is negative; counts cannot be")
    if number > maximum:
        raise BadValue(f"{number} is too large for this column (at most {maximum})")
    return number


def _whole(number: Decimal, given) -> int:
    """A finite, whole ``Decimal`` as an int; one too large to be any count is refused as it
    stands (never turned into a number of a million digits)."""
    if not number.is_finite() or number != number.to_integral_value():
        raise BadValue(f"{given!r} is not a whole number")
    if number.adjusted() >= COUNT_DIGITS:
        if number < 0:
            raise BadValue(f"{given!r} is negative; counts cannot be")
        raise BadValue(f"{given!r} is too large to be a count")
    return int(number)


@lru_cache(maxsize=4096)
def _count_text(text: str) -> int | None:
    raw = text.strip().replace(",", "").replace("，", "")
    if raw in ("", "-", "—"):
        return None
    scale = 1
    if raw.endswith(TEN_THOUSAND):
        raw, scale = raw[:-1], 10_000
    elif raw.endswith(HUNDRED_MILLION):
        raw, scale = raw[:-1], 100_000_000
    try:
        number = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise BadValue(f"{text!r} is not a count") from None
    if scale != 1 and number.is_finite() and number.adjusted() < COUNT_DIGITS:
        number *= scale
    return _whole(number, text)


def date(value) -> dt.date:
    """A calendar date: ``2026-11-03``, ``2026/11/03``, ``20261103`` or a date from a spreadsheet."""
    if type(value) is str:
        day = _date_text(value)
    elif isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        day = None
    if day is not None:
        if day < EARLIEST_DATE:
            raise BadValue(f"{day.isoformat()} is before {EARLIEST_DATE.isoformat()}")
        return day
    if value is None:
        raise BadValue("a date is required")
    raise BadValue(f"{value!r} is not a date")


@lru_cache(maxsize=4096)
def _date_text(text: str) -> dt.date:
    raw = text.strip()
    if not raw:
        raise BadValue("a date is required")
    candidate = raw.split(" ")[0].split("T")[0].replace("/", "-").replace(".", "-")
    if len(candidate) == 8 and candidate.isdigit():
        candidate = f"{candidate[:4]}-{candidate[4:6]}-{candidate[6:]}"
    parts = candidate.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    raise BadValue(f"{text!r} is not a date (write YYYY-MM-DD)")


def moment(value, tz) -> dt.datetime:
    """A point in time: ISO 8601 (a time without zone is read in ``tz``), a Unix timestamp in
    seconds or milliseconds (the platform's ``create_time``), or a spreadsheet datetime."""
    when = _moment(value, tz)
    if when < EARLIEST_MOMENT:
        raise BadValue(f"{when.isoformat()} is before {EARLIEST_DATE.isoformat()}")
    return when


def _moment(value, tz) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, bool) or value is None:
        raise BadValue("a time is required" if value is None else f"{value!r} is not a time")
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            number = float(value)
            if number > 10**11:
                number /= 1000
            return dt.datetime.fromtimestamp(number, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise BadValue(f"{value!r} is not a time") from None
    if isinstance(value, str):
        text = value.strip().replace("/", "-")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise BadValue(f"{value!r} is not a time (write ISO 8601, e.g. 2026-11-03T20:15:00+08:00)") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    raise BadValue(f"{value!r} is not a time")


def decimal(value, *, places: int, minimum: Decimal | None = None, maximum: Decimal | None = None):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadValue(f"{value!r} is not a number")
    text = str(value).strip().rstrip("s秒").strip() if isinstance(value, str) else value
    try:
        number = Decimal(str(text))
    except (InvalidOperation, ValueError):
        raise BadValue(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise BadValue(f"{value!r} is not a number")
    if minimum is not None and number < minimum:
        raise BadValue(f"{number} is below {minimum}")
    if maximum is not None and number > maximum:
        raise BadValue(f"{number} is above {maximum}")
    try:
        return number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # too many digits to be written to ``places`` places
        raise BadValue(f"{value!r} is out of range") from None


def share(value, *, places: int = 4):
    """A share between 0 and 1; ``35.2%`` is read as 0.352."""
    if isinstance(value, str) and value.strip().endswith("%"):
        number = decimal(value.strip()[:-1], places=places + 2)
        if number is None:
            return None
        value = number / 100
    number = decimal(value, places=places)
    if number is not None and not (0 <= number <= 1):
        raise BadValue(f"{number} is not a share between 0 and 1 (write 35.2% for a percentage)")
    return number


def clean(value: str) -> str:
    """Free text as it can be stored: NUL removed, lone surrogates replaced by U+FFFD."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _as_text(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise BadValue(f"{value!r} is not text")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue(f"{value!r} is not text")
        if value == int(value):
            return str(int(value))  # a spreadsheet turns an id column into numbers
    try:
        return str(value)
    except ValueError:  # an int of more digits than Python writes out
        raise BadValue("too many digits") from None


def text(value, *, max_chars: int, required: bool = False) -> str:
    """Free text (a comment, a title, a name): NUL removed, lone surrogates replaced, white space
    around it stripped; longer than ``max_chars`` is refused."""
    result = _as_text(value)
    if result:
        result = clean(result).strip()
    if required and not result:
        raise BadValue("this field is required")
    if len(result) > max_chars:
        raise BadValue(f"{len(result)} characters; at most {max_chars}")
    return result


def ident(value, *, max_chars: int, required: bool = False) -> str:
    """An id as the platform gives it (or a handle, a link): white space around it stripped;
    refused when it holds a control character (NUL included) or a lone surrogate, or is longer
    than ``max_chars``."""
    result = _as_text(value).strip()
    if required and not result:
        raise BadValue("this field is required")
    if _CONTROL.search(result):
        raise BadValue("holds a control character (or a lone surrogate); an id holds none")
    if len(result) > max_chars:
        raise BadValue(f"{len(result)} characters; at most {max_chars}")
    return result


def identifier(value, maximum: int | None = None) -> int:
    """A row id: a positive whole number, within the primary key's range (``key_limit``)."""
    if maximum is None:
        maximum = _range("BigAutoField")[1]
    number = None
    if type(value) is int:
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        digits = value.strip()
        number = int(digits) if len(digits.lstrip("0")) <= len(str(maximum)) else maximum + 1
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if number is not None and 0 < number <= maximum:
        return number
    if isinstance(value, str):
        value = value[:40]
    raise BadValue(f"{value!r} is not an id")


# --- limits of the columns, from the models ---------------------------------------------------------


def _range(internal_type: str) -> tuple[int, int]:
    """The range of an integer column: PostgreSQL's, whatever the database in use (SQLite takes
    any 64-bit number, but the data must fit where it is kept in production), narrowed by the
    database in use."""
    low, high = BaseDatabaseOperations.integer_field_ranges[internal_type]
    here_low, here_high = connection.ops.integer_field_range(internal_type)
    if here_low is not None:
        low = max(low, here_low)
    if here_high is not None:
        high = min(high, here_high)
    return low, high


@cache
def count_limit(model, name: str) -> int:
    """The largest count ``model.name`` stores: its column's range and its validators, and never
    beyond ``COUNT_MAX``."""
    field = model._meta.get_field(name)
    high = min(COUNT_MAX, _range(field.get_internal_type())[1])
    for validator in field.validators:
        if isinstance(validator, MaxValueValidator):
            limit = validator.limit_value() if callable(validator.limit_value) else validator.limit_value
            high = min(high, limit)
    return high


@cache
def key_limit(model) -> int:
    """The largest primary key of ``model``."""
    return _range(model._meta.pk.get_internal_type())[1]


@cache
def max_chars_of(model, name: str) -> int:
    """The length of ``model.name``'s column."""
    return model._meta.get_field(name).max_length
