"""Reads for the clients app's pages: counts per agency and everything about one client."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from accounts_ops.selectors.metrics import dashboard_period, top_videos
from accounts_ops.selectors.metrics_rollups import account_totals, client_totals, daily_series
from agency import answer_cache
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


def agency_metrics_overview(actor: Actor, *, days: int) -> dict:
    """The agency overview of the API: the home page's headline figures, the agency's daily
    series over the last ``days`` days and the clients with the most plays (fixed number of
    queries; the figures from the daily metrics are kept in the answer cache until the metrics change)."""
    start, end = dashboard_period(actor, days)
    overview = agency_overview(actor)
    scope = f"client{actor.client_id}" if actor.is_client_person else "agency"

    def figures():
        return {"series": daily_series(actor, start, end), "top_clients": client_totals(actor, start, end)}

    metrics = answer_cache.cached("overview-figures", (scope, start, end), figures)
    return {
        "period_start": start,
        "period_end": end,
        "clients": overview["clients"],
        "accounts": overview["accounts"],
        "requirements": overview["requirements"],
        "waiting_requirements": overview["waiting_requirements"],
        "due_requirements": overview["due_requirements"],
        "series": metrics["series"],
        "top_clients": metrics["top_clients"],
    }


def client_dashboard(actor: Actor, client: Client, *, days: int) -> dict:
    """One client's dashboard: its accounts with their figures over the last ``days`` days, the
    client's daily series, its best videos of the period and its requirements (fixed number of
    queries; the figures from the daily metrics are kept in the answer cache until the metrics change)."""
    start, end = dashboard_period(actor, days)
    accounts = list(PlatformAccount.objects.visible_to(actor).filter(client=client).order_by("platform", "handle"))
    account_ids = [account.pk for account in accounts]

    def figures():
        return {
            "totals": account_totals(actor, start, end, client_id=client.pk),
            "series": daily_series(actor, start, end, client_id=client.pk),
            "top_videos": top_videos(actor, start, end, account_ids=account_ids),
        }

    metrics = answer_cache.cached("client-figures", (client.pk, start, end), figures)
    totals = metrics["totals"]
    requirements = (
        ClientRequirement.objects.visible_to(actor)
        .filter(client=client)
        .aggregate(
            open=Count("id", filter=Q(status=RequirementStatus.OPEN)),
            accepted=Count("id", filter=Q(status=RequirementStatus.ACCEPTED)),
        )
    )
    return {
        "client": client,
        "period_start": start,
        "period_end": end,
        "accounts": [(account, totals.get(account.pk, {})) for account in accounts],
        "series": metrics["series"],
        "top_videos": metrics["top_videos"],
        "requirements": requirements,
    }
