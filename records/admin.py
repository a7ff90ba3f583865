"""Admin of operation records (chapter 9), for the platform operator. Records of clause 9 are never
deleted (void them in the product); the audit trail is read-only."""

from django.contrib import admin

from agency.admin import TenantAdmin
from records.models.assets import Asset, AssetCheckout
from records.models.audit import AuditEvent
from records.models.exports import ExportJob
from records.models.images import ImageRecord
from records.models.inspections import DailyInspection, InspectionFollowUp
from records.models.reports import StatisticsReport, WorkAssessmentReport
from records.models.usage import UsageRecord


class RecordAdmin(TenantAdmin):
    """Clause 9 records: viewable and correctable, never deletable."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "voided_at", "voided_by", "void_reason")


@admin.register(Asset)
class AssetAdmin(RecordAdmin):
    list_display = ("identifier", "name", "kind", "client", "agency", "condition", "voided_at")
    list_filter = ("kind", "condition")
    search_fields = ("identifier", "name")


@admin.register(AssetCheckout)
class AssetCheckoutAdmin(RecordAdmin):
    list_display = ("asset", "checked_out_by", "checked_out_at", "checked_in_at", "agency")
    search_fields = ("asset__identifier", "purpose")


@admin.register(DailyInspection)
class DailyInspectionAdmin(RecordAdmin):
    list_display = ("account", "client", "inspection_date", "status", "agency")
    list_filter = ("status",)
    date_hierarchy = "inspection_date"


@admin.register(InspectionFollowUp)
class InspectionFollowUpAdmin(RecordAdmin):
    list_display = ("title", "client", "assignee", "due_date", "status", "agency")
    list_filter = ("status",)


@admin.register(UsageRecord)
class UsageRecordAdmin(RecordAdmin):
    list_display = ("started_at", "user", "purpose", "asset", "account", "client", "agency")
    list_filter = ("purpose",)


@admin.register(StatisticsReport)
class StatisticsReportAdmin(RecordAdmin):
    list_display = ("client", "period_start", "period_end", "cadence", "status", "agency")
    list_filter = ("status", "cadence")

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "data", "generated_at", "requested_by", "error")


@admin.register(WorkAssessmentReport)
class WorkAssessmentReportAdmin(StatisticsReportAdmin):
    list_display = ("client", "staff", "period_start", "period_end", "cadence", "status", "agency")


@admin.register(ImageRecord)
class ImageRecordAdmin(RecordAdmin):
    list_display = ("caption", "taken_on", "client", "linked_label", "agency")
    search_fields = ("caption", "place")

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "image", "thumbnail", "width", "height", "sha256")


@admin.register(AuditEvent)
class AuditEventAdmin(TenantAdmin):
    """4.2: the trail is read, never written or removed, here as anywhere."""

    list_display = ("occurred_at", "agency", "model_label", "object_pk", "action", "user", "channel")
    list_filter = ("action", "channel")
    search_fields = ("model_label", "object_pk")
    date_hierarchy = "occurred_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AuditEvent._meta.fields]


@admin.register(ExportJob)
class ExportJobAdmin(TenantAdmin):
    list_display = ("id", "dataset", "format", "status", "progress", "agency", "requested_by")
    list_filter = ("status", "format")

    def has_change_permission(self, request, obj=None):
        return False
