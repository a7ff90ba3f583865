"""5.3: post-production steps and cuts."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser

from agency.api.filters import TenantFilterSet
from agency.api.parsers import JSONParser, MultiPartParser
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet
from agency.http import file_response
from agency.roles import VIEW
from production.api.common import MEDIA_FACTS, MediaSerializerMixin
from production.models.post import Cut, PostProductionStep
from production.services.post import cut_upload, post_step_update

# --- cuts (versions of the edited video) -----------------------------------------------------


class CutSerializer(MediaSerializerMixin, TenantModelSerializer):
    download_basename = "cut"

    class Meta:
        model = Cut
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "project",
            "client",
            "version",
            "file",
            "file_url",
            "notes",
            *MEDIA_FACTS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["client", "version", *MEDIA_FACTS]


class CutFilterSet(TenantFilterSet):
    class Meta:
        model = Cut
        fields = ["project", "client", "version", "probe_state"]


class CutViewSet(ServiceViewSet):
    """5.3: versions of the edited video (multipart ``project`` + ``file``), read like clips."""

    model = Cut
    resource = "post_production"
    serializer_class = CutSerializer
    filterset_class = CutFilterSet
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    search_fields = ["notes", "original_name"]
    ordering_fields = ["version", "created_at"]
    ordering = ("project_id", "-version")

    create_service = cut_upload
    changeable_fields = ("project", "file", "notes")

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def download(self, request, pk=None):
        """The cut's file (byte ranges supported, for seeking to a comment's time code)."""
        cut = self.get_object()
        return file_response(request, cut.file, download_name=cut.original_name)


# --- 5.3 post-production steps ---------------------------------------------------------------


class PostProductionStepSerializer(TenantModelSerializer):
    evidence_file = serializers.FileField(required=False, write_only=True)
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = PostProductionStep
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "project",
            "client",
            "kind",
            "position",
            "assignee",
            "status",
            "evidence_file",
            "evidence_url",
            "evidence_note",
            "not_applicable_reason",
            "completed_by",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["project", "client", "kind", "position", "completed_by", "completed_at"]

    @extend_schema_field({"type": "string", "nullable": True})  # a path on this server, or null
    def get_evidence_url(self, obj) -> str | None:
        return reverse("postproductionstep-download", args=[obj.pk]) if obj.evidence_file else None


class PostProductionStepFilterSet(TenantFilterSet):
    class Meta:
        model = PostProductionStep
        fields = ["project", "client", "kind", "status", "assignee"]


class PostProductionStepViewSet(ServiceViewSet):
    """5.3: the five steps of every project. PATCH (multipart for the evidence file) to work on
    one; ``done`` needs its evidence, ``not_applicable`` a reason."""

    model = PostProductionStep
    resource = "post_production"
    serializer_class = PostProductionStepSerializer
    filterset_class = PostProductionStepFilterSet
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    search_fields = ["evidence_note", "not_applicable_reason"]
    ordering_fields = ["position", "status", "completed_at"]
    ordering = ("project_id", "position")

    update_service = post_step_update  # an assignee left out stays (UNSET)
    service_row = "step"

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def download(self, request, pk=None):
        """The step's evidence file."""
        step = self.get_object()
        if not step.evidence_file:
            raise Http404
        return file_response(request, step.evidence_file)
