"""API of 7.3, audience snapshots and persona reports. Writes go through the services."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from accounts_ops.api.common import (
    APPEND_ONLY,
    AccountRowSerializer,
    IngestResultSerializer,
    OpsViewSet,
    bulk_body,
    ingest_counts,
)
from accounts_ops.api.imports_rows import AudienceSnapshotsBulkSerializer
from accounts_ops.models.audience import AudiencePersonaReport, AudienceSnapshot
from accounts_ops.portrait import DIMENSION_NAMES
from accounts_ops.services.audience import audience_snapshots_ingest, check_snapshot_rows, persona_report_request
from agency.api.filters import TenantFilterSet
from agency.api.openapi import not_offered
from agency.api.pagination import CursorPagination
from agency.api.routers import register
from agency.api.serializers import ScopedSerializer
from agency.api.viewsets import service_action
from agency.roles import ADD
from clients.models import PlatformAccount


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
        data = self.service_values(serializer)
        account = data.pop("account")
        row = {
            "account": account.pk,
            **{k: v for k, v in data.items() if k in ("date", "fans_total", *DIMENSION_NAMES)},
        }
        row["date"] = data["date"].isoformat()
        result = audience_snapshots_ingest(actor=self.actor, rows=[row], prefix="")
        snapshot = AudienceSnapshot.objects.get(account=account, date=data["date"])
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(snapshot).data, status=code)

    @extend_schema(
        request=AudienceSnapshotsBulkSerializer,
        responses={200: IngestResultSerializer, 201: IngestResultSerializer},
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        body = bulk_body(request, AudienceSnapshotsBulkSerializer, self.actor, check_snapshot_rows)
        return ingest_counts(
            audience_snapshots_ingest(actor=self.actor, rows=body["rows"], account=body.get("account"))
        )


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
    account = serializers.PrimaryKeyRelatedField(queryset=PlatformAccount.objects.none())


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
    @service_action(
        persona_report_request,
        body=RequestSerializer,
        detail=False,
        status_code=status.HTTP_201_CREATED,
        url_path="request",
        url_name="request",
        required_action=ADD,
    )
    def request_report(self, request):
        pass


register("audience-snapshots", AudienceSnapshotViewSet)
register("audience-persona-reports", AudiencePersonaReportViewSet)
