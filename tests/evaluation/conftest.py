"""Fixtures of the chapter 10 tests: actors and their agency context, and a real Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from agency.models import Membership
from agency.tenancy import tenant_context

ROOT = Path(__file__).resolve().parents[2]


def _worker_env(queue: str) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_ENV": "development",
    }


def actor_of(user, agency):
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


@contextmanager
def acting(user, agency):
    """Run the block inside ``agency`` as ``user`` (what a request or the API does)."""
    actor = actor_of(user, agency)
    with tenant_context(actor.agency, actor):
        yield actor


@pytest.fixture
def staff_a(world):
    """Agency A's admin, acting inside agency A."""
    with acting(world.staff_a, world.agency_a) as actor:
        yield actor


@pytest.fixture
def real_worker(transactional_db):
    """A Celery worker process on its own queue, reading the test database (as in
    tests/agency/test_celery.py)."""
    queue = f"test-evaluation-{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "agency",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=_worker_env(queue),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        if process.returncode not in (0, -15, 15):
            print(output)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in their English source text, whatever the catalogue holds."""
    with translation.override("en"):
        yield
