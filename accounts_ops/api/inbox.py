"""API of clause 6.4, private-message auto-replies: settings, rules, the inbox and the outbox.
Writes go through ``accounts_ops.services.inbox``."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts_ops import autoreply, rows, webhooks
from accounts_ops.api.common import (
    APPEND_ONLY,
    NO_PUT,
    AccountRowSerializer,
    FailedSerializer,
    OpsViewSet,
    douyin_webhook_route,
)
from accounts_ops.api.imports_fields import NO_CONTROL, NOT_BLANK_NO_CONTROL
from accounts_ops.models.inbox import AutoReplySettings, InboxMessage, OutboxReply, ReplyRule
from accounts_ops.rules import INBOX_BULK_MAX
from accounts_ops.services.inbox import (
    IncomingMessage,
    autoreply_secret_rotate,
    autoreply_settings_save,
    inbox_close,
    inbox_receive,
    inbox_reply,
    outbox_mark_failed,
    outbox_mark_sent,
    reply_rule_create,
    reply_rule_update,
)
from agency.api.filters import TenantFilterSet, deferred
from agency.api.pagination import CursorPagination
from agency.api.routers import register
from agency.api.serializers import ScopedSerializer
from agency.api.viewsets import service_action
from agency.roles import ADD, CHANGE, VIEW
from clients.models import PlatformAccount


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

    create_service = autoreply_settings_save

    def update_row(self, row, values):
        return autoreply_settings_save(actor=self.actor, account=row.account, **values)  # (the account is fixed)

    @extend_schema(request=None, responses=SecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret", required_action=CHANGE)
    def rotate_secret(self, request, pk=None):
        settings = self.get_object()
        secret = autoreply_secret_rotate(actor=self.actor, account=settings.account)
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
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.objects.none())
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

    create_service = reply_rule_create
    update_service = reply_rule_update  # (the account is fixed once the rule exists)
    service_row = "rule"

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


class PlatformIdField(serializers.CharField):
    """A platform's id, read as every row of platform data reads one (``accounts_ops.rows.ident``):
    refused when it holds a control character (NUL included) or a lone surrogate. The schema
    states it by the pattern of a bulk row's id (``accounts_ops.api.imports_fields``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        pattern = NO_CONTROL if self.allow_blank else NOT_BLANK_NO_CONTROL
        self.validators.append(RegexValidator(pattern, message=_("holds a control character; an id holds none")))

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return rows.ident(text, max_chars=self.max_length or len(text))
        except rows.BadValue as exc:
            raise serializers.ValidationError(str(exc)) from None


class FanTextField(serializers.CharField):
    """A fan's words, kept as the webhook keeps them (``accounts_ops.rows.clean``): NUL removed, a
    lone surrogate replaced by U+FFFD, before the field's checks."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = rows.clean(data)
        return super().to_internal_value(data)


class BulkMessageSerializer(serializers.Serializer):
    platform_message_id = PlatformIdField(max_length=128)
    conversation_id = PlatformIdField(max_length=200, required=False, allow_blank=True, default="")
    sender_uid = PlatformIdField(max_length=128)
    sender_nickname = FanTextField(max_length=100, required=False, allow_blank=True, default="")
    message_type = serializers.CharField(max_length=20, required=False, default="text")
    text = FanTextField(required=False, allow_blank=True, default="")
    received_at = serializers.DateTimeField()


class BulkSerializer(ScopedSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.objects.none())
    messages = BulkMessageSerializer(many=True, allow_empty=False, max_length=INBOX_BULK_MAX)


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
    service_row = "message"
    filterset_class = InboxMessageFilterSet
    pagination_class = MessageCursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["text", "sender_nickname", "sender_uid"]
    ordering_fields = ["id", "received_at"]
    ordering = ("-id",)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = self.service_values(serializer)
        account = data.pop("account")
        result = inbox_receive(account=account, items=[IncomingMessage(**data)])
        message = result.messages[0]
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(message).data, status=code)

    @extend_schema(request=BulkSerializer, responses={200: BulkResultSerializer, 201: BulkResultSerializer})
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        body = BulkSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        items = [IncomingMessage(**item) for item in body.validated_data["messages"]]
        result = inbox_receive(account=body.validated_data["account"], items=items, bulk=True)
        return Response(
            {"created": result.created, "duplicates": result.duplicates, "ids": [m.pk for m in result.messages]},
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(request=ReplySerializer, responses={201: OutboxReplySerializer})
    @service_action(
        inbox_reply, body=ReplySerializer, answer=OutboxReplySerializer, status_code=201, required_action=ADD
    )
    def reply(self, request, pk=None):
        pass

    @extend_schema(request=None, responses=InboxMessageSerializer)
    @service_action(inbox_close, required_action=CHANGE)
    def close(self, request, pk=None):
        pass

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
    service_row = "reply"
    filterset_class = OutboxReplyFilterSet
    pagination_class = MessageCursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["text"]
    ordering_fields = ["id", "sent_at"]
    ordering = ("-id",)

    create_service = inbox_reply
    changeable_fields = ("message", "text")

    @extend_schema(request=SentSerializer, responses=OutboxReplySerializer)
    @service_action(outbox_mark_sent, body=SentSerializer, url_path="mark-sent", required_action=CHANGE)
    def mark_sent(self, request, pk=None):
        pass

    @extend_schema(request=FailedSerializer, responses=OutboxReplySerializer)
    @service_action(outbox_mark_failed, body=FailedSerializer, url_path="mark-failed", required_action=CHANGE)
    def mark_failed(self, request, pk=None):
        pass


register("auto-reply-settings", AutoReplySettingsViewSet)


register("reply-rules", ReplyRuleViewSet)


register("inbox-messages", InboxMessageViewSet)


register("outbox-replies", OutboxReplyViewSet)
