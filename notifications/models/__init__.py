"""The models of notifications, by topic (Django finds them here)."""

from notifications.models.notifications import Notification, NotificationPreference
from notifications.models.webhooks import Provider, Webhook, WebhookDelivery, WebhookDeliveryStatus

__all__ = [
    "Notification",
    "NotificationPreference",
    "Provider",
    "Webhook",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
]
