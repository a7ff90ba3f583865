"""Reads of the standard as evidence: a client's conformance for a period, and the agency overview.

The agency overview: every active client with its accounts' key figures and their trend, its
conformance with the standard for the month, and its work in progress, read from the chapter apps.
A page of clients costs a fixed number of queries plus the conformance checks of its clients (as
the conformance matrix)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from accounts_ops.selectors.metrics import client_figures
from agency.conformance import ClauseStatus, Period, Status, evaluate
from agency.tenancy import Actor
from clients.models import AccountStatus, ClientRequirement, PlatformAccount, RequirementStatus
from production.models import Stage, VideoProject
from reports.models import ConformanceSnapshot


def conformance_results(client, period: Period) -> tuple[list[ClauseStatus], ConformanceSnapshot | None]:
    """The results for a period: from its snapshot when one was taken (a past month reads exactly
    as it was), else evaluated now."""
    snapshot = ConformanceSnapshot.objects.filter(
        client=client, period_start=period.start, period_end=period.end
    ).first()
    if snapshot is not None:
        return [ClauseStatus.from_dict(item) for item in snapshot.results], snapshot
    return evaluate(client, period), None


@dataclass
class OverviewRow:
    client: object
    accounts: int
    figures: object  # accounts_ops.selectors.metrics.Figures
    not_met: int
    met: int
    frozen: bool
    projects_open: int
    requirements_open: int


def overview_rows(actor: Actor, clients: list, period: Period) -> list[OverviewRow]:
    ids = [c.pk for c in clients]
    figures = client_figures(actor, ids)
    accounts = dict(
        PlatformAccount.objects.visible_to(actor)
        .filter(client_id__in=ids, status=AccountStatus.ACTIVE)
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
        .order_by()
    )
    projects = dict(
        VideoProject.objects.visible_to(actor)
        .filter(client_id__in=ids)
        .exclude(stage=Stage.PUBLISHED)
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
        .order_by()
    )
    requirements = dict(
        ClientRequirement.objects.visible_to(actor)
        .filter(client_id__in=ids)
        .filter(Q(status=RequirementStatus.OPEN) | Q(status=RequirementStatus.ACCEPTED))
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
        .order_by()
    )
    rows = []
    for client in clients:
        results, snapshot = conformance_results(client, period)
        rows.append(
            OverviewRow(
                client=client,
                accounts=accounts.get(client.pk, 0),
                figures=figures[client.pk],
                not_met=sum(r.status == Status.NOT_MET for r in results),
                met=sum(r.status == Status.MET for r in results),
                frozen=snapshot is not None,
                projects_open=projects.get(client.pk, 0),
                requirements_open=requirements.get(client.pk, 0),
            )
        )
    return rows
