"""API of the clients app: clients, platform accounts, videos and requirements (4.1)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from agency.api.cached import AnswerCacheMixin, answer_cached
from agency.api.filters import TenantFilterSet
from agency.api.pagination import CursorPagination
from agency.api.routers import register
from agency.api.serializers import FixedAfterCreate, TenantModelSerializer
from agency.api.viewsets import ServiceViewSet, TenantViewSet, service_action
from agency.db.routers import replica_reads
from agency.http import file_response
from agency.roles import DECIDE, FULFIL, VIEW
from clients import selectors, services
from clients.models import Client, ClientRequirement, PlatformAccount, Service, Video
from clients.selectors import DASHBOARD_DAYS, DASHBOARD_MAX_DAYS


class ClientSerializer(TenantModelSerializer):
    services = serializers.ListField(child=serializers.ChoiceField(choices=Service.choices), required=False)

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "kind",
            "industry",
            "city",
            "contact_name",
            "contact_phone",
            "contact_email",
            "status",
            "contract_start",
            "contract_end",
            "services",
            "account_manager",
            "notes",
            "created_at",
            "updated_at",
        ]


class ClientFilterSet(TenantFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Client
        fields = ["kind", "status", "city", "industry", "account_manager"]


# --- dashboards ---------------------------------------------------------------------------------


class PeriodCountsSerializer(serializers.Serializer):
    plays = serializers.IntegerField()
    likes = serializers.IntegerField()
    comments = serializers.IntegerField()
    shares = serializers.IntegerField()
    followers_gained = serializers.IntegerField()


class SeriesPointSerializer(PeriodCountsSerializer):
    date = serializers.DateField()


class DashboardAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    handle = serializers.CharField()
    nickname = serializers.CharField()
    status = serializers.CharField()
    followers = serializers.IntegerField()
    period = PeriodCountsSerializer(help_text="Summed daily figures over the period (0 when none arrived).")


class DashboardVideoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    plays = serializers.IntegerField()
    likes = serializers.IntegerField()
    comments = serializers.IntegerField()
    shares = serializers.IntegerField()


class RequirementCountsSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    accepted = serializers.IntegerField()


class ClientDashboardSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    name = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    accounts = DashboardAccountSerializer(many=True)
    series = SeriesPointSerializer(many=True)
    top_videos = DashboardVideoSerializer(many=True)
    requirements = RequirementCountsSerializer()


class RequirementBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    title = serializers.CharField()
    status = serializers.CharField()
    raised_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)


class TopClientSerializer(PeriodCountsSerializer):
    client = serializers.IntegerField()
    name = serializers.CharField()


class AgencyOverviewSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    clients = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    accounts = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    requirements = RequirementCountsSerializer()
    waiting_requirements = RequirementBriefSerializer(many=True)
    due_requirements = RequirementBriefSerializer(many=True)
    series = SeriesPointSerializer(many=True)
    top_clients = TopClientSerializer(many=True)


DAYS_PARAMETER = OpenApiParameter(
    "days",
    {"type": "integer", "minimum": 1, "maximum": DASHBOARD_MAX_DAYS},
    description=f"The last N days up to yesterday (1-{DASHBOARD_MAX_DAYS}, default {DASHBOARD_DAYS}).",
)


def days_from(request) -> int:
    raw = request.query_params.get("days", "")
    if raw == "":
        return DASHBOARD_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if not 1 <= days <= DASHBOARD_MAX_DAYS:
        raise ValidationError({"days": [f"Give a whole number of days from 1 to {DASHBOARD_MAX_DAYS}."]})
    return days


class ClientViewSet(AnswerCacheMixin, TenantViewSet):
    """Clients; ``{id}/dashboard/`` is one client's dashboard and ``overview/`` the agency's (for a
    client person: their own client's figures). Both read from the read replica when one is
    configured (``DATABASE_REPLICA_URL``)."""

    model = Client
    resource = "client"
    serializer_class = ClientSerializer
    filterset_class = ClientFilterSet
    search_fields = ["name", "industry", "city", "contact_name"]
    ordering_fields = ["name", "status", "contract_end", "created_at"]
    ordering = ("name",)

    @extend_schema(parameters=[DAYS_PARAMETER], responses=ClientDashboardSerializer)
    @action(detail=True, methods=["get"])
    @answer_cached
    def dashboard(self, request, pk=None):
        days = days_from(request)
        client = self.checked_row
        with replica_reads():
            data = selectors.client_dashboard(self.actor, client, days=days)
        body = {
            "client": data["client"].pk,
            "name": data["client"].name,
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "accounts": [
                {
                    "id": account.pk,
                    "platform": account.platform,
                    "handle": account.handle,
                    "nickname": account.nickname,
                    "status": account.status,
                    "followers": account.followers,
                    "period": {name: totals.get(name, 0) for name in PeriodCountsSerializer().fields},
                }
                for account, totals in data["accounts"]
            ],
            "series": data["series"],
            "top_videos": data["top_videos"],
            "requirements": data["requirements"],
        }
        return Response(ClientDashboardSerializer(body).data)

    @extend_schema(parameters=[DAYS_PARAMETER], responses=AgencyOverviewSerializer)
    @action(detail=False, methods=["get"])
    @answer_cached
    def overview(self, request):
        days = days_from(request)
        with replica_reads():
            data = selectors.agency_metrics_overview(self.actor, days=days)
            return Response(AgencyOverviewSerializer(data).data)


class PlatformAccountSerializer(FixedAfterCreate, TenantModelSerializer):
    # An account is on one platform for good: its figures, comments and videos are that platform's.
    fixed_after_create = ("platform",)

    class Meta:
        model = PlatformAccount
        fields = [
            "id",
            "client",
            "platform",
            "handle",
            "platform_uid",
            "nickname",
            "status",
            "followers",
            "followers_updated_at",
            "created_at",
            "updated_at",
        ]


class PlatformAccountFilterSet(TenantFilterSet):
    handle = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = PlatformAccount
        fields = ["client", "platform", "status"]


class PlatformAccountViewSet(TenantViewSet):
    model = PlatformAccount
    resource = "platform_account"
    serializer_class = PlatformAccountSerializer
    filterset_class = PlatformAccountFilterSet
    search_fields = ["handle", "nickname", "platform_uid"]
    ordering_fields = ["handle", "followers", "platform", "created_at"]
    ordering = ("client_id", "platform", "handle")


class VideoSerializer(TenantModelSerializer):
    client = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The account's client.")

    class Meta:
        model = Video
        fields = [
            "id",
            "client",
            "account",
            "platform_item_id",
            "title",
            "url",
            "published_at",
            "duration_seconds",
            "origin",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        account = attrs.get("account")
        if account is not None:
            attrs["client"] = account.client
        return super().validate(attrs)


class VideoFilterSet(TenantFilterSet):
    published_after = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lt")
    title = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Video
        fields = ["client", "account", "origin", "platform_item_id"]


class VideoCursorPagination(CursorPagination):
    ordering = ("-id",)


class VideoViewSet(TenantViewSet):
    """Videos can run to millions of rows: cursor pagination keeps every page as cheap as the first."""

    model = Video
    resource = "video"
    serializer_class = VideoSerializer
    filterset_class = VideoFilterSet
    pagination_class = VideoCursorPagination
    search_fields = ["title", "platform_item_id"]
    ordering_fields = ["id", "published_at"]
    ordering = ("-id",)


class ClientRequirementSerializer(TenantModelSerializer):
    # The evidence file is sent with ``fulfil`` (checked there); here only the path that serves it.
    evidence_file_url = serializers.SerializerMethodField()

    class Meta:
        model = ClientRequirement
        fields = [
            "id",
            "client",
            "title",
            "text",
            "raised_by",
            "raised_by_name",
            "raised_at",
            "status",
            "decided_by",
            "decided_at",
            "decline_reason",
            "due_date",
            "fulfilled_by",
            "fulfilled_at",
            "fulfilment_note",
            "evidence_url",
            "evidence_file_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "raised_by",
            "status",
            "decided_by",
            "decided_at",
            "decline_reason",
            "due_date",
            "fulfilled_by",
            "fulfilled_at",
            "fulfilment_note",
            "evidence_url",
        ]
        extra_kwargs = {"raised_at": {"required": False}}

    @extend_schema_field({"type": "string", "nullable": True})  # a path on this server, or null
    def get_evidence_file_url(self, obj) -> str | None:
        return reverse("clientrequirement-evidence", args=[obj.pk]) if obj.evidence_file else None


class AcceptSerializer(serializers.Serializer):
    due_date = serializers.DateField()


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField()


class FulfilSerializer(serializers.Serializer):
    note = serializers.CharField()
    evidence_url = serializers.URLField(required=False, allow_blank=True)
    evidence_file = serializers.FileField(required=False)


class ClientRequirementFilterSet(TenantFilterSet):
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = ClientRequirement
        fields = ["client", "status"]


class ClientRequirementViewSet(ServiceViewSet):
    """4.1. Raise with POST; decide with ``accept`` / ``decline``; close with ``fulfil``."""

    model = ClientRequirement
    resource = "requirement"
    serializer_class = ClientRequirementSerializer
    filterset_class = ClientRequirementFilterSet
    search_fields = ["title", "text"]
    ordering_fields = ["raised_at", "due_date", "status"]
    ordering = ("-raised_at",)

    def scope_queryset(self, queryset):
        return queryset.select_related("client")

    create_service = services.requirement_raise
    changeable_fields = ("client", "title", "text", "raised_by_name", "raised_at")
    service_row = "requirement"

    @extend_schema(request=AcceptSerializer, responses=ClientRequirementSerializer)
    @service_action(services.requirement_accept, body=AcceptSerializer, required_action=DECIDE)
    def accept(self, request, pk=None):
        pass

    @extend_schema(request=DeclineSerializer, responses=ClientRequirementSerializer)
    @service_action(services.requirement_decline, body=DeclineSerializer, required_action=DECIDE)
    def decline(self, request, pk=None):
        pass

    @extend_schema(request=FulfilSerializer, responses=ClientRequirementSerializer)
    @service_action(services.requirement_fulfil, body=FulfilSerializer, required_action=FULFIL)
    def fulfil(self, request, pk=None):
        pass

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], required_action=VIEW)
    def evidence(self, request, pk=None):
        """The evidence file of a fulfilled requirement."""
        requirement = self.get_object()
        if not requirement.evidence_file:
            raise Http404
        return file_response(request, requirement.evidence_file)


register("clients", ClientViewSet)
register("platform-accounts", PlatformAccountViewSet)
register("videos", VideoViewSet)
register("requirements", ClientRequirementViewSet, basename="clientrequirement")
