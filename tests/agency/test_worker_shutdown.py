"""A warm shutdown asked for while a task waits on the database: the task ends and commits, the
worker marks its heartbeat stopped and exits.

The stop (SIGTERM) is handled in the worker's main thread between any two of its steps, here in
the middle of the task's query, on the main thread's connection whose lock that query holds.
Marking the heartbeat stopped from there, on that connection, hung the worker for good (or, had
the query ended first, closed the connection under the task's transaction); the heartbeat's own
thread marks it instead. The test holds an advisory lock the task waits for, so the stop comes
while the task is provably inside its query, however slow the machine.
"""

from __future__ import annotations

import pytest
from django.db import connection

from agency.models import Heartbeat
from tests import celery_worker
from tests.celery_worker import Worker, connection_of_its_own, new_queue
from tests.conftest import celery_app

pytestmark = [pytest.mark.services, pytest.mark.slow]

TASK = "tests.worker_shutdown.wait_for_lock"
TASKS_MODULE = "tests.agency.worker_shutdown_tasks"
LOCK_KEY = 720_514
WAIT = 60  # the most any awaited state may take on a slow machine


def wait_until(condition, what: str, worker: Worker):
    return celery_worker.wait_until(condition, what, [worker], limit=WAIT, every=0.1)


class AdvisoryLock:
    """An advisory lock held by a connection of its own until ``release``."""

    def __init__(self, key: int):
        self.conn = connection_of_its_own(autocommit=True)
        self.pid = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        self.conn.execute("SELECT pg_advisory_lock(%s)", [key])

    def someone_waits(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [self.pid])
            return cursor.fetchone() is not None

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.close()


def test_a_worker_stopped_while_its_task_waits_on_the_database_finishes_the_task_and_exits(transactional_db, tmp_path):
    note = tmp_path / "note.txt"
    lock = AdvisoryLock(LOCK_KEY)
    worker = Worker(new_queue(), tmp_path / "worker.log", include=TASKS_MODULE)
    try:
        wait_until(
            lambda: Heartbeat.objects.filter(role="worker", pid=worker.pid, stopped_at__isnull=True).exists(),
            "the worker's heartbeat",
            worker,
        )
        celery_app.send_task(TASK, kwargs={"path": str(note), "key": LOCK_KEY}, queue=worker.queue)
        wait_until(lock.someone_waits, "the task waiting for the lock", worker)

        worker.process.terminate()  # a warm shutdown, asked for in the middle of the task's query
        wait_until(lambda: "Warm shutdown" in worker.output(), "the stop handled", worker)
        lock.release()
        worker.wait_stopped(WAIT)  # WorkerHung, with the worker's stacks, if it does not exit
    finally:
        lock.release()
        worker.stop()
    assert worker.process.returncode == 0, worker.output()
    assert note.read_text(encoding="utf-8") == "committed", worker.output()
    assert Heartbeat.objects.get(role="worker", pid=worker.pid).stopped_at is not None
