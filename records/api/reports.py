"""API of clause 9 j), 9 k): data statistics and work assessment reports, asked for with POST and
built by a task; each downloads as CSV, XLSX or PDF.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from agency.api.serializers import TenantModelSerializer
from agency.roles import VIEW
from records import filters
from records.api.common import (
    FILE_FORMAT,
    STAMP_FIELDS,
    VOID_FIELDS,
    ExportMixin,
    RecordViewSet,
    VoidMixin,
    file_response,
)
from records.exports.reports import render_report, report_filename
from records.models.exports import ExportFormat
from records.models.reports import StatisticsReport, WorkAssessmentReport
from records.services.reports import assessment_report_request, statistics_report_request

REPORT_READ_ONLY = ["cadence", "status", "progress", "has_data", "data", "error", "generated_at", "requested_by"]


def report_status_field():
    return serializers.CharField(read_only=True, help_text="pending, building, ready or failed")


class StatisticsReportSerializer(TenantModelSerializer):
    status = report_status_field()

    class Meta:
        model = StatisticsReport
        fields = ["id", "client", "period_start", "period_end", *REPORT_READ_ONLY, *VOID_FIELDS, *STAMP_FIELDS]
        read_only_fields = REPORT_READ_ONLY


class WorkAssessmentReportSerializer(TenantModelSerializer):
    status = report_status_field()

    class Meta:
        model = WorkAssessmentReport
        fields = [
            "id",
            "client",
            "staff",
            "period_start",
            "period_end",
            *REPORT_READ_ONLY,
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]
        read_only_fields = REPORT_READ_ONLY


class ReportExportMixin:
    @extend_schema(parameters=[FILE_FORMAT], responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW, url_path="file")
    def file(self, request, pk=None):
        """The report as CSV, XLSX or PDF (A4, with charts)."""
        fmt = request.query_params.get("file_format", "")
        if fmt not in ExportFormat.values:
            raise DjangoValidationError({"file_format": "Choose csv, xlsx or pdf."})
        report = self.get_object()
        return file_response(render_report(report, fmt), report_filename(report, fmt), fmt)


class StatisticsReportViewSet(VoidMixin, ExportMixin, ReportExportMixin, RecordViewSet):
    """9 j). POST asks for a report (client, period); a task builds it: watch ``status`` and
    ``progress``. A period with no data gives a report that says so. Monthly reports are made on
    the 1st for the month before."""

    model = StatisticsReport
    resource = "statistics_report"
    serializer_class = StatisticsReportSerializer
    filterset_class = filters.StatisticsReportFilterSet
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["client__name"]
    ordering_fields = ["period_start", "generated_at", "status"]
    ordering = ("-period_start", "client_id", "-id")
    export_dataset = "statistics_reports"

    create_service = statistics_report_request
    changeable_fields = ("client", "period_start", "period_end")


class WorkAssessmentReportViewSet(VoidMixin, ExportMixin, ReportExportMixin, RecordViewSet):
    """9 k). POST asks for a report about a client or a staff member for a period; a task builds it."""

    model = WorkAssessmentReport
    resource = "assessment_report"
    serializer_class = WorkAssessmentReportSerializer
    filterset_class = filters.WorkAssessmentReportFilterSet
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["client__name", "staff__username"]
    ordering_fields = ["period_start", "generated_at", "status"]
    ordering = ("-period_start", "-id")
    export_dataset = "assessment_reports"

    create_service = assessment_report_request
    changeable_fields = ("client", "staff", "period_start", "period_end")
