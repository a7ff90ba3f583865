"""Task base classes. Every task acknowledges late, retries with backoff on passing failures, and
(for tenant work) runs inside the agency it names.

Tasks take ids, not objects, end in ``_task`` and call a service; enqueue them with ``enqueue``
so that they are sent only once the surrounding transaction has committed.
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
    """Send ``task`` with keyword arguments once the current transaction commits."""
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs))
