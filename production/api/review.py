"""The client's review of a cut: review rounds and their time-coded comments."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from agency.api.filters import TenantFilterSet
from agency.api.openapi import not_offered
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet, service_action
from agency.roles import CHANGE, DECIDE
from production.api.common import ProductionDecisionSerializer
from production.models.review import ReviewComment, ReviewRound
from production.services.review import (
    review_comment_add,
    review_comment_resolve,
    review_round_approve,
    review_round_request_changes,
)


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

    service_row = "round"

    create = not_offered("A review round opens when the project advances to client_review.")

    @extend_schema(request=ProductionDecisionSerializer, responses=ReviewRoundSerializer)
    @service_action(review_round_approve, body=ProductionDecisionSerializer, required_action=DECIDE)
    def approve(self, request, pk=None):
        pass

    @extend_schema(request=ProductionDecisionSerializer, responses=ReviewRoundSerializer)
    @service_action(
        review_round_request_changes,
        body=ProductionDecisionSerializer,
        url_path="request-changes",
        required_action=DECIDE,
    )
    def request_changes(self, request, pk=None):
        pass


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

    create_service = review_comment_add
    changeable_fields = ("round", "body", "timecode_seconds", "frame", "parent")
    service_row = "comment"

    @extend_schema(request=None, responses=ReviewCommentSerializer)
    @service_action(review_comment_resolve, required_action=CHANGE)
    def resolve(self, request, pk=None):
        pass

    @extend_schema(request=None, responses=ReviewCommentSerializer)
    @service_action(review_comment_resolve, required_action=CHANGE)
    def reopen(self, request, pk=None):
        return {"resolved": False}
