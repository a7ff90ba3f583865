"""Reads of 8.1 live sessions: one session with everything about it."""

from __future__ import annotations

from agency.tenancy import Actor
from extensions.models import LiveSession, LiveSessionStatus
from extensions.rules import missing_live_roles


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
