"""Reads of notifications: a person's own, and the count the bell shows."""

from __future__ import annotations

from notifications.models import Notification, Webhook, WebhookDelivery


def notifications_of(actor):
    """The notifications addressed to ``actor`` in its agency that it chose to see in the app
    (a client person's, only of its own client), newest first."""
    return Notification.objects.visible_to(actor).filter(in_app=True)


def unread_count(actor) -> int:
    return notifications_of(actor).filter(read_at__isnull=True).count()


def webhooks_with_failures(actor):
    """The agency's bots, and the last messages that failed or wait to be tried again."""
    webhooks = list(Webhook.objects.visible_to(actor).order_by("name", "id"))
    failing = list(
        WebhookDelivery.objects.visible_to(actor)
        .filter(status__in=["retrying", "failed"])
        .select_related("webhook")
        .order_by("-updated_at", "-id")[:20]
    )
    return webhooks, failing
