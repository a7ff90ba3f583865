"""Health that tells the truth: ``/api/v1/health/`` reports the database, the broker, the workers,
the scheduler and the outbox, each ok or not with the reason, and answers 503 when one is down or
stale; ``/api/v1/health/node/`` answers for the web node alone; ``manage.py health`` prints the
same; agency admins see a banner while background work is stalled; and with the database away
the API answers a JSON 503 and the pages a 503 page. None of it tells anything of an agency."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agency import background
from agency.celery import app as celery_app
from agency.models import Heartbeat, TaskOutbox
from tests.factories import MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def running(settings, tmp_path):
    """Background work as in production: tasks go to a broker (an embedded one in a scratch file),
    a worker consuming the default queue and the scheduler showed signs of life just now."""
    celery_app.conf.task_always_eager = False  # restored by conftest
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"embedded+sqlite:///{tmp_path / 'broker.sqlite3'}"
    now = timezone.now()
    Heartbeat.objects.create(
        role="worker",
        name="celery@host-1",
        pid=10,
        queues=[settings.CELERY_TASK_DEFAULT_QUEUE],
        started_at=now,
        seen_at=now,
    )
    Heartbeat.objects.create(role="scheduler", name="host-1", pid=11, started_at=now, seen_at=now)
    cache.clear()
    yield
    celery_app.conf.broker_url = previous
    cache.clear()


def health(api):
    response = api().get(reverse("api-health"))
    return response.status_code, response.json()


def test_everything_running_answers_ok_with_each_component(db, api, running):
    status, body = health(api)
    assert status == 200, body
    assert body["status"] == "ok"
    assert {name: body[name]["status"] for name in background.COMPONENTS} == dict.fromkeys(background.COMPONENTS, "ok")
    assert body["workers"]["workers"][0]["name"] == "celery@host-1"
    assert body["workers"]["workers"][0]["queues"] == ["celery"]
    assert body["scheduler"]["last_tick"]
    assert (body["outbox"]["backlog"], body["outbox"]["oldest_age_seconds"]) == (0, 0)


def test_no_worker_answers_503_naming_it(db, api, running):
    Heartbeat.objects.filter(role="worker").delete()
    status, body = health(api)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["workers"] == {"status": "unavailable", "reason": "no worker is running", "workers": []}
    assert body["database"]["status"] == body["scheduler"]["status"] == "ok"


def test_a_worker_stopped_or_silent_too_long_is_gone(db, api, running):
    Heartbeat.objects.filter(role="worker").update(
        seen_at=timezone.now() - background.WORKER_STALE - dt.timedelta(seconds=1)
    )
    status, body = health(api)
    assert status == 503
    assert body["workers"]["reason"] == "no heartbeat from any worker for over 2 minutes"
    Heartbeat.objects.filter(role="worker").update(seen_at=timezone.now(), stopped_at=timezone.now())
    assert health(api)[1]["workers"]["reason"] == "no worker is running"


def test_a_queue_no_live_worker_consumes_is_named(db, api, running, settings):
    settings.CELERY_QUEUES_BY_KIND = True
    status, body = health(api)
    assert status == 503
    assert body["workers"]["reason"] == "no live worker consumes the queue(s) ingest, media, reports, scheduled"


def test_a_scheduler_that_stopped_ticking_or_never_ran_answers_503(db, api, running):
    Heartbeat.objects.filter(role="scheduler").update(seen_at=timezone.now() - dt.timedelta(minutes=4))
    status, body = health(api)
    assert status == 503
    assert body["scheduler"]["reason"] == "the scheduler (beat) has not ticked for over 3 minutes"
    Heartbeat.objects.filter(role="scheduler").update(seen_at=timezone.now(), stopped_at=timezone.now())
    assert health(api)[1]["scheduler"]["reason"] == "the scheduler (beat) was stopped"
    Heartbeat.objects.filter(role="scheduler").delete()
    assert health(api)[1]["scheduler"]["reason"] == "the scheduler (beat) has never run"


def test_an_outbox_backed_up_answers_503_with_its_backlog_and_age(db, api, running):
    young = TaskOutbox.objects.create(task="records.tasks.report_build_task", kwargs={})
    assert health(api)[0] == 200, "a task recorded just now is on its way"
    old = TaskOutbox.objects.create(task="records.tasks.report_build_task", kwargs={})
    TaskOutbox.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(minutes=7))
    status, body = health(api)
    assert status == 503
    assert body["outbox"]["backlog"] == 2 and 7 * 60 <= body["outbox"]["oldest_age_seconds"] < 8 * 60
    assert body["outbox"]["reason"] == "2 task(s) not sent to the broker, the oldest for 7 minutes"
    assert young.pk


def test_a_broker_that_does_not_answer_answers_503(db, api, running):
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    status, body = health(api)
    assert status == 503
    assert body["broker"]["status"] == "unavailable"
    assert body["broker"]["reason"].startswith("the broker does not answer")


@pytest.mark.services
def test_the_redis_broker_reports_what_waits_in_each_queue(db, api, running, settings):
    celery_app.conf.broker_url = settings.REDIS_URL
    status, body = health(api)
    assert body["broker"]["status"] == "ok", body
    assert set(body["broker"]["queued"]) >= {"celery", "ingest", "media", "reports", "scheduled"}


def test_the_database_failing_answers_503_and_the_rest_unknown(db, api, running, monkeypatch):
    class Broken:
        def cursor(self):
            raise DatabaseError("connection refused")

        def close(self):
            pass

    monkeypatch.setattr(background, "connection", Broken())
    status, body = health(api)
    assert status == 503
    assert body["database"]["status"] == "unavailable"
    assert body["workers"]["reason"] == "unknown: the database does not answer"


def test_the_node_check_answers_for_the_database_alone(db, api):
    # No worker, no scheduler: the node still serves, so the balancer keeps it.
    celery_app.conf.task_always_eager = False
    response = api().get(reverse("api-health-node"))
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_the_node_check_answers_503_when_the_database_fails(db, api, monkeypatch):
    monkeypatch.setattr(background, "check_database", lambda: background.Check(False, "down"))
    from agency.api import health as health_api

    monkeypatch.setattr(health_api, "check_database", lambda: background.Check(False, "down"))
    response = api().get(reverse("api-health-node"))
    assert (response.status_code, response.json()) == (503, {"status": "unavailable", "database": "unavailable"})


def test_the_health_command_exits_1_naming_what_is_down(db, running, capsys):
    Heartbeat.objects.filter(role="worker").delete()
    with pytest.raises(SystemExit) as exit_:
        call_command("health")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "workers: unavailable (no worker is running)" in out and "scheduler: ok" in out
    call_command("health", "--only", "scheduler,database")  # ok: returns, exit status 0


def test_the_health_command_checks_a_worker_on_this_host(db, running, capsys):
    import socket

    with pytest.raises(SystemExit):
        call_command("health", "--only", "worker")
    now = timezone.now()
    Heartbeat.objects.create(
        role="worker", name=f"celery@{socket.gethostname()}", pid=1, queues=["celery"], started_at=now, seen_at=now
    )
    call_command("health", "--only", "worker")


def test_the_health_command_refuses_an_unknown_component(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Unknown component"):
        call_command("health", "--only", "workerz")


# --- the banner -------------------------------------------------------------------------------


def test_agency_admins_see_a_banner_while_background_work_is_stalled_and_others_do_not(world, running, client):
    Heartbeat.objects.filter(role="worker").delete()
    client.force_login(world.staff_a)  # the agency's admin
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Background work is stalled" in page and "no worker is running tasks" in page
    assert "the scheduler is not running" not in page
    producer = MembershipFactory(agency=world.agency_a, role="producer", user=UserFactory()).user
    client.force_login(producer)
    assert "Background work is stalled" not in client.get(reverse("home")).content.decode()


def test_the_banner_speaks_chinese_and_goes_once_work_runs_again(world, running, client):
    Heartbeat.objects.filter(role="scheduler").delete()
    client.force_login(world.staff_a)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "后台任务已停滞" in page and "定时调度器未运行" in page
    now = timezone.now()
    Heartbeat.objects.create(role="scheduler", name="host-1", pid=11, started_at=now, seen_at=now)
    assert "后台任务已停滞" in client.get(reverse("home")).content.decode(), "read at most every 30 s"
    cache.clear()
    assert "后台任务已停滞" not in client.get(reverse("home")).content.decode()


# --- the database away ------------------------------------------------------------------------

DATABASE_AWAY = """
from django.test import Client
client = Client(raise_request_exception=False)
for path in ("/api/v1/clients/", "/api/v1/health/node/", "/api/v1/health/", "/", "/accounts/login/"):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    print(path, response.status_code, response.get("Content-Type"), response.get("Retry-After"))
    print(response.content.decode()[:4000].replace("\\n", " "))
"""


@pytest.mark.slow  # starts a process
def test_with_the_database_away_the_api_answers_json_503_and_pages_a_503_page():
    """A real server process whose PostgreSQL is not there (nothing listens on the port)."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MIGRATION_DATABASE_URL"}},
        "DATABASE_URL": "postgres://agency_app@127.0.0.1:9/agency",
        "DJANGO_ENV": "development",
    }
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", DATABASE_AWAY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    answers = dict(zip(lines[::2], lines[1::2], strict=True))
    api = json.loads(answers["/api/v1/clients/ 503 application/json 30"])
    assert api["error"]["code"] == "database_unavailable"
    assert json.loads(answers["/api/v1/health/node/ 503 application/json None"])["status"] == "unavailable"
    full = json.loads(answers["/api/v1/health/ 503 application/json None"])
    assert full["database"]["status"] == "unavailable"
    assert full["workers"]["reason"] == "unknown: the database does not answer"
    for page in ("/ 503 text/html; charset=utf-8 30", "/accounts/login/ 503 text/html; charset=utf-8 30"):
        assert "暂时无法访问" in answers[page] and "Traceback" not in answers[page]


def test_an_api_error_is_the_api_s_json_error_body_not_an_html_page(world, api, monkeypatch):
    from clients.api import ClientViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ClientViewSet, "list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.staff_a)
    response = client.get("/api/v1/clients/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"status": 500, "code": "server_error", "message": "The server failed to answer; the error is logged."}
    }
