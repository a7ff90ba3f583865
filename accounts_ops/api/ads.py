"""API of clause 6.7, advertising: campaigns, budget approvals, spend and results. Writes go through
``accounts_ops.services.ads``."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from accounts_ops.api.common import APPEND_ONLY, NO_PUT, AccountRowSerializer, OpsViewSet
from accounts_ops.models.ads import AdBudgetApproval, AdCampaign, AdSpend, campaign_roi
from accounts_ops.selectors.ads import with_money
from accounts_ops.services.ads import (
    ad_budget_approve,
    ad_spend_record,
    campaign_create,
    campaign_money,
    campaign_record_results,
    campaign_update,
)
from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.viewsets import service_action
from agency.roles import CHANGE


class AdCampaignSerializer(AccountRowSerializer):
    spent = serializers.SerializerMethodField()
    approved_extra = serializers.SerializerMethodField()
    roi = serializers.SerializerMethodField()

    class Meta:
        model = AdCampaign
        fields = [
            "id",
            "client",
            "account",
            "name",
            "kind",
            "ad_product",
            "partner_platform",
            "partner_handle",
            "partner_followers",
            "budget",
            "starts_on",
            "ends_on",
            "status",
            "impressions",
            "clicks",
            "conversions",
            "orders",
            "sales",
            "results_recorded_on",
            "spent",
            "approved_extra",
            "roi",
            "created_at",
        ]
        read_only_fields = ["impressions", "clicks", "conversions", "orders", "sales"]

    def _money(self, obj):
        if not hasattr(obj, "spent"):
            money = campaign_money(obj)
            obj.spent, obj.approved_extra = money.spent, money.approved_extra
        return obj

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_spent(self, obj) -> str:
        return f"{self._money(obj).spent:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_approved_extra(self, obj) -> str:
        return f"{self._money(obj).approved_extra:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_roi(self, obj) -> str | None:
        roi = campaign_roi(sales=obj.sales, spend=self._money(obj).spent)
        return None if roi is None else str(roi)


class ResultsSerializer(serializers.Serializer):
    impressions = serializers.IntegerField(min_value=0)
    clicks = serializers.IntegerField(min_value=0)
    conversions = serializers.IntegerField(min_value=0)
    orders = serializers.IntegerField(min_value=0)
    sales = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    recorded_on = serializers.DateField(required=False)


class AdCampaignFilterSet(TenantFilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Running on"))

    class Meta:
        model = AdCampaign
        fields = ["client", "account", "kind", "ad_product", "status"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class AdCampaignViewSet(OpsViewSet):
    """6.7: ad campaigns (platform ads such as DOU+ or Qianchuan, or a collaboration with a
    high-follower account): budget, period, KPIs and ROI (sales per yuan spent). ``results``
    records the KPIs; spend is posted to ``ad-spend``."""

    model = AdCampaign
    resource = "ad_campaign"
    serializer_class = AdCampaignSerializer
    filterset_class = AdCampaignFilterSet
    http_method_names = NO_PUT
    search_fields = ["name", "partner_handle"]
    ordering_fields = ["starts_on", "ends_on", "budget"]
    ordering = ("-starts_on", "-id")

    def scope_queryset(self, queryset):
        return with_money(queryset)

    create_service = campaign_create
    update_service = campaign_update  # (the account is fixed once the campaign exists)
    service_row = "campaign"

    @extend_schema(request=ResultsSerializer, responses=AdCampaignSerializer)
    @service_action(campaign_record_results, body=ResultsSerializer, required_action=CHANGE)
    def results(self, request, pk=None):
        pass


class CampaignChildSerializer(AccountRowSerializer):
    account = serializers.PrimaryKeyRelatedField(read_only=True)

    def validate(self, attrs):
        campaign = attrs.get("campaign")
        if campaign is not None:
            attrs["account"] = campaign.account
        return super().validate(attrs)


class AdSpendSerializer(CampaignChildSerializer):
    class Meta:
        model = AdSpend
        fields = [
            "id",
            "client",
            "account",
            "campaign",
            "spent_on",
            "amount",
            "platform_order_id",
            "note",
            "created_at",
        ]


class AdSpendFilterSet(TenantFilterSet):
    spent_after = django_filters.DateFilter(field_name="spent_on", lookup_expr="gte")
    spent_before = django_filters.DateFilter(field_name="spent_on", lookup_expr="lte")

    class Meta:
        model = AdSpend
        fields = ["client", "account", "campaign"]


class AdSpendViewSet(OpsViewSet):
    """6.7: money spent on a campaign. Spend beyond the budget (plus approved extras) is refused
    with a message naming the budget and the spend."""

    model = AdSpend
    resource = "ad_campaign"
    serializer_class = AdSpendSerializer
    filterset_class = AdSpendFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["platform_order_id", "note"]
    ordering_fields = ["spent_on", "amount"]
    ordering = ("-spent_on", "-id")

    create_service = ad_spend_record
    derived_fields = ("client", "account")  # both the campaign's


class AdBudgetApprovalSerializer(CampaignChildSerializer):
    class Meta:
        model = AdBudgetApproval
        fields = ["id", "client", "account", "campaign", "extra_amount", "reason", "approved_by", "approved_at"]


class AdBudgetApprovalFilterSet(TenantFilterSet):
    class Meta:
        model = AdBudgetApproval
        fields = ["client", "account", "campaign"]


class AdBudgetApprovalViewSet(OpsViewSet):
    """6.7: an agency admin's recorded approval to spend beyond a campaign's budget."""

    model = AdBudgetApproval
    resource = "ad_budget_approval"
    serializer_class = AdBudgetApprovalSerializer
    filterset_class = AdBudgetApprovalFilterSet
    http_method_names = APPEND_ONLY
    search_fields = ["reason"]
    ordering_fields = ["approved_at", "extra_amount"]
    ordering = ("-approved_at", "-id")

    create_service = ad_budget_approve
    derived_fields = ("client", "account")  # both the campaign's


register("ad-campaigns", AdCampaignViewSet)


register("ad-spend", AdSpendViewSet)


register("ad-budget-approvals", AdBudgetApprovalViewSet)
