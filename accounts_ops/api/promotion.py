"""API of clause 6.6, promotion tasks. Writes go through ``accounts_ops.services.promotion``."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from accounts_ops.api.common import NO_PUT, AccountRowSerializer, OpsViewSet
from accounts_ops.models.promotion import PromotionTask
from accounts_ops.services.promotion import promotion_cancel, promotion_complete, promotion_plan, promotion_update
from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.viewsets import service_action
from agency.roles import CHANGE


class PromotionTaskSerializer(AccountRowSerializer):
    search_keywords = serializers.ListField(child=serializers.CharField(max_length=100), required=False)

    class Meta:
        model = PromotionTask
        fields = [
            "id",
            "client",
            "account",
            "channel",
            "target_kind",
            "target",
            "target_video",
            "content",
            "search_keywords",
            "planned_on",
            "done_on",
            "status",
            "outcome",
            "reach",
            "created_at",
        ]
        read_only_fields = ["done_on", "status"]


class CompleteSerializer(serializers.Serializer):
    done_on = serializers.DateField()
    outcome = serializers.CharField()
    reach = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class PromotionTaskFilterSet(TenantFilterSet):
    done_after = django_filters.DateFilter(field_name="done_on", lookup_expr="gte")
    done_before = django_filters.DateFilter(field_name="done_on", lookup_expr="lte")

    class Meta:
        model = PromotionTask
        fields = ["client", "account", "channel", "target_kind", "status", "target_video"]


class PromotionTaskViewSet(OpsViewSet):
    """6.6: promotions through the account's own material, other accounts' comment sections or
    search keywords. ``complete`` records the date done and the outcome; ``cancel`` drops one."""

    model = PromotionTask
    resource = "promotion"
    serializer_class = PromotionTaskSerializer
    filterset_class = PromotionTaskFilterSet
    http_method_names = NO_PUT
    search_fields = ["target", "content", "outcome"]
    ordering_fields = ["planned_on", "done_on", "reach"]
    ordering = ("-planned_on", "-id")

    create_service = promotion_plan
    update_service = promotion_update  # (the account is fixed once the task exists)
    service_row = "task"

    @extend_schema(request=CompleteSerializer, responses=PromotionTaskSerializer)
    @service_action(promotion_complete, body=CompleteSerializer, required_action=CHANGE)
    def complete(self, request, pk=None):
        pass

    @extend_schema(request=None, responses=PromotionTaskSerializer)
    @service_action(promotion_cancel, required_action=CHANGE)
    def cancel(self, request, pk=None):
        pass


register("promotion-tasks", PromotionTaskViewSet)
