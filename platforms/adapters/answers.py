"""Reading the platforms' answers: the checks every adapter applies to a field before trusting it
(a number that may come as a digit string, an id that may come as a number, a time in seconds or
milliseconds), and this process's HTTP client. A field that is missing or of the wrong type raises
``Garbage``, which an adapter turns into ``PlatformUnavailable`` naming the field."""

from __future__ import annotations

import datetime as dt
import math
import os

import httpx

_clients: dict[int, httpx.Client] = {}


def client() -> httpx.Client:
    """This process's HTTP client (connections kept alive between calls; a forked worker makes its
    own). Every request passes its own timeout."""
    pid = os.getpid()
    client = _clients.get(pid)
    if client is None:
        client = _clients[pid] = httpx.Client()
    return client


class Garbage(Exception):
    """A field of the answer is missing or of the wrong type (turned into PlatformUnavailable)."""


def number(value, name: str, *, optional: bool = True) -> int | None:
    """A whole number, also from a digit string (the platform sends both)."""
    if value is None or value == "":
        if optional:
            return None
        raise Garbage(f"{name} is missing")
    if isinstance(value, bool):
        raise Garbage(f"{name} is a boolean, not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise Garbage(f"{name} is not a whole number: {type(value).__name__}")


def text(value, name: str, *, optional: bool = True) -> str:
    """Text; ids may come as numbers."""
    if value is None or value == "":
        if optional:
            return ""
        raise Garbage(f"{name} is missing")
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Garbage(f"{name} is not text: {type(value).__name__}")


def flag(value, name: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise Garbage(f"{name} is not a boolean: {type(value).__name__}")


def obj(value, name: str, *, optional: bool = False) -> dict:
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise Garbage(f"{name} is not an object")
    return value


def items(value, name: str, *, optional: bool = True) -> list:
    if value is None and optional:
        return []
    if not isinstance(value, list):
        raise Garbage(f"{name} is not a list")
    return value


def moment(value, name: str) -> dt.datetime | None:
    """A Unix timestamp in seconds (or milliseconds, which some endpoints send)."""
    seconds = number(value, name)
    if seconds is None:
        return None
    if seconds > 10**11:
        seconds //= 1000
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise Garbage(f"{name} is not a time")


def day(value, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text(value, name, optional=False)[:10])
    except ValueError:
        raise Garbage(f"{name} is not a date")
