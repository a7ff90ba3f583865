"""The embedded default (nothing set) and the production settings, each in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BARE = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "REQUIRE_SERVICES"}}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


PROBE = """
from django.test import Client
from rest_framework.authtoken.models import Token
from django.contrib.auth import get_user_model
login = Client().get("/accounts/login/")
print("login", login.status_code, "登录" in login.content.decode())
signed_in = Client().post("/accounts/login/", {"username": "xinghe_manager", "password": "demo-pass-2026"})
print("sign-in", signed_in.status_code, signed_in.url)
token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username="xinghe_manager"))
api = Client().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {token.key}")
print("api", api.status_code, api.json()["count"])
print("eager", __import__("agency.celery").celery.app.conf.task_always_eager)
"""


def test_migrate_and_seed_on_sqlite_then_login_page_and_api_answer(tmp_path):
    env = {**BARE, "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}", "DJANGO_MEDIA_ROOT": str(tmp_path)}
    migrate = manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stderr
    seed = manage("seed_demo", env=env)
    assert seed.returncode == 0, seed.stderr
    assert "xinghe_client_approver" in seed.stdout and "demo-pass-2026" in seed.stdout
    again = manage("seed_demo", env=env)  # idempotent
    assert again.returncode == 0, again.stderr
    probe = manage("shell", "-c", PROBE, env=env)
    assert probe.returncode == 0, probe.stderr
    lines = probe.stdout.splitlines()
    assert "login 200 True" in lines
    assert "sign-in 302 /" in lines
    assert "api 200 3" in lines  # the manager's agency has three demo clients, seeded once
    assert "eager True" in lines


def test_production_settings_pass_the_deploy_check():
    env = {
        **BARE,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-and-random-secret-key-for-tests",
        "DJANGO_ALLOWED_HOSTS": "agency.example.com",
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
