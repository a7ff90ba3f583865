"""Writes of the tenant core: a person's preferences, the agency's own settings, conformance
snapshots and reports (the standard as evidence)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency.conformance import ClauseStatus, Period, Status, evaluate
from agency.models import Agency, ConformanceReport, ConformanceSnapshot, PersonPreferences, ReportStatus
from agency.roles import Role
from agency.tasks import enqueue
from agency.tenancy import Actor


@transaction.atomic
def person_language_set(*, user, language: str) -> PersonPreferences:
    """Remember the language a person chose for the pages (one of ``settings.LANGUAGES``)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("%(code)s is not a language of the product.") % {"code": language}})
    preferences, _created = PersonPreferences.objects.update_or_create(user=user, defaults={"language": language})
    return preferences


def may_change_agency_settings(actor: Actor | None) -> bool:
    """Only the agency's admin changes its own settings."""
    return actor is not None and actor.role == Role.AGENCY_ADMIN


@transaction.atomic
def agency_settings_change(*, actor: Actor, require_two_step_for_staff) -> Agency:
    """Change the settings of ``actor``'s agency: whether all its staff must sign in with two steps
    (``agency.twofactor.two_step_required``; its admins always must)."""
    if not may_change_agency_settings(actor):
        raise PermissionDenied(_("Only an agency admin changes the agency's settings."))
    if not isinstance(require_two_step_for_staff, bool):
        raise ValidationError({"require_two_step_for_staff": [_("Must be true or false.")]})
    agency = Agency.objects.select_for_update().get(pk=actor.agency.pk)
    agency.require_two_step_for_staff = require_two_step_for_staff
    agency.save(update_fields=["require_two_step_for_staff"])
    return agency


def period_is_closed(period: Period, tz) -> bool:
    return period.end < timezone.localdate(timezone=tz)


def conformance_results(client, period: Period) -> tuple[list[ClauseStatus], ConformanceSnapshot | None]:
    """The results for a period: from its snapshot when one was taken (a past month reads exactly
    as it was), else evaluated now."""
    snapshot = ConformanceSnapshot.objects.filter(
        client=client, period_start=period.start, period_end=period.end
    ).first()
    if snapshot is not None:
        return [ClauseStatus.from_dict(item) for item in snapshot.results], snapshot
    return evaluate(client, period), None


@transaction.atomic
def conformance_snapshot_take(*, client, period: Period) -> tuple[ConformanceSnapshot, bool]:
    """Freeze a closed period's conformance for ``client``. A snapshot, once taken, is never
    rewritten: taking it again returns the existing one (idempotent)."""
    if not period_is_closed(period, client.agency.tz):
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
    snapshot.full_clean()
    snapshot.save()
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
    report.full_clean()
    report.save()
    from agency.tasks import conformance_report_build_task

    enqueue(conformance_report_build_task, agency_id=actor.agency.pk, report_id=report.pk)
    return report


def _progress(report: ConformanceReport, **fields) -> None:
    with transaction.atomic():
        ConformanceReport.objects.filter(pk=report.pk).update(**fields, updated_at=timezone.now())


def conformance_report_build(*, report_id: int) -> ConformanceReport:
    """Build the PDF of a requested report, recording progress in steps so the page can show it.
    A report already built is left as it is (idempotent)."""
    from agency.report_pdf import render_conformance_pdf

    report = ConformanceReport.objects.select_related("client", "client__agency").get(pk=report_id)
    if report.status == ReportStatus.DONE:
        return report
    _progress(report, status=ReportStatus.BUILDING, progress=10, error="")
    try:
        period = Period(report.period_start, report.period_end)
        with translation.override(report.language):  # the findings too, not only the headings
            results, snapshot = conformance_results(report.client, period)
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
