"""Reads of dashboards and reports from a read replica (``DATABASE_REPLICA_URL``).

Only code that opts in reads from the replica: a read-only page wraps its reads in
``replica_reads()``. Everything else (and every write, and every read inside the block that the
router is not asked about, such as raw SQL on ``connection``) stays on ``default``. A replica lags
its primary by a little, so the pages that opt in are the ones where a figure a second old is as
good as a new one (dashboards, overviews, reports), never a page that reads what it just wrote.

The block runs in one transaction on the replica, so the tenant context reaches the replica the
same way it reaches the primary: the backend (``agency.db.postgresql``) sets ``app.agency_id``
and the other transaction-local settings at the first statement, and row-level security binds
the replica's role exactly as it binds the primary's. Without a replica configured the block
changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, transaction

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the block's ORM reads to the replica, in one transaction there."""
    if not replica_configured() or _replica_reads.get():
        yield
        return
    token = _replica_reads.set(True)
    try:
        with transaction.atomic(using=REPLICA):
            yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads inside ``replica_reads()`` go to the replica; everything else to ``default``."""

    def db_for_read(self, model, **hints):
        if _replica_reads.get() and replica_configured():
            return REPLICA
        return None  # Django's own choice: default, or the database a related row came from

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary's schema by replication
