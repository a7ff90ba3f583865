"""Publications planned on the platform: the approved cut sent through the platform's open API
at a date and time, then followed through the platform's review."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from agency.api.filters import TenantFilterSet
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import ServiceViewSet, service_action
from agency.roles import CHANGE
from production.models.publishing import Publication
from production.services.publishing import publication_cancel, publication_schedule, publication_update

REFUSALS = {
    400: OpenApiResponse(
        description=(
            "Named field errors: the project is not ready to publish, already has a publication on its way, or its "
            "account cannot be published to (``project``); a time that has passed (``scheduled_at``); an empty "
            "title; a topic with a space or a # sign, too long, or too many (``topics``); a publication that is no "
            "longer planned (``status``)."
        )
    ),
    403: OpenApiResponse(description="The person's role may not plan publications."),
    404: OpenApiResponse(description="No such publication (or project) for this person."),
}


class PublicationSerializer(TenantModelSerializer):
    topics = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        max_length=50,
        required=False,
        help_text="Each topic one word, without the # sign; sent as '#topic' in the text.",
    )
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Now when left out or null.")
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="The project's title when left out."
    )

    class Meta:
        model = Publication
        fields = [
            "id",
            "project",
            "client",
            "account",
            "scheduled_at",
            "title",
            "topics",
            "poi_id",
            "text",
            "status",
            "producer",
            "platform_item_id",
            "url",
            "accepted_at",
            "published_at",
            "problem",
            "cancelled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "client",
            "account",
            "text",
            "status",
            "producer",
            "platform_item_id",
            "url",
            "accepted_at",
            "published_at",
            "problem",
            "cancelled_at",
        ]

    def validate_scheduled_at(self, value):
        """Null is now (the row's time is never empty), on a creation as on a change."""
        return timezone.now() if value is None else value

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)) and hasattr(self.instance, "pk"):
            fields["project"].read_only = True
        return fields


class PublicationFilterSet(TenantFilterSet):
    scheduled_after = django_filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="gte")
    scheduled_before = django_filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="lt")

    class Meta:
        model = Publication
        fields = ["project", "client", "account", "status", "producer"]


@extend_schema_view(
    create=extend_schema(responses={201: PublicationSerializer, **REFUSALS}),
    partial_update=extend_schema(responses={200: PublicationSerializer, **REFUSALS}),
)
class PublicationViewSet(ServiceViewSet):
    """Plan the publication of a project's approved cut on its account (POST, while the project
    is ready to publish and its account is connected); change its time, title, topics or POI
    (PATCH) or ``cancel`` it while it is planned. The connectors send it at ``scheduled_at`` and
    follow the platform's review: ``status`` goes planned → sending → reviewing → published (the
    project is closed with the video) or refused / failed (``problem`` says why, in the
    platform's words). Accounts without a connection record the publication by hand
    (``video-projects/{id}/publish``)."""

    model = Publication
    resource = "video_project"
    serializer_class = PublicationSerializer
    filterset_class = PublicationFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["title", "text"]
    ordering_fields = ["scheduled_at", "created_at", "status"]
    ordering = ("scheduled_at", "id")

    create_service = publication_schedule
    update_service = publication_update
    service_row = "publication"
    changeable_fields = ("project", "scheduled_at", "title", "topics", "poi_id")

    def service_values(self, serializer) -> dict:
        values = super().service_values(serializer)
        return values if serializer.instance is not None else {"scheduled_at": None, "topics": [], **values}

    @extend_schema(request=None, responses={200: PublicationSerializer, **REFUSALS})
    @service_action(publication_cancel, required_action=CHANGE)
    def cancel(self, request, pk=None):
        """Cancel a planned publication before it is sent, or close a failed or refused one."""
