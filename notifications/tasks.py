"""Tasks of notifications: thin wrappers over the services, enqueued through the outbox
(``agency.tasks.enqueue``) or run by beat. Each is idempotent: a second run changes nothing."""

from __future__ import annotations

from agency.celery import app
from agency.models import Agency
from agency.tasks import TenantTask
from agency.tenancy import current_agency
from notifications.services.notifications import digest_send, notification_email
from notifications.services.notifications_events import raise_due
from notifications.services.webhooks import deliveries_due, delivery_attempt


@app.task(base=TenantTask, name="notifications.tasks.notification_email_task")
def notification_email_task(*, agency_id: int, notification_id: int) -> bool:
    """E-mail one notification to its recipient (once)."""
    return notification_email(notification_id)


@app.task(base=TenantTask, name="notifications.tasks.webhook_delivery_task")
def webhook_delivery_task(*, agency_id: int, delivery_id: int) -> str:
    """Send one message to a group bot; a failure is kept and tried again later by the retry task."""
    return delivery_attempt(delivery_id)


@app.task(base=TenantTask, name="notifications.tasks.webhooks_retry_task")
def webhooks_retry_task(*, agency_id: int) -> int:
    """Try again the agency's bot messages whose wait has passed."""
    due = deliveries_due()
    for delivery_id in due:
        delivery_attempt(delivery_id)
    return len(due)


@app.task(base=TenantTask, name="notifications.tasks.due_task")
def due_task(*, agency_id: int) -> int:
    """Raise the agency's near-deadline notifications (complaints, boosts, reconnections)."""
    return raise_due(current_agency())


@app.task(base=TenantTask, name="notifications.tasks.digest_task")
def digest_task(*, agency_id: int) -> int:
    """Send the agency's daily digests (once per person and day)."""
    return digest_send(current_agency())


def _fan_out(task) -> int:
    agencies = list(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    for agency_id in agencies:
        task.apply_async(kwargs={"agency_id": agency_id})
    return len(agencies)


@app.task(name="notifications.tasks.due_all_agencies_task")
def due_all_agencies_task() -> int:
    """Beat entry point (hourly)."""
    return _fan_out(due_task)


@app.task(name="notifications.tasks.webhooks_retry_all_agencies_task")
def webhooks_retry_all_agencies_task() -> int:
    """Beat entry point (every minute)."""
    return _fan_out(webhooks_retry_task)


@app.task(name="notifications.tasks.digest_all_agencies_task")
def digest_all_agencies_task() -> int:
    """Beat entry point (daily, early morning)."""
    return _fan_out(digest_task)
