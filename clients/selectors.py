"""Reads for the clients app's pages: counts per agency and everything about one client."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Subquery, Sum

from agency import answer_cache
from agency.models import Agency
from agency.tenancy import Actor
from clients.figures import figure_source
from clients.models import AccountStatus, Client, ClientRequirement, ClientStatus, PlatformAccount, RequirementStatus

DASHBOARD_DAYS = 30  # the period a dashboard shows unless asked otherwise
DASHBOARD_MAX_DAYS = 366  # a year of daily figures, the most a dashboard reads at once


def dashboard_period(actor: Actor, days: int) -> tuple[dt.date, dt.date]:
    """The last ``days`` days up to yesterday in the agency's time zone (today's figures are not
    in yet)."""
    end = actor.agency.today() - dt.timedelta(days=1)
    return end - dt.timedelta(days=days - 1), end


def _scalar(rows, value) -> Subquery:
    """``value`` (an aggregate) over ``rows``, as a subquery of one row (every row is of one agency)."""
    return Subquery(rows.order_by().values("agency_id").annotate(value=value).values("value")[:1])


def headline_counts(actor: Actor) -> dict:
    """The headline counts of the home page, in one query: clients (total, active), accounts
    (total, active, followers) and requirements (open, accepted), as ``aggregate`` over each gives them."""
    clients = Client.objects.visible_to(actor)
    accounts = PlatformAccount.objects.visible_to(actor)
    requirements = ClientRequirement.objects.visible_to(actor)
    active_client, active_account = Q(status=ClientStatus.ACTIVE), Q(status=AccountStatus.ACTIVE)
    counts = {
        ("clients", "total"): _scalar(clients, Count("id")),
        ("clients", "active"): _scalar(clients, Count("id", filter=active_client)),
        ("accounts", "total"): _scalar(accounts, Count("id")),
        ("accounts", "active"): _scalar(accounts, Count("id", filter=active_account)),
        ("accounts", "followers"): _scalar(accounts, Sum("followers")),
        ("requirements", "open"): _scalar(requirements, Count("id", filter=Q(status=RequirementStatus.OPEN))),
        ("requirements", "accepted"): _scalar(requirements, Count("id", filter=Q(status=RequirementStatus.ACCEPTED))),
    }
    names = {f"{group}_{name}": expression for (group, name), expression in counts.items()}
    row = Agency.objects.filter(pk=actor.agency.pk).values(**names).get()
    out: dict[str, dict] = {"clients": {}, "accounts": {}, "requirements": {}}
    for group, name in counts:
        value = row[f"{group}_{name}"]
        # A count over no rows is 0 (no group); a sum over none is None, as ``aggregate`` says them.
        out[group][name] = value if value is not None or name == "followers" else 0
    return out


def agency_overview(actor: Actor) -> dict:
    """The headline counts (``headline_counts``, one query) and the requirements waiting for a
    decision and due (three queries in all)."""
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
        **headline_counts(actor),
        "waiting_requirements": waiting,
        "due_requirements": due,
    }


def client_summary(actor: Actor, client: Client) -> dict:
    """What a client page shows: its accounts, latest videos, requirements and people."""
    from agency.models import Membership

    accounts = list(PlatformAccount.objects.visible_to(actor).filter(client=client).order_by("platform", "handle"))
    videos = list(client.videos.select_related("account").order_by("-published_at", "-id")[:10])
    requirements = list(ClientRequirement.objects.visible_to(actor).filter(client=client).order_by("-raised_at")[:20])
    people = list(Membership.objects.filter(agency=actor.agency, client_id=client.pk).select_related("user"))
    return {"accounts": accounts, "videos": videos, "requirements": requirements, "people": people}


def agency_metrics_overview(actor: Actor, *, days: int) -> dict:
    """The agency overview of the API: the home page's headline figures, the agency's daily
    series over the last ``days`` days and the clients with the most plays (fixed number of
    queries; the figures from the daily metrics are kept in the answer cache until the metrics change)."""
    start, end = dashboard_period(actor, days)
    overview = agency_overview(actor)
    scope = f"client{actor.client_id}" if actor.is_client_person else "agency"

    def figures():
        source = figure_source()
        return {
            "series": source.daily_series(actor, start, end),
            "top_clients": source.client_totals(actor, start, end),
        }

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
        source = figure_source()
        return {
            "totals": source.account_totals(actor, start, end, client_id=client.pk),
            "series": source.daily_series(actor, start, end, client_id=client.pk),
            "top_videos": source.top_videos(actor, start, end, account_ids=account_ids),
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
