"""API of video production (chapter 5).

Projects move with actions: ``readiness`` (what the next gate still needs), ``advance`` (one
stage forward, naming it), ``move-back`` and ``publish``. Scripts are submitted, approved or sent
back; clips and cuts are uploaded as multipart (``file``) and read in the background — their
``probe_state`` says how far that got. Review rounds are decided by the client's approver.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import TenantViewSet
from agency.http import file_response
from agency.roles import CHANGE, DECIDE, VIEW
from clients.models import Client
from production import services
from production.models import (
    Clip,
    ClipVerdict,
    Cut,
    PostProductionStep,
    ProbeState,
    ReviewComment,
    ReviewRound,
    Script,
    Shoot,
    Stage,
    StageTransition,
    StoryboardShot,
    TopicBasis,
    VideoProject,
)
from production.rules import SHOOT_MAX_ACCEPTED_CLIPS, SHOOT_MIN_ACCEPTED_CLIPS, script_missing_parts

READ_ONLY = ["get", "head", "options"]
NO_PUT = ["get", "post", "patch", "delete", "head", "options"]

MEDIA_FACTS = [
    "original_name",
    "size_bytes",
    "probe_state",
    "probe_error",
    "probed_at",
    "container",
    "video_codec",
    "audio_codec",
    "width",
    "height",
    "rotation",
    "display_width",
    "display_height",
    "frame_rate",
    "duration_seconds",
]


class ServiceViewSet(TenantViewSet):
    """Writes go to the services; the row answered is re-read through the scoped queryset."""

    http_method_names = NO_PUT

    def fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def respond(self, obj, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.fresh(obj)).data, status=status_code)


# --- projects --------------------------------------------------------------------------------


class VideoProjectSerializer(TenantModelSerializer):
    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.dangerously_all_agencies.none(),
        required=False,
        help_text="The account's client; taken from the account when left out.",
    )
    next_stage = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = VideoProject
        fields = [
            "id",
            "client",
            "account",
            "title",
            "brief",
            "due_date",
            "assignee",
            "stage",
            "next_stage",
            "stage_changed_at",
            "video",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["stage", "stage_changed_at", "video"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)) and hasattr(self.instance, "pk"):
            for name in ("client", "account"):
                fields[name].read_only = True
        return fields


class VideoProjectFilterSet(TenantFilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = VideoProject
        fields = ["client", "account", "stage", "assignee", "video"]


class StageGateSerializer(serializers.Serializer):
    stage = serializers.CharField()
    open = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())


class ProjectReadinessSerializer(serializers.Serializer):
    stage = serializers.CharField()
    next_stage = serializers.CharField(allow_null=True)
    gate = StageGateSerializer(allow_null=True)


class ProjectAdvanceSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, help_text="The stage to enter: the next one.")


class ProjectMoveBackSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(allow_blank=True)


class ProjectPublishSerializer(serializers.Serializer):
    platform_item_id = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    published_at = serializers.DateTimeField(required=False)


def readiness_of(project: VideoProject) -> dict:
    gate = services.project_gate(project)
    return {
        "stage": project.stage,
        "next_stage": project.next_stage,
        "gate": {"stage": gate.stage, "open": gate.open, "missing": gate.missing} if gate else None,
    }


class VideoProjectViewSet(ServiceViewSet):
    """A video from topic to publication (ch.5). ``advance`` moves one stage through its gate."""

    model = VideoProject
    resource = "video_project"
    serializer_class = VideoProjectSerializer
    filterset_class = VideoProjectFilterSet
    search_fields = ["title", "brief"]
    ordering_fields = ["due_date", "stage", "title", "created_at"]
    ordering = ("due_date", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        project = services.project_create(
            actor=self.actor,
            client=data.get("client"),
            account=data["account"],
            title=data["title"],
            due_date=data["due_date"],
            assignee=data.get("assignee"),
            brief=data.get("brief", ""),
        )
        serializer.instance = self.fresh(project)

    def perform_update(self, serializer):
        project = services.project_update(actor=self.actor, project=serializer.instance, **serializer.validated_data)
        serializer.instance = self.fresh(project)

    def perform_destroy(self, instance):
        services.project_delete(actor=self.actor, project=instance)

    @extend_schema(responses=ProjectReadinessSerializer)
    @action(detail=True, methods=["get"], required_action=VIEW)
    def readiness(self, request, pk=None):
        """The project's stage and what its next gate still needs."""
        return Response(readiness_of(self.get_object()))

    @extend_schema(request=ProjectAdvanceSerializer, responses=VideoProjectSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def advance(self, request, pk=None):
        """Enter the next stage; refused with every missing requirement named."""
        payload = ProjectAdvanceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        project = services.project_advance(actor=self.actor, project=self.get_object(), **payload.validated_data)
        return self.respond(project)

    @extend_schema(request=ProjectMoveBackSerializer, responses=VideoProjectSerializer)
    @action(detail=True, methods=["post"], url_path="move-back", required_action=CHANGE)
    def move_back(self, request, pk=None):
        """Send the project back to an earlier stage, saying why."""
        payload = ProjectMoveBackSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        project = services.project_move_back(actor=self.actor, project=self.get_object(), **payload.validated_data)
        return self.respond(project)

    @extend_schema(request=ProjectPublishSerializer, responses=VideoProjectSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def publish(self, request, pk=None):
        """Record the publication: creates or links the account's video, and closes the project."""
        payload = ProjectPublishSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        project = services.project_publish(actor=self.actor, project=self.get_object(), **payload.validated_data)
        return self.respond(project)


# --- 5.1 scripts -----------------------------------------------------------------------------


class ScriptSerializer(TenantModelSerializer):
    topic_basis = serializers.ListField(
        child=serializers.ChoiceField(choices=TopicBasis.choices), required=False, help_text="Why this topic (5.1)."
    )
    shot_count = serializers.IntegerField(read_only=True, default=0)
    missing_parts = serializers.SerializerMethodField(help_text="The parts of 5.1 a)-d) still missing.")

    class Meta:
        model = Script
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "project",
            "client",
            "version",
            "topic",
            "topic_basis",
            "topic_reason",
            "trending_topics",
            "requirement",
            "scene_concept",
            "screenplay",
            "shot_count",
            "missing_parts",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "client",
            "version",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["project"].read_only = True
        return fields

    def get_missing_parts(self, obj) -> list[str]:
        return script_missing_parts(obj, shot_count=getattr(obj, "shot_count", 0))


class ScriptFilterSet(TenantFilterSet):
    class Meta:
        model = Script
        fields = ["project", "client", "status", "version", "requirement"]


class ProductionDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScriptViewSet(ServiceViewSet):
    """5.1. POST starts the next version of a project's script (a copy of the latest);
    ``submit`` sends a complete draft for approval; the approver ``approve``s or
    ``request-changes``."""

    model = Script
    resource = "script"
    serializer_class = ScriptSerializer
    filterset_class = ScriptFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["topic", "scene_concept", "screenplay"]
    ordering_fields = ["version", "status", "created_at"]
    ordering = ("project_id", "-version")

    def scope_queryset(self, queryset):
        return queryset.annotate(shot_count=Count("shots"))

    def perform_create(self, serializer):
        script = services.script_new_version(actor=self.actor, project=serializer.validated_data["project"])
        serializer.instance = self.fresh(script)

    def perform_update(self, serializer):
        script = services.script_update(actor=self.actor, script=serializer.instance, **serializer.validated_data)
        serializer.instance = self.fresh(script)

    @extend_schema(request=None, responses=ScriptSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def submit(self, request, pk=None):
        return self.respond(services.script_submit(actor=self.actor, script=self.get_object()))

    @extend_schema(request=ProductionDecisionSerializer, responses=ScriptSerializer)
    @action(detail=True, methods=["post"], required_action=DECIDE)
    def approve(self, request, pk=None):
        payload = ProductionDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        script = services.script_approve(actor=self.actor, script=self.get_object(), **payload.validated_data)
        return self.respond(script)

    @extend_schema(request=ProductionDecisionSerializer, responses=ScriptSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes", required_action=DECIDE)
    def request_changes(self, request, pk=None):
        payload = ProductionDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        script = services.script_request_changes(actor=self.actor, script=self.get_object(), **payload.validated_data)
        return self.respond(script)


class StoryboardShotSerializer(TenantModelSerializer):
    number = serializers.IntegerField(min_value=1, required=False, help_text="Next number when left out.")

    class Meta:
        model = StoryboardShot
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "script",
            "client",
            "number",
            "shot_size",
            "camera_movement",
            "duration_seconds",
            "picture",
            "dialogue",
            "sound",
            "props",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["client"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["script"].read_only = True
        return fields


class StoryboardShotFilterSet(TenantFilterSet):
    class Meta:
        model = StoryboardShot
        fields = ["script", "client", "shot_size", "camera_movement"]


class StoryboardShotViewSet(ServiceViewSet):
    """5.1 d): the shots of a draft script's storyboard."""

    model = StoryboardShot
    resource = "script"
    serializer_class = StoryboardShotSerializer
    filterset_class = StoryboardShotFilterSet
    search_fields = ["picture", "dialogue", "props"]
    ordering_fields = ["number", "duration_seconds"]
    ordering = ("script_id", "number")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        script = data.pop("script")
        shot = services.storyboard_shot_add(actor=self.actor, script=script, **data)
        serializer.instance = self.fresh(shot)

    def perform_update(self, serializer):
        shot = services.storyboard_shot_update(actor=self.actor, shot=serializer.instance, **serializer.validated_data)
        serializer.instance = self.fresh(shot)

    def perform_destroy(self, instance):
        services.storyboard_shot_delete(actor=self.actor, shot=instance)


# --- 5.2 shoots and clips --------------------------------------------------------------------


class ShootSerializer(TenantModelSerializer):
    accepted_clips = serializers.IntegerField(read_only=True, default=0)
    rejected_clips = serializers.IntegerField(read_only=True, default=0)
    unread_clips = serializers.IntegerField(read_only=True, default=0)
    complete = serializers.SerializerMethodField(
        help_text=f"{SHOOT_MIN_ACCEPTED_CLIPS}-{SHOOT_MAX_ACCEPTED_CLIPS} accepted clips and none unread (5.2)."
    )

    class Meta:
        model = Shoot
        fields = [
            "id",
            "project",
            "client",
            "date",
            "location",
            "scene_setup",
            "crew",
            "accepted_clips",
            "rejected_clips",
            "unread_clips",
            "complete",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["client"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["project"].read_only = True
        return fields

    def get_complete(self, obj) -> bool:
        accepted = getattr(obj, "accepted_clips", 0)
        return not getattr(obj, "unread_clips", 0) and SHOOT_MIN_ACCEPTED_CLIPS <= accepted <= SHOOT_MAX_ACCEPTED_CLIPS


class ShootFilterSet(TenantFilterSet):
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Shoot
        fields = ["project", "client", "date"]


def annotate_clip_counts(queryset):
    return queryset.annotate(
        accepted_clips=Count("clips", filter=Q(clips__verdict=ClipVerdict.ACCEPTED)),
        rejected_clips=Count("clips", filter=Q(clips__verdict=ClipVerdict.REJECTED)),
        unread_clips=Count("clips", filter=Q(clips__probe_state__in=[ProbeState.PENDING, ProbeState.PROBING])),
    )


class ShootViewSet(ServiceViewSet):
    """5.2: shoots, with how many of their clips were accepted."""

    model = Shoot
    resource = "shoot"
    serializer_class = ShootSerializer
    filterset_class = ShootFilterSet
    search_fields = ["location", "scene_setup", "crew"]
    ordering_fields = ["date", "created_at"]
    ordering = ("date", "id")

    def scope_queryset(self, queryset):
        return annotate_clip_counts(queryset)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        shoot = services.shoot_create(actor=self.actor, **data)
        serializer.instance = self.fresh(shoot)

    def perform_update(self, serializer):
        shoot = services.shoot_update(actor=self.actor, shoot=serializer.instance, **serializer.validated_data)
        serializer.instance = self.fresh(shoot)

    def perform_destroy(self, instance):
        services.shoot_delete(actor=self.actor, shoot=instance)


class MediaSerializerMixin(serializers.Serializer):
    download_basename = ""
    file = serializers.FileField(write_only=True, help_text="The video file (multipart).")
    file_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)  # a path on this server, not an absolute URI
    def get_file_url(self, obj) -> str:
        return reverse(f"{self.download_basename}-download", args=[obj.pk])


class ClipSerializer(MediaSerializerMixin, TenantModelSerializer):
    download_basename = "clip"

    class Meta:
        model = Clip
        fields = [
            "id",
            "shoot",
            "project",
            "client",
            "file",
            "file_url",
            "label",
            *MEDIA_FACTS,
            "verdict",
            "rule_failures",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["project", "client", *MEDIA_FACTS, "verdict", "rule_failures"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["shoot"].read_only = True
            fields.pop("file")
        return fields


class ClipFilterSet(TenantFilterSet):
    class Meta:
        model = Clip
        fields = ["shoot", "project", "client", "verdict", "probe_state"]


class ClipViewSet(ServiceViewSet):
    """5.2. Upload with multipart ``shoot`` + ``file``: a file that is not a video (or is too
    large) is refused at once and nothing is stored; a video is kept and read in the background
    (``probe_state``), then ``accepted`` or ``rejected`` with each failed rule named."""

    model = Clip
    resource = "shoot"
    serializer_class = ClipSerializer
    filterset_class = ClipFilterSet
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    search_fields = ["label", "original_name"]
    ordering_fields = ["created_at", "duration_seconds", "verdict"]
    ordering = ("shoot_id", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        clip = services.clip_upload(
            actor=self.actor, shoot=data["shoot"], file=data["file"], label=data.get("label", "")
        )
        serializer.instance = self.fresh(clip)

    def perform_update(self, serializer):
        clip = services.clip_update(
            actor=self.actor, clip=serializer.instance, label=serializer.validated_data.get("label", "")
        )
        serializer.instance = self.fresh(clip)

    def perform_destroy(self, instance):
        services.clip_delete(actor=self.actor, clip=instance)

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def download(self, request, pk=None):
        """The clip's file (byte ranges supported)."""
        clip = self.get_object()
        return file_response(request, clip.file, download_name=clip.original_name)


class CutSerializer(MediaSerializerMixin, TenantModelSerializer):
    download_basename = "cut"

    class Meta:
        model = Cut
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "project",
            "client",
            "version",
            "file",
            "file_url",
            "notes",
            *MEDIA_FACTS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["client", "version", *MEDIA_FACTS]


class CutFilterSet(TenantFilterSet):
    class Meta:
        model = Cut
        fields = ["project", "client", "version", "probe_state"]


class CutViewSet(ServiceViewSet):
    """5.3: versions of the edited video (multipart ``project`` + ``file``), read like clips."""

    model = Cut
    resource = "post_production"
    serializer_class = CutSerializer
    filterset_class = CutFilterSet
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    search_fields = ["notes", "original_name"]
    ordering_fields = ["version", "created_at"]
    ordering = ("project_id", "-version")

    def perform_create(self, serializer):
        data = serializer.validated_data
        cut = services.cut_upload(
            actor=self.actor, project=data["project"], file=data["file"], notes=data.get("notes", "")
        )
        serializer.instance = self.fresh(cut)

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def download(self, request, pk=None):
        """The cut's file (byte ranges supported, for seeking to a comment's time code)."""
        cut = self.get_object()
        return file_response(request, cut.file, download_name=cut.original_name)


# --- 5.3 post-production steps ---------------------------------------------------------------


class PostProductionStepSerializer(TenantModelSerializer):
    evidence_file = serializers.FileField(required=False, write_only=True)
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = PostProductionStep
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "project",
            "client",
            "kind",
            "position",
            "assignee",
            "status",
            "evidence_file",
            "evidence_url",
            "evidence_note",
            "not_applicable_reason",
            "completed_by",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["project", "client", "kind", "position", "completed_by", "completed_at"]

    @extend_schema_field({"type": "string", "nullable": True})  # a path on this server, or null
    def get_evidence_url(self, obj) -> str | None:
        return reverse("postproductionstep-download", args=[obj.pk]) if obj.evidence_file else None


class PostProductionStepFilterSet(TenantFilterSet):
    class Meta:
        model = PostProductionStep
        fields = ["project", "client", "kind", "status", "assignee"]


class PostProductionStepViewSet(ServiceViewSet):
    """5.3: the five steps of every project. PATCH (multipart for the evidence file) to work on
    one; ``done`` needs its evidence, ``not_applicable`` a reason."""

    model = PostProductionStep
    resource = "post_production"
    serializer_class = PostProductionStepSerializer
    filterset_class = PostProductionStepFilterSet
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    search_fields = ["evidence_note", "not_applicable_reason"]
    ordering_fields = ["position", "status", "completed_at"]
    ordering = ("project_id", "position")

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "assignee" not in data:
            data["assignee"] = services.UNSET
        step = services.post_step_update(actor=self.actor, step=serializer.instance, **data)
        serializer.instance = self.fresh(step)

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def download(self, request, pk=None):
        """The step's evidence file."""
        step = self.get_object()
        if not step.evidence_file:
            from django.http import Http404

            raise Http404
        return file_response(request, step.evidence_file)


# --- client review ---------------------------------------------------------------------------


class ReviewRoundSerializer(TenantModelSerializer):
    comment_count = serializers.IntegerField(read_only=True, default=0)
    open_comment_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ReviewRound
        validators = []  # uniqueness is the service's (full_clean), with a clear message
        fields = [
            "id",
            "project",
            "client",
            "cut",
            "number",
            "status",
            "comment_count",
            "open_comment_count",
            "decided_by",
            "decided_at",
            "decision_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReviewRoundFilterSet(TenantFilterSet):
    class Meta:
        model = ReviewRound
        fields = ["project", "client", "cut", "status"]


class ReviewRoundViewSet(ServiceViewSet):
    """A round opens when the project is sent to client review (``advance`` to client_review);
    the client's approver ``approve``s it or ``request-changes``."""

    model = ReviewRound
    resource = "review"
    serializer_class = ReviewRoundSerializer
    filterset_class = ReviewRoundFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["number", "created_at", "decided_at"]
    ordering = ("project_id", "-number")

    def scope_queryset(self, queryset):
        return queryset.annotate(
            comment_count=Count("comments"),
            open_comment_count=Count(
                "comments", filter=Q(comments__parent__isnull=True, comments__resolved_at__isnull=True)
            ),
        )

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="A review round opens when the project advances to client_review.")

    @extend_schema(request=ProductionDecisionSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], required_action=DECIDE)
    def approve(self, request, pk=None):
        payload = ProductionDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        round_ = services.review_round_approve(actor=self.actor, round=self.get_object(), **payload.validated_data)
        return self.respond(round_)

    @extend_schema(request=ProductionDecisionSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes", required_action=DECIDE)
    def request_changes(self, request, pk=None):
        payload = ProductionDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        round_ = services.review_round_request_changes(
            actor=self.actor, round=self.get_object(), **payload.validated_data
        )
        return self.respond(round_)


class ReviewCommentSerializer(TenantModelSerializer):
    timecode = serializers.CharField(read_only=True)

    class Meta:
        model = ReviewComment
        fields = [
            "id",
            "round",
            "cut",
            "client",
            "parent",
            "author",
            "body",
            "timecode_seconds",
            "frame",
            "timecode",
            "resolved_at",
            "resolved_by",
            "resolved_in",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["cut", "client", "author", "resolved_at", "resolved_by", "resolved_in"]


class ReviewCommentFilterSet(TenantFilterSet):
    resolved = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", exclude=True, label=gettext_lazy("Resolved")
    )
    project = django_filters.NumberFilter(field_name="round__project_id")

    class Meta:
        model = ReviewComment
        fields = ["round", "cut", "client", "parent", "author", "resolved_in"]


class ReviewCommentViewSet(ServiceViewSet):
    """Comments on a cut at a time code (``timecode_seconds``, optionally ``frame``) and replies
    (``parent``). Staff ``resolve`` a comment once a cut deals with it."""

    model = ReviewComment
    resource = "review"
    serializer_class = ReviewCommentSerializer
    filterset_class = ReviewCommentFilterSet
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["body"]
    ordering_fields = ["timecode_seconds", "created_at"]
    ordering = ("round_id", "timecode_seconds", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        comment = services.review_comment_add(
            actor=self.actor,
            round=data["round"],
            body=data["body"],
            timecode_seconds=data.get("timecode_seconds"),
            frame=data.get("frame"),
            parent=data.get("parent"),
        )
        serializer.instance = self.fresh(comment)

    @extend_schema(request=None, responses=ReviewCommentSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def resolve(self, request, pk=None):
        return self.respond(services.review_comment_resolve(actor=self.actor, comment=self.get_object()))

    @extend_schema(request=None, responses=ReviewCommentSerializer)
    @action(detail=True, methods=["post"], required_action=CHANGE)
    def reopen(self, request, pk=None):
        comment = services.review_comment_resolve(actor=self.actor, comment=self.get_object(), resolved=False)
        return self.respond(comment)


# --- stage history ---------------------------------------------------------------------------


class StageTransitionSerializer(TenantModelSerializer):
    from_stage = serializers.CharField(read_only=True, help_text="The stage left ('' for a new project).")
    to_stage = serializers.CharField(read_only=True, help_text="The stage entered.")

    class Meta:
        model = StageTransition
        fields = ["id", "project", "client", "from_stage", "to_stage", "at", "by", "note", "snapshot"]
        read_only_fields = fields


class StageTransitionFilterSet(TenantFilterSet):
    at_after = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = StageTransition
        fields = ["project", "client", "from_stage", "to_stage", "by"]


class StageTransitionViewSet(TenantViewSet):
    """Every stage change of every project, with what its gate found (read-only)."""

    model = StageTransition
    resource = "video_project"
    serializer_class = StageTransitionSerializer
    filterset_class = StageTransitionFilterSet
    http_method_names = READ_ONLY
    ordering_fields = ["at"]
    ordering = ("-at", "-id")


register("video-projects", VideoProjectViewSet)
register("scripts", ScriptViewSet)
register("storyboard-shots", StoryboardShotViewSet)
register("shoots", ShootViewSet)
register("clips", ClipViewSet)
register("cuts", CutViewSet)
register("post-production-steps", PostProductionStepViewSet)
register("review-rounds", ReviewRoundViewSet)
register("review-comments", ReviewCommentViewSet)
register("stage-transitions", StageTransitionViewSet)
