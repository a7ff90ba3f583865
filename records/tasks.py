"""Scheduled and long work of the records app (thin wrappers over services).

- daily: each agency's inspection lists for the day (9 h);
- monthly: each agency's statistics and work assessment reports for the month just ended (9 j, 9 k);
- on request: building one report, making one export (progress visible while they run).
"""

from __future__ import annotations

import datetime as dt

from agency.celery import app
from agency.models import Agency
from agency.tasks import TenantTask
from records.services.exports import export_run
from records.services.inspections import inspection_lists_create
from records.services.reports import monthly_reports_create, report_build


@app.task(base=TenantTask)
def inspections_create_task(*, agency_id: int, day: str | None = None) -> int:
    """Make this agency's inspection lists for ``day`` (ISO date; today in the agency's time zone
    by default). Idempotent: returns how many lists were new."""
    agency = Agency.objects.get(pk=agency_id)
    when = dt.date.fromisoformat(day) if day else agency.today()
    return inspection_lists_create(day=when)


@app.task
def inspections_create_all_agencies_task() -> int:
    """Beat entry point: one ``inspections_create_task`` per active agency."""
    return inspections_create_task.for_every_agency()


# Commits as it goes, so that the progress of each report is visible while the month is built.
@app.task(base=TenantTask, atomic=False)
def monthly_reports_task(*, agency_id: int, year: int | None = None, month: int | None = None) -> dict:
    """Build this agency's reports for a month (the one before today by default). Idempotent."""
    agency = Agency.objects.get(pk=agency_id)
    if year is None or month is None:
        last_month = agency.today().replace(day=1) - dt.timedelta(days=1)
        year, month = last_month.year, last_month.month
    return monthly_reports_create(year=year, month=month)


@app.task
def monthly_reports_all_agencies_task() -> int:
    """Beat entry point: one ``monthly_reports_task`` per active agency."""
    return monthly_reports_task.for_every_agency()


@app.task(base=TenantTask, atomic=False)
def report_build_task(*, agency_id: int, kind: str, report_id: int) -> str:
    """Build one report (``kind`` is statistics or assessment). Idempotent."""
    return report_build(kind=kind, report_id=report_id).status


@app.task(base=TenantTask, atomic=False)
def export_task(*, agency_id: int, job_id: int) -> str:
    """Make one export's file. Idempotent: a finished export is left as it is."""
    return export_run(job_id=job_id).status
