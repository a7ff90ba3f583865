"""Reads every topic of the records app shares (periods, their bounds and changes) and the landing
page's overview of all six record types.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum

from agency.conformance import Period
from agency.tenancy import require_agency
from clients.models import PlatformAccount
from records.models.assets import Asset, AssetCheckout
from records.models.exports import ExportJob
from records.models.images import ImageRecord
from records.models.inspections import DailyInspection, InspectionStatus
from records.models.reports import StatisticsReport, WorkAssessmentReport
from records.models.usage import UsageRecord
from records.selectors.inspections import inspections_to_do


def previous_period(period: Period) -> Period:
    """The month before a whole month; otherwise the same number of days just before."""
    if period.start.day == 1 and period == Period.month(period.start.year, period.start.month):
        last = period.start - dt.timedelta(days=1)
        return Period.month(last.year, last.month)
    length = (period.end - period.start).days + 1
    return Period(period.start - dt.timedelta(days=length), period.start - dt.timedelta(days=1))


def bounds(period: Period, tz) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) instants in the agency's time zone."""
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def change_pct(value, previous) -> float | None:
    if value is None or not previous:
        return None
    return round((value - previous) * 100 / previous, 1)


def person_label(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def agency_tz():
    return require_agency().tz


def records_overview(actor, period: Period) -> dict:
    """The landing page: each record type's count for the period, what needs attention, latest exports."""
    tz = actor.agency.tz
    start, end = bounds(period, tz)
    today = actor.agency.today()
    inspections = DailyInspection.objects.visible_to(actor).filter(inspection_date__range=(period.start, period.end))
    counts = inspections.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=InspectionStatus.DONE)),
        missed=Count("id", filter=inspections_to_do(before=today)),
    )
    return {
        "assets": Asset.objects.visible_to(actor).filter(voided_at__isnull=True).count(),
        "open_checkouts": AssetCheckout.objects.visible_to(actor)
        .filter(checked_in_at__isnull=True, voided_at__isnull=True)
        .count(),
        "inspections": counts,
        "usage": UsageRecord.objects.visible_to(actor).filter(started_at__gte=start, started_at__lt=end).count(),
        "statistics": StatisticsReport.objects.visible_to(actor)
        .filter(period_start__lte=period.end, period_end__gte=period.start)
        .count(),
        "assessments": WorkAssessmentReport.objects.visible_to(actor)
        .filter(period_start__lte=period.end, period_end__gte=period.start)
        .count(),
        "images": ImageRecord.objects.visible_to(actor).filter(taken_on__range=(period.start, period.end)).count(),
        "exports": list(ExportJob.objects.visible_to(actor).order_by("-id")[:5]),
        "followers": PlatformAccount.objects.visible_to(actor).aggregate(total=Sum("followers"))["total"] or 0,
    }
