"""A real Celery worker for this app's ``services`` tests, on its own queue (the pattern of
tests/agency/test_celery.py)."""

from __future__ import annotations

import pytest

import tests.accounts_ops.factories  # noqa: F401  (registers the chapter 6 row makers)
from accounts_ops import autoreply
from tests.celery_worker import running_worker


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    autoreply.clear_cache()
    yield
    autoreply.clear_cache()


@pytest.fixture
def real_worker(transactional_db, tmp_path):
    """A Celery worker process on its own queue, reading the test database."""
    with running_worker(tmp_path / "worker.log") as queue:
        yield queue
