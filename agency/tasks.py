"""Task base classes. Every task acknowledges late, retries with backoff on passing failures, and
(for tenant work) runs inside the agency it names.

Tasks take ids, not objects, end in ``_task`` and call a service; enqueue them with ``enqueue``
so that they are recorded with the write that asks for them and sent once it has committed (the
outbox, ``agency.outbox``). Tasks must be idempotent: a task can be delivered more than once (a
worker killed mid-task has its message delivered again, ``acks_late``; the outbox sends at least
once), and a second run must change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from celery import Task
from django.db import transaction
from django.db.utils import InterfaceError, OperationalError

if TYPE_CHECKING:
    from agency.models import Agency


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

    def for_every_agency(self, kwargs_of: Callable[[Agency], dict] | None = None) -> int:
        """A beat entry point's work: send this task once for each active agency, with
        ``agency_id`` and the keyword arguments ``kwargs_of(agency)`` gives, if any. Returns how
        many were sent."""
        from agency.models import Agency

        agencies = list(Agency.objects.filter(is_active=True))
        for agency in agencies:
            self.apply_async(kwargs={"agency_id": agency.pk, **(kwargs_of(agency) if kwargs_of else {})})
        return len(agencies)


def enqueue(task, /, **kwargs) -> None:
    """Send ``task`` (a task, or a registered task's name) with keyword arguments once the current
    transaction commits. The task is recorded in that transaction (``agency.outbox``), so if the
    broker cannot take it at commit, the relay sends it later: a committed write never loses its
    task. A service names a task of its own app by name, so that its tasks module (which calls the
    service) and the service need not import each other."""
    from agency.outbox import outbox_add, task_named

    outbox_add(task_named(task) if isinstance(task, str) else task, kwargs)


# --- Tasks of the tenant core ----------------------------------------------------------------
# (defined after the base classes they use; the project's Celery entry point discovers this module)
from agency.celery import app  # noqa: E402


@app.task
def outbox_relay_task() -> int:
    """Beat entry point (every minute): send the recorded tasks whose first send failed (the
    broker was down when their write committed). Returns how many were sent."""
    from agency.outbox import outbox_relay

    return outbox_relay()


@app.task(base=BaseTask)
def monthly_partitions_task() -> list[str]:
    """Beat entry point (monthly): the partitions of the months ahead made from the upper edge
    partition, with the rows it holds of them (``agency.partitions``). One DDL job for
    the whole database, as the tables' owner (``MIGRATION_DATABASE_URL``), not one per agency.
    Returns the partitions made."""
    import psycopg
    from django.core.exceptions import ImproperlyConfigured
    from django.db import ProgrammingError

    from agency.partitions import maintain, owner_connection

    try:
        with owner_connection() as connection:
            return maintain(connection)
    except ProgrammingError as error:
        if not isinstance(error.__cause__, psycopg.errors.InsufficientPrivilege):
            raise
        raise ImproperlyConfigured(
            f"The monthly partitions are made by the tables' owner: give this worker MIGRATION_DATABASE_URL "
            f"(docs/operations.md) ({error})"
        ) from error
