"""Scheduled work of account operations (thin wrappers over services)."""

from __future__ import annotations

from accounts_ops.services.pinned import boost_tasks_create_due
from agency.celery import app
from agency.models import Agency
from agency.tasks import TenantTask


@app.task(base=TenantTask)
def boost_tasks_task(*, agency_id: int) -> int:
    """6.3: make the boost tasks of this agency's pinned videos that are due today (the agency's
    own date). Idempotent: a second run the same day creates nothing."""
    agency = Agency.objects.get(pk=agency_id)
    return boost_tasks_create_due(today=agency.today())


@app.task
def boost_tasks_all_agencies_task() -> int:
    """Beat entry point: one ``boost_tasks_task`` per active agency."""
    agency_ids = list(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    for agency_id in agency_ids:
        boost_tasks_task.apply_async(kwargs={"agency_id": agency_id})
    return len(agency_ids)


# --- chapter 7 and platform data -------------------------------------------------------------


@app.task(base=TenantTask, atomic=False)
def data_import_run_task(*, agency_id: int, import_id: int) -> str:
    """Import an uploaded file of platform data, committing in steps with visible progress; or
    store a bulk request kept for the queue (with the ones of its agency and kind before it)."""
    from accounts_ops.services.imports import data_import_run

    return data_import_run(import_id=import_id).status


@app.task(base=TenantTask, atomic=False)
def comments_classify_task(*, agency_id: int) -> int:
    """7.1: classify the sentiment of this agency's comments that have none yet (in batches, each
    committed). Idempotent: classified comments are left alone."""
    from accounts_ops.services.comments import comments_classify_pending

    return comments_classify_pending()


@app.task(base=TenantTask)
def opinion_alerts_task(*, agency_id: int) -> int:
    """7.1: raise opinion alerts where the negative share passed the agency's threshold (once per
    episode), and end the episodes that are over. Returns the number of alerts raised."""
    from accounts_ops.services.comments import opinion_alerts_check

    return opinion_alerts_check().raised


@app.task
def opinion_alerts_all_agencies_task() -> int:
    """Beat entry point (hourly): one ``opinion_alerts_task`` per active agency."""
    agency_ids = list(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    for agency_id in agency_ids:
        opinion_alerts_task.apply_async(kwargs={"agency_id": agency_id})
    return len(agency_ids)


@app.task(base=TenantTask)
def persona_reports_batch_task(*, agency_id: int, account_ids: list[int], period_start: str, period_end: str) -> int:
    """7.3: the persona reports of one batch of accounts for one period (idempotent)."""
    import datetime as dt

    from accounts_ops.services.audience import persona_reports_build

    return persona_reports_build(
        account_ids=account_ids,
        period_start=dt.date.fromisoformat(period_start),
        period_end=dt.date.fromisoformat(period_end),
    )


@app.task(base=TenantTask)
def persona_reports_task(*, agency_id: int) -> int:
    """7.3: queue the persona reports of every active account of this agency for the latest whole
    period, one batch task per ``PERSONA_BATCH`` accounts. Returns the number of batches."""
    from accounts_ops.services.audience import PERSONA_BATCH, active_account_ids, persona_period
    from agency.tasks import enqueue
    from agency.tenancy import require_agency

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
    agency_ids = list(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    for agency_id in agency_ids:
        persona_reports_task.apply_async(kwargs={"agency_id": agency_id})
    return len(agency_ids)
