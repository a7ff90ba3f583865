"""API of clause 6.3, pinned videos and their boosts. Writes go through
``accounts_ops.services.pinned``."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts_ops.api.common import READ_ONLY, AccountRowSerializer, OpsViewSet
from accounts_ops.models.pinned import BoostRecord, BoostTask, PinnedVideo
from accounts_ops.selectors.pinned import flagged_accounts
from accounts_ops.services.pinned import (
    boost_next_due,
    boost_record,
    boost_record_results,
    pinned_video_pin,
    pinned_video_unpin,
    pinned_video_update_plan,
)
from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.roles import CHANGE, VIEW
from clients.models import PlatformAccount


class PinnedVideoSerializer(AccountRowSerializer):
    last_boosted_on = serializers.SerializerMethodField()
    next_boost_due = serializers.SerializerMethodField()

    class Meta:
        model = PinnedVideo
        fields = [
            "id",
            "client",
            "account",
            "video",
            "slot",
            "pinned_on",
            "unpinned_on",
            "boost_interval_days",
            "boost_budget",
            "boost_channel",
            "note",
            "last_boosted_on",
            "next_boost_due",
            "created_at",
        ]
        extra_kwargs = {"slot": {"required": False}}

    fixed_after_create = ("account", "video", "slot", "pinned_on")

    def _last(self, obj) -> dt.date | None:
        if hasattr(obj, "last_boost"):
            return obj.last_boost
        return obj.boosts.aggregate(last=Max("boosted_on"))["last"]

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_last_boosted_on(self, obj):
        return self._last(obj)

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_next_boost_due(self, obj):
        if obj.unpinned_on is not None:
            return None
        return boost_next_due(obj, self._last(obj))


class UnpinSerializer(serializers.Serializer):
    unpinned_on = serializers.DateField(required=False)


class UnpinResultSerializer(serializers.Serializer):
    pinned_video = PinnedVideoSerializer()
    account_flagged = serializers.BooleanField(help_text="True when the account has no pinned video left (6.3).")


class FlaggedAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlatformAccount
        fields = ["id", "client", "platform", "handle", "nickname"]


class PinnedVideoFilterSet(TenantFilterSet):
    pinned = django_filters.BooleanFilter(field_name="unpinned_on", lookup_expr="isnull", label=_("Still pinned"))

    class Meta:
        model = PinnedVideo
        fields = ["client", "account", "video", "boost_channel", "slot"]


class PinnedVideoViewSet(OpsViewSet):
    """6.3: 1-3 pinned videos per account, each with its boost plan. POST pins (a fourth is
    refused); PATCH changes the plan; ``unpin`` closes the pin; ``flagged-accounts`` lists active
    accounts left with none."""

    model = PinnedVideo
    resource = "pinned_video"
    serializer_class = PinnedVideoSerializer
    filterset_class = PinnedVideoFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["note"]
    ordering_fields = ["pinned_on", "slot", "boost_interval_days"]
    ordering = ("account_id", "slot")

    def scope_queryset(self, queryset):
        return queryset.annotate(last_boost=Max("boosts__boosted_on"))

    create_service = pinned_video_pin
    update_service = pinned_video_update_plan
    service_row = "pinned"

    @extend_schema(request=UnpinSerializer, responses=UnpinResultSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def unpin(self, request, pk=None):
        body = UnpinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = pinned_video_unpin(actor=self.actor, pinned=self.get_object(), **body.validated_data)
        return Response(
            {
                "pinned_video": PinnedVideoSerializer(result.pinned, context=self.get_serializer_context()).data,
                "account_flagged": result.account_flagged,
            }
        )

    @extend_schema(responses=FlaggedAccountSerializer(many=True), filters=False)  # the list's filters do not apply
    @action(detail=False, methods=["get"], url_path="flagged-accounts", required_action=VIEW, pagination_class=None)
    def flagged_accounts(self, request):
        """Active accounts without a pinned video: 6.3 wants 1 to 3."""
        return Response(FlaggedAccountSerializer(flagged_accounts(self.actor), many=True).data)


class BoostTaskSerializer(AccountRowSerializer):
    class Meta:
        model = BoostTask
        fields = ["id", "client", "account", "pinned_video", "due_on", "status", "completed_at", "created_at"]
        read_only_fields = ["account", "pinned_video", "due_on"]


class BoostTaskFilterSet(TenantFilterSet):
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = BoostTask
        fields = ["client", "account", "pinned_video", "status", "due_on"]


class BoostTaskViewSet(OpsViewSet):
    """6.3: the boosts due, made each day by the scheduled task; done by recording a boost."""

    model = BoostTask
    resource = "boost"
    serializer_class = BoostTaskSerializer
    filterset_class = BoostTaskFilterSet
    http_method_names = READ_ONLY
    ordering_fields = ["due_on", "status"]
    ordering = ("due_on", "id")


class BoostRecordSerializer(AccountRowSerializer):
    """PATCH adds what the boost brought; the boost itself is fixed once recorded."""

    account = serializers.PrimaryKeyRelatedField(read_only=True)
    fixed_after_create = ("pinned_video", "boosted_on", "channel", "spend", "platform_order_id", "note")
    channel = serializers.CharField(required=False, allow_blank=True, help_text="Defaults to the plan's channel.")

    class Meta:
        model = BoostRecord
        fields = [
            "id",
            "client",
            "account",
            "pinned_video",
            "boost_task",
            "boosted_on",
            "channel",
            "spend",
            "platform_order_id",
            "plays_gained",
            "followers_gained",
            "note",
            "created_at",
        ]

    def validate(self, attrs):
        pinned = attrs.get("pinned_video")
        if pinned is not None:
            attrs["account"] = pinned.account
        if not attrs.get("channel"):
            attrs.pop("channel", None)
        channel = attrs.get("channel")
        if channel and channel not in dict(PinnedVideo._meta.get_field("boost_channel").choices):
            raise serializers.ValidationError({"channel": [f"{channel!r} is not a boost channel."]})
        return super().validate(attrs)


class BoostRecordFilterSet(TenantFilterSet):
    boosted_after = django_filters.DateFilter(field_name="boosted_on", lookup_expr="gte")
    boosted_before = django_filters.DateFilter(field_name="boosted_on", lookup_expr="lte")

    class Meta:
        model = BoostRecord
        fields = ["client", "account", "pinned_video", "boost_task", "channel"]


class BoostRecordViewSet(OpsViewSet):
    """6.3: re-boosts of pinned videos. POST records one (closing the tasks due by then); PATCH adds
    the plays and followers it brought."""

    model = BoostRecord
    resource = "boost"
    serializer_class = BoostRecordSerializer
    filterset_class = BoostRecordFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["platform_order_id", "note"]
    ordering_fields = ["boosted_on", "spend", "plays_gained"]
    ordering = ("-boosted_on", "-id")

    create_service = boost_record
    derived_fields = ("client", "account")  # both the pinned video's

    def update_row(self, row, values):
        return boost_record_results(
            actor=self.actor,
            record=row,
            plays_gained=values.get("plays_gained", row.plays_gained),
            followers_gained=values.get("followers_gained", row.followers_gained),
        )


register("pinned-videos", PinnedVideoViewSet)


register("boost-tasks", BoostTaskViewSet)


register("boost-records", BoostRecordViewSet)
