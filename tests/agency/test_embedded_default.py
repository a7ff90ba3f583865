"""The embedded default (nothing set) and the production settings, each in a fresh process."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.slow  # each test starts manage.py processes

ROOT = Path(__file__).resolve().parents[2]
BARE = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_ENV",
        "REQUIRE_SERVICES",
        "MIGRATION_DATABASE_URL",
        "CROSSING_DATABASE_URL",
        "CELERY_BROKER_URL",
    }
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


PROBE = """
from django.test import Client
from agency.tokens import issue_personal
from django.contrib.auth import get_user_model
login = Client().get("/accounts/login/")
print("login", login.status_code, "登录" in login.content.decode())
signed_in = Client().post("/accounts/login/", {"username": "xinghe_manager", "password": "demo-pass-2026"})
print("sign-in", signed_in.status_code, signed_in.url)
token, key = issue_personal(user=get_user_model().objects.get(username="xinghe_manager"))
api = Client().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {key}")
print("api", api.status_code, api.json()["count"])
print("eager", __import__("agency.celery").celery.app.conf.task_always_eager)
"""


def test_make_run_on_sqlite_seeds_serves_and_runs_scheduled_work_with_its_own_worker_and_scheduler(tmp_path):
    env = {**BARE, "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}", "DJANGO_MEDIA_ROOT": str(tmp_path)}
    migrate = manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stderr
    # As `make run` seeds (Makefile, setup): the system checks have just run with `migrate`.
    seed = manage("seed_demo", "--skip-checks", env=env)
    assert seed.returncode == 0, seed.stderr
    assert "xinghe_client_approver" in seed.stdout and "demo-pass-2026" in seed.stdout
    again = manage("seed_demo", "--skip-checks", env=env)  # idempotent
    assert again.returncode == 0, again.stderr
    # The three probes of the seeded files, in this order, in one process (one start of Django).
    probe = manage("shell", "-c", PROBE + TRAIL_PROBE + FORGET_TODAY, env=env)
    assert probe.returncode == 0, probe.stderr
    lines = probe.stdout.splitlines()
    assert "login 200 True" in lines
    assert "sign-in 302 /" in lines
    assert "api 200 3" in lines  # the manager's agency has three demo clients, seeded once
    assert "eager False" in lines  # tasks go to the embedded broker, for the worker `make run` starts
    # 4.2: the demo's writes (bulk ones too) are all in the trail, as on PostgreSQL.
    assert "untriggered []" in lines
    verdicts = [line.split()[2] for line in lines if line.startswith("4.2 ")]
    assert len(verdicts) >= 3 and set(verdicts) == {"met"}, probe.stdout

    # `make run`'s processes (Procfile): the web server, a worker and the scheduler, on the same files.
    # Today's inspection lists (9 h) are made again by the scheduler, not by the seeding.
    assert probe.stdout.split()[-1] == "0"  # FORGET_TODAY's count, the last line
    port = free_port()
    run = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "honcho"), "--procfile", "Procfile", "start"],
        cwd=ROOT,
        env={**env, "HOST": f"127.0.0.1:{port}"},
        stdout=open(tmp_path / "run.log", "w"),  # noqa: SIM115 (closed with the process)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        health = wait_for_health(port, run)
        assert health["status"] == "ok", (health, (tmp_path / "run.log").read_text())
        assert health["workers"]["workers"][0]["queues"] == ["celery"]
        assert health["broker"]["transport"] == "embedded"  # agency.broker: SQLite, no server
        today = wait_for(lambda: inspections_today(tmp_path / "embedded.sqlite3"))
        assert today > 0, (tmp_path / "run.log").read_text()
    finally:
        os.killpg(run.pid, signal.SIGINT)  # Ctrl+C in the terminal of `make run`
        run.wait(timeout=60)
    log = (tmp_path / "run.log").read_text()
    assert "Sending due task records-inspection-lists-daily" in log
    assert "web.1 stopped" in log and "worker.1 stopped" in log and "beat.1 stopped" in log
    with reading(tmp_path / "embedded.sqlite3") as db:
        stopped = [stopped_at for (stopped_at,) in db.execute("SELECT stopped_at FROM agency_heartbeat")]
    assert all(stopped), "the worker and the scheduler marked themselves stopped"


# Every audited table has its triggers; clause 4.2 for each demo client this month ("4.2 <id> <status>").
TRAIL_PROBE = """
from django.utils import timezone
from agency.conformance import Period
from agency.models import Agency
from agency.tenancy import tenant_context
from clients.models import Client
from records.audit import audited_models, tables_with_trail
from records.conformance import nothing_concealed
print("untriggered", sorted({m._meta.db_table for m in audited_models()} - tables_with_trail()))
for agency in Agency.objects.order_by("pk"):
    today = timezone.localdate(timezone=agency.tz)
    with tenant_context(agency):
        for client in Client.objects.order_by("pk"):
            print("4.2", client.pk, nothing_concealed(client, Period(today.replace(day=1), today)).status)
"""


# Removes today's daily inspection lists of every agency (but those with follow-ups); prints how many remain.
FORGET_TODAY = """
from django.utils import timezone
from agency.models import Agency
from records.models import DailyInspection
count = 0
for agency in Agency.objects.all():
    today = DailyInspection.dangerously_all_agencies.filter(
        client__agency=agency, inspection_date=timezone.localdate(timezone=agency.tz)
    )
    today.filter(follow_ups__isnull=True).delete()
    count += today.count()
print(count)
"""


@contextlib.contextmanager
def reading(path: Path):
    """A read-only connection to the SQLite file that `make run`'s processes write: reading it takes
    no start of Django, so it can be asked every moment."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        yield db
    finally:
        db.close()


def inspections_today(path: Path) -> int:
    """FORGET_TODAY's count, without its removal, in SQL: today's daily inspection lists of every
    agency, each in the agency's time zone."""
    with reading(path) as db:
        agencies = db.execute("SELECT id, timezone FROM agency_agency").fetchall()
        return sum(
            db.execute(
                "SELECT count(*) FROM records_dailyinspection INNER JOIN clients_client"
                " ON records_dailyinspection.client_id = clients_client.id"
                " WHERE clients_client.agency_id = ? AND records_dailyinspection.inspection_date = ?",
                (agency, dt.datetime.now(ZoneInfo(zone)).date().isoformat()),
            ).fetchone()[0]
            for agency, zone in agencies
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(probe, seconds: float = 180):
    """The first true value of ``probe()`` within ``seconds`` (polled), else its last value."""
    deadline = time.monotonic() + seconds
    value = probe()
    while not value and time.monotonic() < deadline:
        time.sleep(0.25)
        value = probe()
    return value


def wait_for_health(port: int, run: subprocess.Popen) -> dict:
    def answer():
        assert run.poll() is None, "make run's processes ended"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=5) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:  # 503: not yet (its body says why)
            return json.load(error)
        except OSError:  # not listening yet
            return {"status": "not listening"}

    return wait_for(lambda: (lambda body: body if body["status"] == "ok" else None)(answer())) or answer()


def test_production_settings_pass_the_deploy_check():
    env = {
        **BARE,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-and-random-secret-key-for-tests",
        "DJANGO_ALLOWED_HOSTS": "agency.example.com",
        # A production deployment states the keys of the platforms' tokens (platforms.W001 otherwise).
        "PLATFORM_TOKEN_KEYS": "hXmD8NqkVb7r1eQm2v0fY3PZ1k1y8bV8sXo6m2yWz4Q=",
    }
    check = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout


def test_production_settings_refuse_to_start_without_a_secret():
    env = {**BARE, "DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "agency.example.com"}
    check = manage("check", env=env)
    assert check.returncode != 0 and "DJANGO_SECRET_KEY" in check.stderr


SCALE_PROBE = """
from django.conf import settings
print(sorted(settings.DATABASES))
print(settings.DATABASES["replica"]["HOST"], settings.DATABASES["replica"]["ENGINE"])
print(*(settings.DATABASES[alias]["DISABLE_SERVER_SIDE_CURSORS"] for alias in ("default", "replica")))
print(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"])
"""


def test_replica_and_pgbouncer_settings_come_from_the_environment():
    env = {
        **BARE,
        "DATABASE_URL": "postgres://agency_app@primary.internal:6432/agency",
        "DATABASE_REPLICA_URL": "postgres://agency_app@replica.internal:6432/agency",
        "DATABASE_PGBOUNCER": "true",
    }
    probe = manage("shell", "-c", SCALE_PROBE, env=env)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines()[-4:] == [
        "['default', 'replica']",
        "replica.internal agency.db.postgresql",
        "True True",
        "None",
    ]
