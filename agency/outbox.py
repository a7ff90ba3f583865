"""The transactional outbox: a task asked for by a write is recorded with that write, and sent once
it has committed.

``agency.tasks.enqueue`` records a ``TaskOutbox`` row in the caller's transaction and, when that
transaction commits, sends the task and marks the row sent. If the broker cannot take it then
(Redis down, a network split, the process killed right after the commit), the row stays unsent,
with the error, and ``outbox_relay`` (every minute, ``agency.tasks.outbox_relay_task``) sends it
later. The write and the record of its task commit or roll back together: a committed write never
loses its task, and a rolled-back write sends none.

Delivery is at least once, not exactly once: a row is locked while it is sent, so the relay and
the first send never both send it, but a process that dies after sending a task and before marking
its row sent leaves it for the relay, which sends it again. That is safe because every task is
idempotent (a second run changes nothing), as ``agency.tasks`` requires.

``TaskOutbox`` is a system table, not a tenant table: the relay is platform machinery that reads
every agency's unsent rows (like the beat fan-outs read every agency), a row holds no tenant
content (a task's name and the ids it is called with), and no page or API serves it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agency.background import WORKER_STALE, outbox_task_id
from agency.models import Heartbeat, TaskOutbox

logger = logging.getLogger(__name__)

# The relay leaves a new row this long to its own send, right after its commit, before stepping in.
RELAY_GRACE = dt.timedelta(seconds=60)
# Rows locked and sent per relay transaction, and transactions per relay run at most.
RELAY_BATCH = 200
RELAY_MAX_BATCHES = 50
# Sent rows are kept this long (to look into what was sent and when), then removed by the relay.
KEEP_SENT = dt.timedelta(days=7)


def outbox_add(task, kwargs: dict) -> TaskOutbox:
    """Record ``task`` called with ``kwargs`` in the current transaction, and send it once the
    transaction commits (right away outside one). Use ``agency.tasks.enqueue``."""
    entry = TaskOutbox.objects.create(task=task.name, kwargs=kwargs, agency_id=kwargs.get("agency_id"))
    transaction.on_commit(lambda: outbox_send(entry, task=task))
    return entry


def outbox_send(entry: TaskOutbox, *, task=None) -> bool:
    """Send one recorded task now and mark it sent; if the broker cannot take it, keep the error on
    the row for the relay. True when this call sent it.

    The row is locked while it is sent, so a relay running at that moment skips it (and this call
    skips a row a relay holds). With eager tasks (the embedded default, tests) sending runs the
    task in-process: its own error is raised to the caller, as it would be without the outbox."""
    task = task if task is not None else task_named(entry.task)
    if task.app.conf.task_always_eager:
        try:
            task.apply_async(kwargs=entry.kwargs, task_id=outbox_task_id(entry.pk))
        except Exception as exc:
            _record_failure(entry, exc)
            raise
        _mark_sent(entry)
        return True
    with transaction.atomic():
        mine = TaskOutbox.objects.select_for_update(skip_locked=True).filter(pk=entry.pk, sent_at__isnull=True)
        if not list(mine.values_list("pk", flat=True)):
            return False  # sent already, or being sent by the relay
        try:
            task.apply_async(kwargs=entry.kwargs, task_id=outbox_task_id(entry.pk))
        except Exception as exc:
            _record_failure(entry, exc)
            logger.warning("Task %s (outbox #%s) not sent, the relay will send it: %r", entry.task, entry.pk, exc)
            return False
        _mark_sent(entry)
    return True


def outbox_relay(
    *, grace: dt.timedelta = RELAY_GRACE, batch_size: int = RELAY_BATCH, max_batches: int = RELAY_MAX_BATCHES
) -> int:
    """Send the recorded tasks that are still unsent ``grace`` after they were recorded; returns
    how many were sent. Each batch is locked with SKIP LOCKED, so relays running at once never
    take the same row. The first send that fails ends the run (the broker is most likely still
    away; the next run goes on), leaving that row behind the others, which have fewer attempts.
    Sent rows older than ``KEEP_SENT`` are removed."""
    sent = 0
    broker_failed = False
    for _ in range(max_batches):
        with transaction.atomic():
            batch = list(
                TaskOutbox.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, created_at__lte=timezone.now() - grace)
                .order_by("attempts", "pk")[:batch_size]
            )
            for entry in batch:
                try:
                    task = task_named(entry.task)
                except KeyError as exc:  # renamed or removed: left, with the error, for a person to look at
                    _record_failure(entry, exc)
                    logger.error("Outbox #%s names no known task: %s", entry.pk, entry.task)
                    continue
                if not _relay_one(entry, task):
                    broker_failed = True
                    break
                sent += 1
        if broker_failed or len(batch) < batch_size:
            break
    if not broker_failed:
        sent += outbox_recover_lost(batch_size=batch_size)
    TaskOutbox.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    return sent


def outbox_recover_lost(*, batch_size: int = RELAY_BATCH) -> int:
    """Send again the tasks that a worker started and never finished, where that worker has shown
    no sign of life for ``WORKER_STALE`` (killed, its machine lost): without this, the broker would
    hand such a task to another worker only after its visibility timeout (an hour). Returns how
    many were sent again. The first message may still come back later: tasks are idempotent."""
    now = timezone.now()
    # The live workers, and since when each runs: a worker of the same name started after the task
    # is a restart, and the one that held the task is gone.
    live = dict(
        Heartbeat.objects.filter(
            role=Heartbeat.Role.WORKER, stopped_at__isnull=True, seen_at__gte=now - WORKER_STALE
        ).values_list("name", "started_at")
    )
    resent = 0
    with transaction.atomic():
        candidates = (
            TaskOutbox.objects.select_for_update(skip_locked=True)
            .filter(started_at__lte=now - WORKER_STALE, finished_at__isnull=True)
            .order_by("started_at")[:batch_size]
        )
        lost = [e for e in candidates if e.worker not in live or live[e.worker] > e.started_at]
        for entry in lost:
            try:
                task = task_named(entry.task)
            except KeyError as exc:
                _record_failure(entry, exc)
                continue
            worker = entry.worker
            if not _relay_one(entry, task, resend=True):
                break
            logger.warning(
                "Task %s (outbox #%s) sent again: its worker %s was lost while running it", entry.task, entry.pk, worker
            )
            resent += 1
    return resent


def outbox_resend(*, since: dt.datetime, task: str = "") -> int:
    """Mark the tasks sent since ``since`` (only those named ``task``, if given) as unsent, so the
    relay sends them again: for after Redis lost its queue (a restore, a crash without its
    append-only file), when tasks sent but not yet run were lost with it. Safe, tasks being
    idempotent. Returns how many will be sent again."""
    if since > timezone.now():
        raise ValueError("The time to resend from is in the future.")
    rows = TaskOutbox.objects.filter(sent_at__gte=since)
    if task:
        rows = rows.filter(task=task)
    return rows.update(sent_at=None)


def _relay_one(entry: TaskOutbox, task, *, resend: bool = False) -> bool:
    try:
        # A savepoint: an eager task that fails in-process must not break the relay's transaction.
        with transaction.atomic():
            task.apply_async(kwargs=entry.kwargs, task_id=outbox_task_id(entry.pk))
    except Exception as exc:
        _record_failure(entry, exc)
        logger.warning("Task %s (outbox #%s) still not sent: %r", entry.task, entry.pk, exc)
        return False
    if resend:
        TaskOutbox.objects.filter(pk=entry.pk).update(
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            started_at=None,
            finished_at=None,
            last_error=f"Sent again: worker {entry.worker} was lost while running it."[:2000],
            worker="",
        )
    else:
        _mark_sent(entry)
    return True


def task_named(name: str):
    """The registered task called ``name`` (KeyError when there is none)."""
    from agency.celery import app

    if name not in app.tasks:
        # Task modules are discovered when a worker starts; any other process imports them here.
        app.loader.import_default_modules()
    return app.tasks[name]


def _record_failure(entry: TaskOutbox, exc: BaseException) -> None:
    TaskOutbox.objects.filter(pk=entry.pk).update(
        attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def _mark_sent(entry: TaskOutbox) -> None:
    TaskOutbox.objects.filter(pk=entry.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1
    )
