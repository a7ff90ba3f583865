"""Fixtures of the chapter 10 tests: actors and their agency context (their real Celery worker is
tests/conftest.py's)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.utils import translation

from agency.models import Membership
from agency.tenancy import tenant_context


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


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in their English source text, whatever the catalogue holds."""
    with translation.override("en"):
        yield
