"""Filtersets of chapter 8, shared by the API lists and the staff pages' lists."""

from __future__ import annotations

import django_filters

from agency.api.filters import TenantFilterSet
from extensions.models import (
    AccountValuation,
    AdverseEvent,
    Influencer,
    LiveProduct,
    LiveSession,
    LiveSessionResult,
    LiveTeamAssignment,
    RunSheetSegment,
    StoreVisitBooking,
    StoreVisitCampaign,
    ValuationFactor,
)


class LiveSessionFilterSet(TenantFilterSet):
    theme = django_filters.CharFilter(lookup_expr="icontains")
    planned_after = django_filters.IsoDateTimeFilter(field_name="planned_start", lookup_expr="gte")
    planned_before = django_filters.IsoDateTimeFilter(field_name="planned_start", lookup_expr="lt")
    person = django_filters.NumberFilter(
        field_name="team__person", distinct=True, help_text="Sessions with this person in the team."
    )

    class Meta:
        model = LiveSession
        fields = ["client", "account", "status"]


class LiveProductFilterSet(TenantFilterSet):
    class Meta:
        model = LiveProduct
        fields = ["session", "selected_by"]


class RunSheetSegmentFilterSet(TenantFilterSet):
    class Meta:
        model = RunSheetSegment
        fields = ["session", "kind", "product"]


class LiveTeamAssignmentFilterSet(TenantFilterSet):
    class Meta:
        model = LiveTeamAssignment
        fields = ["session", "role", "person"]


class LiveSessionResultFilterSet(TenantFilterSet):
    class Meta:
        model = LiveSessionResult
        fields = ["session", "client", "source"]


class InfluencerFilterSet(TenantFilterSet):
    handle = django_filters.CharFilter(lookup_expr="icontains")
    city = django_filters.CharFilter(lookup_expr="icontains")
    category = django_filters.CharFilter(lookup_expr="icontains")
    followers_min = django_filters.NumberFilter(field_name="followers", lookup_expr="gte")
    followers_max = django_filters.NumberFilter(field_name="followers", lookup_expr="lte")

    class Meta:
        model = Influencer
        fields = ["platform", "is_active"]


class StoreVisitCampaignFilterSet(TenantFilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains")
    visit_after = django_filters.DateFilter(field_name="visit_date", lookup_expr="gte")
    visit_before = django_filters.DateFilter(field_name="visit_date", lookup_expr="lte")

    class Meta:
        model = StoreVisitCampaign
        fields = ["client", "account"]


class StoreVisitBookingFilterSet(TenantFilterSet):
    class Meta:
        model = StoreVisitBooking
        fields = ["campaign", "influencer", "client", "status"]


class AdverseEventFilterSet(TenantFilterSet):
    occurred_after = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = AdverseEvent
        fields = ["client", "account", "kind", "severity"]


class AccountValuationFilterSet(TenantFilterSet):
    valued_after = django_filters.DateFilter(field_name="valued_on", lookup_expr="gte")
    valued_before = django_filters.DateFilter(field_name="valued_on", lookup_expr="lte")

    class Meta:
        model = AccountValuation
        fields = ["client", "account", "method"]


class ValuationFactorFilterSet(TenantFilterSet):
    class Meta:
        model = ValuationFactor
        fields = ["valuation", "factor", "source"]
