"""API of account and video daily metrics: read, and written in bulk (see ``imports``)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from accounts_ops.api.common import (
    READ_AND_BULK,
    AccountRowSerializer,
    BulkViewSetMixin,
    DataImportSerializer,
    IngestResultSerializer,
    OpsViewSet,
)
from accounts_ops.api.imports_rows import AccountMetricsBulkSerializer, VideoMetricsBulkSerializer
from accounts_ops.models.imports import ImportKind
from accounts_ops.models.metrics import AccountDailyMetric, VideoDailyMetric
from accounts_ops.services.metrics import account_metrics_ingest, video_metrics_ingest
from agency.api.cached import AnswerCacheMixin, answer_cached
from agency.api.filters import TenantFilterSet
from agency.api.pagination import CursorPagination
from agency.api.routers import register
from agency.roles import ADD


class MetricCursorPagination(CursorPagination):
    ordering = ("-date", "-id")


class AccountDailyMetricSerializer(AccountRowSerializer):
    class Meta:
        model = AccountDailyMetric
        fields = ["id", "client", "account", "date", *AccountDailyMetric.COUNTS, "created_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, row):
        """What DRF's fields answer for a row (every field is read-only and plain), without going
        through them one by one: a page of the list is a hundred rows of fifteen fields
        (``tests/accounts_ops/test_metrics_rollups.py`` compares the two)."""
        stamp = self.fields["created_at"].to_representation
        return {
            "id": row.pk,
            "client": row.client_id,
            "account": row.account_id,
            "date": row.date.isoformat(),
            **{name: getattr(row, name) for name in AccountDailyMetric.COUNTS},
            "created_at": stamp(row.created_at),
            "updated_at": stamp(row.updated_at),
        }


class AccountDailyMetricFilterSet(TenantFilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = AccountDailyMetric
        fields = ["client", "account", "date"]


class AccountDailyMetricViewSet(AnswerCacheMixin, BulkViewSetMixin, OpsViewSet):
    """Account daily metrics (followers, new followers, daily active fans, profile visits, plays,
    likes, comments, shares, videos posted), one row per account and date. ``bulk`` upserts up to
    10,000 rows: the same rows twice change nothing, a corrected row replaces the old values, a
    value left out keeps the stored one."""

    model = AccountDailyMetric
    resource = "platform_metrics"
    serializer_class = AccountDailyMetricSerializer
    filterset_class = AccountDailyMetricFilterSet
    pagination_class = MetricCursorPagination
    http_method_names = READ_AND_BULK
    search_fields = ["account__handle"]
    ordering_fields = ["date", "id", "plays", "followers_total"]
    ordering = ("-date", "-id")

    @answer_cached
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=AccountMetricsBulkSerializer,
        responses={200: IngestResultSerializer, 201: IngestResultSerializer, 202: DataImportSerializer},
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        return self.run_bulk(request, AccountMetricsBulkSerializer, account_metrics_ingest, ImportKind.ACCOUNT_METRICS)


class VideoDailyMetricSerializer(AccountRowSerializer):
    class Meta:
        model = VideoDailyMetric
        fields = [
            "id",
            "client",
            "account",
            "video",
            "date",
            *VideoDailyMetric.COUNTS,
            "avg_watch_seconds",
            "completion_rate",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VideoDailyMetricFilterSet(TenantFilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = VideoDailyMetric
        fields = ["client", "account", "video", "date"]


class VideoDailyMetricViewSet(BulkViewSetMixin, OpsViewSet):
    """Video daily metrics (plays, likes, comments, shares, average watch time, completion rate),
    one row per video and date. A bulk row names its video by id, or by the platform's ``item_id``
    with the account; ``completion_rate`` is a share (0.352) or a percentage (``"35.2%"``)."""

    model = VideoDailyMetric
    resource = "platform_metrics"
    serializer_class = VideoDailyMetricSerializer
    filterset_class = VideoDailyMetricFilterSet
    pagination_class = MetricCursorPagination
    http_method_names = READ_AND_BULK
    search_fields = ["video__title"]
    ordering_fields = ["date", "id", "plays"]
    ordering = ("-date", "-id")

    @extend_schema(
        request=VideoMetricsBulkSerializer,
        responses={200: IngestResultSerializer, 201: IngestResultSerializer, 202: DataImportSerializer},
    )
    @action(detail=False, methods=["post"], required_action=ADD)
    def bulk(self, request):
        return self.run_bulk(request, VideoMetricsBulkSerializer, video_metrics_ingest, ImportKind.VIDEO_METRICS)


register("account-daily-metrics", AccountDailyMetricViewSet)
register("video-daily-metrics", VideoDailyMetricViewSet)
