"""API of clause 10.2: improvement cycles (one per finding, with its thread of rounds) and their
actions; completing an action schedules the follow-up survey."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import service_action
from agency.roles import CHANGE, FULFIL, VIEW
from evaluation.api.common import EvaluationViewSet, refuse_fixed
from evaluation.models import ImprovementAction, ImprovementCycle
from evaluation.selectors.improvement import cycle_thread
from evaluation.services import improvement as services
from evaluation.services.followups import improvement_action_complete

NO_DELETE = ["get", "post", "patch", "head", "options"]


class ImprovementCycleSerializer(TenantModelSerializer):
    class Meta:
        model = ImprovementCycle
        fields = [
            "id",
            "client",
            "finding",
            "description",
            "source",
            "campaign",
            "question",
            "complaint",
            "round",
            "status",
            "opened_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["round", "status", "opened_at", "closed_at"]


class ImprovementCycleFilterSet(TenantFilterSet):
    class Meta:
        model = ImprovementCycle
        fields = ["client", "status", "source", "campaign", "complaint", "question", "round"]


class ImprovementCycleViewSet(EvaluationViewSet):
    """10.2: one cycle per finding. It closes only when a follow-up's satisfaction meets the
    agency's threshold for both users and client; ``thread`` shows its rounds."""

    model = ImprovementCycle
    resource = "improvement"
    serializer_class = ImprovementCycleSerializer
    filterset_class = ImprovementCycleFilterSet
    search_fields = ["finding", "description"]
    ordering_fields = ["opened_at", "closed_at", "status", "round"]
    ordering = ("-opened_at", "-id")
    http_method_names = NO_DELETE

    create_service = services.improvement_cycle_open
    update_service = services.improvement_cycle_change
    service_row = "cycle"
    fixed_fields = ("client", "source", "campaign", "question", "complaint")
    fixed_message = "This cannot change once the finding is recorded."

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], required_action=VIEW)
    def thread(self, request, pk=None):
        """The finding's history: each round's actions and the follow-up surveys that checked them."""
        cycle = self.get_object()
        rounds = []
        for row in cycle_thread(cycle):
            rounds.append(
                {
                    "round": row["round"],
                    "actions": ImprovementActionSerializer(
                        row["actions"], many=True, context=self.get_serializer_context()
                    ).data,
                    "follow_ups": [
                        {
                            "id": f.pk,
                            "status": f.status,
                            "opens_on": f.opens_on,
                            "due_by": f.due_by,
                            "opened_at": f.opened_at,
                            "closed_at": f.closed_at,
                            "client_satisfaction": f.client_satisfaction,
                            "users_satisfaction": f.users_satisfaction,
                            "outcome_met": f.outcome_met,
                        }
                        for f in row["follow_ups"]
                    ],
                }
            )
        return Response({"id": cycle.pk, "finding": cycle.finding, "status": cycle.status, "rounds": rounds})


class ImprovementActionSerializer(TenantModelSerializer):
    client = serializers.PrimaryKeyRelatedField(read_only=True)
    finding = serializers.CharField(source="cycle.finding", read_only=True)

    class Meta:
        model = ImprovementAction
        fields = [
            "id",
            "cycle",
            "client",
            "finding",
            "round",
            "root_cause",
            "action",
            "owner",
            "due_date",
            "status",
            "completed_at",
            "evidence",
            "evidence_url",
            "follow_up",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["round", "completed_at", "evidence", "evidence_url", "follow_up"]


class ImprovementActionFilterSet(TenantFilterSet):
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = ImprovementAction
        fields = ["cycle", "client", "status", "owner", "round", "follow_up"]


class ActionCompleteSerializer(serializers.Serializer):
    evidence = serializers.CharField()
    evidence_url = serializers.URLField(required=False, allow_blank=True)


class ActionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ImprovementActionViewSet(EvaluationViewSet):
    """10.2 improvement actions. ``complete`` with evidence schedules the follow-up survey
    (sent within 30 days); ``cancel`` with a reason."""

    model = ImprovementAction
    resource = "improvement"
    serializer_class = ImprovementActionSerializer
    filterset_class = ImprovementActionFilterSet
    search_fields = ["action", "root_cause", "cycle__finding"]
    ordering_fields = ["due_date", "status", "round", "completed_at"]
    ordering = ("due_date", "id")
    http_method_names = NO_DELETE

    def scope_queryset(self, queryset):
        return queryset.select_related("cycle")

    create_service = services.improvement_action_add
    update_service = services.improvement_action_change
    service_row = "improvement"
    fixed_fields = ("cycle",)
    fixed_message = "An action cannot move to another finding."

    def create_row(self, values):
        refuse_fixed(values, ("status",), "A new action starts as planned.")
        return super().create_row(values)

    @extend_schema(request=ActionCompleteSerializer, responses=ImprovementActionSerializer)
    @service_action(improvement_action_complete, body=ActionCompleteSerializer, row="action", required_action=FULFIL)
    def complete(self, request, pk=None):
        pass

    @extend_schema(request=ActionCancelSerializer, responses=ImprovementActionSerializer)
    @service_action(
        services.improvement_action_cancel, body=ActionCancelSerializer, row="action", required_action=CHANGE
    )
    def cancel(self, request, pk=None):
        pass


register("improvement-cycles", ImprovementCycleViewSet)
register("improvement-actions", ImprovementActionViewSet)
