"""Pieces every export shares: how a person, a moment, a tick and a figure read in a cell."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable

from django.utils import timezone

Progress = Callable[[int, int], None]


def person_text(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def when_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def tick_text(value) -> str:
    return {True: "√", False: "×"}.get(value, "—")


def cell_value(value):
    if value is None:
        return ""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)
