"""Writes of the standard as evidence: a period's conformance frozen in a snapshot, PDF reports
asked for and built."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency.conformance import Period, Status, evaluate
from agency.conformance_shown import conformance_shown_in_report
from agency.models import Agency
from agency.services import validated_save
from agency.tasks import enqueue
from agency.tenancy import Actor
from reports.models import ConformanceReport, ConformanceSnapshot, ReportStatus
from reports.pdf import render_conformance_pdf
from reports.selectors import conformance_results


def period_is_closed(period: Period, agency: Agency) -> bool:
    return period.end < agency.today()


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


def previous_month(today: dt.date) -> Period:
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    return Period.month(last_day.year, last_day.month)


@transaction.atomic
def conformance_report_request(*, actor: Actor, client, period: Period, language: str) -> ConformanceReport:
    """Ask for a PDF report; a task builds it and the page shows its progress."""
    if actor.is_client_person and client.pk != actor.client_id:
        raise ValidationError({"client": _("You can only ask for your own client's report.")})
    report = ConformanceReport(
        agency=actor.agency, client=client, period_start=period.start, period_end=period.end, language=language
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
            report.status, report.progress = ReportStatus.DONE, 100
            report.save()
    except Exception as exc:
        _progress(report, status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    return report
