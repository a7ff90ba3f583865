"""Fixtures of the chapter 6 and 7 tests (their real Celery worker is tests/conftest.py's)."""

from __future__ import annotations

import pytest

import tests.accounts_ops.factories  # noqa: F401  (registers the chapter 6 row makers)
from accounts_ops import autoreply


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    autoreply.clear_cache()
    yield
    autoreply.clear_cache()
