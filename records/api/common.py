"""What every records endpoint shares: the base viewset (no DELETE, a change goes through
``record_update``), voiding with a reason, and the list's export as CSV, XLSX or PDF.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.settings import api_settings

from agency.api.filters import refuse_unknown_filters
from agency.api.viewsets import ServiceViewSet, service_action
from agency.roles import DELETE, VIEW
from records.exports import datasets
from records.exports.datasets import DATASETS, dataset_queryset, render_dataset, validated_filters
from records.exports.tables import CONTENT_TYPES
from records.models.exports import ExportFormat
from records.services.common import record_update, record_void

VOID_FIELDS = ["voided_at", "voided_by", "void_reason"]
STAMP_FIELDS = ["created_at", "updated_at", "created_by", "updated_by"]


FILE_FORMAT = OpenApiParameter(
    "file_format", str, enum=ExportFormat.values, required=True, description="csv, xlsx or pdf"
)


def person_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.none(), **kwargs)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RecordViewSet(ServiceViewSet):
    """The base of the records endpoints. DELETE is never offered (records are voided); a change
    (PATCH) changes the ``updatable_fields`` through ``record_update``."""

    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    updatable_fields: tuple[str, ...] = ()
    export_dataset = ""

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self._today()}

    def _today(self):
        if self.actor is None:
            return timezone.localdate()
        return self.actor.agency.today()

    def update_row(self, row, values):
        changes = {name: value for name, value in values.items() if name in self.updatable_fields}
        return record_update(actor=self.actor, record=row, changes=changes)


class VoidMixin:
    @extend_schema(request=VoidSerializer)
    @service_action(record_void, body=VoidSerializer, row="record", required_action=DELETE)
    def void(self, request, pk=None):
        """Void the record, saying why (clause 9: records are never deleted)."""


# What an export's query string may hold besides the list's filters: the file's format, and
# DRF's format override, which content negotiation reads.
EXPORT_PARAMS = ("file_format", api_settings.URL_FORMAT_OVERRIDE)


class ExportMixin:
    @extend_schema(parameters=[FILE_FORMAT], responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], required_action=VIEW)
    def export(self, request):
        """The list, with the same filters, as CSV, XLSX or PDF (A4)."""
        spec = DATASETS[self.export_dataset]
        fmt = request.query_params.get("file_format", "")
        if fmt not in ExportFormat.values:
            raise DjangoValidationError({"file_format": "Choose csv, xlsx or pdf."})
        refuse_unknown_filters(spec.filterset, request.query_params, allowed=EXPORT_PARAMS)
        query = {k: v for k, v in request.query_params.items() if k not in EXPORT_PARAMS}
        total = dataset_queryset(spec, validated_filters(spec, query, self.actor), self.actor).count()
        # read from its module at each call (a test lowers it there)
        if total > datasets.EXPORT_INLINE_MAX_ROWS:
            raise DjangoValidationError(
                {
                    "file_format": f"{total} rows are more than {datasets.EXPORT_INLINE_MAX_ROWS} for a direct "
                    f"download: POST /api/v1/export-jobs/ with dataset={spec.key} and the same filters."
                }
            )
        content, _rows = render_dataset(spec, fmt, query, self.actor)
        return file_response(content, f"{spec.key}.{fmt}", fmt)


def file_response(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
