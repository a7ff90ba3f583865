"""Video projects and their stage gates (chapter 5), and the history of their stages."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet, TenantViewSet, service_action
from agency.roles import CHANGE, VIEW
from clients.models import Client
from production.api.common import NO_PUT, READ_ONLY
from production.models.projects import Stage, StageTransition, VideoProject
from production.services.projects import (
    project_advance,
    project_create,
    project_delete,
    project_gate,
    project_move_back,
    project_update,
)
from production.services.publishing import project_publish

# --- projects --------------------------------------------------------------------------------


class VideoProjectSerializer(TenantModelSerializer):
    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.none(),
        required=False,
        help_text="The account's client; taken from the account when left out.",
    )
    next_stage = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = VideoProject
        fields = [
            "id",
            "client",
            "account",
            "title",
            "brief",
            "due_date",
            "assignee",
            "stage",
            "next_stage",
            "stage_changed_at",
            "video",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["stage", "stage_changed_at", "video"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)) and hasattr(self.instance, "pk"):
            for name in ("client", "account"):
                fields[name].read_only = True
        return fields


class VideoProjectFilterSet(TenantFilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = VideoProject
        fields = ["client", "account", "stage", "assignee", "video"]


class StageGateSerializer(serializers.Serializer):
    stage = serializers.CharField()
    open = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())


class ProjectReadinessSerializer(serializers.Serializer):
    stage = serializers.CharField()
    next_stage = serializers.CharField(allow_null=True)
    gate = StageGateSerializer(allow_null=True)


class ProjectAdvanceSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, help_text="The stage to enter: the next one.")


class ProjectMoveBackSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(allow_blank=True)


class ProjectPublishSerializer(serializers.Serializer):
    platform_item_id = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    published_at = serializers.DateTimeField(required=False)


def readiness_of(project: VideoProject) -> dict:
    gate = project_gate(project)
    return {
        "stage": project.stage,
        "next_stage": project.next_stage,
        "gate": {"stage": gate.stage, "open": gate.open, "missing": gate.missing} if gate else None,
    }


class VideoProjectViewSet(ServiceViewSet):
    """A video from topic to publication (ch.5). ``advance`` moves one stage through its gate."""

    model = VideoProject
    resource = "video_project"
    serializer_class = VideoProjectSerializer
    filterset_class = VideoProjectFilterSet
    search_fields = ["title", "brief"]
    ordering_fields = ["due_date", "stage", "title", "created_at"]
    ordering = ("due_date", "id")
    http_method_names = NO_PUT
    create_service = project_create
    update_service = project_update
    service_row = "project"

    def perform_destroy(self, instance):
        project_delete(actor=self.actor, project=instance)

    @extend_schema(responses=ProjectReadinessSerializer)
    @action(detail=True, methods=["get"], required_action=VIEW)
    def readiness(self, request, pk=None):
        """The project's stage and what its next gate still needs."""
        return Response(readiness_of(self.get_object()))

    @extend_schema(request=ProjectAdvanceSerializer, responses=VideoProjectSerializer)
    @service_action(project_advance, body=ProjectAdvanceSerializer, required_action=CHANGE)
    def advance(self, request, pk=None):
        """Enter the next stage; refused with every missing requirement named."""

    @extend_schema(request=ProjectMoveBackSerializer, responses=VideoProjectSerializer)
    @service_action(project_move_back, body=ProjectMoveBackSerializer, url_path="move-back", required_action=CHANGE)
    def move_back(self, request, pk=None):
        """Send the project back to an earlier stage, saying why."""

    @extend_schema(request=ProjectPublishSerializer, responses=VideoProjectSerializer)
    @service_action(project_publish, body=ProjectPublishSerializer, required_action=CHANGE)
    def publish(self, request, pk=None):
        """Record the publication: creates or links the account's video, and closes the project."""


# --- stage history ---------------------------------------------------------------------------


class StageTransitionSerializer(TenantModelSerializer):
    from_stage = serializers.CharField(read_only=True, help_text="The stage left ('' for a new project).")
    to_stage = serializers.CharField(read_only=True, help_text="The stage entered.")

    class Meta:
        model = StageTransition
        fields = ["id", "project", "client", "from_stage", "to_stage", "at", "by", "note", "snapshot"]
        read_only_fields = fields


class StageTransitionFilterSet(TenantFilterSet):
    at_after = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = StageTransition
        fields = ["project", "client", "from_stage", "to_stage", "by"]


class StageTransitionViewSet(TenantViewSet):
    """Every stage change of every project, with what its gate found (read-only)."""

    model = StageTransition
    resource = "video_project"
    serializer_class = StageTransitionSerializer
    filterset_class = StageTransitionFilterSet
    http_method_names = READ_ONLY
    ordering_fields = ["at"]
    ordering = ("-at", "-id")
