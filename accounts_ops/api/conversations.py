"""API of the one inbox (6.4 and 7.1): conversations per fan across private messages and comments,
and the agency's saved replies. Writes go through the services."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts_ops.api.common import APPEND_ONLY, NO_PUT, OpsViewSet
from accounts_ops.models.comments import HANDLING_NOTE_MAX_CHARS
from accounts_ops.models.conversations import (
    SAVED_REPLY_MAX_CHARS,
    Conversation,
    ConversationStatus,
    SavedReply,
)
from accounts_ops.rules import INBOX_BULK_CONVERSATIONS_MAX
from accounts_ops.selectors.conversations import with_standing
from accounts_ops.services.conversations import (
    TARGET_PATTERN,
    BulkAction,
    conversation_assign,
    conversation_hide,
    conversation_mark_handled,
    conversation_reply,
    conversations_bulk,
    saved_reply_create,
    saved_reply_update,
)
from agency.api.filters import TenantFilterSet
from agency.api.openapi import not_offered
from agency.api.routers import register
from agency.api.serializers import ScopedSerializer, TenantModelSerializer
from agency.api.viewsets import service_action
from agency.roles import ADD, CHANGE


class ConversationSerializer(TenantModelSerializer):
    status = serializers.ChoiceField(
        source="state", choices=ConversationStatus.choices, read_only=True, help_text="Read from its items."
    )
    waiting_since = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "client",
            "account",
            "fan_uid",
            "fan_nickname",
            "status",
            "waiting_since",
            "last_activity_at",
            "assignee",
            "created_at",
        ]
        read_only_fields = fields


class ConversationFilterSet(TenantFilterSet):
    status = django_filters.ChoiceFilter(
        field_name="state", choices=ConversationStatus.choices, label=gettext_lazy("Status")
    )

    class Meta:
        model = Conversation
        fields = ["client", "account", "assignee", "status"]


class ConversationReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=SAVED_REPLY_MAX_CHARS * 2)
    target = serializers.RegexField(
        TARGET_PATTERN,
        required=False,
        allow_blank=True,
        default="",
        help_text='"message:<id>" or "comment:<id>" of the conversation; empty: the latest one waiting.',
        error_messages={"invalid": gettext_lazy("Choose a message or a comment of this conversation.")},
    )


class ConversationNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=HANDLING_NOTE_MAX_CHARS, required=False, allow_blank=True, default="")


class ConversationHideSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=HANDLING_NOTE_MAX_CHARS,
        help_text="Why the conversation is hidden (7.1: a comment is hidden with its reason).",
        error_messages={
            "required": gettext_lazy("Say why the conversation is hidden."),
            "blank": gettext_lazy("Say why the conversation is hidden."),
        },
    )


class ConversationAssignSerializer(ScopedSerializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.none(), allow_null=True)


class ConversationsBulkSerializer(ScopedSerializer):
    conversations = serializers.PrimaryKeyRelatedField(
        queryset=Conversation.objects.none(),
        many=True,
        allow_empty=False,
        help_text=f"At least one, at most {INBOX_BULK_CONVERSATIONS_MAX}.",
        error_messages={"empty": gettext_lazy("Choose at least one conversation.")},
    )
    action = serializers.ChoiceField(choices=BulkAction.ALL)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), allow_null=True, required=False, default=None
    )
    note = serializers.CharField(max_length=HANDLING_NOTE_MAX_CHARS, required=False, allow_blank=True, default="")


class ConversationViewSet(OpsViewSet):
    """6.4 and 7.1, the one inbox: one conversation per fan of an account across private messages
    and comments, with its status read from them (``waiting``, ``queued``, ``done``). ``reply``
    answers the fan (queued for the connector; the status changes at once), ``assign``, ``handle``
    and ``hide`` work one conversation, ``bulk`` many (at most 100)."""

    model = Conversation
    resource = "conversation"
    serializer_class = ConversationSerializer
    service_row = "conversation"
    filterset_class = ConversationFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["fan_nickname", "fan_uid"]
    ordering_fields = ["id", "last_activity_at", "waiting_since"]
    ordering = ("-last_activity_at", "-id")

    create = not_offered("A conversation starts when the fan's first message or comment arrives.")

    def scope_queryset(self, queryset):
        return with_standing(queryset)

    @extend_schema(request=ConversationReplySerializer, responses={201: ConversationSerializer})
    @action(detail=True, methods=["post"], required_action=ADD)
    def reply(self, request, pk=None):
        conversation = self.get_object()  # a conversation the person may not see is 404 before any body check
        body = ConversationReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conversation_reply(actor=self.actor, conversation=conversation, **body.validated_data)
        return self.answer_row(conversation, status.HTTP_201_CREATED)

    @extend_schema(request=ConversationAssignSerializer, responses=ConversationSerializer)
    @service_action(conversation_assign, body=ConversationAssignSerializer, required_action=CHANGE)
    def assign(self, request, pk=None):
        pass

    @extend_schema(request=ConversationNoteSerializer, responses=ConversationSerializer)
    @service_action(conversation_mark_handled, body=ConversationNoteSerializer, required_action=CHANGE)
    def handle(self, request, pk=None):
        pass

    @extend_schema(request=ConversationHideSerializer, responses=ConversationSerializer)
    @service_action(conversation_hide, body=ConversationHideSerializer, required_action=CHANGE)
    def hide(self, request, pk=None):
        pass

    @extend_schema(
        request=ConversationsBulkSerializer,
        responses=inline_serializer(
            name="ConversationsBulkResult",
            fields={
                "done": serializers.ListField(child=serializers.IntegerField()),
                "skipped": serializers.ListField(child=serializers.IntegerField()),
            },
        ),
    )
    @action(detail=False, methods=["post"], required_action=CHANGE)
    def bulk(self, request):
        body = ConversationsBulkSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        result = conversations_bulk(actor=self.actor, **body.validated_data)
        return Response({"done": result.done, "skipped": result.skipped})


class SavedReplySerializer(TenantModelSerializer):
    class Meta:
        model = SavedReply
        fields = ["id", "title", "text", "created_by", "created_at", "updated_at"]
        read_only_fields = ["created_by", "created_at", "updated_at"]

    def get_validators(self):
        return []  # the service checks the title is unused (one error, naming the field)


class SavedReplyFilterSet(TenantFilterSet):
    class Meta:
        model = SavedReply
        fields = ["title"]


class SavedReplyViewSet(OpsViewSet):
    """The replies the agency keeps ready for the inbox, with variables filled per conversation:
    ``{fan}``, ``{store}``, ``{client}``, ``{address}``, ``{coupon}``."""

    model = SavedReply
    resource = "saved_reply"
    serializer_class = SavedReplySerializer
    service_row = "saved_reply"
    create_service = saved_reply_create
    update_service = saved_reply_update
    derived_fields = ()
    filterset_class = SavedReplyFilterSet
    http_method_names = NO_PUT
    search_fields = ["title", "text"]
    ordering_fields = ["title", "id"]
    ordering = ("title", "id")


register("conversations", ConversationViewSet)
register("saved-replies", SavedReplyViewSet)
