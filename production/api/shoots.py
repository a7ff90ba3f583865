"""5.2: shoots and clips."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser

from agency.api.filters import TenantFilterSet
from agency.api.parsers import JSONParser, MultiPartParser
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet
from agency.http import file_response
from agency.roles import VIEW
from production.api.common import MEDIA_FACTS, NO_PUT, MediaSerializerMixin
from production.models.common import ProbeState
from production.models.shoots import Clip, ClipVerdict, Shoot
from production.rules import SHOOT_MAX_ACCEPTED_CLIPS, SHOOT_MIN_ACCEPTED_CLIPS
from production.services.shoots import clip_delete, clip_update, clip_upload, shoot_create, shoot_delete, shoot_update


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

    http_method_names = NO_PUT
    create_service = shoot_create
    update_service = shoot_update
    service_row = "shoot"

    def perform_destroy(self, instance):
        shoot_delete(actor=self.actor, shoot=instance)


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
    http_method_names = NO_PUT
    create_service = clip_upload
    update_service = clip_update
    service_row = "clip"
    changeable_fields = ("shoot", "file", "label")

    def update_row(self, row, values):
        # The label is all a PATCH may change: without one, nothing changes.
        return super().update_row(row, values) if "label" in values else row

    def perform_destroy(self, instance):
        clip_delete(actor=self.actor, clip=instance)

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def download(self, request, pk=None):
        """The clip's file (byte ranges supported)."""
        clip = self.get_object()
        return file_response(request, clip.file, download_name=clip.original_name)
