"""Background work that never silently stops (agency.background): the scheduler runs a never-run
entry at once and records its ticks; workers write heartbeats with their queues; the outbox's
relay sends again a task whose worker was lost while running it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from agency import background
from agency.celery import app as celery_app
from agency.models import Heartbeat, TaskOutbox
from agency.outbox import outbox_recover_lost, outbox_relay
from records.tasks import report_build_task

# --- the scheduler ------------------------------------------------------------------------------


@pytest.fixture
def scheduler(tmp_path):
    made = []

    def make():
        made.append(background.Scheduler(app=celery_app, schedule_filename=str(tmp_path / "schedule"), lazy=True))
        made[-1].setup_schedule()
        return made[-1]

    yield make
    for one in made:
        one.close()


def test_the_scheduler_is_the_project_s_and_keeps_its_state_in_a_file():
    assert celery_app.conf.beat_scheduler == "agency.background:Scheduler"
    assert celery_app.conf.beat_schedule_filename == settings.CELERY_BEAT_SCHEDULE_FILENAME


def test_a_new_installation_runs_each_daily_entry_at_its_first_start_and_then_on_schedule(db, scheduler):
    entries = scheduler().schedule
    daily = [name for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if "daily" in name]
    assert len(daily) >= 6
    for name in [*daily, "agency-outbox-relay", "accounts-ops-opinion-alerts-hourly"]:
        assert entries[name].is_due()[0], f"{name} waits for its hour on a new installation"
    for name in daily:
        ran = next(entries[name])  # what beat keeps after running the entry
        assert not ran.is_due()[0], f"{name} would run again at once"
        assert abs((ran.last_run_at - timezone.now()).total_seconds()) < 60


def test_after_a_stop_the_scheduler_catches_up_once_and_not_on_the_first_start(db, scheduler):
    first = scheduler()
    name = "records-inspection-lists-daily"
    first.schedule[name] = next(first.schedule[name])  # ran now
    first.sync()
    first.close()
    assert not scheduler().schedule[name].is_due()[0], "a run kept in the file is not repeated at the next start"


def test_the_scheduler_records_its_ticks_for_the_health_report(db, scheduler, monkeypatch):
    beat = scheduler()
    monkeypatch.setattr(background.beat.PersistentScheduler, "tick", lambda self, *a, **k: 1.0)
    assert background.check_scheduler().reason == "the scheduler (beat) has never run"
    beat.tick()
    row = Heartbeat.objects.get(role="scheduler")
    assert timezone.now() - row.seen_at < dt.timedelta(seconds=30)
    assert background.check_scheduler().ok
    relay = "agency-outbox-relay"
    assert row.entries[relay] == {"task": "agency.tasks.outbox_relay_task", "last_run_at": None, "runs": 0}
    beat.schedule[relay] = next(beat.schedule[relay])  # as beat keeps it after running the entry
    beat._written_at = None  # written at most every 20 s: the next tick writes
    beat.tick()
    shown = background.check_scheduler().details["entries"][relay]
    assert shown["runs"] == 1 and shown["last_run_at"] is not None
    beat.close()
    assert background.check_scheduler().reason == "the scheduler (beat) was stopped"


# --- the worker's heartbeat ---------------------------------------------------------------------


def test_a_worker_heartbeat_names_its_queues_and_is_marked_stopped_at_a_warm_shutdown(transactional_db):
    beating = background._WorkerHeartbeat("celery@test-host", ["celery", "ingest"])
    beating.start()
    try:
        for _ in range(100):
            if Heartbeat.objects.filter(role="worker").exists():
                break
            beating.stopping.wait(0.05)
        row = Heartbeat.objects.get(role="worker", name="celery@test-host")
        assert row.queues == ["celery", "ingest"] and row.stopped_at is None
    finally:
        beating.stop()
    row.refresh_from_db()
    assert row.stopped_at is not None
    assert not beating.thread.is_alive()


# --- tasks a lost worker held -------------------------------------------------------------------


@pytest.fixture
def broker(monkeypatch):
    sent = []
    monkeypatch.setattr(report_build_task, "apply_async", lambda kwargs, **options: sent.append((kwargs, options)))
    celery_app.conf.task_always_eager = False  # restored by conftest
    return sent


def started(worker: str, minutes_ago: float, finished: bool = False) -> TaskOutbox:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return TaskOutbox.objects.create(
        task=report_build_task.name,
        kwargs={"report_id": 1},
        sent_at=at,
        attempts=1,
        started_at=at,
        worker=worker,
        finished_at=at if finished else None,
    )


def beat_of(name: str, *, seen_minutes_ago: float = 0, started_minutes_ago: float = 60) -> None:
    now = timezone.now()
    Heartbeat.objects.create(
        role="worker",
        name=name,
        pid=1,
        queues=["celery"],
        started_at=now - dt.timedelta(minutes=started_minutes_ago),
        seen_at=now - dt.timedelta(minutes=seen_minutes_ago),
    )


def test_a_task_whose_worker_went_silent_is_sent_again_with_the_same_id(db, broker):
    lost = started("celery@gone", minutes_ago=3)
    beat_of("celery@gone", seen_minutes_ago=3)
    assert outbox_relay() == 1
    assert broker == [({"report_id": 1}, {"task_id": f"outbox-{lost.pk}"})]
    lost.refresh_from_db()
    assert (lost.started_at, lost.worker, lost.attempts) == (None, "", 2)
    assert lost.last_error == "Sent again: worker celery@gone was lost while running it."
    assert outbox_relay() == 0, "sent again once, not at every relay run"


def test_a_task_running_on_a_live_worker_or_finished_is_left_alone(db, broker):
    beat_of("celery@alive")
    started("celery@alive", minutes_ago=30)
    started("celery@gone", minutes_ago=30, finished=True)
    assert outbox_recover_lost() == 0 and broker == []


def test_a_task_started_just_now_is_left_to_its_worker_even_without_a_heartbeat_yet(db, broker):
    started("celery@new", minutes_ago=0.5)
    assert outbox_recover_lost() == 0


def test_a_task_held_by_the_previous_run_of_a_restarted_worker_is_sent_again(db, broker):
    # The same node name, back after a kill: its heartbeat is live, but it started after the task.
    started("celery@host-1", minutes_ago=10)
    beat_of("celery@host-1", started_minutes_ago=1)
    assert outbox_recover_lost() == 1


def test_a_task_is_noted_started_and_finished_by_the_worker_that_runs_it(db):
    entry = TaskOutbox.objects.create(task=report_build_task.name, kwargs={}, sent_at=timezone.now())

    class Request:
        is_eager = False
        hostname = "celery@host-2"

    class Task:
        request = Request()

    background._outbox_task_started(task_id=f"outbox-{entry.pk}", task=Task())
    entry.refresh_from_db()
    assert entry.worker == "celery@host-2" and entry.started_at and entry.finished_at is None
    background._outbox_task_ended(task_id=f"outbox-{entry.pk}", task=Task())
    entry.refresh_from_db()
    assert entry.finished_at is not None
    background._outbox_task_started(task_id="a1b2c3", task=Task())  # not sent through the outbox: nothing


@pytest.mark.slow  # starts a process
def test_the_embedded_default_broker_needs_no_server():
    """With nothing configured, tasks go to a SQLite file beside the database, not in-process."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    probe = (
        "from agency.celery import app; from django.conf import settings;"
        "print(app.conf.broker_url); print(app.conf.task_always_eager); print(app.conf.result_backend)"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-3:] == [f"embedded+sqlite:///{root / 'celery-broker.sqlite3'}", "False", "None"]
