"""The outbox: a task asked for by a write is recorded with it and sent once it commits; a broker
that is down at commit loses nothing, because the relay sends the task later, once."""

from __future__ import annotations

import datetime as dt
import io
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from agency.celery import app as celery_app
from agency.models import Membership, TaskOutbox
from agency.outbox import KEEP_SENT, outbox_relay
from agency.tasks import outbox_relay_task
from agency.tenancy import tenant_context
from records.models import ReportStatus, StatisticsReport
from records.services.reports import statistics_report_request
from records.tasks import report_build_task
from tests.celery_worker import Worker, new_queue, worker_env
from tests.records.factories import last_month

ROOT = Path(__file__).resolve().parents[2]
# Generous limits for a slow, shared machine (waits poll; nothing is timed).
WAIT = 300
APPS = (
    "agency",
    "clients",
    "production",
    "accounts_ops",
    "extensions",
    "records",
    "evaluation",
    "reports",
    "portability",
    "demo",
    "project",
)


def request_report(world) -> StatisticsReport:
    """A user's write that asks for a task: a statistics report (9 j), built by ``report_build_task``."""
    actor = Membership.objects.select_related("agency", "user").get(user=world.staff_a).as_actor()
    start, end = last_month()
    with tenant_context(world.agency_a, actor):
        return statistics_report_request(actor=actor, client=world.client_a1, period_start=start, period_end=end)


def report_status(report_id: int) -> str:
    return StatisticsReport.dangerously_all_agencies.get(pk=report_id).status


@pytest.fixture
def broker(monkeypatch):
    """The broker as the report task sees it: ``broker.down = True`` refuses every send, as kombu
    does when Redis cannot be reached; ``broker.sent`` lists what it took."""

    class Broker:
        def __init__(self):
            self.down = False
            self.sent: list[dict] = []

        def apply_async(self, kwargs, **options):
            if self.down:
                raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            self.sent.append(kwargs)

    fake = Broker()
    monkeypatch.setattr(report_build_task, "apply_async", fake.apply_async)
    celery_app.conf.task_always_eager = False  # a broker, not in-process runs (restored by conftest)
    return fake


def age(entry: TaskOutbox, by: dt.timedelta) -> None:
    TaskOutbox.objects.filter(pk=entry.pk).update(created_at=entry.created_at - by)


def test_the_task_is_recorded_with_the_write_and_sent_once_it_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = request_report(world)
        entry = TaskOutbox.objects.get()
        assert (entry.task, entry.agency_id, entry.sent_at) == (report_build_task.name, world.agency_a.pk, None)
        assert entry.kwargs == {"agency_id": world.agency_a.pk, "kind": "statistics", "report_id": report.pk}
    # Eager tasks (the embedded default): sending ran the task in-process.
    assert report_status(report.pk) == ReportStatus.READY
    entry.refresh_from_db()
    assert entry.sent_at is not None and entry.attempts == 1 and entry.last_error == ""


def test_a_write_that_rolls_back_records_and_sends_no_task(world, broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        request_report(world)
        raise RuntimeError("the request failed after asking for the task")
    assert not TaskOutbox.objects.exists() and broker.sent == []


def test_a_broker_down_at_commit_loses_neither_the_write_nor_its_task(transactional_db, world, broker):
    broker.down = True
    report = request_report(world)  # commits: the request succeeds although the task was not sent
    assert report_status(report.pk) == ReportStatus.PENDING
    entry = TaskOutbox.objects.get()
    assert entry.sent_at is None and entry.attempts == 1
    assert entry.last_error.startswith("OperationalError: Error 111")

    broker.down = False
    assert outbox_relay() == 0, "a row younger than the grace is left to its own send"
    age(entry, by=dt.timedelta(minutes=2))
    assert outbox_relay() == 1
    assert broker.sent == [entry.kwargs]
    entry.refresh_from_db()
    assert entry.sent_at is not None and entry.attempts == 2

    assert outbox_relay(grace=dt.timedelta(0)) == 0, "the relay sends a task once, however often it runs"
    assert broker.sent == [entry.kwargs]


def test_a_relay_run_ends_at_the_first_failed_send_and_that_row_waits_behind_the_others(db, broker):
    for n in (1, 2, 3):
        TaskOutbox.objects.create(task=report_build_task.name, kwargs={"report_id": n})
    broker.down = True
    assert outbox_relay(grace=dt.timedelta(0)) == 0
    assert [e.attempts for e in TaskOutbox.objects.order_by("pk")] == [1, 0, 0]
    broker.down = False
    assert outbox_relay(grace=dt.timedelta(0)) == 3
    assert broker.sent == [{"report_id": 2}, {"report_id": 3}, {"report_id": 1}]
    assert not TaskOutbox.objects.filter(sent_at__isnull=True).exists()


def test_a_row_naming_no_known_task_is_kept_with_its_error_and_the_others_are_sent(db, broker):
    gone = TaskOutbox.objects.create(task="records.tasks.no_longer_there_task", kwargs={})
    TaskOutbox.objects.create(task=report_build_task.name, kwargs={"report_id": 7})
    assert outbox_relay(grace=dt.timedelta(0)) == 1
    gone.refresh_from_db()
    assert gone.sent_at is None and gone.attempts == 1 and "no_longer_there_task" in gone.last_error
    assert broker.sent == [{"report_id": 7}]


def test_sent_rows_are_removed_after_a_while_and_unsent_ones_never(db, broker):
    long_ago = timezone.now() - KEEP_SENT - dt.timedelta(hours=1)
    old_sent = TaskOutbox.objects.create(task=report_build_task.name, kwargs={})
    TaskOutbox.objects.filter(pk=old_sent.pk).update(sent_at=long_ago, created_at=long_ago)
    recent_sent = TaskOutbox.objects.create(task=report_build_task.name, kwargs={}, sent_at=timezone.now())
    broker.down = True
    old_unsent = TaskOutbox.objects.create(task=report_build_task.name, kwargs={})
    TaskOutbox.objects.filter(pk=old_unsent.pk).update(created_at=long_ago)
    outbox_relay()
    assert set(TaskOutbox.objects.values_list("pk", flat=True)) == {recent_sent.pk, old_unsent.pk}


def test_the_relay_runs_the_tasks_in_process_on_the_embedded_default(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Eager tasks: a task that could not be sent is run by the relay, in-process."""
    broken = {"down": True}
    real_apply_async = report_build_task.apply_async

    def apply_async(**options):
        if broken["down"]:
            raise OperationalError("Connection refused.")
        return real_apply_async(**options)

    monkeypatch.setattr(report_build_task, "apply_async", apply_async)
    with pytest.raises(OperationalError), django_capture_on_commit_callbacks(execute=True):
        request_report(world)  # eager: the send's own error reaches the caller
    report = StatisticsReport.dangerously_all_agencies.get()
    assert report.status == ReportStatus.PENDING and TaskOutbox.objects.get().sent_at is None
    broken["down"] = False
    assert outbox_relay(grace=dt.timedelta(0)) == 1
    assert report_status(report.pk) == ReportStatus.READY


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="SELECT ... FOR UPDATE SKIP LOCKED needs PostgreSQL")
def test_a_row_being_sent_elsewhere_is_skipped_by_the_relay(transactional_db, broker):
    entry = TaskOutbox.objects.create(task=report_build_task.name, kwargs={"report_id": 1})
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():  # another relay (or the first send) busy with the row
        from django.db import connection as own_connection

        try:
            with transaction.atomic():
                TaskOutbox.objects.select_for_update().get(pk=entry.pk)
                locked.set()
                release.wait(timeout=120)
        finally:
            own_connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=120)
        assert outbox_relay(grace=dt.timedelta(0)) == 0
    finally:
        release.set()
        holder.join()
    assert outbox_relay(grace=dt.timedelta(0)) == 1
    assert broker.sent == [{"report_id": 1}]


# A process of the application asking for a report, as a request would (the id of the person and
# of the client are its arguments); it prints the report's id.
REQUEST_A_REPORT = """
import sys

import django

django.setup()

from django.utils import timezone

from agency.models import Membership
from agency.tenancy import tenant_context
from clients.models import Client
from records.services import reports as services

actor = Membership.objects.select_related("agency", "user").get(user_id=int(sys.argv[1])).as_actor()
end = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
with tenant_context(actor.agency, actor, channel="command"):
    client = Client.objects.get(pk=int(sys.argv[2]))
    report = services.statistics_report_request(
        actor=actor, client=client, period_start=end.replace(day=1), period_end=end
    )
print(report.pk)
"""


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.services
def test_a_write_made_while_redis_is_unreachable_gets_its_task_from_the_relay(transactional_db, world, tmp_path):
    queue = new_queue()
    down = worker_env(
        queue, REDIS_URL=f"redis://127.0.0.1:{unused_port()}/0", DJANGO_SETTINGS_MODULE="project.settings"
    )
    process = subprocess.run(
        [sys.executable, "-c", REQUEST_A_REPORT, str(world.staff_a.pk), str(world.client_a1.pk)],
        cwd=ROOT,
        env=down,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert process.returncode == 0, process.stderr  # the write succeeded although its task was not sent
    report_id = int(process.stdout.split()[-1])
    assert report_status(report_id) == ReportStatus.PENDING
    entry = TaskOutbox.objects.get()
    assert entry.sent_at is None and entry.attempts == 1 and entry.last_error

    age(entry, by=dt.timedelta(minutes=2))
    worker = Worker(queue, tmp_path / "worker.log")
    try:
        # The relay, run by a worker whose broker is back, sends it; the worker builds the report.
        assert outbox_relay_task.apply_async(queue=queue).get(timeout=WAIT) == 1
        deadline = time.monotonic() + WAIT
        while report_status(report_id) != ReportStatus.READY and time.monotonic() < deadline:
            time.sleep(0.5)
        assert report_status(report_id) == ReportStatus.READY, worker.output()
        entry.refresh_from_db()
        assert entry.sent_at is not None
        assert outbox_relay_task.apply_async(queue=queue).get(timeout=WAIT) == 0
    finally:
        worker.stop()


def test_the_relay_runs_every_minute_from_the_beat_schedule():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == outbox_relay_task.name]
    assert len(entries) == 1 and entries[0]["schedule"] == crontab(minute="*")
    assert outbox_relay_task.name in celery_app.tasks


SEND = re.compile(r"\.(apply_async|delay|send_task)\(|on_commit\(\s*lambda[^\n]*apply_async")


def test_only_tasks_send_tasks_directly_everything_else_goes_through_the_outbox():
    """Writes ask for tasks with ``agency.tasks.enqueue`` (the outbox); a direct send is left only
    to the beat fan-outs inside ``tasks.py`` (see docs/operations.md)."""
    offenders = []
    for app_label in APPS:
        for path in (ROOT / app_label).rglob("*.py"):
            if path.name == "tasks.py" or "migrations" in path.parts or path == ROOT / "agency" / "outbox.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if SEND.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "Send tasks with agency.tasks.enqueue:\n" + "\n".join(offenders)


def test_tasks_lost_with_redis_can_be_sent_again_from_the_outbox(db, broker):
    """After Redis lost its queue, the tasks sent since a time go out again, once, through the relay."""
    now = timezone.now()
    before = TaskOutbox.objects.create(
        task=report_build_task.name, kwargs={"report_id": 1}, sent_at=now - dt.timedelta(hours=3)
    )
    after = [
        TaskOutbox.objects.create(
            task=report_build_task.name, kwargs={"report_id": n}, sent_at=now - dt.timedelta(minutes=n)
        )
        for n in (2, 3)
    ]
    for entry in [before, *after]:
        age(entry, by=dt.timedelta(hours=4))
    out = io.StringIO()
    since = timezone.localtime(now - dt.timedelta(hours=1)).replace(tzinfo=None).isoformat(timespec="minutes")
    call_command("outbox_resend", "--since", since, stdout=out)
    assert out.getvalue().startswith("2 task(s)")
    assert outbox_relay() == 2
    assert sorted(kwargs["report_id"] for kwargs in broker.sent) == [2, 3]
    assert outbox_relay() == 0


@pytest.mark.parametrize(
    ("since", "message"),
    [("yesterday", "is not a date or time"), ("2999-01-01", "in the future")],
)
def test_resending_refuses_a_time_it_cannot_use(db, since, message):
    with pytest.raises(CommandError, match=message):
        call_command("outbox_resend", "--since", since)


def test_the_platform_admin_sees_the_unsent_tasks_of_every_agency_with_their_error(world, client):
    from django.contrib.auth import get_user_model

    unsent = TaskOutbox.objects.create(task="records.tasks.export_task", agency=world.agency_b, last_error="Refused")
    sent = TaskOutbox.objects.create(task=report_build_task.name, agency=world.agency_a, sent_at=timezone.now())
    admin = get_user_model().objects.create_superuser("platform", "p@example.com", "x-long-password-1")
    client.force_login(admin)
    page = client.get("/admin/agency/taskoutbox/?sent=no", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/admin/agency/taskoutbox/{unsent.pk}/change/" in page and "Refused" in page
    assert f"/admin/agency/taskoutbox/{sent.pk}/change/" not in page
    detail = client.get(f"/admin/agency/taskoutbox/{unsent.pk}/change/")
    assert detail.status_code == 200 and b'name="task"' not in detail.content  # read-only
