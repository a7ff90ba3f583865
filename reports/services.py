"""Writes of the standard as evidence: each clause's result kept per client and month and
recomputed when stale, a month's conformance frozen in a snapshot (its kept rows frozen with it),
PDF reports asked for and built."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency.conformance import ClauseStatus, Period, Status, evaluate, evaluate_clause
from agency.conformance_shown import conformance_shown_in_report
from agency.models import Agency
from agency.services import validated_save
from agency.standard import CLAUSES
from agency.tasks import enqueue
from agency.tenancy import Actor
from clients.models import Client, ClientStatus
from reports.evidence import forget_marks
from reports.models import ConformanceReport, ConformanceResult, ConformanceSnapshot, ReportStatus, ResultState
from reports.pdf import render_conformance_pdf
from reports.selectors import conformance_results, month_of

# How long a kept result of a month that has ended is trusted with nothing written (writes made
# outside Django are not seen); an open month's result lasts the day at most (checks read today).
RESULT_MAX_AGE = dt.timedelta(days=1)


def period_is_closed(period: Period, agency: Agency) -> bool:
    return period.end < agency.today()


def _said(client, period: Period, clause_id: str) -> tuple[ClauseStatus, dict]:
    """A clause's result, with its words in every language of the product (the status is the same
    in each), as a snapshot keeps it."""
    said = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            said[language] = evaluate_clause(client, period, clause_id)
    result = said.get(settings.LANGUAGE_CODE) or next(iter(said.values()))
    return result, {**result.as_dict(), "said": {language: row.words() for language, row in said.items()}}


def _valid_until(result: ClauseStatus, period: Period, agency: Agency, now: dt.datetime) -> dt.datetime:
    if period.end < agency.today():
        until = now + RESULT_MAX_AGE
    else:
        tomorrow = agency.today() + dt.timedelta(days=1)
        until = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=agency.tz)
    return min(until, result.changes_at) if result.changes_at is not None else until


def _ensure_rows(agency: Agency, client_ids: list[int], month: dt.date) -> None:
    ConformanceResult.objects.bulk_create(
        [
            ConformanceResult(agency=agency, client_id=client_id, clause_id=clause.id, month=month)
            for client_id in client_ids
            for clause in CLAUSES
        ],
        ignore_conflicts=True,
    )


def conformance_result_compute(*, client, month: dt.date, clause_ids: list[str]) -> int:
    """Compute and keep ``clause_ids``' results of ``client`` for ``month`` (rows that exist).

    Claimed first (state ``computing``, committed), then computed, then kept only where still
    claimed: a write to their evidence committed meanwhile has marked them stale again, and they
    stay stale for the refresh that write asked for. Returns how many were kept."""
    agency = client.agency
    period = Period.month(month.year, month.month)
    rows = ConformanceResult.objects.filter(client=client, month=month, clause_id__in=clause_ids, frozen=False)
    with transaction.atomic():
        rows.filter(state__in=(ResultState.STALE, ResultState.COMPUTING)).update(state=ResultState.COMPUTING)
    kept = 0
    for clause_id in clause_ids:
        result, stored = _said(client, period, clause_id)
        now = timezone.now()
        with transaction.atomic():
            kept += rows.filter(clause_id=clause_id, state=ResultState.COMPUTING).update(
                state=ResultState.FRESH,
                status=result.status,
                result=stored,
                computed_at=now,
                valid_until=_valid_until(result, period, agency, now),
                updated_at=now,
            )
            forget_marks()
    return kept


def conformance_refresh(*, agency: Agency, client_ids: list[int] | None = None, month: dt.date | None = None) -> int:
    """Keep every result of ``agency`` fresh: the current month's of every active client made
    where missing (and ``month``'s of ``client_ids`` when given), then every stale, expired or
    abandoned (claimed by a refresh that died) result that is not frozen computed again. Each
    client and month is computed in transactions of its own; returns how many results were kept.
    Idempotent: with nothing stale or missing it sends a few queries and changes nothing."""
    today = agency.today()
    current = today.replace(day=1)
    active = list(Client.objects.filter(status=ClientStatus.ACTIVE).values_list("pk", flat=True))
    with transaction.atomic():
        _ensure_rows(agency, active, current)
        if client_ids and month is not None:
            _ensure_rows(agency, list(Client.objects.filter(pk__in=client_ids).values_list("pk", flat=True)), month)
    now = timezone.now()
    due = (
        ConformanceResult.objects.filter(frozen=False)
        .filter(~Q(state=ResultState.FRESH) | Q(valid_until__lte=now))
        .values_list("client_id", "month", "clause_id")
        .order_by("client_id", "month", "clause_id")
    )
    work: dict[tuple[int, dt.date], list[str]] = {}
    for client_id, row_month, clause_id in due:
        work.setdefault((client_id, row_month), []).append(clause_id)
    if not work:
        return 0
    with transaction.atomic():
        # An expired fresh row is stale: its day has passed.
        ConformanceResult.objects.filter(frozen=False, state=ResultState.FRESH, valid_until__lte=now).update(
            state=ResultState.STALE
        )
    clients = Client.objects.select_related("agency").in_bulk({client_id for client_id, _month in work})
    kept = 0
    for (client_id, row_month), clause_ids in work.items():
        if client_id in clients:
            kept += conformance_result_compute(client=clients[client_id], month=row_month, clause_ids=clause_ids)
    return kept


@transaction.atomic
def conformance_snapshot_take(*, client, period: Period) -> tuple[ConformanceSnapshot, bool]:
    """Freeze a closed period's conformance for ``client``. A snapshot, once taken, is never
    rewritten: taking it again returns the existing one (idempotent)."""
    if not period_is_closed(period, client.agency):
        raise ValidationError({"period": _("Only a period that has ended can be frozen.")})
    existing = ConformanceSnapshot.objects.filter(
        client=client, period_start=period.start, period_end=period.end
    ).first()
    if existing is not None:
        return existing, False
    month = month_of(period)
    if month is not None:
        return _freeze_month(client, period, month), True
    # The findings are kept in every language of the product, so a past month reads in the
    # language of whoever looks at it (the statuses are the same in each).
    said = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            said[language] = evaluate(client, period)
    results = said[settings.LANGUAGE_CODE] if settings.LANGUAGE_CODE in said else next(iter(said.values()))
    snapshot = ConformanceSnapshot(
        agency=client.agency,
        client=client,
        period_start=period.start,
        period_end=period.end,
        results=[
            {**row.as_dict(), "said": {language: rows[index].words() for language, rows in said.items()}}
            for index, row in enumerate(results)
        ],
        met=sum(row.status == Status.MET for row in results),
        not_met=sum(row.status == Status.NOT_MET for row in results),
    )
    validated_save(snapshot)
    return snapshot, True


def _freeze_month(client, period: Period, month: dt.date) -> ConformanceSnapshot:
    """A month's snapshot is the freezing of its kept rows: each fresh row as it is, every other
    computed now, all of them frozen (no write changes them again) and copied into the snapshot."""
    _ensure_rows(client.agency, [client.pk], month)
    rows = {
        row.clause_id: row for row in ConformanceResult.objects.select_for_update().filter(client=client, month=month)
    }
    now = timezone.now()
    kept = []
    for clause in CLAUSES:
        row = rows[clause.id]
        if row.state != ResultState.FRESH or (row.valid_until is not None and row.valid_until <= now):
            result, row.result = _said(client, period, clause.id)
            row.status, row.computed_at, row.valid_until = result.status, now, None
        row.state, row.frozen, row.updated_at = ResultState.FRESH, True, now
        kept.append(row)
    ConformanceResult.objects.bulk_update(
        kept, ["state", "frozen", "status", "result", "computed_at", "valid_until", "updated_at"]
    )
    forget_marks()
    snapshot = ConformanceSnapshot(
        agency=client.agency,
        client=client,
        period_start=period.start,
        period_end=period.end,
        results=[row.result for row in kept],
        met=sum(row.status == Status.MET for row in kept),
        not_met=sum(row.status == Status.NOT_MET for row in kept),
    )
    validated_save(snapshot)
    return snapshot


def previous_month(today: dt.date) -> Period:
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    return Period.month(last_day.year, last_day.month)


@transaction.atomic
def conformance_report_request(
    *, actor: Actor, client, period: Period, language: str, for_client: bool = False
) -> ConformanceReport:
    """Ask for a PDF report; a task builds it and the page shows its progress. A client person's
    report is always built for the client; staff build one for the staff (every clause) unless they
    ask for the client's (``for_client``)."""
    if actor.is_client_person and client.pk != actor.client_id:
        raise ValidationError({"client": _("You can only ask for your own client's report.")})
    report = ConformanceReport(
        agency=actor.agency,
        client=client,
        period_start=period.start,
        period_end=period.end,
        language=language,
        for_client=for_client or actor.is_client_person,
    )
    validated_save(report)
    enqueue("agency.tasks.conformance_report_build_task", agency_id=actor.agency.pk, report_id=report.pk)
    return report


def _progress(report: ConformanceReport, **fields) -> None:
    with transaction.atomic():
        ConformanceReport.objects.filter(pk=report.pk).update(**fields, updated_at=timezone.now())


def conformance_report_build(*, report_id: int) -> ConformanceReport:
    """Build the PDF of a requested report, recording progress in steps so the page can show it.
    A report already built is left as it is (idempotent)."""
    report = ConformanceReport.objects.select_related("client", "client__agency").get(pk=report_id)
    if report.status == ReportStatus.DONE:
        return report
    _progress(report, status=ReportStatus.BUILDING, progress=10, error="")
    try:
        period = Period(report.period_start, report.period_end)
        with translation.override(report.language):  # the findings too, not only the headings
            results, snapshot = conformance_results(report.client, period)
        results = conformance_shown_in_report(report, results)
        _progress(report, progress=60)
        pdf = render_conformance_pdf(report.client, period, results, report.language)
        with transaction.atomic():
            report.refresh_from_db()
            name = f"conformance-{report.client_id}-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{report.language}.pdf"
            report.file.save(name, ContentFile(pdf), save=False)
            report.snapshot = snapshot
            report.clauses = [row.clause_id for row in results]
            report.status, report.progress = ReportStatus.DONE, 100
            report.save()
    except Exception as exc:
        _progress(report, status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    return report
