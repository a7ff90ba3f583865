"""Reads across chapter 8: the staff landing page's figures and a client person's own view of
their live sessions, store visits and valuations."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from agency.tenancy import Actor
from extensions.models import AccountValuation, BookingStatus, LiveSession, LiveSessionStatus, StoreVisitBooking


def extensions_overview(actor: Actor) -> dict:
    """The chapter 8 landing page: what is live, what comes next, what waits for results or a
    next step (a fixed number of queries)."""
    sessions = LiveSession.objects.visible_to(actor)
    now = timezone.now()
    return {
        "live_now": list(sessions.filter(status=LiveSessionStatus.LIVE).select_related("client", "account")[:10]),
        "upcoming": list(
            sessions.filter(status=LiveSessionStatus.PLANNED, planned_end__gte=now)
            .select_related("client", "account")
            .annotate(team_size=Count("team"))
            .order_by("planned_start")[:10]
        ),
        "awaiting_results": list(
            sessions.filter(status=LiveSessionStatus.ENDED, result__isnull=True)
            .select_related("client", "account")
            .order_by("-ended_at")[:10]
        ),
        "open_bookings": list(
            StoreVisitBooking.objects.visible_to(actor)
            .filter(status__in=[BookingStatus.INVITED, BookingStatus.CONFIRMED, BookingStatus.VISITED])
            .select_related("campaign", "client")
            .order_by("campaign__visit_date")[:10]
        ),
        "latest_valuations": list(
            AccountValuation.objects.visible_to(actor)
            .select_related("client", "account")
            .order_by("-valued_on", "-id")[:10]
        ),
    }


def client_extensions(actor: Actor) -> dict:
    """A client person's own live sessions and results, store visits and valuations."""
    return {
        "sessions": list(
            LiveSession.objects.visible_to(actor)
            .exclude(status=LiveSessionStatus.CANCELLED)
            .select_related("account", "result")
            .order_by("-planned_start")[:50]
        ),
        "bookings": list(
            StoreVisitBooking.objects.visible_to(actor)
            .select_related("campaign")
            .order_by("-campaign__visit_date", "-id")[:50]
        ),
        "valuations": list(
            AccountValuation.objects.visible_to(actor).select_related("account").order_by("-valued_on", "-id")[:50]
        ),
    }
