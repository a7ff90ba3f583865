"""Clause 9 h): the inspection lists still to do, and the missed ones."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from records.models.inspections import InspectionStatus


def inspections_to_do(*, before: dt.date | None = None, through: dt.date | None = None) -> Q:
    """9 h: inspection lists still to do (pending, not voided), dated before ``before`` (missed)
    or up to ``through`` (today's and the missed ones)."""
    condition = Q(status=InspectionStatus.PENDING, voided_at__isnull=True)
    if before is not None:
        condition &= Q(inspection_date__lt=before)
    if through is not None:
        condition &= Q(inspection_date__lte=through)
    return condition


def missed_inspections(queryset, today: dt.date):
    """Inspection lists still to do after their day (clause 9 h: missed inspections are visible)."""
    return queryset.filter(inspections_to_do(before=today))
