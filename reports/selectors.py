"""Reads of the standard as evidence: a client's conformance for a period, and the agency overview.

A month's results are read from the kept rows (``reports.models.ConformanceResult``): a fresh row
as it is, a stale, expired or missing one evaluated now (so a page never shows a result its
evidence no longer supports) and its refresh asked for. A frozen snapshot answers for its period.
Periods other than a calendar month are evaluated now.

The agency overview: every active client with its accounts' key figures and their trend, its
conformance with the standard for the month, and its work in progress, read from the chapter apps.
A page of clients costs a fixed number of queries, plus the checks of the results not kept fresh."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, JSONField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language

from accounts_ops.selectors.metrics import client_figures
from agency.conformance import ClauseStatus, Period, Status, evaluate, evaluate_clause
from agency.standard import CLAUSES
from agency.tasks import enqueue
from agency.tenancy import Actor
from clients.models import AccountStatus, ClientRequirement, PlatformAccount, RequirementStatus
from production.models import Stage, VideoProject
from reports.evidence import REFRESH_ASKED_EVERY
from reports.models import ConformanceResult, ConformanceSnapshot, ResultState


def month_of(period: Period) -> dt.date | None:
    """The first day of the calendar month ``period`` is, else None."""
    whole = Period.month(period.start.year, period.start.month)
    return period.start if period == whole else None


class Kept(NamedTuple):
    """The columns of a kept result that pages read (no model instances: a page reads hundreds)."""

    client_id: int
    clause_id: str
    state: str
    result: dict
    computed_at: dt.datetime | None
    valid_until: dt.datetime | None
    frozen: bool


def is_fresh(row: Kept, now: dt.datetime) -> bool:
    if row.frozen:
        return True
    return row.state == ResultState.FRESH and (row.valid_until is None or row.valid_until > now)


@dataclass
class ClientResults:
    results: list[ClauseStatus]
    snapshot: ConformanceSnapshot | None
    kept: int  # results read from fresh kept rows
    computed_at: dt.datetime | None  # when the oldest of them was computed


def clients_results(clients: list, period: Period, *, stale_shown: bool = False) -> dict[int, ClientResults]:
    """Every client's results for ``period``: two queries for all of them (their snapshots, their
    kept rows), then each result not kept fresh evaluated now; with ``stale_shown`` (the lists of
    many clients), a result kept before its evidence changed is shown as it was, marked
    ``stale``, while the refresh its write asked for runs (one never computed is evaluated), and
    kept results come without their evidence, which those pages do not show."""
    ids = [client.pk for client in clients]
    snapshots = {
        snapshot.client_id: snapshot
        for snapshot in ConformanceSnapshot.objects.filter(
            client_id__in=ids, period_start=period.start, period_end=period.end
        )
    }
    month = month_of(period)
    now, language = timezone.now(), get_language() or ""
    rows: dict[tuple[int, str], Kept] = {}
    if month is not None and len(snapshots) < len(ids):
        kept_rows = ConformanceResult.objects.filter(client_id__in=ids, month=month)
        fields = Kept._fields
        if stale_shown:  # the words of the page's language only, without the evidence
            kept_rows = kept_rows.annotate(shown=listed_words(language))
            fields = tuple("shown" if name == "result" else name for name in fields)
        rows = {(row.client_id, row.clause_id): row for row in map(Kept._make, kept_rows.values_list(*fields))}
    out, wanting = {}, []
    for client in clients:
        snapshot = snapshots.get(client.pk)
        if snapshot is not None:
            results = [ClauseStatus.from_dict(item, language=language) for item in snapshot.results]
            out[client.pk] = ClientResults(results, snapshot, len(results), snapshot.created_at)
            continue
        if month is None:
            out[client.pk] = ClientResults(evaluate(client, period), None, 0, None)
            continue
        results, kept, oldest = [], 0, None
        for clause in CLAUSES:
            row = rows.get((client.pk, clause.id))
            if row is not None and is_fresh(row, now):
                results.append(ClauseStatus.from_dict(row.result, evidence=not stale_shown, language=language))
                kept += 1
                oldest = row.computed_at if oldest is None else min(oldest, row.computed_at)
            elif row is not None and stale_shown and row.computed_at is not None:
                results.append(ClauseStatus.from_dict(row.result, evidence=False, language=language))
                results[-1].stale = True
            else:
                results.append(evaluate_clause(client, period, clause.id))
        if kept < len(CLAUSES):
            wanting.append(client.pk)
        out[client.pk] = ClientResults(results, None, kept, oldest)
    if wanting:
        ask_refresh(clients[0].agency_id, wanting, month)
    return out


def listed_words(language: str) -> RawSQL:
    """A kept result as a list of many clients reads it (``ClauseStatus.from_dict`` without its
    evidence): its clause, title, status and summary, and the words kept in ``language`` less
    their evidence. The whole result holds every language's words and the evidence, several
    times the bytes, for 23 results a client."""
    result = '"reports_conformanceresult"."result"'
    return RawSQL(
        f"jsonb_build_object('clause_id', {result} -> 'clause_id', 'title', {result} -> 'title', "
        f"'status', {result} -> 'status', 'summary', {result} -> 'summary', "
        f"'said', jsonb_strip_nulls(jsonb_build_object(%s::text, ({result} -> 'said' -> %s) - 'evidence')))",
        (language, language),
        output_field=JSONField(),
    )


def ask_refresh(agency_id: int, client_ids: list[int], month: dt.date) -> None:
    """Ask the worker to compute and keep what a page had to evaluate itself (once in a while:
    a write that marked results stale has asked already)."""
    if cache.add(f"conformance-refresh-asked:{agency_id}:{month:%Y-%m}", 1, timeout=REFRESH_ASKED_EVERY):
        enqueue(
            "reports.tasks.conformance_refresh_task",
            agency_id=agency_id,
            client_ids=sorted(client_ids),
            month=month.isoformat(),
        )


def conformance_results(client, period: Period) -> tuple[list[ClauseStatus], ConformanceSnapshot | None]:
    """The results for a period: from its snapshot when one was taken (a past month reads exactly
    as it was), else the kept results of a month (those not fresh evaluated now), else evaluated
    now."""
    found = clients_results([client], period)[client.pk]
    return found.results, found.snapshot


@dataclass
class OverviewRow:
    client: object
    accounts: int
    figures: object  # accounts_ops.selectors.metrics.Figures
    not_met: int
    met: int
    frozen: bool
    stale: bool  # some of its results are being computed again
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
    conformance = clients_results(clients, period, stale_shown=True)
    rows = []
    for client in clients:
        results, snapshot = conformance[client.pk].results, conformance[client.pk].snapshot
        rows.append(
            OverviewRow(
                client=client,
                accounts=accounts.get(client.pk, 0),
                figures=figures[client.pk],
                not_met=sum(r.status == Status.NOT_MET for r in results),
                met=sum(r.status == Status.MET for r in results),
                frozen=snapshot is not None,
                stale=any(r.stale for r in results),
                projects_open=projects.get(client.pk, 0),
                requirements_open=requirements.get(client.pk, 0),
            )
        )
    return rows
