"""API of 8.1: live sessions with their products, run sheet, team and results. Writes with rules
go through ``extensions.services.live``."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from agency.api.filters import TenantFilterSet
from agency.api.viewsets import ServiceViewSet, service_action
from agency.roles import CHANGE
from agency.services import fields_taken
from extensions.api.common import ChildSerializer, ExtensionCancelSerializer
from extensions.models import (
    LiveProduct,
    LiveSession,
    LiveSessionResult,
    LiveTeamAssignment,
    ResultSource,
    RunSheetSegment,
)
from extensions.services.live import (
    RESULT_FIGURES,
    live_product_add,
    live_product_remove,
    live_product_update,
    live_result_record,
    live_session_cancel,
    live_session_end,
    live_session_plan,
    live_session_start,
    live_session_update,
    live_team_assign,
    live_team_unassign,
    run_sheet_segment_add,
    run_sheet_segment_remove,
    run_sheet_segment_update,
)

# --- serializers -------------------------------------------------------------------------------


# Figures given as decimal strings (exact, as DRF's DecimalField gives them), null when undefined.
DECIMAL_OR_NULL = {"type": "string", "format": "decimal", "nullable": True}


class LiveSessionSerializer(ChildSerializer):
    parent_field = "account"

    class Meta:
        model = LiveSession
        fields = [
            "id",
            "client",
            "account",
            "theme",
            "planned_start",
            "planned_end",
            "goal_gmv",
            "goal_viewers",
            "status",
            "started_at",
            "ended_at",
            "team_at_start",
            "cancel_reason",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "started_at", "ended_at", "team_at_start", "cancel_reason"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["account"].read_only = False  # a planned session may move to another account of its client
        return fields


class LiveSessionStartSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class LiveSessionEndSerializer(serializers.Serializer):
    ended_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class LiveProductSerializer(ChildSerializer):
    parent_field = "session"

    class Meta:
        model = LiveProduct
        fields = [
            "id",
            "client",
            "session",
            "name",
            "price",
            "stock",
            "commission_rate",
            "selected_by",
            "position",
            "notes",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"position": {"required": False}}


class RunSheetSegmentSerializer(ChildSerializer):
    parent_field = "session"
    end_minute = serializers.IntegerField(read_only=True)

    class Meta:
        model = RunSheetSegment
        fields = [
            "id",
            "client",
            "session",
            "kind",
            "title",
            "start_minute",
            "duration_minutes",
            "end_minute",
            "product",
            "notes",
            "created_at",
            "updated_at",
        ]


class LiveTeamAssignmentSerializer(ChildSerializer):
    parent_field = "session"
    person_name = serializers.CharField(read_only=True)

    class Meta:
        model = LiveTeamAssignment
        fields = [
            "id",
            "client",
            "session",
            "role",
            "person",
            "person_name",
            "external_name",
            "notes",
            "created_at",
            "updated_at",
        ]


class LiveSessionResultSerializer(ChildSerializer):
    parent_field = "session"
    uv_value = serializers.SerializerMethodField(help_text="GMV ÷ viewers (yuan); null with no viewers.")
    gpm = serializers.SerializerMethodField(help_text="GMV × 1000 ÷ views (yuan); null with no views.")
    conversion_rate = serializers.SerializerMethodField(help_text="Orders ÷ viewers; null with no viewers.")

    class Meta:
        model = LiveSessionResult
        fields = [
            "id",
            "client",
            "session",
            "peak_concurrent_viewers",
            "average_concurrent_viewers",
            "total_viewers",
            "views",
            "average_watch_seconds",
            "comments",
            "new_followers",
            "orders",
            "gmv",
            "refund_orders",
            "refund_amount",
            "uv_value",
            "gpm",
            "conversion_rate",
            "review",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source"]

    @extend_schema_field(DECIMAL_OR_NULL)
    def get_uv_value(self, obj) -> str | None:
        value = obj.figures.uv_value
        return None if value is None else str(value)

    @extend_schema_field(DECIMAL_OR_NULL)
    def get_gpm(self, obj) -> str | None:
        value = obj.figures.gpm
        return None if value is None else str(value)

    @extend_schema_field(DECIMAL_OR_NULL)
    def get_conversion_rate(self, obj) -> str | None:
        value = obj.figures.conversion_rate
        return None if value is None else str(value)


# --- filtersets --------------------------------------------------------------------------------


class LiveSessionFilterSet(TenantFilterSet):
    theme = django_filters.CharFilter(lookup_expr="icontains")
    planned_after = django_filters.IsoDateTimeFilter(field_name="planned_start", lookup_expr="gte")
    planned_before = django_filters.IsoDateTimeFilter(field_name="planned_start", lookup_expr="lt")
    person = django_filters.NumberFilter(
        field_name="team__person", distinct=True, help_text="Sessions with this person in the team."
    )

    class Meta:
        model = LiveSession
        fields = ["client", "account", "status"]


class LiveProductFilterSet(TenantFilterSet):
    class Meta:
        model = LiveProduct
        fields = ["session", "selected_by"]


class RunSheetSegmentFilterSet(TenantFilterSet):
    class Meta:
        model = RunSheetSegment
        fields = ["session", "kind", "product"]


class LiveTeamAssignmentFilterSet(TenantFilterSet):
    class Meta:
        model = LiveTeamAssignment
        fields = ["session", "role", "person"]


class LiveSessionResultFilterSet(TenantFilterSet):
    class Meta:
        model = LiveSessionResult
        fields = ["session", "client", "source"]


# --- viewsets ----------------------------------------------------------------------------------


class LiveSessionViewSet(ServiceViewSet):
    """8.1 live sessions. Plan with POST; ``start`` (refused until the four roles are staffed),
    ``end`` and ``cancel`` move them on."""

    model = LiveSession
    resource = "live_session"
    serializer_class = LiveSessionSerializer
    filterset_class = LiveSessionFilterSet
    search_fields = ["theme", "notes", "account__handle"]
    ordering_fields = ["planned_start", "status", "created_at"]
    ordering = ("-planned_start",)

    create_service = live_session_plan
    update_service = live_session_update
    service_row = "session"
    changeable_fields = fields_taken(live_session_plan, live_session_update, row="session")

    @extend_schema(request=LiveSessionStartSerializer, responses=LiveSessionSerializer)
    @service_action(live_session_start, body=LiveSessionStartSerializer, required_action=CHANGE)
    def start(self, request, pk=None):
        pass

    @extend_schema(request=LiveSessionEndSerializer, responses=LiveSessionSerializer)
    @service_action(live_session_end, body=LiveSessionEndSerializer, required_action=CHANGE)
    def end(self, request, pk=None):
        pass

    @extend_schema(request=ExtensionCancelSerializer, responses=LiveSessionSerializer)
    @service_action(live_session_cancel, body=ExtensionCancelSerializer, required_action=CHANGE)
    def cancel(self, request, pk=None):
        pass


class LiveProductViewSet(ServiceViewSet):
    model = LiveProduct
    resource = "live_session"
    serializer_class = LiveProductSerializer
    filterset_class = LiveProductFilterSet
    search_fields = ["name", "notes"]
    ordering_fields = ["position", "price", "name"]
    ordering = ("session_id", "position")

    create_service = live_product_add
    update_service = live_product_update
    service_row = "product"
    # The session is given once, when the product is added (the update takes none).
    changeable_fields = fields_taken(live_product_add, live_product_update, row="product")

    def perform_destroy(self, instance):
        live_product_remove(actor=self.actor, product=instance)


class RunSheetSegmentViewSet(ServiceViewSet):
    """8.1 run sheet: timed segments in minutes from the session's start."""

    model = RunSheetSegment
    resource = "live_session"
    serializer_class = RunSheetSegmentSerializer
    filterset_class = RunSheetSegmentFilterSet
    search_fields = ["title", "notes"]
    ordering_fields = ["start_minute"]
    ordering = ("session_id", "start_minute")

    create_service = run_sheet_segment_add
    update_service = run_sheet_segment_update
    service_row = "segment"
    # The session is given once, when the segment is added (the update takes none).
    changeable_fields = fields_taken(run_sheet_segment_add, run_sheet_segment_update, row="segment")

    def perform_destroy(self, instance):
        run_sheet_segment_remove(actor=self.actor, segment=instance)


class LiveTeamAssignmentViewSet(ServiceViewSet):
    """8.1 the team by role. Assign with POST (refused for people outside the agency's staff and
    for double-booking); change a role by removing and assigning again."""

    model = LiveTeamAssignment
    resource = "live_session"
    serializer_class = LiveTeamAssignmentSerializer
    filterset_class = LiveTeamAssignmentFilterSet
    http_method_names = ["get", "post", "delete", "head", "options"]
    search_fields = ["external_name", "person__username", "person__first_name", "person__last_name"]
    ordering_fields = ["role", "created_at"]
    ordering = ("session_id", "role")

    def scope_queryset(self, queryset):
        return queryset.select_related("person")

    create_service = live_team_assign
    changeable_fields = ("session", "role", "person", "external_name", "notes")

    def perform_destroy(self, instance):
        live_team_unassign(actor=self.actor, assignment=instance)


class LiveSessionResultViewSet(ServiceViewSet):
    """8.1 results of an ended session, entered or pushed by an integration (POST once, PATCH to
    correct). UV value, GPM and conversion are derived, never stored."""

    model = LiveSessionResult
    resource = "live_session"
    serializer_class = LiveSessionResultSerializer
    filterset_class = LiveSessionResultFilterSet
    search_fields = ["review"]
    ordering_fields = ["gmv", "total_viewers", "created_at"]
    ordering = ("-id",)

    changeable_fields = ("session", *RESULT_FIGURES)  # the session is fixed once the result exists

    def create_row(self, values):
        return live_result_record(actor=self.actor, source=ResultSource.API, **values)

    def update_row(self, row, values):
        if not values:
            return row  # nothing sent, nothing corrected: the result keeps its source
        return live_result_record(actor=self.actor, session=row.session, source=ResultSource.API, **values)
