"""API of clause 6.5, local life: POI links, group-buy deals and the client's enablement. Writes go
through ``accounts_ops.services.local``."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts_ops.api.common import NO_PUT, AccountRowSerializer, OpsViewSet
from accounts_ops.models.local import GroupBuyDeal, LocalLifeEnablement, PoiLink
from accounts_ops.services.local import deal_save, enablement_record_qualification, poi_save
from agency.api.filters import TenantFilterSet
from agency.api.routers import register
from agency.api.serializers import FixedAfterCreate, TenantModelSerializer


class PoiLinkSerializer(AccountRowSerializer):
    class Meta:
        model = PoiLink
        fields = ["id", "client", "account", "store_name", "address", "platform_poi_id", "status", "created_at"]


class PoiLinkFilterSet(TenantFilterSet):
    class Meta:
        model = PoiLink
        fields = ["client", "account", "status", "platform_poi_id"]


class PoiLinkViewSet(OpsViewSet):
    """6.5: the client's stores as local-life POIs, linked to an account."""

    model = PoiLink
    resource = "local_life"
    serializer_class = PoiLinkSerializer
    filterset_class = PoiLinkFilterSet
    http_method_names = NO_PUT
    search_fields = ["store_name", "address", "platform_poi_id"]
    ordering_fields = ["store_name", "status", "created_at"]
    ordering = ("store_name", "id")

    create_service = poi_save
    update_service = poi_save
    service_row = "poi"


class GroupBuyDealSerializer(AccountRowSerializer):
    class Meta:
        model = GroupBuyDeal
        fields = [
            "id",
            "client",
            "account",
            "poi",
            "title",
            "price",
            "list_price",
            "valid_from",
            "valid_until",
            "stock",
            "platform_status",
            "platform_deal_id",
            "first_live_on",
            "created_at",
        ]


class GroupBuyDealFilterSet(TenantFilterSet):
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("Valid on"))

    class Meta:
        model = GroupBuyDeal
        fields = ["client", "account", "poi", "platform_status"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value, valid_until__gte=value)


class GroupBuyDealViewSet(OpsViewSet):
    """6.5: group-buy deals: prices in yuan (never negative; price not above list price), validity,
    stock and platform status. Going live ticks the client's enablement checklist."""

    model = GroupBuyDeal
    resource = "local_life"
    serializer_class = GroupBuyDealSerializer
    filterset_class = GroupBuyDealFilterSet
    http_method_names = NO_PUT
    search_fields = ["title", "platform_deal_id"]
    ordering_fields = ["valid_from", "valid_until", "price", "stock"]
    ordering = ("-valid_from", "-id")

    create_service = deal_save
    update_service = deal_save  # (the account is fixed once the deal exists)
    service_row = "deal"


class LocalLifeEnablementSerializer(FixedAfterCreate, TenantModelSerializer):
    fixed_after_create = ("client",)

    steps_done = serializers.SerializerMethodField()

    class Meta:
        model = LocalLifeEnablement
        fields = [
            "id",
            "client",
            "qualification_submitted_on",
            "qualification_note",
            "poi_claimed_on",
            "first_deal_live_on",
            "steps_done",
            "updated_at",
        ]

    def get_steps_done(self, obj) -> int:
        return sum(1 for _label, done in obj.steps if done)


class LocalLifeEnablementFilterSet(TenantFilterSet):
    class Meta:
        model = LocalLifeEnablement
        fields = ["client"]


class LocalLifeEnablementViewSet(OpsViewSet):
    """6.5: each client's enablement checklist: qualification submitted (recorded here), POI
    claimed and first deal live (ticked when they happen)."""

    model = LocalLifeEnablement
    resource = "local_life"
    serializer_class = LocalLifeEnablementSerializer
    filterset_class = LocalLifeEnablementFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["client", "updated_at"]
    ordering = ("client_id",)

    derived_fields = ()  # the client is the body's (fixed once the checklist exists)

    def create_row(self, values):
        return self.update_row(None, values)

    def update_row(self, row, values):
        return enablement_record_qualification(
            actor=self.actor,
            client=row.client if row else values["client"],
            submitted_on=values.get("qualification_submitted_on", row.qualification_submitted_on if row else None),
            note=values.get("qualification_note", row.qualification_note if row else ""),
        )


register("poi-links", PoiLinkViewSet)


register("group-buy-deals", GroupBuyDealViewSet)


register("local-life-enablements", LocalLifeEnablementViewSet)
