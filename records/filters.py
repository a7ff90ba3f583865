"""Filtersets of the record lists, shared by the API, the pages and the exports."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy

from agency.api.filters import TenantFilterSet
from agency.tenancy import require_agency
from records.models.assets import Asset, AssetCheckout
from records.models.audit import AuditEvent
from records.models.exports import ExportJob
from records.models.images import ImageRecord
from records.models.inspections import DailyInspection, InspectionFollowUp, InspectionStatus
from records.models.reports import StatisticsReport, WorkAssessmentReport
from records.models.usage import UsageRecord


class RecordFilterSet(TenantFilterSet):
    """Every clause 9 list can show or hide voided records (all are shown by default)."""

    voided = django_filters.BooleanFilter(method="filter_voided", label=gettext_lazy("Voided"))

    def filter_voided(self, queryset, name, value):
        return queryset.filter(voided_at__isnull=not value)


class PeriodOverlapMixin(django_filters.FilterSet):
    """Reports whose period overlaps [period_from, period_to]."""

    period_from = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label=gettext_lazy("period from")
    )
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label=gettext_lazy("period to"))


class AssetFilterSet(RecordFilterSet):
    identifier = django_filters.CharFilter(lookup_expr="icontains")
    checked_out = django_filters.BooleanFilter(method="filter_checked_out", label=gettext_lazy("Checked out"))

    class Meta:
        model = Asset
        fields = ["kind", "condition", "client", "account", "custodian"]

    def filter_checked_out(self, queryset, name, value):
        open_ids = AssetCheckout.objects.filter(checked_in_at__isnull=True, voided_at__isnull=True).values("asset_id")
        return queryset.filter(pk__in=open_ids) if value else queryset.exclude(pk__in=open_ids)


class AssetCheckoutFilterSet(RecordFilterSet):
    is_open = django_filters.BooleanFilter(
        field_name="checked_in_at", lookup_expr="isnull", label=gettext_lazy("Still out")
    )
    out_after = django_filters.IsoDateTimeFilter(field_name="checked_out_at", lookup_expr="gte")
    out_before = django_filters.IsoDateTimeFilter(field_name="checked_out_at", lookup_expr="lt")

    class Meta:
        model = AssetCheckout
        fields = ["asset", "checked_out_by"]


class DailyInspectionFilterSet(RecordFilterSet):
    date_from = django_filters.DateFilter(field_name="inspection_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="inspection_date", lookup_expr="lte")
    missed = django_filters.BooleanFilter(method="filter_missed", label=gettext_lazy("Missed"))

    class Meta:
        model = DailyInspection
        fields = ["client", "account", "status", "inspection_date", "inspected_by"]

    def filter_missed(self, queryset, name, value):
        today = require_agency().today()
        missed = {"status": InspectionStatus.PENDING, "inspection_date__lt": today, "voided_at__isnull": True}
        return queryset.filter(**missed) if value else queryset.exclude(**missed)


class InspectionFollowUpFilterSet(RecordFilterSet):
    class Meta:
        model = InspectionFollowUp
        fields = ["inspection", "client", "status", "assignee"]


class UsageRecordFilterSet(RecordFilterSet):
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = UsageRecord
        fields = ["user", "asset", "account", "client", "purpose"]


class StatisticsReportFilterSet(RecordFilterSet, PeriodOverlapMixin):
    class Meta:
        model = StatisticsReport
        fields = ["client", "cadence", "status", "has_data"]


class WorkAssessmentReportFilterSet(RecordFilterSet, PeriodOverlapMixin):
    class Meta:
        model = WorkAssessmentReport
        fields = ["client", "staff", "cadence", "status", "has_data"]


class ImageRecordFilterSet(RecordFilterSet):
    taken_after = django_filters.DateFilter(field_name="taken_on", lookup_expr="gte")
    taken_before = django_filters.DateFilter(field_name="taken_on", lookup_expr="lte")
    linked_model = django_filters.CharFilter(
        method="filter_linked_model", label=gettext_lazy("Linked record type (app.model)")
    )
    caption = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ImageRecord
        fields = ["client", "taken_on", "linked_id"]

    def filter_linked_model(self, queryset, name, value):
        app_label, _, model = value.lower().partition(".")
        return queryset.filter(linked_type__app_label=app_label, linked_type__model=model)


class AuditEventFilterSet(TenantFilterSet):
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["client", "user", "action", "channel", "model_label", "object_pk", "table_name"]


class ExportJobFilterSet(TenantFilterSet):
    class Meta:
        model = ExportJob
        fields = ["dataset", "format", "status", "client", "requested_by"]
