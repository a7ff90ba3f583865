"""Reads of chapter 8 for pages and the API: the landing page's figures, one live session with
everything about it, a client's own view, and the reproducibility check of a valuation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from agency.tenancy import Actor
from extensions.models import (
    AccountValuation,
    BookingStatus,
    LiveSession,
    LiveSessionStatus,
    StoreVisitBooking,
)
from extensions.rules import missing_live_roles
from extensions.valuation import compute


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


def live_session_detail(actor: Actor, session: LiveSession) -> dict:
    """Everything the session page shows: products, run sheet, team, result and the gate."""
    result = getattr(session, "result", None) if hasattr(session, "result") else None
    return {
        "products": list(session.products.select_related("selected_by").order_by("position", "id")),
        "segments": list(session.segments.select_related("product").order_by("start_minute", "id")),
        "team": list(session.team.select_related("person").order_by("role", "id")),
        "missing_roles": missing_live_roles(session) if session.status == LiveSessionStatus.PLANNED else [],
        "result": result,
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


@dataclass
class Verification:
    """Whether a stored valuation computes again, from its stored inputs, to what it states."""

    reproducible: bool
    differences: list[str] = field(default_factory=list)
    recomputed: dict = field(default_factory=dict)


def valuation_verify(valuation: AccountValuation) -> Verification:
    try:
        result = compute(valuation.inputs)
    except (ValidationError, KeyError, TypeError) as exc:
        return Verification(False, [f"the stored inputs cannot be computed: {exc}"])
    differences = []
    for name in ("value_low", "value_point", "value_high"):
        stored, again = getattr(valuation, name), getattr(result, name)
        if stored != again:
            differences.append(f"{name}: stored {stored}, computed {again}")
    if valuation.steps != result.steps:
        differences.append("explanation differs")
    stored_factors = {
        f.factor: (f.value_number, f.weight, f.effect) for f in valuation.factors.all().order_by("position")
    }
    for outcome in result.factors:
        stored = stored_factors.get(outcome.factor)
        again = (outcome.value_number, outcome.weight, outcome.effect)
        if stored is None or any(
            (a is None) != (b is None) or (a is not None and a.compare(b) != 0)
            for a, b in zip(stored, again, strict=True)
        ):
            differences.append(f"factor {outcome.factor}: stored {stored}, computed {again}")
    return Verification(
        reproducible=not differences,
        differences=differences,
        recomputed={
            "value_low": str(result.value_low),
            "value_point": str(result.value_point),
            "value_high": str(result.value_high),
        },
    )
