"""A task for tests/agency/test_worker_shutdown.py, imported only by the worker that test starts
(``-I``): the test process sends it by name and never registers it."""

from __future__ import annotations

from pathlib import Path

from django.db import connection, transaction

from agency.celery import app


@app.task(name="tests.worker_shutdown.wait_for_lock")  # the project's base task: acknowledged late
def wait_for_lock(*, path: str, key: int) -> None:
    """In a transaction, wait for the advisory lock ``key`` (the test holds it), then note in
    ``path`` that the transaction committed."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    Path(path).write_text("committed", encoding="utf-8")
