"""Task base classes. Every task acknowledges late, retries with backoff on passing failures, and
(for tenant work) runs inside the agency it names.

Tasks take ids, not objects, end in ``_task`` and call a service; enqueue them with ``enqueue``
so that they are recorded with the write that asks for them and sent once it has committed (the
outbox, ``agency.outbox``). Tasks must be idempotent: a task can be delivered more than once (a
worker killed mid-task has its message delivered again, ``acks_late``; the outbox sends at least
once), and a second run must change nothing.
"""

from __future__ import annotations

from celery import Task
from django.db import transaction
from django.db.utils import InterfaceError, OperationalError


class BaseTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5


class TenantTask(BaseTask):
    """A task about one agency's data: it must be called with ``agency_id=...`` and runs inside
    that agency's context, so its queries fail closed like a request's, in one transaction (so
    the database sees the tenant context; see ``agency.db``). A task that must commit in parts
    sets ``atomic = False`` and opens its own transactions."""

    atomic = True

    def __call__(self, *args, **kwargs):
        from agency.models import Agency
        from agency.tenancy import tenant_context

        agency_id = kwargs.get("agency_id")
        if agency_id is None:
            raise TypeError(f"{self.name} is a tenant task: call it with agency_id=...")
        agency = Agency.objects.get(pk=agency_id)
        with tenant_context(agency, channel="task"):
            if not self.atomic:
                return super().__call__(*args, **kwargs)
            with transaction.atomic():
                return super().__call__(*args, **kwargs)


def enqueue(task, /, **kwargs) -> None:
    """Send ``task`` with keyword arguments once the current transaction commits. The task is
    recorded in that transaction (``agency.outbox``), so if the broker cannot take it at commit,
    the relay sends it later: a committed write never loses its task."""
    from agency.outbox import outbox_add

    outbox_add(task, kwargs)


# --- Tasks of the tenant core: the standard as evidence --------------------------------------
# (defined after the base classes they use; ``agency.celery`` autodiscovers this module)
from agency.celery import app  # noqa: E402


@app.task(base=TenantTask, atomic=False)
def conformance_report_build_task(*, agency_id: int, report_id: int) -> str:
    """Build a requested conformance report PDF (progress is committed step by step)."""
    from agency.services import conformance_report_build

    return conformance_report_build(report_id=report_id).status


@app.task(base=TenantTask)
def conformance_snapshot_month_task(*, agency_id: int, year: int, month: int) -> int:
    """Freeze every active client's conformance for a month that has ended (idempotent)."""
    from agency.conformance import Period
    from agency.services import conformance_snapshot_take
    from clients.models import Client, ClientStatus

    period = Period.month(year, month)
    taken = 0
    for client in Client.objects.filter(status=ClientStatus.ACTIVE).select_related("agency"):
        taken += conformance_snapshot_take(client=client, period=period)[1]
    return taken


@app.task
def conformance_snapshot_all_agencies_task() -> int:
    """Beat entry point (the 1st of each month): freeze last month for every agency."""
    from django.utils import timezone

    from agency.models import Agency
    from agency.services import previous_month

    agencies = list(Agency.objects.filter(is_active=True))
    for agency in agencies:
        period = previous_month(timezone.localdate(timezone=agency.tz))
        conformance_snapshot_month_task.apply_async(
            kwargs={"agency_id": agency.pk, "year": period.start.year, "month": period.start.month}
        )
    return len(agencies)


@app.task
def outbox_relay_task() -> int:
    """Beat entry point (every minute): send the recorded tasks whose first send failed (the
    broker was down when their write committed). Returns how many were sent."""
    from agency.outbox import outbox_relay

    return outbox_relay()
