"""API of chapter 7, advanced account operations (7.1-7.4). Writes go through
``accounts_ops.services``; platform data (comments, hot lists, portraits) comes in bulk."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from accounts_ops import comment_webhooks, services
from accounts_ops.api.base import AccountRowSerializer, OpsViewSet, ScopedSerializer
from accounts_ops.api.common import FailedSerializer, douyin_webhook_route
from accounts_ops.api.metrics import IngestResultSerializer, bulk_body, bulk_rows, ingest_counts
from accounts_ops.models import (
    AudiencePersonaReport,
    AudienceSnapshot,
    CommentAction,
    ContentPlan,
    ContentPlanTopic,
    HotTopic,
    IpPersona,
    OpinionAlert,
    VideoComment,
)
from accounts_ops.models.advanced import HANDLING_NOTE_MAX_CHARS, CommentSource
from accounts_ops.portrait import DIMENSION_NAMES
from agency.api.filters import TenantFilterSet
from agency.api.openapi import not_offered
from agency.api.pagination import CursorPagination
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.roles import ADD, CHANGE
from clients.models import Platform, PlatformAccount, Video

NO_PUT = ["get", "post", "patch", "delete", "head", "options"]
APPEND_ONLY = ["get", "post", "head", "options"]
READ_ONLY = ["get", "head", "options"]


# --- 7.1 comments ------------------------------------------------------------------------------


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
    text = serializers.CharField(max_length=services.advanced.COMMENT_WRITE_MAX_CHARS)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=HANDLING_NOTE_MAX_CHARS)


class OptionalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=HANDLING_NOTE_MAX_CHARS, required=False, allow_blank=True, default="")


class AssignSerializer(ScopedSerializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.none(), allow_null=True)


class GuideSerializer(ScopedSerializer):
    video = serializers.PrimaryKeyRelatedField(queryset=Video.dangerously_all_agencies.none())
    text = serializers.CharField(max_length=services.advanced.COMMENT_WRITE_MAX_CHARS)


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
    filterset_class = VideoCommentFilterSet
    pagination_class = CommentCursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["text", "author_nickname"]
    ordering_fields = ["id", "posted_at", "like_count", "sentiment_score"]
    ordering = ("-id",)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = self.service_kwargs(serializer)
        account = data.pop("account")
        row = {name: value for name, value in data.items() if name != "video"}
        row["video"] = data["video"].pk
        result = services.comments_receive(actor=self.actor, rows=[row], source=CommentSource.API, prefix="")
        comment = VideoComment.objects.get(account=account, platform_comment_id=row["platform_comment_id"])
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(comment).data, status=code)

    @extend_schema(
        request=inline_serializer(
            name="CommentsBulk",
            fields={
                "account": serializers.IntegerField(required=False),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
        responses={200: IngestResultSerializer, 201: IngestResultSerializer},
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        rows, account = bulk_body(request, self.actor)
        return ingest_counts(services.comments_receive(actor=self.actor, rows=rows, account=account))

    def _action_reply(self, action_row, code=status.HTTP_201_CREATED):
        return Response(CommentActionSerializer(action_row, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=TextSerializer, responses={201: CommentActionSerializer})
    @action(detail=True, methods=["post"], required_action=ADD)
    def reply(self, request, pk=None):
        body = TextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._action_reply(
            services.comment_reply(actor=self.actor, comment=self.get_object(), text=body.validated_data["text"])
        )

    @extend_schema(request=None, responses={201: CommentActionSerializer})
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def pin(self, request, pk=None):
        return self._action_reply(services.comment_pin(actor=self.actor, comment=self.get_object(), pinned=True))

    @extend_schema(request=None, responses={201: CommentActionSerializer})
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def unpin(self, request, pk=None):
        return self._action_reply(services.comment_pin(actor=self.actor, comment=self.get_object(), pinned=False))

    @extend_schema(request=NoteSerializer, responses={201: CommentActionSerializer})
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def hide(self, request, pk=None):
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._action_reply(
            services.comment_hide(
                actor=self.actor, comment=self.get_object(), hidden=True, note=body.validated_data["note"]
            )
        )

    @extend_schema(request=None, responses={201: CommentActionSerializer})
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def unhide(self, request, pk=None):
        return self._action_reply(services.comment_hide(actor=self.actor, comment=self.get_object(), hidden=False))

    @extend_schema(request=AssignSerializer, responses=VideoCommentSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def assign(self, request, pk=None):
        body = AssignSerializer(data=request.data, context={"actor": self.actor})
        body.is_valid(raise_exception=True)
        comment = services.comment_assign(
            actor=self.actor, comment=self.get_object(), assignee=body.validated_data["assignee"]
        )
        return Response(self.get_serializer(comment).data)

    @extend_schema(request=NoteSerializer, responses=VideoCommentSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def handle(self, request, pk=None):
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.comment_mark_handled(
            actor=self.actor, comment=self.get_object(), note=body.validated_data["note"]
        )
        return Response(self.get_serializer(comment).data)

    @extend_schema(request=GuideSerializer, responses={201: VideoCommentSerializer})
    @action(detail=False, methods=["post"], required_action=ADD)
    def guide(self, request):
        body = GuideSerializer(data=request.data, context={"actor": self.actor})
        body.is_valid(raise_exception=True)
        comment = services.comment_guide_post(actor=self.actor, **body.validated_data)
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)

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
    filterset_class = CommentActionFilterSet
    pagination_class = CommentCursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["text"]
    ordering_fields = ["id", "done_at"]
    ordering = ("-id",)

    create = not_offered("Actions are made by the comment endpoints (reply, pin, hide, guide).")

    @extend_schema(request=DoneSerializer, responses=CommentActionSerializer)
    @action(detail=True, methods=["post"], url_path="mark-done", required_action=CHANGE)
    def mark_done(self, request, pk=None):
        body = DoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = services.comment_action_mark_done(actor=self.actor, action=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(done).data)

    @extend_schema(request=FailedSerializer, responses=CommentActionSerializer)
    @action(detail=True, methods=["post"], url_path="mark-failed", required_action=CHANGE)
    def mark_failed(self, request, pk=None):
        body = FailedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        failed = services.comment_action_mark_failed(actor=self.actor, action=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(failed).data)


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
    filterset_class = OpinionAlertFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["handling_note", "account__handle"]
    ordering_fields = ["raised_at", "negative_share", "status"]
    ordering = ("-raised_at", "-id")

    create = not_offered("Opinion alerts are raised by the scheduled check.")

    @extend_schema(request=NoteSerializer, responses=OpinionAlertSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def handle(self, request, pk=None):
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = services.opinion_alert_handle(
            actor=self.actor, alert=self.get_object(), note=body.validated_data["note"]
        )
        return Response(self.get_serializer(alert).data)


# --- 7.2 hot topics and content plans ---------------------------------------------------------


class HotTopicSerializer(TenantModelSerializer):
    class Meta:
        model = HotTopic
        fields = [
            "id",
            "platform",
            "title",
            "heat",
            "peak_heat",
            "rank",
            "seen_at",
            "first_seen_at",
            "source",
            "url",
            "created_at",
        ]
        read_only_fields = ["peak_heat", "first_seen_at"]
        extra_kwargs = {"seen_at": {"required": False}}

    def get_validators(self):
        return []  # the service checks the topic is new on its platform


class HotTopicFilterSet(TenantFilterSet):
    seen_after = django_filters.IsoDateTimeFilter(field_name="seen_at", lookup_expr="gte")

    class Meta:
        model = HotTopic
        fields = ["platform", "source"]


class HotTopicViewSet(OpsViewSet):
    """7.2: hot topics (platform, title, heat, rank, seen at, source). POST enters one by hand;
    ``bulk`` imports a hot list (all or none; one row per platform and title, kept at its latest
    heat: the same list twice changes nothing). Files go through ``data-imports``."""

    model = HotTopic
    resource = "hot_topic"
    serializer_class = HotTopicSerializer
    filterset_class = HotTopicFilterSet
    http_method_names = NO_PUT
    search_fields = ["title", "source"]
    ordering_fields = ["seen_at", "heat", "rank", "title"]
    ordering = ("-seen_at", "rank")

    def perform_create(self, serializer):
        self.serve(serializer, services.hot_topic_save(actor=self.actor, **serializer.validated_data))

    def perform_update(self, serializer):
        topic = services.hot_topic_save(actor=self.actor, topic=serializer.instance, **serializer.validated_data)
        self.serve(serializer, topic)

    @extend_schema(
        request=inline_serializer(
            name="HotTopicsBulk",
            fields={
                "platform": serializers.ChoiceField(choices=Platform.choices, required=False),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
        responses={200: IngestResultSerializer, 201: IngestResultSerializer},
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        rows = bulk_rows(request)
        platform = request.data.get("platform") or ""
        return ingest_counts(services.hot_topics_ingest(actor=self.actor, rows=rows, platform=str(platform)))


class ContentPlanSerializer(AccountRowSerializer):
    topics = serializers.PrimaryKeyRelatedField(
        many=True, queryset=HotTopic.dangerously_all_agencies.none(), required=False, source="linked_topics"
    )

    class Meta:
        model = ContentPlan
        fields = [
            "id",
            "client",
            "account",
            "title",
            "angle",
            "planned_on",
            "status",
            "video_project",
            "topics",
            "notes",
            "created_at",
        ]


class ContentPlanFilterSet(TenantFilterSet):
    planned_from = django_filters.DateFilter(field_name="planned_on", lookup_expr="gte")
    planned_to = django_filters.DateFilter(field_name="planned_on", lookup_expr="lte")

    class Meta:
        model = ContentPlan
        fields = ["client", "account", "status", "video_project"]


class ContentPlanViewSet(OpsViewSet):
    """7.2: content plans: what an account will post, riding which hot topics (``topics``), made
    by which video project in production. Linking a project moves a plan into production."""

    model = ContentPlan
    resource = "content_plan"
    serializer_class = ContentPlanSerializer
    filterset_class = ContentPlanFilterSet
    http_method_names = NO_PUT
    search_fields = ["title", "angle"]
    ordering_fields = ["planned_on", "status", "title"]
    ordering = ("-planned_on", "-id")

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("plan_topics__topic")

    def service_kwargs(self, serializer) -> dict:
        data = super().service_kwargs(serializer)
        if "linked_topics" in data:
            data["topics"] = data.pop("linked_topics")
        return data

    def perform_create(self, serializer):
        data = self.service_kwargs(serializer)
        self.serve(serializer, services.content_plan_create(actor=self.actor, **data))

    def perform_update(self, serializer):
        data = self.service_kwargs(serializer)
        topics = data.pop("topics", None)
        data.pop("account", None)
        plan = services.content_plan_update(actor=self.actor, plan=serializer.instance, **data)
        if topics is not None:
            wanted = {topic.pk for topic in topics}
            for link in ContentPlanTopic.objects.filter(plan=plan).exclude(topic_id__in=wanted):
                services.content_plan_unlink_topic(actor=self.actor, link=link)
            for topic in topics:
                services.content_plan_link_topic(actor=self.actor, plan=plan, topic=topic)
        self.serve(serializer, ContentPlan.objects.prefetch_related("plan_topics__topic").get(pk=plan.pk))


class ContentPlanTopicSerializer(AccountRowSerializer):
    fixed_after_create = ("plan", "topic")

    class Meta:
        model = ContentPlanTopic
        fields = ["id", "client", "plan", "topic", "note", "created_at"]

    def validate(self, attrs):
        plan = attrs.get("plan")
        if plan is not None:
            attrs["client"] = plan.client
        elif self.instance is None:
            raise DRFValidationError({"plan": ["This field is required."]})
        return TenantModelSerializer.validate(self, attrs)


class ContentPlanTopicFilterSet(TenantFilterSet):
    class Meta:
        model = ContentPlanTopic
        fields = ["client", "plan", "topic"]


class ContentPlanTopicViewSet(OpsViewSet):
    """7.2: the hot topics a plan rides, one link each (with how it rides it)."""

    model = ContentPlanTopic
    resource = "content_plan"
    serializer_class = ContentPlanTopicSerializer
    filterset_class = ContentPlanTopicFilterSet
    http_method_names = NO_PUT
    search_fields = ["note"]
    ordering_fields = ["id"]
    ordering = ("plan_id", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        link = services.content_plan_link_topic(
            actor=self.actor, plan=data["plan"], topic=data["topic"], note=data.get("note", "")
        )
        self.serve(serializer, link)

    def perform_destroy(self, instance):
        services.content_plan_unlink_topic(actor=self.actor, link=instance)


# --- 7.3 audience ---------------------------------------------------------------------------


class AudienceSnapshotSerializer(AccountRowSerializer):
    class Meta:
        model = AudienceSnapshot
        fields = ["id", "client", "account", "date", "fans_total", *DIMENSION_NAMES, "created_at", "updated_at"]

    def validate(self, attrs):
        # The service checks the portrait (and upserts: a second POST of a date is no error).
        account = attrs.get("account")
        if account is not None:
            attrs["client"] = account.client
        elif self.instance is None:
            raise DRFValidationError({"account": ["This field is required."]})
        return serializers.ModelSerializer.validate(self, attrs)


class AudienceSnapshotFilterSet(TenantFilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = AudienceSnapshot
        fields = ["client", "account", "date"]


class AudienceSnapshotViewSet(OpsViewSet):
    """7.3: fan portraits per account and date (gender, the platform's age buckets, provinces,
    cities, devices, interests, active days and hours). POST one (an upsert: the same date again
    replaces the dimensions it gives), or ``bulk`` up to 2,000. The platform's names
    (``gender_distributions`` ...) and list shape (``[{"item", "value"}]``) are accepted; shares
    of gender, age, active days and hours must add up to 100% within 2 points."""

    model = AudienceSnapshot
    resource = "audience"
    serializer_class = AudienceSnapshotSerializer
    filterset_class = AudienceSnapshotFilterSet
    pagination_class = CursorPagination
    http_method_names = APPEND_ONLY
    search_fields = ["account__handle"]
    ordering_fields = ["date", "id"]
    ordering = ("-id",)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = self.service_kwargs(serializer)
        account = data.pop("account")
        row = {
            "account": account.pk,
            **{k: v for k, v in data.items() if k in ("date", "fans_total", *DIMENSION_NAMES)},
        }
        row["date"] = data["date"].isoformat()
        result = services.audience_snapshots_ingest(actor=self.actor, rows=[row], prefix="")
        snapshot = AudienceSnapshot.objects.get(account=account, date=data["date"])
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(snapshot).data, status=code)

    @extend_schema(
        request=inline_serializer(
            name="AudienceSnapshotsBulk",
            fields={
                "account": serializers.IntegerField(required=False),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
        responses={200: IngestResultSerializer, 201: IngestResultSerializer},
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        rows, account = bulk_body(request, self.actor)
        return ingest_counts(services.audience_snapshots_ingest(actor=self.actor, rows=rows, account=account))


class AudiencePersonaReportSerializer(AccountRowSerializer):
    class Meta:
        model = AudiencePersonaReport
        fields = [
            "id",
            "client",
            "account",
            "period_start",
            "period_end",
            "snapshot",
            "previous",
            "dominant",
            "shifts",
            "summary_zh",
            "summary_en",
            "trigger",
            "created_at",
        ]
        read_only_fields = fields


class RequestSerializer(ScopedSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.dangerously_all_agencies.none())


class AudiencePersonaReportFilterSet(TenantFilterSet):
    class Meta:
        model = AudiencePersonaReport
        fields = ["client", "account", "trigger", "period_start", "period_end"]


class AudiencePersonaReportViewSet(OpsViewSet):
    """7.3: persona reports: dominant segments, the shift since the previous report (percentage
    points) and a summary in Chinese and English. The scheduled job builds them per period;
    ``request`` builds one on demand from the account's latest snapshot."""

    model = AudiencePersonaReport
    resource = "audience"
    serializer_class = AudiencePersonaReportSerializer
    filterset_class = AudiencePersonaReportFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["summary_zh", "summary_en"]
    ordering_fields = ["period_end", "created_at"]
    ordering = ("-period_end", "-id")

    create = not_offered("Ask for a report with request/.")

    @extend_schema(request=RequestSerializer, responses={201: AudiencePersonaReportSerializer})
    @action(detail=False, methods=["post"], url_path="request", url_name="request", required_action=ADD)
    def request_report(self, request):
        body = RequestSerializer(data=request.data, context={"actor": self.actor})
        body.is_valid(raise_exception=True)
        report = services.persona_report_request(actor=self.actor, account=body.validated_data["account"])
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)


# --- 7.4 IP persona -------------------------------------------------------------------------


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

    def perform_create(self, serializer):
        self.serve(serializer, services.ip_persona_record(actor=self.actor, **self.service_kwargs(serializer)))


register("video-comments", VideoCommentViewSet)
register("comment-actions", CommentActionViewSet)
register("opinion-alerts", OpinionAlertViewSet)
register("hot-topics", HotTopicViewSet)
register("content-plans", ContentPlanViewSet)
register("content-plan-topics", ContentPlanTopicViewSet)
register("audience-snapshots", AudienceSnapshotViewSet)
register("audience-persona-reports", AudiencePersonaReportViewSet)
register("ip-personas", IpPersonaViewSet)
