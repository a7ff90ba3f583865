"""Background work that never silently stops: signs of life of the workers and the scheduler, the
scheduler itself, the recovery of tasks a lost worker held, and the health report that reads them.

- **Workers** write a ``Heartbeat`` row every ``HEARTBEAT_EVERY`` from a thread of their main
  process (so a worker busy with a long task still shows alive), naming the queues they consume;
  on a warm shutdown they mark it stopped. A worker whose row is older than ``WORKER_STALE`` is
  taken as gone.
- **The scheduler** (``Scheduler``, Celery beat's persistent scheduler) writes its row as it ticks.
  An entry it has never run counts as last run one day ago, so a new installation (and ``make run``
  on the embedded default) does its daily work at its first start instead of waiting for the hour
  in the schedule; after a stop, each entry whose time passed runs once (beat's own catch-up).
- **Tasks a lost worker held.** A task sent through the outbox (``agency.outbox``) carries the
  outbox row's id as its task id; the worker notes on the row when it starts it, on which worker,
  and when it ends. The relay sends again a task started on a worker that has gone stale and never
  ended, so a short task recovers within minutes instead of waiting for the broker's visibility
  timeout (the broker may still deliver the first message later: tasks are idempotent).
- **Health** (``health_report``): the database, the broker, the workers, the scheduler and the
  outbox, each ok or not with the reason (``GET /api/v1/health/``, ``manage.py health``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass, field

from celery import beat, signals
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

# A worker writes its heartbeat this often, and is taken as gone when it is older than WORKER_STALE.
HEARTBEAT_EVERY = dt.timedelta(seconds=30)
WORKER_STALE = dt.timedelta(minutes=2)
# The scheduler writes its own at most this often; it ticks at least every minute (the outbox relay
# is due every minute), so an older one means it is not running.
SCHEDULER_WRITE_EVERY = dt.timedelta(seconds=20)
SCHEDULER_STALE = dt.timedelta(minutes=3)
# The outbox is backed up when a task still unsent is older than this (the relay steps in after a
# minute and runs every minute).
OUTBOX_STALE = dt.timedelta(minutes=5)
# A never-run entry of the schedule counts as last run this long ago.
FIRST_RUN_LOOKBACK = dt.timedelta(days=1)
# Task ids of tasks sent through the outbox: this prefix and the outbox row's id.
OUTBOX_TASK_PREFIX = "outbox-"


def outbox_task_id(outbox_id: int) -> str:
    return f"{OUTBOX_TASK_PREFIX}{outbox_id}"


def outbox_id_of(task_id: str | None) -> int | None:
    if task_id and task_id.startswith(OUTBOX_TASK_PREFIX):
        number = task_id[len(OUTBOX_TASK_PREFIX) :]
        if number.isdigit():
            return int(number)
    return None


# --- Heartbeats ------------------------------------------------------------------------------


def heartbeat_write(
    role: str, name: str, *, queues: list[str] | None = None, entries: dict | None = None, started_at=None
) -> None:
    """Record that the process ``name`` of ``role`` is alive now."""
    from agency.models import Heartbeat

    now = timezone.now()
    values = {"pid": os.getpid(), "seen_at": now, "stopped_at": None}
    if queues is not None:
        values["queues"] = queues
    if entries is not None:
        values["entries"] = entries
    if started_at is not None:
        values["started_at"] = started_at
    updated = Heartbeat.objects.filter(role=role, name=name).update(**values)
    if not updated:
        Heartbeat.objects.update_or_create(role=role, name=name, defaults={"started_at": started_at or now, **values})


def heartbeat_stop(role: str, name: str) -> None:
    from agency.models import Heartbeat

    Heartbeat.objects.filter(role=role, name=name, pid=os.getpid()).update(stopped_at=timezone.now())


class _WorkerHeartbeat:
    """The thread that writes a worker's heartbeat while its main process lives, and marks it stopped
    once the worker is asked to stop. Only this thread writes, on its own connection: the stop is
    asked from a signal handler, which runs in the main thread between any two of its steps, maybe
    in the middle of a task's query on the main thread's connection (whose lock that query holds)."""

    def __init__(self, name: str, queues: list[str]):
        self.name = name
        self.queues = queues
        self.started_at = timezone.now()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def ask_stop(self) -> None:
        """Have the thread mark the heartbeat stopped and end; returns at once (safe in a signal
        handler: it touches no connection)."""
        self.stopping.set()

    def stop(self, timeout: float = 5) -> None:
        """Ask the thread to stop and wait for it (at most ``timeout`` seconds) to have marked the
        heartbeat stopped. Not from a signal handler (see ``ask_stop``)."""
        self.ask_stop()
        self.thread.join(timeout=timeout)
        if self.thread.is_alive():  # stuck on the database: mark it from here instead
            self._mark_stopped()

    def _mark_stopped(self) -> None:
        try:
            heartbeat_stop("worker", self.name)
        except DatabaseError:
            logger.warning("worker %s: could not mark its heartbeat stopped", self.name)
        finally:
            connection.close()

    def _run(self) -> None:
        while True:
            try:
                close_old_connections()
                heartbeat_write("worker", self.name, queues=self.queues, started_at=self.started_at)
            except Exception:  # the database away: try again at the next beat, never die
                logger.warning("worker %s: heartbeat not written", self.name, exc_info=True)
                connection.close()
            if self.stopping.wait(HEARTBEAT_EVERY.total_seconds()):
                self._mark_stopped()
                _wake_event_loop()
                return


def _wake_event_loop() -> None:
    """Have the worker's event loop, if it has one, look at once at whether it must stop, instead of
    at the end of its current wait for the broker (up to a second): called from another thread
    than the loop's, ``call_soon`` wakes it."""
    from kombu.asynchronous import get_event_loop

    hub = get_event_loop()
    if hub is not None:
        hub.call_soon(lambda: None)


_heartbeat: _WorkerHeartbeat | None = None


@signals.worker_ready.connect
def _worker_ready(sender=None, **_kwargs) -> None:
    global _heartbeat
    if _heartbeat is not None:  # ready again after the broker came back: the thread still runs
        return
    consumer = sender
    queues = sorted(consumer.app.amqp.queues.consume_from)
    _heartbeat = _WorkerHeartbeat(consumer.hostname, queues)
    _heartbeat.start()


@signals.worker_shutting_down.connect
def _worker_shutting_down(**_kwargs) -> None:
    # Sent from the SIGTERM/SIGINT handler, as soon as the stop is asked: under load a warm shutdown
    # can outlast the grace a supervisor gives (honcho's is 5 s) before it kills. The heartbeat's
    # thread marks it stopped; nothing here may use the main thread's connection (see the class).
    if _heartbeat is not None:
        _heartbeat.ask_stop()


@signals.worker_shutdown.connect  # once the worker has stopped (not in a signal handler)
def _worker_shutdown(**_kwargs) -> None:
    global _heartbeat
    if _heartbeat is not None:
        _heartbeat.stop()
        _heartbeat = None


# --- Tasks sent through the outbox: started where, ended when --------------------------------


@signals.task_prerun.connect
def _outbox_task_started(task_id=None, task=None, **_kwargs) -> None:
    outbox_id = outbox_id_of(task_id)
    if outbox_id is None or task is None or task.request.is_eager:
        return
    from agency.models import TaskOutbox

    TaskOutbox.objects.filter(pk=outbox_id).update(
        started_at=timezone.now(), worker=task.request.hostname or "", finished_at=None
    )


@signals.task_postrun.connect
def _outbox_task_ended(task_id=None, task=None, **_kwargs) -> None:
    outbox_id = outbox_id_of(task_id)
    if outbox_id is None or task is None or task.request.is_eager:
        return
    from agency.models import TaskOutbox

    TaskOutbox.objects.filter(pk=outbox_id).update(finished_at=timezone.now())


# --- The scheduler ---------------------------------------------------------------------------


class ScheduleEntry(beat.ScheduleEntry):
    """An entry never run before counts as run ``FIRST_RUN_LOOKBACK`` ago, so it is due at once."""

    def __init__(self, name=None, task=None, last_run_at=None, *args, **kwargs):
        super().__init__(name, task, last_run_at, *args, **kwargs)
        if last_run_at is None:
            self.last_run_at = self.last_run_at - FIRST_RUN_LOOKBACK

    def _next_instance(self, last_run_at=None):
        # The entry's next instance, after a run: run now, not a look-back ago.
        return super()._next_instance(last_run_at or self.default_now())

    __next__ = next = _next_instance


class Scheduler(beat.PersistentScheduler):
    """Beat's persistent scheduler (its state in ``beat_schedule_filename``), which runs a never-run
    entry at once and records each tick for the health report."""

    Entry = ScheduleEntry
    _written_at: dt.datetime | None = None
    _started_at: dt.datetime | None = None

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        now = timezone.now()
        if self._written_at is None or now - self._written_at >= SCHEDULER_WRITE_EVERY:
            try:
                if not connection.in_atomic_block:  # beat's own process: none; a test's: its transaction
                    close_old_connections()
                self._started_at = self._started_at or now
                heartbeat_write("scheduler", socket.gethostname(), entries=self._entries(), started_at=self._started_at)
                self._written_at = now
            except Exception:
                logger.warning("scheduler: tick not recorded", exc_info=True)
                connection.close()
        return interval

    def _entries(self) -> dict:
        """Each entry's task, last run and runs since the schedule file was made, for the report.
        An entry never run shows no last run (its look-back time is not a run)."""
        return {
            name: {
                "task": entry.task,
                "last_run_at": entry.last_run_at.isoformat() if entry.total_run_count else None,
                "runs": entry.total_run_count,
            }
            for name, entry in sorted(self.schedule.items())
        }

    def close(self):
        try:
            heartbeat_stop("scheduler", socket.gethostname())
        except Exception:
            logger.warning("scheduler: stop not recorded", exc_info=True)
        super().close()


# --- Health ----------------------------------------------------------------------------------


@dataclass
class Check:
    ok: bool
    reason: str = ""
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ok else "unavailable", "reason": self.reason, **self.details}


COMPONENTS = ("database", "broker", "workers", "scheduler", "outbox")


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        connection.close()
        return Check(False, f"the database does not answer: {exc.__class__.__name__}")
    return Check(True)


def check_broker() -> Check:
    """Can a connection to the broker be made now (one try, a short timeout)?"""
    from agency.celery import app

    if app.conf.task_always_eager:
        return Check(True, "tasks run in the web process (eager)", {"transport": "eager"})
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
            queued = _queued(conn)
    except Exception as exc:
        return Check(False, f"the broker does not answer: {exc.__class__.__name__}: {exc}")
    details = {"transport": str(transport)}
    if queued is not None:
        details["queued"] = queued
    return Check(True, details=details)


def _queued(conn) -> dict[str, int] | None:
    """Messages waiting in each known queue, where the transport can count them cheaply (Redis)."""
    from django.conf import settings

    if conn.transport.driver_type != "redis":
        return None
    client = conn.default_channel.client
    names = {settings.CELERY_TASK_DEFAULT_QUEUE, *settings.QUEUES_BY_KIND}
    return {name: int(client.llen(name)) for name in sorted(names)}


def check_workers(now: dt.datetime | None = None) -> Check:
    from agency.celery import app
    from agency.models import Heartbeat

    if app.conf.task_always_eager:
        return Check(True, "tasks run in the web process (eager): no worker is needed")
    now = now or timezone.now()
    rows = list(Heartbeat.objects.filter(role=Heartbeat.Role.WORKER, stopped_at__isnull=True))
    live = [row for row in rows if now - row.seen_at <= WORKER_STALE]
    workers = [
        {"name": row.name, "queues": row.queues, "seen_at": row.seen_at.isoformat(), "alive": row in live}
        for row in rows
    ]
    if not live:
        reason = (
            "no worker is running" if not rows else f"no heartbeat from any worker for over {_minutes(WORKER_STALE)}"
        )
        return Check(False, reason, {"workers": workers})
    consumed = {queue for row in live for queue in row.queues}
    from django.conf import settings

    wanted = {settings.CELERY_TASK_DEFAULT_QUEUE}
    if settings.CELERY_QUEUES_BY_KIND:
        wanted |= set(settings.QUEUES_BY_KIND)
    missing = sorted(wanted - consumed)
    if missing:
        return Check(False, f"no live worker consumes the queue(s) {', '.join(missing)}", {"workers": workers})
    return Check(True, details={"workers": workers})


def check_scheduler(now: dt.datetime | None = None) -> Check:
    from agency.models import Heartbeat

    now = now or timezone.now()
    row = Heartbeat.objects.filter(role=Heartbeat.Role.SCHEDULER).order_by("-seen_at").first()
    if row is None:
        return Check(False, "the scheduler (beat) has never run")
    details = {"name": row.name, "last_tick": row.seen_at.isoformat(), "entries": row.entries}
    if row.stopped_at is not None and row.stopped_at >= row.seen_at:
        return Check(False, "the scheduler (beat) was stopped", details)
    if now - row.seen_at > SCHEDULER_STALE:
        return Check(False, f"the scheduler (beat) has not ticked for over {_minutes(SCHEDULER_STALE)}", details)
    return Check(True, details=details)


def check_outbox(now: dt.datetime | None = None) -> Check:
    from agency.models import TaskOutbox

    now = now or timezone.now()
    unsent = TaskOutbox.objects.filter(sent_at__isnull=True)
    backlog = unsent.count()
    oldest = unsent.order_by("created_at").values_list("created_at", flat=True).first()
    age = int((now - oldest).total_seconds()) if oldest else 0
    details = {"backlog": backlog, "oldest_age_seconds": age}
    if oldest is not None and now - oldest > OUTBOX_STALE:
        return Check(False, f"{backlog} task(s) not sent to the broker, the oldest for {age // 60} minutes", details)
    return Check(True, details=details)


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "workers": check_workers,
    "scheduler": check_scheduler,
    "outbox": check_outbox,
}


def health_report(only: tuple[str, ...] = COMPONENTS) -> dict:
    """Each component ok or not, with the reason; ``status`` is ok only when every one is. With the
    database down, the components read from it are unknown and reported so."""
    report: dict = {}
    database = check_database() if "database" in only or set(only) & {"workers", "scheduler", "outbox"} else None
    for name in only:
        if name == "database":
            report[name] = database.as_dict()
        elif name in ("workers", "scheduler", "outbox") and database is not None and not database.ok:
            report[name] = Check(False, "unknown: the database does not answer").as_dict()
        else:
            try:
                report[name] = CHECKS[name]().as_dict()
            except DatabaseError as exc:
                connection.close()
                report[name] = Check(False, f"unknown: {exc.__class__.__name__}").as_dict()
    ok = all(part["status"] == "ok" for part in report.values())
    return {"status": "ok" if ok else "unavailable", **report}


BACKGROUND = ("broker", "workers", "scheduler", "outbox")
# The banner's reading of the background work is kept this long (one report per process and period,
# not one per page).
STALLED_KEPT_SECONDS = 30


def background_stalled() -> dict[str, str]:
    """The background components that are down or stalled, with their reasons (empty when all
    run), read at most every ``STALLED_KEPT_SECONDS`` from the shared cache: for the banner staff
    admins see on every page."""
    from django.core.cache import cache

    key = "agency.background.stalled"
    stalled = cache.get(key)
    if stalled is None:
        report = health_report(BACKGROUND)
        stalled = {name: report[name]["reason"] for name in BACKGROUND if report[name]["status"] != "ok"}
        cache.set(key, stalled, STALLED_KEPT_SECONDS)
    return stalled


def _minutes(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
