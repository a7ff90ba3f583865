"""Clause 9 j), 9 k): data statistics and work assessment reports, asked for on demand or made
monthly, built by a task with visible progress.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency.conformance import Period
from agency.languages import requester_language
from agency.models import Agency, Membership
from agency.roles import STAFF_ROLES
from agency.services import validated_save
from agency.tasks import enqueue
from agency.tenancy import Actor, require_agency
from clients.models import Client, ClientStatus
from records.models.reports import ReportCadence, ReportStatus, StatisticsReport, WorkAssessmentReport
from records.rules import REPORT_MAX_DAYS
from records.selectors.reports import assessment_for, statistics_for

logger = logging.getLogger(__name__)


def _check_period(period_start: dt.date, period_end: dt.date, agency: Agency) -> Period:
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if period_start > agency.today():
        raise ValidationError({"period_start": _("The period has not started yet.")})
    if (period_end - period_start).days + 1 > REPORT_MAX_DAYS:
        raise ValidationError({"period_end": _("A report covers at most %(days)d days.") % {"days": REPORT_MAX_DAYS}})
    return Period(period_start, period_end)


@transaction.atomic
def statistics_report_request(
    *, actor: Actor, client: Client, period_start: dt.date, period_end: dt.date
) -> StatisticsReport:
    """Ask for a data statistics report (9 j) for a client and period; a task builds it."""
    _check_period(period_start, period_end, actor.agency)
    report = StatisticsReport(
        agency=actor.agency,
        client=client,
        period_start=period_start,
        period_end=period_end,
        cadence=ReportCadence.ON_DEMAND,
        requested_by=actor.user,
        language=requester_language(),
    )
    validated_save(report)
    enqueue("records.tasks.report_build_task", agency_id=actor.agency.pk, kind="statistics", report_id=report.pk)
    return report


@transaction.atomic
def assessment_report_request(
    *, actor: Actor, period_start: dt.date, period_end: dt.date, client: Client | None = None, staff=None
) -> WorkAssessmentReport:
    """Ask for a work assessment report (9 k) about a client or a staff member; a task builds it."""
    if (client is None) == (staff is None):
        raise ValidationError({"client": _("Name either a client or a staff member.")})
    if (
        staff is not None
        and not Membership.objects.filter(
            user=staff, agency=actor.agency, role__in=list(STAFF_ROLES), is_active=True
        ).exists()
    ):
        raise ValidationError({"staff": _("%(user)s is not on this agency's staff.") % {"user": staff}})
    _check_period(period_start, period_end, actor.agency)
    report = WorkAssessmentReport(
        agency=actor.agency,
        client=client,
        staff=staff,
        period_start=period_start,
        period_end=period_end,
        cadence=ReportCadence.ON_DEMAND,
        requested_by=actor.user,
        language=requester_language(),
    )
    validated_save(report)
    enqueue("records.tasks.report_build_task", agency_id=actor.agency.pk, kind="assessment", report_id=report.pk)
    return report


REPORT_MODELS = {"statistics": StatisticsReport, "assessment": WorkAssessmentReport}


def report_build(*, kind: str, report_id: int) -> StatisticsReport | WorkAssessmentReport:
    """Build a report's figures (9 j, 9 k) and mark it ready, with visible progress. Idempotent:
    a ready report is left as it is. A period with no data gives a report that says so."""
    model = REPORT_MODELS[kind]
    report = model.objects.get(pk=report_id)
    if report.status == ReportStatus.READY or report.voided_at is not None:
        return report
    _report_progress(model, report_id, status=ReportStatus.BUILDING, progress=10)
    period = Period(report.period_start, report.period_end)
    try:
        with translation.override(report.language or report.agency.language):
            if kind == "statistics":
                data = statistics_for(report.client, period)
            else:
                data = assessment_for(report.client or report.staff, period)
    except Exception as exc:
        logger.exception("Building %s report %s failed", kind, report_id)
        _report_progress(model, report_id, status=ReportStatus.FAILED, progress=100, error=str(exc)[:2000])
        raise
    _report_progress(model, report_id, progress=90)
    with transaction.atomic():
        report = model.objects.select_for_update().get(pk=report_id)
        report.data = data
        report.has_data = data["has_data"]
        report.status = ReportStatus.READY
        report.progress = 100
        report.error = ""
        report.generated_at = timezone.now()
        validated_save(report)
    return report


def _report_progress(model, report_id: int, **values) -> None:
    with transaction.atomic():
        model.objects.filter(pk=report_id).update(updated_at=timezone.now(), **values)


def monthly_reports_create(*, year: int, month: int) -> dict[str, int]:
    """The scheduled reports of a month (9 j, 9 k) for the current agency: a statistics and an
    assessment report per active client, an assessment report per staff member. Idempotent: a
    report that exists is not made again (a database constraint), an unfinished one is rebuilt."""
    agency = require_agency()
    period = Period.month(year, month)
    made = {"statistics": 0, "assessment": 0}
    clients = list(Client.objects.filter(status=ClientStatus.ACTIVE).order_by("pk"))
    staff = list(
        get_user_model()
        .objects.filter(
            memberships__agency=agency, memberships__role__in=list(STAFF_ROLES), memberships__is_active=True
        )
        .distinct()
        .order_by("pk")
    )
    jobs: list[tuple[str, dict]] = [("statistics", {"client": c}) for c in clients]
    jobs += [("assessment", {"client": c}) for c in clients]
    jobs += [("assessment", {"staff": person}) for person in staff]
    for kind, subject in jobs:
        model = REPORT_MODELS[kind]
        with transaction.atomic():
            report, created = _scheduled_report(model, agency, period, subject)
        if created:
            made[kind] += 1
        try:
            report_build(kind=kind, report_id=report.pk)
        except Exception:  # marked failed with its error; the other reports are still built
            logger.exception("Monthly %s report %s failed", kind, report.pk)
    return made


def _scheduled_report(model, agency, period: Period, subject: dict):
    lookup = {"cadence": ReportCadence.MONTHLY, "period_start": period.start, "period_end": period.end, **subject}
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return model.objects.create(agency=agency, **lookup), True
    except IntegrityError:  # made by a concurrent run
        return model.objects.get(**lookup), False
