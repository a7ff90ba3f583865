"""Scheduled work of account operations (thin wrappers over services)."""

from __future__ import annotations

import datetime as dt

from accounts_ops.services.audience import PERSONA_BATCH, active_account_ids, persona_period, persona_reports_build
from accounts_ops.services.comments import comments_classify_pending, opinion_alerts_check
from accounts_ops.services.imports import data_import_run
from accounts_ops.services.pinned import boost_tasks_create_due
from agency.celery import app
from agency.models import Agency
from agency.tasks import TenantTask, enqueue
from agency.tenancy import require_agency


@app.task(base=TenantTask)
def boost_tasks_task(*, agency_id: int) -> int:
    """6.3: make the boost tasks of this agency's pinned videos that are due today (the agency's
    own date). Idempotent: a second run the same day creates nothing."""
    agency = Agency.objects.get(pk=agency_id)
    return boost_tasks_create_due(today=agency.today())


@app.task
def boost_tasks_all_agencies_task() -> int:
    """Beat entry point: one ``boost_tasks_task`` per active agency."""
    return boost_tasks_task.for_every_agency()


# --- chapter 7 and platform data -------------------------------------------------------------


@app.task(base=TenantTask, atomic=False)
def data_import_run_task(*, agency_id: int, import_id: int) -> str:
    """Import an uploaded file of platform data, committing in steps with visible progress; or
    store a bulk request kept for the queue (with the ones of its agency and kind before it)."""
    return data_import_run(import_id=import_id).status


@app.task(base=TenantTask, atomic=False)
def comments_classify_task(*, agency_id: int) -> int:
    """7.1: classify the sentiment of this agency's comments that have none yet (in batches, each
    committed). Idempotent: classified comments are left alone."""
    return comments_classify_pending()


@app.task(base=TenantTask)
def opinion_alerts_task(*, agency_id: int) -> int:
    """7.1: raise opinion alerts where the negative share passed the agency's threshold (once per
    episode), and end the episodes that are over. Returns the number of alerts raised."""
    return opinion_alerts_check().raised


@app.task
def opinion_alerts_all_agencies_task() -> int:
    """Beat entry point (hourly): one ``opinion_alerts_task`` per active agency."""
    return opinion_alerts_task.for_every_agency()


@app.task(base=TenantTask)
def persona_reports_batch_task(*, agency_id: int, account_ids: list[int], period_start: str, period_end: str) -> int:
    """7.3: the persona reports of one batch of accounts for one period (idempotent)."""
    return persona_reports_build(
        account_ids=account_ids,
        period_start=dt.date.fromisoformat(period_start),
        period_end=dt.date.fromisoformat(period_end),
    )


@app.task(base=TenantTask)
def persona_reports_task(*, agency_id: int) -> int:
    """7.3: queue the persona reports of every active account of this agency for the latest whole
    period, one batch task per ``PERSONA_BATCH`` accounts. Returns the number of batches."""
    agency = require_agency()
    start, end = persona_period(agency, agency.today())
    ids = active_account_ids()
    batches = [ids[i : i + PERSONA_BATCH] for i in range(0, len(ids), PERSONA_BATCH)]
    for batch in batches:
        enqueue(
            persona_reports_batch_task,
            agency_id=agency_id,
            account_ids=batch,
            period_start=start.isoformat(),
            period_end=end.isoformat(),
        )
    return len(batches)


@app.task
def persona_reports_all_agencies_task() -> int:
    """Beat entry point (daily): one ``persona_reports_task`` per active agency. Each agency's
    period decides whether there is anything new to report."""
    return persona_reports_task.for_every_agency()
