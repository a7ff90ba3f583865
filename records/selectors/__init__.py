"""Reads of the records app: the figures of the statistics (9 j) and work assessment (9 k)
reports (``reports``), missed inspections (9 h, ``inspections``), rows as they stood from the
audit trail (4.2, ``audit``), and the landing page's overview (``common``). This package
re-exports their names for callers outside the app (the other apps' report sections and checks).
"""

from records.selectors.audit import values_as_they_stood
from records.selectors.common import agency_tz, bounds, change_pct, person_label, previous_period, records_overview
from records.selectors.inspections import inspections_to_do, missed_inspections
from records.selectors.reports import (
    ASSESSMENT_SECTIONS,
    STATISTICS_SECTIONS,
    TOP_VIDEOS,
    Section,
    SectionBuilder,
    accounts_and_fans,
    assessment_for,
    assessment_section,
    autodiscover,
    inspections_done,
    requirements_fulfilled,
    statistics_for,
    statistics_section,
    videos_published,
    work_recorded,
)

__all__ = [
    "ASSESSMENT_SECTIONS",
    "STATISTICS_SECTIONS",
    "Section",
    "SectionBuilder",
    "TOP_VIDEOS",
    "accounts_and_fans",
    "agency_tz",
    "assessment_for",
    "assessment_section",
    "autodiscover",
    "bounds",
    "change_pct",
    "inspections_done",
    "inspections_to_do",
    "missed_inspections",
    "person_label",
    "previous_period",
    "records_overview",
    "requirements_fulfilled",
    "statistics_for",
    "statistics_section",
    "values_as_they_stood",
    "videos_published",
    "work_recorded",
]
