"""5.1: scripts and storyboards."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from agency.api.filters import TenantFilterSet
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet, service_action
from agency.roles import CHANGE, DECIDE
from production.api.common import NO_PUT, ProductionDecisionSerializer
from production.models.scripts import Script, StoryboardShot, TopicBasis
from production.rules import script_missing_parts
from production.services.scripts import (
    script_approve,
    script_new_version,
    script_request_changes,
    script_submit,
    script_update,
    storyboard_shot_add,
    storyboard_shot_delete,
    storyboard_shot_update,
)


class ScriptSerializer(TenantModelSerializer):
    topic_basis = serializers.ListField(
        child=serializers.ChoiceField(choices=TopicBasis.choices), required=False, help_text="Why this topic (5.1)."
    )
    shot_count = serializers.IntegerField(read_only=True, default=0)
    missing_parts = serializers.SerializerMethodField(help_text="The parts of 5.1 a)-d) still missing.")

    class Meta:
        model = Script
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "project",
            "client",
            "version",
            "topic",
            "topic_basis",
            "topic_reason",
            "trending_topics",
            "requirement",
            "scene_concept",
            "screenplay",
            "shot_count",
            "missing_parts",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "client",
            "version",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["project"].read_only = True
        return fields

    def get_missing_parts(self, obj) -> list[str]:
        return script_missing_parts(obj, shot_count=getattr(obj, "shot_count", 0))


class ScriptFilterSet(TenantFilterSet):
    class Meta:
        model = Script
        fields = ["project", "client", "status", "version", "requirement"]


class ScriptViewSet(ServiceViewSet):
    """5.1. POST starts the next version of a project's script (a copy of the latest);
    ``submit`` sends a complete draft for approval; the approver ``approve``s or
    ``request-changes``."""

    model = Script
    resource = "script"
    serializer_class = ScriptSerializer
    filterset_class = ScriptFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["topic", "scene_concept", "screenplay"]
    ordering_fields = ["version", "status", "created_at"]
    ordering = ("project_id", "-version")

    def scope_queryset(self, queryset):
        return queryset.annotate(shot_count=Count("shots"))

    update_service = script_update
    service_row = "script"

    def create_row(self, values):
        return script_new_version(actor=self.actor, project=values["project"])  # a copy of the latest version

    @extend_schema(request=None, responses=ScriptSerializer)
    @service_action(script_submit, required_action=CHANGE)
    def submit(self, request, pk=None):
        pass

    @extend_schema(request=ProductionDecisionSerializer, responses=ScriptSerializer)
    @service_action(script_approve, body=ProductionDecisionSerializer, required_action=DECIDE)
    def approve(self, request, pk=None):
        pass

    @extend_schema(request=ProductionDecisionSerializer, responses=ScriptSerializer)
    @service_action(
        script_request_changes, body=ProductionDecisionSerializer, url_path="request-changes", required_action=DECIDE
    )
    def request_changes(self, request, pk=None):
        pass


class StoryboardShotSerializer(TenantModelSerializer):
    number = serializers.IntegerField(
        min_value=1, max_value=32767, required=False, help_text="Next number when left out."
    )

    class Meta:
        model = StoryboardShot
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "script",
            "client",
            "number",
            "shot_size",
            "camera_movement",
            "duration_seconds",
            "picture",
            "dialogue",
            "sound",
            "props",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["client"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["script"].read_only = True
        return fields


class StoryboardShotFilterSet(TenantFilterSet):
    class Meta:
        model = StoryboardShot
        fields = ["script", "client", "shot_size", "camera_movement"]


class StoryboardShotViewSet(ServiceViewSet):
    """5.1 d): the shots of a draft script's storyboard."""

    model = StoryboardShot
    resource = "script"
    serializer_class = StoryboardShotSerializer
    filterset_class = StoryboardShotFilterSet
    search_fields = ["picture", "dialogue", "props"]
    ordering_fields = ["number", "duration_seconds"]
    ordering = ("script_id", "number")
    http_method_names = NO_PUT
    create_service = storyboard_shot_add
    update_service = storyboard_shot_update
    service_row = "shot"

    def perform_destroy(self, instance):
        storyboard_shot_delete(actor=self.actor, shot=instance)
