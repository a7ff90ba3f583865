"""API of exports (clause 9, "paper or electronic"): a record list's file made by a task."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from agency.api.filters import refuse_unknown_filters
from agency.api.serializers import TenantModelSerializer
from agency.roles import VIEW
from records import filters
from records.api.common import RecordViewSet
from records.exports.datasets import DATASETS
from records.models.exports import ExportJob, JobStatus
from records.services.exports import export_request


class ExportJobSerializer(TenantModelSerializer):
    dataset = serializers.ChoiceField(choices=sorted(DATASETS))
    query = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="The list's filters, as in its query string."
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "dataset",
            "format",
            "query",
            "client",
            "requested_by",
            "status",
            "progress",
            "row_count",
            "error",
            "started_at",
            "finished_at",
            "download_url",
            "created_at",
        ]
        read_only_fields = [
            "client",
            "requested_by",
            "status",
            "progress",
            "row_count",
            "error",
            "started_at",
            "finished_at",
        ]

    def get_download_url(self, obj) -> str | None:
        return reverse("exportjob-download", args=[obj.pk]) if obj.status == JobStatus.DONE else None

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "query" in attrs and attrs.get("dataset") in DATASETS:
            refuse_unknown_filters(DATASETS[attrs["dataset"]].filterset, attrs["query"], prefix="query.")
        return attrs


class ExportJobViewSet(RecordViewSet):
    """Exports of record lists, made by a task. POST ``{dataset, format, query}``; follow ``status``
    and ``progress``; ``download`` when done. You may export a list you may read (``VIEW``)."""

    model = ExportJob
    resource = "export_job"
    # Asking for an export is reading: the record list's own VIEW right is checked by the service.
    required_action = VIEW
    serializer_class = ExportJobSerializer
    filterset_class = filters.ExportJobFilterSet
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["dataset"]
    ordering_fields = ["id", "status", "finished_at"]
    ordering = ("-id",)

    def create_row(self, data):
        return export_request(
            actor=self.actor, dataset=data["dataset"], format=data["format"], query=data.get("query") or {}
        )

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status != JobStatus.DONE or not job.file:
            raise DjangoValidationError(
                {"status": f"The export is not ready ({job.get_status_display()}, {job.progress}%)."}
            )
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
