"""Writes of the records app (clause 9). Views, the API, admin and tasks call these.

Every record of clause 9 is dated and attributed (``created_by``/``updated_by`` and the audit
trail), and none is deleted: ``common.record_void`` marks it void with a reason. One module per
record type: ``assets`` (9 g), ``inspections`` (9 h), ``usage`` (9 i), ``reports`` (9 j, 9 k),
``images`` (9 l), ``exports``. This package re-exports their names for callers outside the app.
"""

from records.services.assets import UNAVAILABLE_CONDITIONS, asset_check_in, asset_check_out, asset_register
from records.services.common import PERSON_FIELDS, agency_today, check_people, ensure_live, record_update, record_void
from records.services.exports import export_request, export_run
from records.services.images import ProcessedImage, image_record_create, process_image, resolve_link
from records.services.inspections import (
    follow_up_open,
    follow_up_resolve,
    inspection_accounts,
    inspection_list_create,
    inspection_lists_create,
    inspection_record,
)
from records.services.reports import (
    REPORT_MODELS,
    assessment_report_request,
    monthly_reports_create,
    report_build,
    statistics_report_request,
)
from records.services.usage import usage_record_create

__all__ = [
    "PERSON_FIELDS",
    "ProcessedImage",
    "REPORT_MODELS",
    "UNAVAILABLE_CONDITIONS",
    "agency_today",
    "assessment_report_request",
    "asset_check_in",
    "asset_check_out",
    "asset_register",
    "check_people",
    "ensure_live",
    "export_request",
    "export_run",
    "follow_up_open",
    "follow_up_resolve",
    "image_record_create",
    "inspection_accounts",
    "inspection_list_create",
    "inspection_lists_create",
    "inspection_record",
    "monthly_reports_create",
    "process_image",
    "record_update",
    "record_void",
    "report_build",
    "resolve_link",
    "statistics_report_request",
    "usage_record_create",
]
