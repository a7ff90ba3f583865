"""Tasks survive a killed worker: a batch of real tasks (each day's inspection lists, 9 h) is sent
to a real worker, the worker is killed with SIGKILL in the middle of a task, and once work resumes
every task's effect exists exactly once — none missing, none twice.

To kill it "in the middle" every time, however slow the machine, the test locks the inspection
table against writes before it sends the second part of the batch: the next task blocks on its
INSERT, so the worker is provably inside that task, its transaction open and uncommitted, when it
is killed. The lock is released once the worker is dead.

Tasks acknowledge late (``acks_late``): the message of a task in progress stays with Redis until
the task ends. Killed worker (and its pool, as when a machine is lost) → Redis delivers the message
again after its visibility timeout, to the worker that takes over; killed pool process (the
out-of-memory killer's usual victim) → the worker hands the message back at once
(``reject_on_worker_lost``). The workers use the prefork pool, as production does (``make
worker``): there a task that acknowledged early would be acknowledged the moment it starts, and
lost with its process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
from collections import Counter
from contextlib import ExitStack

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from records.models import AuditAction, AuditEvent, DailyInspection
from records.tasks import inspections_create_task
from tests import celery_worker
from tests.celery_worker import Worker, connection_of_its_own, new_queue
from tests.factories import PlatformAccountFactory

pytestmark = [pytest.mark.services, pytest.mark.slow]

# Generous limits for a slow, shared machine: the test waits by polling and fails only when a
# limit passes with the awaited state never reached.
WAIT = 300
# The visibility timeout given to the worker that takes over: short, so the killed worker's
# message is handed out again soon (production keeps an hour, see CELERY_VISIBILITY_TIMEOUT).
VISIBILITY_TIMEOUT = 2


def wait_until(condition, what: str, workers=()):
    return celery_worker.wait_until(condition, what, workers, limit=WAIT)


class Batch:
    """Nine tasks, one per agency and day, two inspected accounts per agency: three days of agency
    B (sent first, and done before the lock), then three of agency A and three more of B."""

    def __init__(self, world):
        self.world = world
        self.accounts = {
            agency.pk: {PlatformAccountFactory(client=client).pk for _ in range(2)}
            for agency, client in ((world.agency_a, world.client_a1), (world.agency_b, world.client_b))
        }
        today = min(timezone.localdate(timezone=a.tz) for a in (world.agency_a, world.agency_b))
        days = [today - dt.timedelta(days=n) for n in range(1, 7)]
        a, b = world.agency_a.pk, world.agency_b.pk
        self.first = [(b, d) for d in days[:3]]
        self.rest = [(a, d) for d in days[:3]] + [(b, d) for d in days[3:]]

    def expected(self, tasks) -> set:
        return {(agency, account, day) for agency, day in tasks for account in self.accounts[agency]}

    @staticmethod
    def send(tasks, queue: str) -> None:
        for agency_id, day in tasks:
            inspections_create_task.apply_async(kwargs={"agency_id": agency_id, "day": day.isoformat()}, queue=queue)

    @staticmethod
    def lists() -> Counter:
        return Counter(
            DailyInspection.dangerously_all_agencies.values_list("agency_id", "account_id", "inspection_date")
        )

    def all_done(self) -> bool:
        return set(self.lists()) >= self.expected(self.first + self.rest)


class WriteLock:
    """The inspection table locked against writes (SHARE mode: reads go on, an INSERT waits) from a
    connection of its own, until ``release``."""

    TABLE = DailyInspection._meta.db_table

    def __init__(self):
        self.conn = connection_of_its_own()
        self.pid = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        self.conn.execute(f'LOCK TABLE "{self.TABLE}" IN SHARE MODE')

    def waiting_statement(self) -> str | None:
        """The statement of a session waiting for this lock, if one is."""
        with connection.cursor() as cursor:  # another session, which sees the waiter live
            cursor.execute(
                "SELECT query FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid)) LIMIT 1", [self.pid]
            )
            row = cursor.fetchone()
        return row[0] if row else None

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


class Broker:
    """What Redis still holds for the test's queue: messages waiting, and messages delivered but
    not acknowledged."""

    def __init__(self, queue: str):
        self.queue = queue
        self.client = redis.Redis.from_url(settings.REDIS_URL)

    def pending(self) -> int:
        unacked = 0
        for raw in self.client.hvals("unacked"):
            _message, _exchange, routing_key = json.loads(raw)
            unacked += routing_key == self.queue
        return self.client.llen(self.queue) + unacked

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def scene(transactional_db, world, tmp_path):
    """The batch, a queue of its own, and every worker and lock it starts, stopped whatever happens."""

    class Scene:
        batch = Batch(world)
        queue = new_queue()
        broker = Broker(queue)
        workers: list[Worker] = []
        lock: WriteLock | None = None

        def start(self, name: str, **kwargs) -> Worker:
            worker = Worker(self.queue, tmp_path / f"{name}.log", **kwargs)
            self.workers.append(worker)
            return worker

    scene = Scene()
    try:
        yield scene
    finally:
        if scene.lock is not None:
            scene.lock.release()
        with ExitStack() as stopping:  # every worker stopped, even when one of them hangs
            stopping.callback(scene.broker.close)
            for worker in scene.workers:
                stopping.callback(worker.stop)


def block_a_task_midway(scene, worker: Worker) -> None:
    """Run the first part of the batch, lock the table, send the rest: the worker blocks inside
    the first task of the rest, on its INSERT."""
    batch = scene.batch
    batch.send(batch.first, scene.queue)
    wait_until(lambda: set(batch.lists()) >= batch.expected(batch.first), "the first tasks done", [worker])
    scene.lock = WriteLock()
    batch.send(batch.rest, scene.queue)
    statement = wait_until(scene.lock.waiting_statement, "a task blocked on its write", [worker])
    assert statement.lstrip().upper().startswith("INSERT"), statement  # inside the task, not at its commit
    assert set(batch.lists()) == batch.expected(batch.first)  # nothing of the rest is committed
    # Acknowledged late: the task in progress is still owed, with every task after it.
    assert scene.broker.pending() == len(batch.rest)


def assert_every_effect_exactly_once(batch: Batch) -> None:
    lists = batch.lists()
    assert set(lists) == batch.expected(batch.first + batch.rest), "an inspection list is missing"
    assert set(lists.values()) == {1}
    # The audit trail shows each list written once: nothing of the killed run was kept.
    events = AuditEvent.dangerously_all_agencies.filter(
        model_label=DailyInspection._meta.label_lower, action=AuditAction.INSERT
    )
    inserts = Counter(events.values_list("object_pk", flat=True))
    assert len(inserts) == len(lists) and set(inserts.values()) == {1}


def test_a_killed_worker_is_replaced_and_every_tasks_effect_exists_exactly_once(scene):
    first = scene.start("first", pool="prefork")
    block_a_task_midway(scene, first)

    first.kill()  # SIGKILL to the worker and its pool, in the middle of the task
    killed_at = time.monotonic()
    scene.lock.release()  # the killed task's transaction is rolled back by PostgreSQL

    # Once the killed worker's message is past its visibility timeout, a new worker takes it up.
    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    second = scene.start("second", pool="prefork", CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    wait_until(
        lambda: scene.batch.all_done() and scene.broker.pending() == 0,
        "every task done and nothing left in Redis",
        [second],
    )
    assert_every_effect_exactly_once(scene.batch)


def test_a_killed_pool_process_hands_its_task_back_and_every_effect_exists_exactly_once(scene):
    worker = scene.start("prefork", pool="prefork")
    block_a_task_midway(scene, worker)

    (child,) = worker.children()
    os.kill(child, signal.SIGKILL)  # the process running the task dies; the worker lives on
    scene.lock.release()
    wait_until(
        lambda: scene.batch.all_done() and scene.broker.pending() == 0,
        "every task done and nothing left in Redis",
        [worker],
    )
    assert worker.alive()
    assert_every_effect_exactly_once(scene.batch)


def test_a_task_sent_through_the_outbox_whose_worker_was_killed_is_sent_again_within_minutes(scene, monkeypatch):
    """Without the relay's recovery, the killed task waits for Redis's visibility timeout (an hour
    in production, kept here). The worker noted on the outbox row that it started the task; once
    that worker has shown no heartbeat for two minutes (here: the rows made two minutes older), the
    relay sends the task again, the worker that took over runs it, and every effect exists once."""
    from django.db import transaction

    from agency.background import WORKER_STALE
    from agency.models import Heartbeat, TaskOutbox
    from agency.outbox import outbox_relay
    from agency.tasks import enqueue
    from tests.conftest import celery_app

    celery_app.conf.task_always_eager = False  # tasks go to Redis (restored by conftest)
    send = inspections_create_task.apply_async
    monkeypatch.setattr(
        inspections_create_task,
        "apply_async",
        lambda *args, **options: send(*args, **{"queue": scene.queue, **options}),  # the test's own queue
    )
    batch = scene.batch
    first = scene.start("first", pool="prefork")
    batch.send(batch.first, scene.queue)
    wait_until(lambda: set(batch.lists()) >= batch.expected(batch.first), "the first tasks done", [first])
    wait_until(
        lambda: Heartbeat.objects.filter(role="worker", stopped_at__isnull=True).exists(), "a heartbeat", [first]
    )
    scene.lock = WriteLock()
    with transaction.atomic():
        for agency_id, day in batch.rest:
            enqueue(inspections_create_task, agency_id=agency_id, day=day.isoformat())
    wait_until(scene.lock.waiting_statement, "a task blocked on its write", [first])
    running = wait_until(
        lambda: TaskOutbox.objects.filter(started_at__isnull=False, finished_at__isnull=True).first(),
        "the worker noting the task it runs",
        [first],
    )
    assert running.worker.startswith("celery@")

    first.kill()
    scene.lock.release()
    second = scene.start("second", pool="prefork")  # the same node name, as a restarted worker has
    wait_until(lambda: batch.lists().total() >= len(batch.expected(batch.first + batch.rest)) - 2, "the rest", [second])
    assert not batch.all_done(), "the killed task waits for Redis's visibility timeout"
    # Two minutes pass without a heartbeat from the killed worker.
    TaskOutbox.objects.filter(pk=running.pk).update(started_at=running.started_at - WORKER_STALE)
    assert outbox_relay() == 1
    wait_until(batch.all_done, "the task sent again done", [second])
    assert_every_effect_exactly_once(batch)
    running.refresh_from_db()
    assert running.finished_at is not None and running.attempts == 2
    assert scene.broker.pending() == 1, "only the killed run's message, which Redis hands out after its hour"
