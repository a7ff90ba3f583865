"""The bell of the top bar: the signed-in person's unread notifications, on every page."""

from __future__ import annotations

from django.urls import reverse

from notifications.selectors import unread_count


def bell(request) -> dict:
    actor = getattr(request, "actor", None)
    if actor is None or getattr(actor, "membership", None) is None:
        return {}
    return {"bell": {"url": reverse("notifications:list"), "unread": unread_count(actor)}}
