"""API of the standard as evidence: live evaluation, monthly snapshots, and PDF reports."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import TenantModelSerializer
from agency.api.viewsets import TenantViewSet
from agency.conformance import Period, Status
from agency.conformance_shown import conformance_shown_to
from agency.languages import requester_language
from clients.models import Client
from reports.models import ConformanceReport, ConformanceSnapshot
from reports.selectors import conformance_results
from reports.services import conformance_report_request


def parse_period(value: str) -> Period:
    try:
        return Period.parse(value)
    except ValueError as exc:
        raise ValidationError({"period": [str(exc)]}) from exc


class EvidenceSerializer(serializers.Serializer):
    label = serializers.CharField()
    model = serializers.CharField()
    object_id = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()


class ClauseResultSerializer(serializers.Serializer):
    clause_id = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=["met", "not_met", "not_applicable", "not_implemented"])
    summary = serializers.CharField()
    evidence = EvidenceSerializer(many=True)


class ConformanceSnapshotSerializer(TenantModelSerializer):
    results = ClauseResultSerializer(many=True, read_only=True)

    class Meta:
        model = ConformanceSnapshot
        fields = ["id", "client", "period_start", "period_end", "met", "not_met", "results", "created_at"]
        read_only_fields = fields

    def to_representation(self, snapshot):
        """A client person reads the clauses their agency shows them, and counts of those only."""
        data = super().to_representation(snapshot)
        view = self.context.get("view")
        actor = getattr(view, "actor", None)
        if actor is not None and actor.is_client_person:
            data["results"] = conformance_shown_to(actor, data["results"])
            data["met"] = sum(row["status"] == Status.MET for row in data["results"])
            data["not_met"] = sum(row["status"] == Status.NOT_MET for row in data["results"])
        return data


class ConformanceSnapshotFilterSet(TenantFilterSet):
    class Meta:
        model = ConformanceSnapshot
        fields = ["client", "period_start", "period_end"]


class ConformanceSnapshotViewSet(TenantViewSet):
    """Frozen monthly conformance per client; ``evaluate`` answers any client and period live."""

    model = ConformanceSnapshot
    resource = "conformance"
    serializer_class = ConformanceSnapshotSerializer
    filterset_class = ConformanceSnapshotFilterSet
    http_method_names = ["get", "head", "options"]
    ordering_fields = ["period_start", "met", "not_met"]
    ordering = ("-period_start", "client_id")

    @extend_schema(
        parameters=[
            OpenApiParameter("client", int, required=True),
            OpenApiParameter("period", str, required=True, description="YYYY, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD"),
        ],
        responses=ClauseResultSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def evaluate(self, request):
        client_id = request.query_params.get("client", "")
        if not client_id.isdigit():
            raise ValidationError({"client": ["Give the client's id."]})
        client = get_object_or_404(Client.objects.visible_to(self.actor), pk=int(client_id))
        period = parse_period(request.query_params.get("period", ""))
        results, _snapshot = conformance_results(client, period)
        results = conformance_shown_to(self.actor, results)
        return Response(ClauseResultSerializer([row.as_dict() for row in results], many=True).data)


class ConformanceReportSerializer(TenantModelSerializer):
    period = serializers.CharField(write_only=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD")
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        default=requester_language,
        help_text="The report's language; by default the requester's.",
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ConformanceReport
        fields = [
            "id",
            "client",
            "period",
            "period_start",
            "period_end",
            "language",
            "for_client",
            "clauses",
            "status",
            "progress",
            "error",
            "download_url",
            "created_at",
        ]
        read_only_fields = ["period_start", "period_end", "clauses", "status", "progress", "error"]

    def get_download_url(self, obj) -> str:
        return reverse("conformance-report-download", args=[obj.pk]) if obj.file else ""

    def validate(self, attrs):
        attrs["period"] = parse_period(attrs["period"])
        return super().validate(attrs)


class ConformanceReportFilterSet(TenantFilterSet):
    class Meta:
        model = ConformanceReport
        fields = ["client", "status", "language"]


class ConformanceReportViewSet(TenantViewSet):
    """Ask for a PDF report (POST); poll it for ``progress``; download it when ``done``."""

    model = ConformanceReport
    resource = "conformance"
    serializer_class = ConformanceReportSerializer
    filterset_class = ConformanceReportFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["created_at", "status"]
    ordering = ("-created_at",)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = conformance_report_request(
            actor=self.actor,
            client=data["client"],
            period=data["period"],
            language=data["language"],
            for_client=data.get("for_client", False),
        )


register("conformance-snapshots", ConformanceSnapshotViewSet)
register("conformance-reports", ConformanceReportViewSet)
