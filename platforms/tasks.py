"""Scheduled work of the connectors (thin wrappers over ``platforms.services``): tokens refreshed
before they expire, each connection synced, deliveries sent when due.

The tasks that call a platform set ``atomic = False``: a platform call runs outside a transaction
(``platforms.services.calls``), and each service opens its own. Every task is idempotent: a
delivered delivery is not sent again, a sync of a period already synced changes nothing.
"""

from __future__ import annotations

from agency.celery import app
from agency.tasks import TenantTask, enqueue
from platforms.models import Connection, ConnectionStatus, SyncTrigger
from platforms.services.connections import connections_refresh_due
from platforms.services.deliveries import deliver, deliveries_due
from platforms.services.publishing import publications_review
from platforms.services.syncs import sync_connection


@app.task(base=TenantTask, atomic=False)
def refresh_due_task(*, agency_id: int) -> int:
    """Refresh this agency's access tokens that expire soon (and renew refresh tokens near their
    end). Returns how many connections were refreshed."""
    return connections_refresh_due()


@app.task
def refresh_all_agencies_task() -> int:
    """Beat entry point (hourly): one ``refresh_due_task`` per active agency."""
    return refresh_due_task.for_every_agency()


@app.task(base=TenantTask, atomic=False)
def sync_connection_task(*, agency_id: int, connection_id: int, trigger: str, run_id: int | None = None) -> str:
    """Sync one connection (``platforms.services.syncs.sync_connection``); its run's status, or
    "skipped" when another run of the connection is under way."""
    run = sync_connection(connection_id=connection_id, trigger=trigger, run_id=run_id)
    return run.status if run is not None else "skipped"


@app.task(base=TenantTask)
def sync_agency_task(*, agency_id: int) -> int:
    """Queue a scheduled sync of each of this agency's connected accounts (in this transaction,
    through the outbox). Returns how many were queued."""
    ids = list(Connection.objects.filter(status=ConnectionStatus.CONNECTED).order_by("pk").values_list("pk", flat=True))
    for connection_id in ids:
        enqueue(sync_connection_task, agency_id=agency_id, connection_id=connection_id, trigger=SyncTrigger.SCHEDULE)
    return len(ids)


@app.task
def sync_all_agencies_task() -> int:
    """Beat entry point (nightly): one ``sync_agency_task`` per active agency, which queues one
    ``sync_connection_task`` per connected account."""
    return sync_agency_task.for_every_agency()


@app.task(base=TenantTask, atomic=False)
def deliver_task(*, agency_id: int, delivery_id: int) -> str:
    """Send one delivery (``platforms.services.deliveries.deliver``); its status after."""
    return deliver(delivery_id).status


@app.task(base=TenantTask)
def deliveries_due_task(*, agency_id: int) -> int:
    """Queue a ``deliver_task`` for each of this agency's deliveries whose attempt has come."""
    ids = deliveries_due()
    for delivery_id in ids:
        enqueue(deliver_task, agency_id=agency_id, delivery_id=delivery_id)
    return len(ids)


@app.task
def deliveries_due_all_agencies_task() -> int:
    """Beat entry point (every minute): one ``deliveries_due_task`` per active agency."""
    return deliveries_due_task.for_every_agency()


@app.task(base=TenantTask, atomic=False)
def publications_review_task(*, agency_id: int) -> int:
    """Follow the platform's review of this agency's publications: public closes the project,
    refused goes to its producer's Today. Returns how many publications were asked about."""
    return publications_review()


@app.task
def publications_review_all_agencies_task() -> int:
    """Beat entry point (every five minutes): one ``publications_review_task`` per active agency."""
    return publications_review_task.for_every_agency()
