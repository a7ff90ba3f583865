"""The dashboards' figures from the daily metrics, kept in the cache (Redis in production) until
the agency's metrics change.

Each agency has a metrics version in the cache (keyed by its id and creation time, so that a new
agency that reuses an id, as after a database is restored, never meets an older one's figures).
A cached figure's key carries the version it was computed at, so bumping the version
(``metrics_changed``, called by the ingest after its transaction commits) makes every older figure
of that agency unreachable at once: no list of keys to delete, and a figure is never served after
the data under it changed. ``CACHE_SECONDS`` bounds how long an unread figure occupies memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from agency.models import Agency

CACHE_SECONDS = 6 * 60 * 60


def _agency_key(agency: Agency) -> str:
    return f"{agency.pk}.{int(agency.created_at.timestamp() * 1_000_000)}"


def _fresh_version() -> int:
    # A version never used before for any agency, even if a version key was evicted.
    return time.time_ns() // 1000


def metrics_version(agency: Agency) -> int:
    key = f"metrics-version:{_agency_key(agency)}"
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh_version(), timeout=None)
        version = cache.get(key)
    return version


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no version yet (or evicted)
        cache.add(key, _fresh_version(), timeout=None)


def metrics_changed(agency: Agency) -> None:
    """The agency's daily metrics changed: forget its cached figures once the transaction commits
    (a reader in between still sees the old rows, and may cache them under the old version)."""
    key = f"metrics-version:{_agency_key(agency)}"
    transaction.on_commit(lambda: _bump(key))


def cached_figures(agency: Agency, name: str, compute: Callable[[], object]):
    """``compute()`` once per agency, metrics version and ``name`` (which must name every
    parameter of the figure, including whose view it is)."""
    key = f"metrics:{_agency_key(agency)}:{metrics_version(agency)}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
