"""The deliveries to the platforms: what was sent (a reply, a comment action, a publication), its
attempts, and the platform's answer (its time and id, or its refusal). Read-only: a delivery is
asked for by the row it carries out (``accounts_ops`` replies and comment actions, ``production``
publications), never through this endpoint."""

from __future__ import annotations

import django_filters

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from platforms.api.connections import RESOURCE, ReadOnlyViewSet
from platforms.models import Delivery, DeliveryKind, DeliveryStatus


class DeliverySerializer(TenantModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "account",
            "client",
            "connection",
            "kind",
            "subject_type",
            "subject_id",
            "status",
            "attempts",
            "last_attempt_at",
            "next_attempt_at",
            "accepted_at",
            "platform_id",
            "error_code",
            "error",
            "created_at",
        ]
        read_only_fields = fields


class DeliveryFilterSet(TenantFilterSet):
    kind = django_filters.ChoiceFilter(choices=DeliveryKind.choices)
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields = ["account", "client", "connection", "kind", "status"]


class DeliveryViewSet(ReadOnlyViewSet):
    """What was sent to the platforms and what they answered."""

    model = Delivery
    resource = RESOURCE
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    ordering_fields = ["created_at", "accepted_at", "status"]
    ordering = ("-id",)


register("deliveries", DeliveryViewSet, basename="delivery")
