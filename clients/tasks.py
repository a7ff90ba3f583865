"""Scheduled work of the clients app (thin wrappers over services)."""

from __future__ import annotations

from agency.celery import app
from agency.models import Agency
from agency.tasks import TenantTask
from clients.services import clients_refresh_contract_status


@app.task(base=TenantTask)
def contract_status_task(*, agency_id: int) -> int:
    """End the service of this agency's clients whose contract has ended (agency's own date)."""
    agency = Agency.objects.get(pk=agency_id)
    return clients_refresh_contract_status(today=agency.today())


@app.task
def contract_status_all_agencies_task() -> int:
    """Beat entry point: one ``contract_status_task`` per active agency."""
    return contract_status_task.for_every_agency()
