"""Clause 7.3: the fan-portrait shape of an audience snapshot, and the rules its figures keep.

A snapshot holds one distribution per dimension, each stored as ``{key: share}`` with shares
between 0 and 1, rounded to ``SHARE_PLACES`` decimals. A distribution may arrive as a dict
(``{"male": 0.48, "female": 0.52}``) or in the platform's list shape
(``[{"item": "male", "value": 48}, ...]``), as shares (adding up to 1) or as percentages (adding
up to 100; in a partial list, any value above 1); percentages are turned into shares.

- **Complete** dimensions (gender, age, active days, active hours) cover every fan: their shares
  must add up to 1 within ``PORTRAIT_SUM_TOLERANCE`` (percentages to 100 within 100× that).
- **Top-list** dimensions (provinces, cities, devices) may list only the largest entries: their
  shares may not add up to more than 1 (+ tolerance).
- **Interests** are not exclusive (one fan has several): each share lies between 0 and 1.

Keys are normalised where the platform has its own: gender (``male``/``female``, also 男/女 and
1/2), age (the platform's buckets ``1-23``, ``24-30``, ``31-40``, ``41-50``, ``50-``), weekdays
(``mon``..``sun``, also 周一..周日 and 1..7) and hours (``0``..``23``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from accounts_ops.platform_fields import (
    AGE_ALIASES,
    AGE_BUCKETS,
    GENDER_ALIASES,
    GENDER_KEYS,
    HOURS,
    PORTRAIT_FIELDS,
    WEEKDAY_ALIASES,
    WEEKDAYS,
)

# 7.3: shares of a complete distribution must add up to 1 within two percentage points (rounding
# in the platform's figures; anything further off is a broken portrait).
PORTRAIT_SUM_TOLERANCE = 0.02  # 7.3
SHARE_PLACES = 4
MAX_KEYS = 400  # no real dimension has more entries (cities: a few hundred)
KEY_MAX_CHARS = 40

COMPLETE = "complete"
TOP_LIST = "top_list"
MULTI = "multi"

# dimension → (rule, key normaliser or None, the only keys allowed or None)
DIMENSIONS: dict[str, tuple[str, Callable[[str], str] | None, tuple[str, ...] | None]] = {}


def _alias(aliases: dict[str, str]) -> Callable[[str], str]:
    def normalise(key: str) -> str:
        text = str(key).strip()
        return aliases.get(text, aliases.get(text.lower(), text.lower()))

    return normalise


def _hour(key: str) -> str:
    text = str(key).strip().lower().removesuffix("h").removesuffix("点").removesuffix(":00")
    return str(int(text)) if text.isdigit() else text


DIMENSIONS.update(
    {
        "gender": (COMPLETE, _alias(GENDER_ALIASES), GENDER_KEYS),
        "age": (COMPLETE, _alias(AGE_ALIASES), AGE_BUCKETS),
        "active_days": (COMPLETE, _alias(WEEKDAY_ALIASES), WEEKDAYS),
        "active_hours": (COMPLETE, _hour, HOURS),
        "provinces": (TOP_LIST, None, None),
        "cities": (TOP_LIST, None, None),
        "devices": (TOP_LIST, None, None),
        "interests": (MULTI, None, None),
    }
)
DIMENSION_NAMES = tuple(DIMENSIONS)


class PortraitError(ValueError):
    """A distribution that breaks a rule; ``str()`` says which and by how much."""


def _pairs(raw) -> list[tuple[str, object]]:
    if isinstance(raw, dict):
        return list(raw.items())
    if isinstance(raw, list):
        pairs = []
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict) or "item" not in entry or "value" not in entry:
                raise PortraitError(f'entry {index} is not {{"item": ..., "value": ...}}')
            pairs.append((entry["item"], entry["value"]))
        return pairs
    raise PortraitError("give an object of key → share, or a list of {item, value}")


def _number(key, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PortraitError(f"{key}: {value!r} is not a number")
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        raise PortraitError(f"{key}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise PortraitError(f"{key}: {value!r} is not a number")
    if number < 0:
        raise PortraitError(f"{key}: {number:g} is negative")
    return number


def normalise(dimension: str, raw) -> dict[str, float]:
    """The distribution as ``{key: share}``; raises ``PortraitError`` naming the broken rule."""
    rule, normalise_key, allowed = DIMENSIONS[dimension]
    if raw in (None, "", [], {}):
        return {}
    pairs = _pairs(raw)
    if len(pairs) > MAX_KEYS:
        raise PortraitError(f"{len(pairs)} entries; at most {MAX_KEYS}")
    values: dict[str, float] = {}
    for key, value in pairs:
        name = normalise_key(key) if normalise_key else str(key).strip()
        if not name or len(name) > KEY_MAX_CHARS:
            raise PortraitError(f"{key!r} is not a usable name")
        if allowed is not None and name not in allowed:
            raise PortraitError(f"{key!r} is not one of {', '.join(allowed)}")
        if name in values:
            raise PortraitError(f"{name} is given twice")
        values[name] = _number(name, value)
    total = sum(values.values())
    # Shares are at most 1 each: a complete distribution adding up past 1, or any single value
    # above 1 in a partial one, is in percentages.
    percent = total > 1 + PORTRAIT_SUM_TOLERANCE if rule == COMPLETE else any(v > 1 for v in values.values())
    if percent:
        values = {key: value / 100 for key, value in values.items()}
        total /= 100
    if rule == COMPLETE and abs(total - 1) > PORTRAIT_SUM_TOLERANCE:
        shown = f"{total * 100:.1f}%" if percent else f"{total:.4f}"
        target = "100%" if percent else "1"
        raise PortraitError(
            f"shares add up to {shown}, not {target} (tolerance ±{PORTRAIT_SUM_TOLERANCE * 100:g} points)"
        )
    if rule == TOP_LIST and total > 1 + PORTRAIT_SUM_TOLERANCE:
        raise PortraitError(
            f"shares add up to {total * 100:.1f}%, more than 100% (tolerance ±{PORTRAIT_SUM_TOLERANCE * 100:g} points)"
        )
    if rule == MULTI and any(v > 1 for v in values.values()):
        raise PortraitError("an interest's share cannot pass 100%")
    return {key: round(value, SHARE_PLACES) for key, value in values.items()}


def from_platform(row: dict) -> dict:
    """Rename the platform's portrait names (``gender_distributions`` ...) to our dimensions."""
    return {PORTRAIT_FIELDS.get(name, name): value for name, value in row.items()}


def dominant(distribution: dict[str, float]) -> tuple[str, float] | None:
    """The largest entry (ties: the first name in sort order), or ``None`` for an empty one."""
    if not distribution:
        return None
    key = min(distribution, key=lambda k: (-distribution[k], k))
    return key, distribution[key]
