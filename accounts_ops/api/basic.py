"""API of chapter 6, basic account operations (6.1-6.7). Writes go through ``accounts_ops.services``."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts_ops import autoreply, services, webhooks
from accounts_ops.api.base import AccountRowSerializer, OpsViewSet, ScopedSerializer
from accounts_ops.models import (
    AccountDirection,
    AdBudgetApproval,
    AdCampaign,
    AdSpend,
    AutoReplySettings,
    BoostRecord,
    BoostTask,
    GroupBuyDeal,
    InboxMessage,
    LocalLifeEnablement,
    OutboxReply,
    PinnedVideo,
    PoiLink,
    ProfileChange,
    ProfileField,
    PromotionTask,
    ReplyRule,
    campaign_roi,
)
from accounts_ops.selectors import current_profile, flagged_accounts, with_money
from agency.api.filters import TenantFilterSet, deferred
from agency.api.openapi import error_response
from agency.api.pagination import CursorPagination
from agency.api.routers import register
from agency.api.serializers import FixedAfterCreate, TenantModelSerializer
from agency.http import file_response
from agency.roles import ADD, CHANGE, DECIDE, VIEW
from clients.models import PlatformAccount

NO_PUT = ["get", "post", "patch", "delete", "head", "options"]
APPEND_ONLY = ["get", "post", "head", "options"]
READ_ONLY = ["get", "head", "options"]


# --- 6.1 direction -----------------------------------------------------------------------------


def douyin_webhook_route(result_serializer):
    """The route of a Douyin-shaped webhook for one account: no session or token, authenticated
    by the ``X-Douyin-Signature`` of its raw body (checked by the handler), documented once."""

    def decorate(func):
        func = action(
            detail=False,
            methods=["post"],
            url_path=r"webhooks/douyin/(?P<account_id>[0-9]+)",
            authentication_classes=[],
            permission_classes=[AllowAny],
        )(func)
        return extend_schema(
            request=OpenApiTypes.OBJECT,
            responses={
                200: result_serializer,
                400: error_response(400, "The event could not be read; `fields` names what."),
                401: error_response(401, "The signature does not match."),
                413: error_response(413),
            },
            parameters=[
                OpenApiParameter("account_id", int, OpenApiParameter.PATH),
                OpenApiParameter(
                    "X-Douyin-Signature",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="HMAC-SHA256 of the raw body with the account's webhook secret, hex.",
                ),
            ],
            auth=[],
        )(func)

    return decorate


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

    def perform_create(self, serializer):
        self.serve(serializer, services.direction_record(actor=self.actor, **self.service_kwargs(serializer)))


# --- 6.2 profile -------------------------------------------------------------------------------


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
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.dangerously_all_agencies.none())
    field = serializers.ChoiceField(choices=ProfileField.choices)
    applied_on = serializers.DateField()
    after_text = serializers.CharField(required=False, allow_blank=True, default="")
    after_image = serializers.FileField(required=False)


class CurrentProfileQuery(ScopedSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.dangerously_all_agencies.none())


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
    filterset_class = ProfileChangeFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["after_text", "reason", "requested_by_name"]
    ordering_fields = ["requested_at", "applied_on", "status"]
    ordering = ("-requested_at",)

    def perform_create(self, serializer):
        data = self.service_kwargs(serializer)
        self.serve(serializer, services.profile_change_request(actor=self.actor, **data))

    def _reply(self, change, code=status.HTTP_200_OK):
        return Response(ProfileChangeSerializer(change, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=DecideSerializer, responses=ProfileChangeSerializer)
    @action(detail=True, methods=["post"], required_action=DECIDE)
    def approve(self, request, pk=None):
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change = services.profile_change_decide(
            actor=self.actor, change=self.get_object(), approve=True, note=body.validated_data["note"]
        )
        return self._reply(change)

    @extend_schema(request=DecideSerializer, responses=ProfileChangeSerializer)
    @action(detail=True, methods=["post"], required_action=DECIDE)
    def reject(self, request, pk=None):
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change = services.profile_change_decide(
            actor=self.actor, change=self.get_object(), approve=False, note=body.validated_data["note"]
        )
        return self._reply(change)

    @extend_schema(request=ApplySerializer, responses=ProfileChangeSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def apply(self, request, pk=None):
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change = services.profile_change_apply(actor=self.actor, change=self.get_object(), **body.validated_data)
        return self._reply(change)

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
    @action(detail=False, methods=["post"], required_action=ADD)
    def baseline(self, request):
        body = BaselineSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        change = services.profile_record_baseline(actor=self.actor, **body.validated_data)
        return self._reply(change, status.HTTP_201_CREATED)

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


# --- 6.3 pinned videos and boosts --------------------------------------------------------------


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
        return services.boost_next_due(obj, self._last(obj))


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

    def perform_create(self, serializer):
        data = self.service_kwargs(serializer)
        self.serve(serializer, services.pinned_video_pin(actor=self.actor, **data))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        self.serve(serializer, services.pinned_video_update_plan(actor=self.actor, pinned=serializer.instance, **data))

    @extend_schema(request=UnpinSerializer, responses=UnpinResultSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def unpin(self, request, pk=None):
        body = UnpinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.pinned_video_unpin(actor=self.actor, pinned=self.get_object(), **body.validated_data)
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

    def perform_create(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        self.serve(serializer, services.boost_record(actor=self.actor, **data))

    def perform_update(self, serializer):
        record = serializer.instance
        data = serializer.validated_data
        self.serve(
            serializer,
            services.boost_record_results(
                actor=self.actor,
                record=record,
                plays_gained=data.get("plays_gained", record.plays_gained),
                followers_gained=data.get("followers_gained", record.followers_gained),
            ),
        )


# --- 6.4 private-message auto-replies ----------------------------------------------------------


class AutoReplySettingsSerializer(AccountRowSerializer):
    business_days = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), required=False)
    webhook_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=128, help_text="Never shown again."
    )
    has_webhook_secret = serializers.SerializerMethodField()

    class Meta:
        model = AutoReplySettings
        fields = [
            "id",
            "client",
            "account",
            "opens_at",
            "closes_at",
            "business_days",
            "store_address",
            "coupon_link",
            "webhook_secret",
            "has_webhook_secret",
            "updated_at",
        ]

    def get_has_webhook_secret(self, obj) -> bool:
        return bool(obj.webhook_secret)


class SecretSerializer(serializers.Serializer):
    webhook_secret = serializers.CharField(help_text="Shown once: paste it into the platform's webhook settings.")
    webhook_url = serializers.CharField()


class AutoReplySettingsFilterSet(TenantFilterSet):
    class Meta:
        model = AutoReplySettings
        fields = ["client", "account"]


class AutoReplySettingsViewSet(OpsViewSet):
    """6.4: an account's business hours (agency time zone; may run past midnight), placeholder
    values and webhook secret (write-only; ``rotate-secret`` makes a new one and shows it once)."""

    model = AutoReplySettings
    resource = "auto_reply"
    serializer_class = AutoReplySettingsSerializer
    filterset_class = AutoReplySettingsFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["account", "updated_at"]
    ordering = ("account_id",)

    def perform_create(self, serializer):
        data = self.service_kwargs(serializer)
        account = data.pop("account")
        self.serve(serializer, services.autoreply_settings_save(actor=self.actor, account=account, **data))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        account = serializer.instance.account
        self.serve(serializer, services.autoreply_settings_save(actor=self.actor, account=account, **data))

    @extend_schema(request=None, responses=SecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret", required_action=CHANGE)
    def rotate_secret(self, request, pk=None):
        settings = self.get_object()
        secret = services.autoreply_secret_rotate(actor=self.actor, account=settings.account)
        url = request.build_absolute_uri(f"/api/v1/inbox-messages/webhooks/douyin/{settings.account_id}/")
        return Response({"webhook_secret": secret, "webhook_url": url})


class ReplyRuleSerializer(AccountRowSerializer):
    keywords = serializers.ListField(child=serializers.CharField(max_length=100), required=False)

    class Meta:
        model = ReplyRule
        fields = [
            "id",
            "client",
            "account",
            "name",
            "trigger",
            "keywords",
            "keyword_mode",
            "pattern",
            "priority",
            "reply_text",
            "is_active",
            "created_at",
            "updated_at",
        ]


class TrySerializer(ScopedSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.dangerously_all_agencies.none())
    text = serializers.CharField(allow_blank=True, max_length=5000)
    sender_nickname = serializers.CharField(required=False, allow_blank=True, default="")
    first_contact = serializers.BooleanField(required=False, default=False)
    at = serializers.DateTimeField(required=False, help_text="When the message arrives; default now.")


class TryResultSerializer(serializers.Serializer):
    rule = serializers.IntegerField(allow_null=True)
    rule_name = serializers.CharField()
    reason = serializers.CharField()
    reply = serializers.CharField()
    outside_business_hours = serializers.BooleanField()
    rules_considered = serializers.IntegerField()


class ReplyRuleFilterSet(TenantFilterSet):
    class Meta:
        model = ReplyRule
        fields = ["client", "account", "trigger", "is_active"]


class ReplyRuleViewSet(OpsViewSet):
    """6.4: reply rules. The active rule with the lowest priority number that matches decides the
    reply. Patterns that do not compile or could run long are refused with the reason. ``try``
    shows which rule would fire for a message, storing nothing."""

    model = ReplyRule
    resource = "auto_reply"
    serializer_class = ReplyRuleSerializer
    filterset_class = ReplyRuleFilterSet
    http_method_names = NO_PUT
    search_fields = ["name", "reply_text", "pattern"]
    ordering_fields = ["priority", "name", "updated_at"]
    ordering = ("account_id", "priority", "id")

    def perform_create(self, serializer):
        data = self.service_kwargs(serializer)
        self.serve(serializer, services.reply_rule_create(actor=self.actor, **data))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        self.serve(serializer, services.reply_rule_update(actor=self.actor, rule=serializer.instance, **data))

    @extend_schema(request=TrySerializer, responses=TryResultSerializer)
    @action(detail=False, methods=["post"], url_path="try", required_action=VIEW)
    def try_message(self, request):
        body = TrySerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        account = data["account"]
        settings = AutoReplySettings.objects.filter(account=account).first()
        at = data.get("at") or timezone.now()
        tz = self.actor.agency.tz
        outside = settings is not None and not autoreply.within_business_hours(
            at, tz=tz, opens_at=settings.opens_at, closes_at=settings.closes_at, days=settings.business_days
        )
        decision = autoreply.decide(
            account_id=account.pk,
            text=data["text"],
            first_contact=data["first_contact"],
            at=at,
            tz=tz,
            settings=settings,
            nickname=data["sender_nickname"],
        )
        return Response(
            {
                "rule": decision.rule_id,
                "rule_name": decision.rule_name,
                "reason": decision.reason,
                "reply": decision.reply,
                "outside_business_hours": outside,
                "rules_considered": len(autoreply.compiled_rules_for(account.pk)),
            }
        )


class InboxMessageSerializer(AccountRowSerializer):
    class Meta:
        model = InboxMessage
        fields = [
            "id",
            "client",
            "account",
            "platform_message_id",
            "conversation_id",
            "sender_uid",
            "sender_nickname",
            "message_type",
            "text",
            "received_at",
            "source",
            "is_first_contact",
            "status",
            "matched_rule",
            "decision",
            "first_response_at",
            "first_response_seconds",
            "first_response_confirmation",
            "created_at",
        ]
        read_only_fields = ["source", "matched_rule"]
        # A replayed message id is not an error: the service answers it with the stored message.
        validators = []

    def validate(self, attrs):
        # The service checks an incoming message; a replay must not fail the row's uniqueness here.
        return serializers.ModelSerializer.validate(self, attrs)


class BulkMessageSerializer(serializers.Serializer):
    platform_message_id = serializers.CharField(max_length=128)
    conversation_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    sender_uid = serializers.CharField(max_length=128)
    sender_nickname = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    message_type = serializers.CharField(max_length=20, required=False, default="text")
    text = serializers.CharField(required=False, allow_blank=True, default="")
    received_at = serializers.DateTimeField()


class BulkSerializer(ScopedSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.dangerously_all_agencies.none())
    messages = BulkMessageSerializer(many=True, allow_empty=False, max_length=services.INBOX_BULK_MAX)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=autoreply.REPLY_MAX_CHARS)


class WebhookResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    duplicate = serializers.BooleanField()


class OutboxReplySerializer(AccountRowSerializer):
    account = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = OutboxReply
        fields = [
            "id",
            "client",
            "account",
            "message",
            "text",
            "source",
            "rule",
            "author",
            "status",
            "sent_at",
            "sent_confirmation",
            "reported_sent_at",
            "platform_message_id",
            "error",
            "created_at",
        ]

    def validate(self, attrs):
        message = attrs.get("message")
        if message is not None:
            attrs["account"] = message.account
        return super().validate(attrs)


class InboxMessageFilterSet(TenantFilterSet):
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = InboxMessage
        fields = ["client", "account", "status", "source", "sender_uid", "matched_rule", "is_first_contact"]


class MessageCursorPagination(CursorPagination):
    ordering = ("-id",)


class InboxMessageViewSet(OpsViewSet):
    """6.4: the inbox of private messages. POST one message, or ``bulk`` up to 500 of one account;
    a message id already stored is answered 200 and stored once. The engine decides each reply
    and records the rule that fired. ``reply`` answers by hand; ``close`` needs no reply.
    Douyin pushes ``im_receive_msg`` events to ``webhooks/douyin/{account_id}/``, signed."""

    model = InboxMessage
    resource = "inbox"
    serializer_class = InboxMessageSerializer
    filterset_class = InboxMessageFilterSet
    pagination_class = MessageCursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["text", "sender_nickname", "sender_uid"]
    ordering_fields = ["id", "received_at"]
    ordering = ("-id",)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = self.service_kwargs(serializer)
        account = data.pop("account")
        result = services.inbox_receive(account=account, items=[services.IncomingMessage(**data)])
        message = result.messages[0]
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(message).data, status=code)

    @extend_schema(request=BulkSerializer, responses=BulkResultSerializer)
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        body = BulkSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        items = [services.IncomingMessage(**item) for item in body.validated_data["messages"]]
        result = services.inbox_receive(account=body.validated_data["account"], items=items, bulk=True)
        return Response(
            {"created": result.created, "duplicates": result.duplicates, "ids": [m.pk for m in result.messages]},
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(request=ReplySerializer, responses={201: OutboxReplySerializer})
    @action(detail=True, methods=["post"], required_action=ADD)
    def reply(self, request, pk=None):
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reply = services.inbox_reply(actor=self.actor, message=self.get_object(), text=body.validated_data["text"])
        return Response(OutboxReplySerializer(reply, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses=InboxMessageSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def close(self, request, pk=None):
        return Response(self.get_serializer(services.inbox_close(actor=self.actor, message=self.get_object())).data)

    @douyin_webhook_route(WebhookResultSerializer)
    def douyin_webhook(self, request, account_id=None):
        """Douyin ``im_receive_msg`` events for one account, authenticated by their signature."""
        return webhooks.handle_douyin_event(request, int(account_id))


class SentSerializer(serializers.Serializer):
    sent_at = serializers.DateTimeField(
        required=False,
        help_text="When the reply was sent, as the caller reports it. It is kept as reported; the first "
        "response is measured to when this report arrives (only the platform connector confirms a time).",
    )
    platform_message_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)


class FailedSerializer(serializers.Serializer):
    error = serializers.CharField()


class OutboxReplyFilterSet(TenantFilterSet):
    # The model's field has no name of its own (a label would be "Rule" in every language).
    rule = django_filters.ModelChoiceFilter(queryset=deferred(ReplyRule), label=_("Reply rule"))

    class Meta:
        model = OutboxReply
        fields = ["client", "account", "message", "status", "source", "rule"]


class OutboxReplyViewSet(OpsViewSet):
    """6.4: replies waiting for the platform connector. POST writes a reply by hand; the connector
    lists ``status=queued`` and reports ``mark-sent`` (which measures the first response) or
    ``mark-failed``."""

    model = OutboxReply
    resource = "inbox"
    serializer_class = OutboxReplySerializer
    filterset_class = OutboxReplyFilterSet
    pagination_class = MessageCursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["text"]
    ordering_fields = ["id", "sent_at"]
    ordering = ("-id",)

    def perform_create(self, serializer):
        data = serializer.validated_data
        self.serve(serializer, services.inbox_reply(actor=self.actor, message=data["message"], text=data["text"]))

    @extend_schema(request=SentSerializer, responses=OutboxReplySerializer)
    @action(detail=True, methods=["post"], url_path="mark-sent", required_action=CHANGE)
    def mark_sent(self, request, pk=None):
        body = SentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reply = services.outbox_mark_sent(actor=self.actor, reply=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(reply).data)

    @extend_schema(request=FailedSerializer, responses=OutboxReplySerializer)
    @action(detail=True, methods=["post"], url_path="mark-failed", required_action=CHANGE)
    def mark_failed(self, request, pk=None):
        body = FailedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reply = services.outbox_mark_failed(actor=self.actor, reply=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(reply).data)


# --- 6.5 group-buy and POI ---------------------------------------------------------------------


class PoiLinkSerializer(AccountRowSerializer):
    class Meta:
        model = PoiLink
        fields = ["id", "client", "account", "store_name", "address", "platform_poi_id", "status", "created_at"]


class PoiLinkFilterSet(TenantFilterSet):
    class Meta:
        model = PoiLink
        fields = ["client", "account", "status", "platform_poi_id"]


class PoiLinkViewSet(OpsViewSet):
    """6.5: the client's stores as local-life POIs, linked to an account."""

    model = PoiLink
    resource = "local_life"
    serializer_class = PoiLinkSerializer
    filterset_class = PoiLinkFilterSet
    http_method_names = NO_PUT
    search_fields = ["store_name", "address", "platform_poi_id"]
    ordering_fields = ["store_name", "status", "created_at"]
    ordering = ("store_name", "id")

    def perform_create(self, serializer):
        self.serve(serializer, services.poi_save(actor=self.actor, **self.service_kwargs(serializer)))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        self.serve(serializer, services.poi_save(actor=self.actor, poi=serializer.instance, **data))


class GroupBuyDealSerializer(AccountRowSerializer):
    class Meta:
        model = GroupBuyDeal
        fields = [
            "id",
            "client",
            "account",
            "poi",
            "title",
            "price",
            "list_price",
            "valid_from",
            "valid_until",
            "stock",
            "platform_status",
            "platform_deal_id",
            "first_live_on",
            "created_at",
        ]


class GroupBuyDealFilterSet(TenantFilterSet):
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("Valid on"))

    class Meta:
        model = GroupBuyDeal
        fields = ["client", "account", "poi", "platform_status"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value, valid_until__gte=value)


class GroupBuyDealViewSet(OpsViewSet):
    """6.5: group-buy deals: prices in yuan (never negative; price not above list price), validity,
    stock and platform status. Going live ticks the client's enablement checklist."""

    model = GroupBuyDeal
    resource = "local_life"
    serializer_class = GroupBuyDealSerializer
    filterset_class = GroupBuyDealFilterSet
    http_method_names = NO_PUT
    search_fields = ["title", "platform_deal_id"]
    ordering_fields = ["valid_from", "valid_until", "price", "stock"]
    ordering = ("-valid_from", "-id")

    def perform_create(self, serializer):
        self.serve(serializer, services.deal_save(actor=self.actor, **self.service_kwargs(serializer)))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        self.serve(serializer, services.deal_save(actor=self.actor, deal=serializer.instance, **data))


class LocalLifeEnablementSerializer(FixedAfterCreate, TenantModelSerializer):
    fixed_after_create = ("client",)

    steps_done = serializers.SerializerMethodField()

    class Meta:
        model = LocalLifeEnablement
        fields = [
            "id",
            "client",
            "qualification_submitted_on",
            "qualification_note",
            "poi_claimed_on",
            "first_deal_live_on",
            "steps_done",
            "updated_at",
        ]

    def get_steps_done(self, obj) -> int:
        return sum(1 for _label, done in obj.steps if done)


class LocalLifeEnablementFilterSet(TenantFilterSet):
    class Meta:
        model = LocalLifeEnablement
        fields = ["client"]


class LocalLifeEnablementViewSet(OpsViewSet):
    """6.5: each client's enablement checklist: qualification submitted (recorded here), POI
    claimed and first deal live (ticked when they happen)."""

    model = LocalLifeEnablement
    resource = "local_life"
    serializer_class = LocalLifeEnablementSerializer
    filterset_class = LocalLifeEnablementFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["client", "updated_at"]
    ordering = ("client_id",)

    def _save(self, serializer, client):
        data = serializer.validated_data
        current = serializer.instance
        self.serve(
            serializer,
            services.enablement_record_qualification(
                actor=self.actor,
                client=client,
                submitted_on=data.get(
                    "qualification_submitted_on", current.qualification_submitted_on if current else None
                ),
                note=data.get("qualification_note", current.qualification_note if current else ""),
            ),
        )

    def perform_create(self, serializer):
        self._save(serializer, serializer.validated_data["client"])

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance.client)


# --- 6.6 promotion -----------------------------------------------------------------------------


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
        self.serve(serializer, services.promotion_plan(actor=self.actor, **self.service_kwargs(serializer)))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        self.serve(serializer, services.promotion_update(actor=self.actor, task=serializer.instance, **data))

    @extend_schema(request=CompleteSerializer, responses=PromotionTaskSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def complete(self, request, pk=None):
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = services.promotion_complete(actor=self.actor, task=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(task).data)

    @extend_schema(request=None, responses=PromotionTaskSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def cancel(self, request, pk=None):
        return Response(self.get_serializer(services.promotion_cancel(actor=self.actor, task=self.get_object())).data)


# --- 6.7 advertising ---------------------------------------------------------------------------


class AdCampaignSerializer(AccountRowSerializer):
    spent = serializers.SerializerMethodField()
    approved_extra = serializers.SerializerMethodField()
    roi = serializers.SerializerMethodField()

    class Meta:
        model = AdCampaign
        fields = [
            "id",
            "client",
            "account",
            "name",
            "kind",
            "ad_product",
            "partner_platform",
            "partner_handle",
            "partner_followers",
            "budget",
            "starts_on",
            "ends_on",
            "status",
            "impressions",
            "clicks",
            "conversions",
            "orders",
            "sales",
            "results_recorded_on",
            "spent",
            "approved_extra",
            "roi",
            "created_at",
        ]
        read_only_fields = ["impressions", "clicks", "conversions", "orders", "sales"]

    def _money(self, obj):
        if not hasattr(obj, "spent"):
            money = services.campaign_money(obj)
            obj.spent, obj.approved_extra = money.spent, money.approved_extra
        return obj

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_spent(self, obj) -> str:
        return f"{self._money(obj).spent:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_approved_extra(self, obj) -> str:
        return f"{self._money(obj).approved_extra:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_roi(self, obj) -> str | None:
        roi = campaign_roi(sales=obj.sales, spend=self._money(obj).spent)
        return None if roi is None else str(roi)


class ResultsSerializer(serializers.Serializer):
    impressions = serializers.IntegerField(min_value=0)
    clicks = serializers.IntegerField(min_value=0)
    conversions = serializers.IntegerField(min_value=0)
    orders = serializers.IntegerField(min_value=0)
    sales = serializers.DecimalField(max_digits=12, decimal_places=2)
    recorded_on = serializers.DateField(required=False)


class AdCampaignFilterSet(TenantFilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Running on"))

    class Meta:
        model = AdCampaign
        fields = ["client", "account", "kind", "ad_product", "status"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class AdCampaignViewSet(OpsViewSet):
    """6.7: ad campaigns (platform ads such as DOU+ or Qianchuan, or a collaboration with a
    high-follower account): budget, period, KPIs and ROI (sales per yuan spent). ``results``
    records the KPIs; spend is posted to ``ad-spend``."""

    model = AdCampaign
    resource = "ad_campaign"
    serializer_class = AdCampaignSerializer
    filterset_class = AdCampaignFilterSet
    http_method_names = NO_PUT
    search_fields = ["name", "partner_handle"]
    ordering_fields = ["starts_on", "ends_on", "budget"]
    ordering = ("-starts_on", "-id")

    def scope_queryset(self, queryset):
        return with_money(queryset)

    def perform_create(self, serializer):
        self.serve(serializer, services.campaign_create(actor=self.actor, **self.service_kwargs(serializer)))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        self.serve(serializer, services.campaign_update(actor=self.actor, campaign=serializer.instance, **data))

    @extend_schema(request=ResultsSerializer, responses=AdCampaignSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def results(self, request, pk=None):
        body = ResultsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = services.campaign_record_results(actor=self.actor, campaign=self.get_object(), **body.validated_data)
        return Response(AdCampaignSerializer(campaign, context=self.get_serializer_context()).data)


class CampaignChildSerializer(AccountRowSerializer):
    account = serializers.PrimaryKeyRelatedField(read_only=True)

    def validate(self, attrs):
        campaign = attrs.get("campaign")
        if campaign is not None:
            attrs["account"] = campaign.account
        return super().validate(attrs)


class AdSpendSerializer(CampaignChildSerializer):
    class Meta:
        model = AdSpend
        fields = [
            "id",
            "client",
            "account",
            "campaign",
            "spent_on",
            "amount",
            "platform_order_id",
            "note",
            "created_at",
        ]


class AdSpendFilterSet(TenantFilterSet):
    spent_after = django_filters.DateFilter(field_name="spent_on", lookup_expr="gte")
    spent_before = django_filters.DateFilter(field_name="spent_on", lookup_expr="lte")

    class Meta:
        model = AdSpend
        fields = ["client", "account", "campaign"]


class AdSpendViewSet(OpsViewSet):
    """6.7: money spent on a campaign. Spend beyond the budget (plus approved extras) is refused
    with a message naming the budget and the spend."""

    model = AdSpend
    resource = "ad_campaign"
    serializer_class = AdSpendSerializer
    filterset_class = AdSpendFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["platform_order_id", "note"]
    ordering_fields = ["spent_on", "amount"]
    ordering = ("-spent_on", "-id")

    def perform_create(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        self.serve(serializer, services.ad_spend_record(actor=self.actor, **data))


class AdBudgetApprovalSerializer(CampaignChildSerializer):
    class Meta:
        model = AdBudgetApproval
        fields = ["id", "client", "account", "campaign", "extra_amount", "reason", "approved_by", "approved_at"]


class AdBudgetApprovalFilterSet(TenantFilterSet):
    class Meta:
        model = AdBudgetApproval
        fields = ["client", "account", "campaign"]


class AdBudgetApprovalViewSet(OpsViewSet):
    """6.7: an agency admin's recorded approval to spend beyond a campaign's budget."""

    model = AdBudgetApproval
    resource = "ad_budget_approval"
    serializer_class = AdBudgetApprovalSerializer
    filterset_class = AdBudgetApprovalFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["reason"]
    ordering_fields = ["approved_at", "extra_amount"]
    ordering = ("-approved_at", "-id")

    def perform_create(self, serializer):
        data = self.service_kwargs(serializer)
        data.pop("account", None)
        self.serve(serializer, services.ad_budget_approve(actor=self.actor, **data))


register("account-directions", AccountDirectionViewSet)
register("profile-changes", ProfileChangeViewSet)
register("pinned-videos", PinnedVideoViewSet)
register("boost-tasks", BoostTaskViewSet)
register("boost-records", BoostRecordViewSet)
register("auto-reply-settings", AutoReplySettingsViewSet)
register("reply-rules", ReplyRuleViewSet)
register("inbox-messages", InboxMessageViewSet)
register("outbox-replies", OutboxReplyViewSet)
register("poi-links", PoiLinkViewSet)
register("group-buy-deals", GroupBuyDealViewSet)
register("local-life-enablements", LocalLifeEnablementViewSet)
register("promotion-tasks", PromotionTaskViewSet)
register("ad-campaigns", AdCampaignViewSet)
register("ad-spend", AdSpendViewSet)
register("ad-budget-approvals", AdBudgetApprovalViewSet)
