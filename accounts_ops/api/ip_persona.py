"""API of 7.4, the IP persona. Writes go through the services."""

from __future__ import annotations

from rest_framework import serializers

from accounts_ops.api.common import APPEND_ONLY, AccountRowSerializer, OpsViewSet
from accounts_ops.models.ip_persona import IpPersona
from accounts_ops.services.ip_persona import ip_persona_record
from agency.api.filters import TenantFilterSet
from agency.api.routers import register


class IpPersonaSerializer(AccountRowSerializer):
    is_complete = serializers.BooleanField(read_only=True)
    missing = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = IpPersona
        fields = [
            "id",
            "client",
            "account",
            "version",
            "is_current",
            "name",
            "age",
            "gender",
            "personality",
            "cultural_background",
            "specialty",
            "style",
            "effective_from",
            "note",
            "is_complete",
            "missing",
            "created_at",
        ]
        read_only_fields = ["version", "is_current"]


class IpPersonaFilterSet(TenantFilterSet):
    class Meta:
        model = IpPersona
        fields = ["client", "account", "is_current"]


class IpPersonaViewSet(OpsViewSet):
    """7.4: IP personas in versions. POST records a new current version (age, gender,
    personality, cultural background, specialty, and the style it fixes); versions are kept."""

    model = IpPersona
    resource = "ip_persona"
    serializer_class = IpPersonaSerializer
    filterset_class = IpPersonaFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["name", "personality", "specialty", "style"]
    ordering_fields = ["version", "effective_from", "created_at"]
    ordering = ("account_id", "-version")

    create_service = ip_persona_record


register("ip-personas", IpPersonaViewSet)
