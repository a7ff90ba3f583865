"""The reads of the evaluation landing page (chapter 10): this year's campaigns, open complaints,
open cycles and the follow-ups to send."""

from __future__ import annotations

from django.db.models import Count

from agency.tenancy import Actor
from clients.models import Client, ClientStatus
from evaluation.models import (
    CampaignKind,
    CampaignStatus,
    Complaint,
    ComplaintStatus,
    CycleStatus,
    EvaluationCampaign,
    ImprovementCycle,
)


def evaluation_overview(actor: Actor, year: int) -> dict:
    """The evaluation landing page: this year's campaigns, open complaints, open cycles and the
    follow-ups to send."""
    clients = list(Client.objects.visible_to(actor).filter(status=ClientStatus.ACTIVE).order_by("name"))
    campaigns = {
        c.client_id: c
        for c in EvaluationCampaign.objects.visible_to(actor)
        .filter(kind=CampaignKind.YEARLY, year=year)
        .annotate(response_count=Count("responses"))
    }
    complaints = list(
        Complaint.objects.visible_to(actor)
        .filter(status=ComplaintStatus.OPEN)
        .select_related("client", "owner")
        .order_by("resolve_by")[:20]
    )
    cycles = list(
        ImprovementCycle.objects.visible_to(actor)
        .exclude(status=CycleStatus.CLOSED)
        .select_related("client")
        .order_by("opened_at")[:20]
    )
    follow_ups = list(
        EvaluationCampaign.objects.visible_to(actor)
        .filter(kind=CampaignKind.FOLLOW_UP, status=CampaignStatus.DRAFT)
        .select_related("client", "cycle")
        .order_by("due_by")[:20]
    )
    return {
        "year": year,
        "rows": [{"client": client, "campaign": campaigns.get(client.pk)} for client in clients],
        "complaints": complaints,
        "cycles": cycles,
        "follow_ups": follow_ups,
    }
