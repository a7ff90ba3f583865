"""API of clause 6.2, profile changes (avatar, banner, bio, nickname). Writes go through
``accounts_ops.services.profile``."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts_ops.api.common import APPEND_ONLY, AccountRowSerializer, OpsViewSet
from accounts_ops.models.profile import ProfileChange, ProfileField
from accounts_ops.selectors.profile import current_profile
from accounts_ops.services.profile import (
    profile_change_apply,
    profile_change_decide,
    profile_change_request,
    profile_record_baseline,
)
from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import ScopedSerializer
from agency.api.viewsets import service_action
from agency.http import file_response
from agency.roles import ADD, CHANGE, DECIDE, VIEW
from clients.models import PlatformAccount


class ProfileChangeSerializer(AccountRowSerializer):
    # Checked and re-encoded by the service (agency.uploads); read back through ``image``.
    after_image = serializers.FileField(required=False, write_only=True)
    before_image_url = serializers.SerializerMethodField()
    after_image_url = serializers.SerializerMethodField()

    class Meta:
        model = ProfileChange
        fields = [
            "id",
            "client",
            "account",
            "field",
            "before_text",
            "after_text",
            "before_image_url",
            "after_image_url",
            "after_image",
            "reason",
            "is_baseline",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "applied_on",
            "applied_by",
            "created_at",
        ]
        read_only_fields = ["requested_by", "decided_by", "applied_by"]

    def _image_url(self, obj, side: str) -> str | None:
        if not getattr(obj, f"{side}_image"):
            return None
        return f"{reverse('profilechange-image', args=[obj.pk])}?side={side}"

    @extend_schema_field({"type": "string", "nullable": True})  # a path on this server, or null
    def get_before_image_url(self, obj) -> str | None:
        return self._image_url(obj, "before")

    @extend_schema_field({"type": "string", "nullable": True})
    def get_after_image_url(self, obj) -> str | None:
        return self._image_url(obj, "after")

    def validate(self, attrs):
        # The image is checked (and re-encoded) by the service; the row's rules run there too.
        image = attrs.pop("after_image", None)
        attrs = super().validate(attrs)
        if image is not None:
            attrs["after_image"] = image
        return attrs


class DecideSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ApplySerializer(serializers.Serializer):
    applied_on = serializers.DateField()


class BaselineSerializer(ScopedSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.objects.none())
    field = serializers.ChoiceField(choices=ProfileField.choices)
    applied_on = serializers.DateField()
    after_text = serializers.CharField(required=False, allow_blank=True, default="")
    after_image = serializers.FileField(required=False)


class CurrentProfileQuery(ScopedSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.objects.none())


class ProfileChangeFilterSet(TenantFilterSet):
    class Meta:
        model = ProfileChange
        fields = ["client", "account", "field", "status", "is_baseline"]


class ProfileChangeViewSet(OpsViewSet):
    """6.2: profile changes. POST asks for one (multipart for avatar and banner images); ``approve``
    or ``reject`` decides it; ``apply`` records the date it was made on the platform.
    ``baseline`` records a part as found; ``current`` shows an account's current profile."""

    model = ProfileChange
    resource = "profile_change"
    serializer_class = ProfileChangeSerializer
    service_row = "change"
    filterset_class = ProfileChangeFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["after_text", "reason", "requested_by_name"]
    ordering_fields = ["requested_at", "applied_on", "status"]
    ordering = ("-requested_at",)

    create_service = profile_change_request

    @extend_schema(request=DecideSerializer, responses=ProfileChangeSerializer)
    @service_action(profile_change_decide, body=DecideSerializer, required_action=DECIDE)
    def approve(self, request, pk=None):
        return {"approve": True}

    @extend_schema(request=DecideSerializer, responses=ProfileChangeSerializer)
    @service_action(profile_change_decide, body=DecideSerializer, required_action=DECIDE)
    def reject(self, request, pk=None):
        return {"approve": False}

    @extend_schema(request=ApplySerializer, responses=ProfileChangeSerializer)
    @service_action(profile_change_apply, body=ApplySerializer, required_action=CHANGE)
    def apply(self, request, pk=None):
        pass

    @extend_schema(
        parameters=[OpenApiParameter("side", str, enum=["before", "after"], description="Default: after.")],
        responses={(200, "image/*"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], required_action=VIEW)
    def image(self, request, pk=None):
        """The avatar or banner image before or after the change."""
        side = request.query_params.get("side", "after")
        if side not in ("before", "after"):
            raise serializers.ValidationError({"side": ["Choose before or after."]})
        change = self.get_object()
        stored = getattr(change, f"{side}_image")
        if not stored:
            raise Http404
        return file_response(request, stored)

    @extend_schema(request=BaselineSerializer, responses={201: ProfileChangeSerializer})
    @service_action(
        profile_record_baseline, body=BaselineSerializer, detail=False, status_code=201, required_action=ADD
    )
    def baseline(self, request):
        pass

    @extend_schema(
        parameters=[OpenApiParameter("account", int, required=True)],
        responses=inline_serializer(
            "CurrentProfile", {part: ProfileChangeSerializer(allow_null=True) for part in ProfileField.values}
        ),
    )
    @action(detail=False, methods=["get"], required_action=VIEW)
    def current(self, request):
        """The account's current profile: the latest applied change of each part."""
        query = CurrentProfileQuery(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        profile = current_profile(query.validated_data["account"])
        context = self.get_serializer_context()
        return Response(
            {part: (ProfileChangeSerializer(c, context=context).data if c else None) for part, c in profile.items()}
        )


register("profile-changes", ProfileChangeViewSet)
