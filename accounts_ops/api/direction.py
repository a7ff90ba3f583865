"""API of clause 6.1, the account's content and direction. Writes go through
``accounts_ops.services.direction``."""

from __future__ import annotations

from rest_framework import serializers

from accounts_ops.api.common import APPEND_ONLY, AccountRowSerializer, OpsViewSet
from accounts_ops.models.direction import AccountDirection
from accounts_ops.services.direction import direction_record
from agency.api.filters import TenantFilterSet
from agency.api.routers import register


class AccountDirectionSerializer(AccountRowSerializer):
    content_pillars = serializers.ListField(child=serializers.CharField(max_length=200), allow_empty=False)

    class Meta:
        model = AccountDirection
        fields = [
            "id",
            "client",
            "account",
            "version",
            "effective_from",
            "positioning",
            "target_audience",
            "content_pillars",
            "platform_rules",
            "operating_goals",
            "is_current",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["version", "is_current", "created_by"]


class AccountDirectionFilterSet(TenantFilterSet):
    class Meta:
        model = AccountDirection
        fields = ["client", "account", "is_current"]


class AccountDirectionViewSet(OpsViewSet):
    """6.1: dated versions of an account's direction. POST records a new current version; versions
    are never edited."""

    model = AccountDirection
    resource = "account_direction"
    serializer_class = AccountDirectionSerializer
    filterset_class = AccountDirectionFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["positioning", "target_audience", "operating_goals"]
    ordering_fields = ["version", "effective_from", "created_at"]
    ordering = ("account_id", "-version")

    create_service = direction_record


register("account-directions", AccountDirectionViewSet)
