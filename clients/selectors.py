"""Reads for the clients app's pages: counts per agency and everything about one client."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from agency.tenancy import Actor
from clients.models import AccountStatus, Client, ClientRequirement, ClientStatus, PlatformAccount, RequirementStatus


def agency_overview(actor: Actor) -> dict:
    """Headline figures for the staff home page (fixed number of queries)."""
    clients = Client.objects.visible_to(actor).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=ClientStatus.ACTIVE))
    )
    accounts = PlatformAccount.objects.visible_to(actor).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=AccountStatus.ACTIVE)), followers=Sum("followers")
    )
    requirements = ClientRequirement.objects.visible_to(actor).aggregate(
        open=Count("id", filter=Q(status=RequirementStatus.OPEN)),
        accepted=Count("id", filter=Q(status=RequirementStatus.ACCEPTED)),
    )
    waiting = list(
        ClientRequirement.objects.visible_to(actor)
        .filter(status=RequirementStatus.OPEN)
        .select_related("client")
        .order_by("raised_at")[:10]
    )
    due = list(
        ClientRequirement.objects.visible_to(actor)
        .filter(status=RequirementStatus.ACCEPTED)
        .select_related("client")
        .order_by("due_date")[:10]
    )
    return {
        "clients": clients,
        "accounts": accounts,
        "requirements": requirements,
        "waiting_requirements": waiting,
        "due_requirements": due,
    }


def client_summary(actor: Actor, client: Client) -> dict:
    """What a client page shows: its accounts, latest videos, requirements and people."""
    from agency.models import Membership

    accounts = list(PlatformAccount.objects.visible_to(actor).filter(client=client).order_by("platform", "handle"))
    videos = list(client.videos.select_related("account").order_by("-published_at", "-id")[:10])
    requirements = list(ClientRequirement.objects.visible_to(actor).filter(client=client).order_by("-raised_at")[:20])
    people = list(Membership.objects.filter(agency=actor.agency, client=client).select_related("user"))
    return {"accounts": accounts, "videos": videos, "requirements": requirements, "people": people}
