"""Models of operation records (clause 9): the six record types the standard names, the exports
that hand them over "on paper or electronically", and the append-only audit trail (4.2).

Every concrete model derives from ``agency.models.TenantModel``. The records of clause 9 are never
deleted by the product: they are voided with a reason (``VoidableRecord``).
"""

from records.models.assets import Asset, AssetCheckout, AssetCondition, AssetKind
from records.models.audit import AuditAction, AuditEvent
from records.models.common import RecordNotDeletable, VoidableRecord
from records.models.exports import ExportFormat, ExportJob, JobStatus
from records.models.images import ImageRecord
from records.models.inspections import (
    DailyInspection,
    FollowUpStatus,
    InspectionFollowUp,
    InspectionStatus,
)
from records.models.reports import ReportCadence, ReportStatus, StatisticsReport, WorkAssessmentReport
from records.models.usage import UsagePurpose, UsageRecord

__all__ = [
    "Asset",
    "AssetCheckout",
    "AssetCondition",
    "AssetKind",
    "AuditAction",
    "AuditEvent",
    "DailyInspection",
    "ExportFormat",
    "ExportJob",
    "FollowUpStatus",
    "ImageRecord",
    "InspectionFollowUp",
    "InspectionStatus",
    "JobStatus",
    "RecordNotDeletable",
    "ReportStatus",
    "ReportCadence",
    "StatisticsReport",
    "UsagePurpose",
    "UsageRecord",
    "VoidableRecord",
    "WorkAssessmentReport",
]
