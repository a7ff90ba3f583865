"""Reading the values of one row of platform data, as an API body or a file gives them.

Each reader returns the value in our type or raises ``BadValue`` with a message that names what
is wrong; the ingest services attach the row and the field. They are written for speed: a bulk
request validates tens of thousands of rows before anything is written.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from functools import lru_cache

COUNT_MAX = 10**15  # a count beyond a quadrillion is a unit mistake, not a figure
# Platform data from before short-video platforms existed is a mistake (a wrong century, a
# spreadsheet's zero date), not history.
EARLIEST_DATE = dt.date(2000, 1, 1)
EARLIEST_MOMENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
TEN_THOUSAND = "万"
HUNDRED_MILLION = "亿"


class BadValue(ValueError):
    pass


def count(value) -> int | None:
    """A non-negative whole number; ``None`` for an empty value. Files may write ``1,234``,
    ``12.0`` or the creator centre's ``1.2万``."""
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
        if value != value.to_integral_value():
            raise BadValue(f"{value} is not a whole number")
        number = int(value)
    else:
        raise BadValue(f"{value!r} is not a count")
    if number < 0:
        raise BadValue(f"{number} is negative; counts cannot be")
    if number > COUNT_MAX:
        raise BadValue(f"{number} is too large to be a count")
    return number


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
        number = Decimal(raw) * scale
    except InvalidOperation:
        raise BadValue(f"{text!r} is not a count") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise BadValue(f"{text!r} is not a whole number")
    return int(number)


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
        number = float(value)
        if number > 10**11:
            number /= 1000
        try:
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
    except InvalidOperation:
        raise BadValue(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise BadValue(f"{value!r} is not a number")
    if minimum is not None and number < minimum:
        raise BadValue(f"{number} is below {minimum}")
    if maximum is not None and number > maximum:
        raise BadValue(f"{number} is above {maximum}")
    return number.quantize(Decimal(1).scaleb(-places))


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


def text(value, *, max_chars: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise BadValue(f"{value!r} is not text")
    result = str(value).strip()
    if isinstance(value, float) and value == int(value):
        result = str(int(value))  # a spreadsheet turns an id column into numbers
    if required and not result:
        raise BadValue("this field is required")
    if len(result) > max_chars:
        raise BadValue(f"{len(result)} characters; at most {max_chars}")
    return result


def identifier(value) -> int:
    """A row id: a positive whole number."""
    if type(value) is int and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    raise BadValue(f"{value!r} is not an id")
