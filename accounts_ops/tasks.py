"""Scheduled work of account operations (thin wrappers over services)."""

from __future__ import annotations

from django.utils import timezone

from accounts_ops.services import boost_tasks_create_due
from agency.celery import app
from agency.models import Agency
from agency.tasks import TenantTask


@app.task(base=TenantTask)
def boost_tasks_task(*, agency_id: int) -> int:
    """6.3: make the boost tasks of this agency's pinned videos that are due today (the agency's
    own date). Idempotent: a second run the same day creates nothing."""
    agency = Agency.objects.get(pk=agency_id)
    return boost_tasks_create_due(today=timezone.localdate(timezone=agency.tz))


@app.task
def boost_tasks_all_agencies_task() -> int:
    """Beat entry point: one ``boost_tasks_task`` per active agency."""
    agency_ids = list(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    for agency_id in agency_ids:
        boost_tasks_task.apply_async(kwargs={"agency_id": agency_id})
    return len(agency_ids)
