"""Tasks of the standard as evidence: a requested PDF report built, and every active client's
conformance frozen for the month that has ended (the 1st of each month, from beat). They keep the
names they were first registered under (``agency.tasks.*``): the outbox, the beat schedule and the
queues name them so."""

from __future__ import annotations

import datetime as dt

from agency.celery import app
from agency.conformance import Period
from agency.models import Agency
from agency.tasks import TenantTask
from agency.tenancy import current_agency
from clients.models import Client, ClientStatus
from reports.services import conformance_refresh, conformance_report_build, conformance_snapshot_take, previous_month


@app.task(base=TenantTask, atomic=False, name="reports.tasks.conformance_refresh_task")
def conformance_refresh_task(*, agency_id: int, client_ids: list[int] | None = None, month: str = "") -> int:
    """Compute again the agency's kept conformance results that are stale, expired or missing
    (sent through the outbox by the write that marked them stale, or by a page that met them)."""
    return conformance_refresh(
        agency=current_agency(), client_ids=client_ids, month=dt.date.fromisoformat(month) if month else None
    )


@app.task(name="reports.tasks.conformance_refresh_all_agencies_task")
def conformance_refresh_all_agencies_task() -> int:
    """Beat entry point (every quarter of an hour): each agency's results whose day has passed (or
    that a lost refresh left) computed again, so the first page of a day reads kept rows too."""
    return conformance_refresh_task.for_every_agency()


@app.task(base=TenantTask, atomic=False, name="agency.tasks.conformance_report_build_task")
def conformance_report_build_task(*, agency_id: int, report_id: int) -> str:
    """Build a requested conformance report PDF (progress is committed step by step)."""
    return conformance_report_build(report_id=report_id).status


@app.task(base=TenantTask, name="agency.tasks.conformance_snapshot_month_task")
def conformance_snapshot_month_task(*, agency_id: int, year: int, month: int) -> int:
    """Freeze every active client's conformance for a month that has ended (idempotent)."""
    period = Period.month(year, month)
    taken = 0
    for client in Client.objects.filter(status=ClientStatus.ACTIVE).select_related("agency"):
        taken += conformance_snapshot_take(client=client, period=period)[1]
    return taken


def _month_before(agency: Agency) -> dict:
    period = previous_month(agency.today())
    return {"year": period.start.year, "month": period.start.month}


@app.task(name="agency.tasks.conformance_snapshot_all_agencies_task")
def conformance_snapshot_all_agencies_task() -> int:
    """Beat entry point (the 1st of each month): freeze last month for every agency."""
    return conformance_snapshot_month_task.for_every_agency(_month_before)
