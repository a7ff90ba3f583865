"""API of clause 6.6, promotion tasks. Writes go through ``accounts_ops.services.promotion``."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts_ops.api.common import NO_PUT, AccountRowSerializer, OpsViewSet
from accounts_ops.models.promotion import PromotionTask
from accounts_ops.services.promotion import promotion_cancel, promotion_complete, promotion_plan, promotion_update
from agency.api.filters import TenantFilterSet
from agency.api.routers import register
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

    def perform_create(self, serializer):
        self.serve(serializer, promotion_plan(actor=self.actor, **self.service_kwargs(serializer)))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        self.serve(serializer, promotion_update(actor=self.actor, task=serializer.instance, **data))

    @extend_schema(request=CompleteSerializer, responses=PromotionTaskSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def complete(self, request, pk=None):
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = promotion_complete(actor=self.actor, task=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(task).data)

    @extend_schema(request=None, responses=PromotionTaskSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def cancel(self, request, pk=None):
        return Response(self.get_serializer(promotion_cancel(actor=self.actor, task=self.get_object())).data)


register("promotion-tasks", PromotionTaskViewSet)
