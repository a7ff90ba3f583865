"""Where a query goes: cross-agency work to its own connection (``CROSSING``), and reads of
dashboards and reports to a read replica (``DATABASE_REPLICA_URL``).

Cross-agency work (``agency.tenancy.dangerously_all_agencies``: the platform admin, beat's
fan-outs, webhooks and public links finding a row's agency, commands) runs as the crossing role,
the one database role that row-level security lets past every agency (``agency.rls``). With
``CROSSING_DATABASE_URL`` set, that role has a connection of its own, the ``all_agencies`` alias:
inside the escape hatch, and for every query made through a ``dangerously_all_agencies`` manager,
the ORM reads and writes there (``CrossingRouter``), and the application's own role (the web
role, ``DATABASE_URL``) cannot become it whatever it sends. Without it, the crossing statements
stay on ``default``, whose backend switches to the crossing role for them (``SET LOCAL ROLE``):
possible only for a login that is a member of the crossing role (the tables' owner, the test
suite's role), and refused by the database for the web role, so that crossing work fails closed.

The crossing connection is a second connection: it does not see what ``default``'s open
transaction has written and not committed yet, and ``transaction.atomic()`` on ``default`` does not
cover its writes. Crossing work reads committed rows and wraps its own writes
(``transaction.atomic(using=crossing_alias())``); a check inside one agency (a model's ``clean``)
reads through that agency's own scope instead, on ``default``.

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

from agency.tenancy import all_agencies_active

REPLICA = "replica"
CROSSING = "all_agencies"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def crossing_configured() -> bool:
    """True when the crossing role has a connection of its own (``CROSSING_DATABASE_URL``)."""
    return CROSSING in connections.settings


def crossing_alias() -> str:
    """The alias cross-agency statements run on: ``all_agencies`` when configured, else
    ``default`` (whose backend then switches role for them)."""
    return CROSSING if crossing_configured() else "default"


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


class CrossingRouter:
    """Inside ``dangerously_all_agencies()``, reads and writes go to the crossing connection.
    Outside it, a row that was read there (its relations, a later save) goes back to ``default``,
    where the tenant in context binds it: nothing crosses outside the named block."""

    def db_for_read(self, model, **hints):
        return self._route(hints)

    def db_for_write(self, model, **hints):
        return self._route(hints)

    def _route(self, hints):
        if not crossing_configured():
            return None
        if all_agencies_active():
            return CROSSING
        instance = hints.get("instance")
        if instance is not None and getattr(instance, "_state", None) and instance._state.db == CROSSING:
            return "default"
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same database, under another role

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == CROSSING else None  # the schema is the owner's, on default


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
