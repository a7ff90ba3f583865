"""API of 7.1, comments and public opinion. Writes go through the services."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts_ops import comment_webhooks
from accounts_ops.api.common import (
    APPEND_ONLY,
    AccountRowSerializer,
    FailedSerializer,
    IngestResultSerializer,
    OpsViewSet,
    bulk_body,
    douyin_webhook_route,
    ingest_counts,
)
from accounts_ops.api.imports_rows import CommentsBulkSerializer
from accounts_ops.models.comments import (
    HANDLING_NOTE_MAX_CHARS,
    CommentAction,
    CommentSource,
    OpinionAlert,
    VideoComment,
)
from accounts_ops.services.comments import (
    COMMENT_WRITE_MAX_CHARS,
    check_comment_rows,
    comment_action_mark_done,
    comment_action_mark_failed,
    comment_assign,
    comment_guide_post,
    comment_hide,
    comment_mark_handled,
    comment_pin,
    comment_reply,
    comments_receive,
    opinion_alert_handle,
)
from agency.api.filters import TenantFilterSet
from agency.api.openapi import not_offered
from agency.api.pagination import CursorPagination
from agency.api.routers import register
from agency.api.serializers import ScopedSerializer
from agency.api.viewsets import service_action
from agency.roles import ADD, CHANGE
from clients.models import Video


class VideoCommentSerializer(AccountRowSerializer):
    """POST receives one comment as a connector delivers it (a comment id already stored is
    answered 200 and updated, never stored twice); the account is the video's."""

    account = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = VideoComment
        fields = [
            "id",
            "client",
            "account",
            "video",
            "platform_comment_id",
            "parent_comment_id",
            "author_uid",
            "author_nickname",
            "text",
            "posted_at",
            "like_count",
            "reply_count",
            "source",
            "is_from_account",
            "is_guide",
            "is_pinned",
            "is_hidden",
            "sentiment",
            "sentiment_score",
            "classified_at",
            "assignee",
            "status",
            "replied_at",
            "handled_at",
            "handled_by",
            "handling_note",
            "created_at",
        ]
        read_only_fields = ["source", "is_from_account", "is_guide", "assignee", "handled_by"]
        extra_kwargs = {"like_count": {"required": False}, "reply_count": {"required": False}}

    def validate(self, attrs):
        # The service checks an incoming comment (a replay must not fail the row's uniqueness here).
        video = attrs.get("video")
        if video is not None:
            attrs["account"], attrs["client"] = video.account, video.client
        return serializers.ModelSerializer.validate(self, attrs)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=COMMENT_WRITE_MAX_CHARS)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=HANDLING_NOTE_MAX_CHARS)


class OptionalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=HANDLING_NOTE_MAX_CHARS, required=False, allow_blank=True, default="")


class AssignSerializer(ScopedSerializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.none(), allow_null=True)


class GuideSerializer(ScopedSerializer):
    video = serializers.PrimaryKeyRelatedField(queryset=Video.objects.none())
    text = serializers.CharField(max_length=COMMENT_WRITE_MAX_CHARS)


class CommentActionSerializer(AccountRowSerializer):
    account = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = CommentAction
        fields = [
            "id",
            "client",
            "account",
            "comment",
            "kind",
            "text",
            "author",
            "status",
            "done_at",
            "platform_comment_id",
            "error",
            "created_at",
        ]
        read_only_fields = fields


class VideoCommentFilterSet(TenantFilterSet):
    posted_after = django_filters.IsoDateTimeFilter(field_name="posted_at", lookup_expr="gte")
    posted_before = django_filters.IsoDateTimeFilter(field_name="posted_at", lookup_expr="lt")
    unclassified = django_filters.BooleanFilter(
        field_name="classified_at", lookup_expr="isnull", label=gettext_lazy("Not yet classified")
    )

    class Meta:
        model = VideoComment
        fields = [
            "client",
            "account",
            "video",
            "sentiment",
            "status",
            "assignee",
            "is_guide",
            "is_pinned",
            "is_hidden",
            "is_from_account",
            "source",
        ]


class CommentCursorPagination(CursorPagination):
    ordering = ("-id",)


class VideoCommentViewSet(OpsViewSet):
    """7.1: comments on the accounts' videos, each with its sentiment. POST one comment, or
    ``bulk`` up to 5,000 (all or none; a comment id already stored is updated, not stored twice).
    Douyin-shaped comment events arrive signed at ``webhooks/douyin/{account_id}/``. Staff
    ``reply``, ``pin``/``unpin``, ``hide``/``unhide``, ``assign`` and ``handle`` comments, and
    seed ``guide`` comments; what needs the platform waits in ``comment-actions``."""

    model = VideoComment
    resource = "comment"
    serializer_class = VideoCommentSerializer
    service_row = "comment"
    filterset_class = VideoCommentFilterSet
    pagination_class = CommentCursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["text", "author_nickname"]
    ordering_fields = ["id", "posted_at", "like_count", "sentiment_score"]
    ordering = ("-id",)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = self.service_values(serializer)
        account = data.pop("account")
        row = {name: value for name, value in data.items() if name != "video"}
        row["video"] = data["video"].pk
        result = comments_receive(actor=self.actor, rows=[row], source=CommentSource.API, prefix="")
        comment = VideoComment.objects.get(account=account, platform_comment_id=row["platform_comment_id"])
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(comment).data, status=code)

    @extend_schema(
        request=CommentsBulkSerializer,
        responses={200: IngestResultSerializer, 201: IngestResultSerializer},
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        body = bulk_body(request, CommentsBulkSerializer, self.actor, check_comment_rows)
        return ingest_counts(comments_receive(actor=self.actor, rows=body["rows"], account=body.get("account")))

    # The actions a comment asks of the platform (reply, pin, hide) answer the action made.
    @extend_schema(request=TextSerializer, responses={201: CommentActionSerializer})
    @service_action(
        comment_reply, body=TextSerializer, answer=CommentActionSerializer, status_code=201, required_action=ADD
    )
    def reply(self, request, pk=None):
        pass

    @extend_schema(request=None, responses={201: CommentActionSerializer})
    @service_action(comment_pin, answer=CommentActionSerializer, status_code=201, required_action=CHANGE)
    def pin(self, request, pk=None):
        return {"pinned": True}

    @extend_schema(request=None, responses={201: CommentActionSerializer})
    @service_action(comment_pin, answer=CommentActionSerializer, status_code=201, required_action=CHANGE)
    def unpin(self, request, pk=None):
        return {"pinned": False}

    @extend_schema(request=NoteSerializer, responses={201: CommentActionSerializer})
    @service_action(
        comment_hide, body=NoteSerializer, answer=CommentActionSerializer, status_code=201, required_action=CHANGE
    )
    def hide(self, request, pk=None):
        return {"hidden": True}

    @extend_schema(request=None, responses={201: CommentActionSerializer})
    @service_action(comment_hide, answer=CommentActionSerializer, status_code=201, required_action=CHANGE)
    def unhide(self, request, pk=None):
        return {"hidden": False}

    @extend_schema(request=AssignSerializer, responses=VideoCommentSerializer)
    @service_action(comment_assign, body=AssignSerializer, required_action=CHANGE)
    def assign(self, request, pk=None):
        pass

    @extend_schema(request=NoteSerializer, responses=VideoCommentSerializer)
    @service_action(comment_mark_handled, body=NoteSerializer, required_action=CHANGE)
    def handle(self, request, pk=None):
        pass

    @extend_schema(request=GuideSerializer, responses={201: VideoCommentSerializer})
    @service_action(comment_guide_post, body=GuideSerializer, detail=False, status_code=201, required_action=ADD)
    def guide(self, request):
        pass

    @douyin_webhook_route(IngestResultSerializer)
    def douyin_webhook(self, request, account_id=None):
        """Douyin-shaped comment events for one account, authenticated by their signature."""
        return comment_webhooks.handle_comment_event(request, int(account_id))


class DoneSerializer(serializers.Serializer):
    done_at = serializers.DateTimeField(required=False)
    platform_comment_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)


class CommentActionFilterSet(TenantFilterSet):
    class Meta:
        model = CommentAction
        fields = ["client", "account", "comment", "kind", "status"]


class CommentActionViewSet(OpsViewSet):
    """7.1: replies, pins, hides and guide comments waiting for the platform connector. The
    connector lists ``status=queued`` and reports ``mark-done`` (with the platform's comment id
    for a reply or guide comment) or ``mark-failed``."""

    model = CommentAction
    resource = "comment"
    serializer_class = CommentActionSerializer
    service_row = "action"
    filterset_class = CommentActionFilterSet
    pagination_class = CommentCursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["text"]
    ordering_fields = ["id", "done_at"]
    ordering = ("-id",)

    create = not_offered("Actions are made by the comment endpoints (reply, pin, hide, guide).")

    @extend_schema(request=DoneSerializer, responses=CommentActionSerializer)
    @service_action(comment_action_mark_done, body=DoneSerializer, url_path="mark-done", required_action=CHANGE)
    def mark_done(self, request, pk=None):
        pass

    @extend_schema(request=FailedSerializer, responses=CommentActionSerializer)
    @service_action(comment_action_mark_failed, body=FailedSerializer, url_path="mark-failed", required_action=CHANGE)
    def mark_failed(self, request, pk=None):
        pass


class OpinionAlertSerializer(AccountRowSerializer):
    class Meta:
        model = OpinionAlert
        fields = [
            "id",
            "client",
            "account",
            "window_start",
            "window_end",
            "comments_count",
            "negative_count",
            "negative_share",
            "threshold",
            "peak_share",
            "raised_at",
            "episode_ended_at",
            "status",
            "handled_by",
            "handled_at",
            "handling_note",
        ]
        read_only_fields = fields


class OpinionAlertFilterSet(TenantFilterSet):
    class Meta:
        model = OpinionAlert
        fields = ["client", "account", "status"]


class OpinionAlertViewSet(OpsViewSet):
    """7.1: opinion alerts, raised by the hourly task when the negative share of an account's
    comments passes the agency's threshold (once per episode). ``handle`` records how it was
    handled, which closes it."""

    model = OpinionAlert
    resource = "opinion_alert"
    serializer_class = OpinionAlertSerializer
    service_row = "alert"
    filterset_class = OpinionAlertFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["handling_note", "account__handle"]
    ordering_fields = ["raised_at", "negative_share", "status"]
    ordering = ("-raised_at", "-id")

    create = not_offered("Opinion alerts are raised by the scheduled check.")

    @extend_schema(request=NoteSerializer, responses=OpinionAlertSerializer)
    @service_action(opinion_alert_handle, body=NoteSerializer, required_action=CHANGE)
    def handle(self, request, pk=None):
        pass


register("video-comments", VideoCommentViewSet)
register("comment-actions", CommentActionViewSet)
register("opinion-alerts", OpinionAlertViewSet)
