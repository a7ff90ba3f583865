"""Named locks held until the current transaction ends."""

from __future__ import annotations

from django.db import connections


def transaction_lock(name: str, using: str = "default") -> None:
    """Wait for the lock called ``name``, then hold it until the current transaction ends: one
    transaction at a time holds it. On PostgreSQL an advisory lock of the transaction
    (``pg_advisory_xact_lock``), which also works behind PgBouncer in transaction mode; elsewhere
    (SQLite lets one writer in at a time anyway) nothing."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("transaction_lock() is held by a transaction: call it inside transaction.atomic().")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
