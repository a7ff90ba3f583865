"""5.3: post-production steps, and the client's review of the cut."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from agency.api.filters import TenantFilterSet
from agency.api.openapi import not_offered
from agency.api.serializers import TenantModelSerializer
from agency.http import file_response
from agency.roles import CHANGE, DECIDE, VIEW
from production import services
from production.api.base import ProductionDecisionSerializer, ServiceViewSet
from production.models import (
    PostProductionStep,
    ReviewComment,
    ReviewRound,
)

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

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "assignee" not in data:
            data["assignee"] = services.UNSET
        step = services.post_step_update(actor=self.actor, step=serializer.instance, **data)
        serializer.instance = self.fresh(step)

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def download(self, request, pk=None):
        """The step's evidence file."""
        step = self.get_object()
        if not step.evidence_file:
            from django.http import Http404

            raise Http404
        return file_response(request, step.evidence_file)


# --- client review ---------------------------------------------------------------------------


class ReviewRoundSerializer(TenantModelSerializer):
    comment_count = serializers.IntegerField(read_only=True, default=0)
    open_comment_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ReviewRound
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "project",
            "client",
            "cut",
            "number",
            "status",
            "comment_count",
            "open_comment_count",
            "decided_by",
            "decided_at",
            "decision_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReviewRoundFilterSet(TenantFilterSet):
    class Meta:
        model = ReviewRound
        fields = ["project", "client", "cut", "status"]


class ReviewRoundViewSet(ServiceViewSet):
    """A round opens when the project is sent to client review (``advance`` to client_review);
    the client's approver ``approve``s it or ``request-changes``."""

    model = ReviewRound
    resource = "review"
    serializer_class = ReviewRoundSerializer
    filterset_class = ReviewRoundFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["number", "created_at", "decided_at"]
    ordering = ("project_id", "-number")

    def scope_queryset(self, queryset):
        return queryset.annotate(
            comment_count=Count("comments"),
            open_comment_count=Count(
                "comments", filter=Q(comments__parent__isnull=True, comments__resolved_at__isnull=True)
            ),
        )

    create = not_offered("A review round opens when the project advances to client_review.")

    @extend_schema(request=ProductionDecisionSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], required_action=DECIDE)
    def approve(self, request, pk=None):
        payload = ProductionDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        round_ = services.review_round_approve(actor=self.actor, round=self.get_object(), **payload.validated_data)
        return self.respond(round_)

    @extend_schema(request=ProductionDecisionSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes", required_action=DECIDE)
    def request_changes(self, request, pk=None):
        payload = ProductionDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        round_ = services.review_round_request_changes(
            actor=self.actor, round=self.get_object(), **payload.validated_data
        )
        return self.respond(round_)


class ReviewCommentSerializer(TenantModelSerializer):
    timecode = serializers.CharField(read_only=True)

    class Meta:
        model = ReviewComment
        fields = [
            "id",
            "round",
            "cut",
            "client",
            "parent",
            "author",
            "body",
            "timecode_seconds",
            "frame",
            "timecode",
            "resolved_at",
            "resolved_by",
            "resolved_in",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["cut", "client", "author", "resolved_at", "resolved_by", "resolved_in"]


class ReviewCommentFilterSet(TenantFilterSet):
    resolved = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", exclude=True, label=gettext_lazy("Resolved")
    )
    project = django_filters.NumberFilter(field_name="round__project_id")

    class Meta:
        model = ReviewComment
        fields = ["round", "cut", "client", "parent", "author", "resolved_in"]


class ReviewCommentViewSet(ServiceViewSet):
    """Comments on a cut at a time code (``timecode_seconds``, optionally ``frame``) and replies
    (``parent``). Staff ``resolve`` a comment once a cut deals with it."""

    model = ReviewComment
    resource = "review"
    serializer_class = ReviewCommentSerializer
    filterset_class = ReviewCommentFilterSet
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["body"]
    ordering_fields = ["timecode_seconds", "created_at"]
    ordering = ("round_id", "timecode_seconds", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        comment = services.review_comment_add(
            actor=self.actor,
            round=data["round"],
            body=data["body"],
            timecode_seconds=data.get("timecode_seconds"),
            frame=data.get("frame"),
            parent=data.get("parent"),
        )
        serializer.instance = self.fresh(comment)

    @extend_schema(request=None, responses=ReviewCommentSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def resolve(self, request, pk=None):
        return self.respond(services.review_comment_resolve(actor=self.actor, comment=self.get_object()))

    @extend_schema(request=None, responses=ReviewCommentSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def reopen(self, request, pk=None):
        comment = services.review_comment_resolve(actor=self.actor, comment=self.get_object(), resolved=False)
        return self.respond(comment)
