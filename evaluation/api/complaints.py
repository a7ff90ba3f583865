"""API of customer protection (10.1): the agency's service guarantees and the complaints of
clients and users, with their deadlines, resolution and the complainant's confirmation."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import TenantViewSet, service_action
from agency.roles import DECIDE, FULFIL
from evaluation.api.common import EvaluationViewSet
from evaluation.models import Complaint, ComplaintStatus, ServiceGuarantee
from evaluation.services import complaints as services


class ServiceGuaranteeSerializer(TenantModelSerializer):
    class Meta:
        model = ServiceGuarantee
        fields = [
            "id",
            "title_zh",
            "title_en",
            "description",
            "response_hours",
            "compensation_rule",
            "is_active",
            "created_at",
            "updated_at",
        ]


class ServiceGuaranteeFilterSet(TenantFilterSet):
    class Meta:
        model = ServiceGuarantee
        fields = ["is_active"]


class ServiceGuaranteeViewSet(TenantViewSet):
    """The agency's promises (response times, compensation rules) that complaints can claim."""

    model = ServiceGuarantee
    resource = "service_guarantee"
    serializer_class = ServiceGuaranteeSerializer
    filterset_class = ServiceGuaranteeFilterSet
    search_fields = ["title_zh", "title_en", "description"]
    ordering_fields = ["title_zh", "response_hours"]
    ordering = ("title_zh",)

    def perform_destroy(self, instance):
        services.guarantee_delete(actor=self.actor, guarantee=instance)


class ComplaintSerializer(TenantModelSerializer):
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "client",
            "source",
            "channel",
            "category",
            "severity",
            "subject",
            "description",
            "complainant_name",
            "complainant_contact",
            "guarantee",
            "promised",
            "campaign",
            "owner",
            "received_at",
            "respond_by",
            "resolve_by",
            "is_overdue",
            "first_response_at",
            "first_response",
            "status",
            "resolution",
            "resolved_at",
            "resolved_by",
            "compensation",
            "compensation_amount",
            "confirmed_at",
            "confirmation_note",
            "escalation_level",
            "escalated_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "respond_by",
            "resolve_by",
            "first_response_at",
            "first_response",
            "status",
            "resolution",
            "resolved_at",
            "resolved_by",
            "compensation",
            "compensation_amount",
            "confirmed_at",
            "confirmation_note",
            "escalation_level",
            "escalated_at",
        ]
        extra_kwargs = {
            "received_at": {"required": False},
            "source": {"required": False},
            "channel": {"required": False},
        }

    def get_is_overdue(self, obj) -> bool:
        return obj.status == ComplaintStatus.OPEN and obj.resolve_by < timezone.now()


class ComplaintFilterSet(TenantFilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("Overdue"))
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")

    class Meta:
        model = Complaint
        fields = ["client", "status", "severity", "source", "channel", "category", "owner", "guarantee", "campaign"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status": ComplaintStatus.OPEN, "resolve_by__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class ComplaintRespondSerializer(serializers.Serializer):
    response = serializers.CharField()


class ComplaintResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    compensation = serializers.CharField(required=False, allow_blank=True)
    compensation_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )


class ComplaintConfirmSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True)


class ComplaintViewSet(EvaluationViewSet):
    """10.1 customer protection. File with POST (client people: for their own client); the
    deadlines follow from the severity. ``respond``, ``resolve``, then the complainant's
    ``confirm``. Complaints are never deleted."""

    model = Complaint
    resource = "complaint"
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilterSet
    search_fields = ["subject", "description", "complainant_name"]
    ordering_fields = ["received_at", "resolve_by", "severity", "status"]
    ordering = ("-received_at", "-id")
    http_method_names = ["get", "post", "patch", "head", "options"]

    create_service = services.complaint_file
    update_service = services.complaint_change
    service_row = "complaint"
    fixed_fields = ("client", "source", "channel", "campaign", "received_at")
    fixed_message = "This cannot change once the complaint is filed."

    @extend_schema(request=ComplaintRespondSerializer, responses=ComplaintSerializer)
    @service_action(services.complaint_respond, body=ComplaintRespondSerializer, required_action=FULFIL)
    def respond(self, request, pk=None):
        pass

    @extend_schema(request=ComplaintResolveSerializer, responses=ComplaintSerializer)
    @service_action(services.complaint_resolve, body=ComplaintResolveSerializer, required_action=FULFIL)
    def resolve(self, request, pk=None):
        pass

    @extend_schema(request=ComplaintConfirmSerializer, responses=ComplaintSerializer)
    @service_action(services.complaint_confirm, body=ComplaintConfirmSerializer, required_action=DECIDE)
    def confirm(self, request, pk=None):
        """The complainant accepts the resolution (closing the complaint) or not (reopening it)."""


register("service-guarantees", ServiceGuaranteeViewSet)
register("complaints", ComplaintViewSet)
