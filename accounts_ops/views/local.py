"""Staff pages of clause 6.5, local life: POI links, group-buy deals and the client's enablement.
Thin: forms collect, services decide."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from accounts_ops.api.local import GroupBuyDealFilterSet, LocalLifeEnablementFilterSet, PoiLinkFilterSet
from accounts_ops.forms.local import DealEditForm, DealForm, EnablementForm, PoiForm
from accounts_ops.models.local import GroupBuyDeal, LocalLifeEnablement, PoiLink
from accounts_ops.services.local import deal_save, enablement_record_qualification, poi_save
from agency.pages import ServiceActionView
from agency.roles import CHANGE
from agency.views import TenantListView


class DealListView(TenantListView):
    model = GroupBuyDeal
    resource = "local_life"
    filterset_class = GroupBuyDealFilterSet
    title = gettext_lazy("Group-buy deals (6.5)")
    columns = (
        ("title", gettext_lazy("Title")),
        ("account", gettext_lazy("Account")),
        ("price", gettext_lazy("Price (yuan)")),
        ("list_price", gettext_lazy("List price (yuan)")),
        ("valid_until", gettext_lazy("Valid until")),
        ("stock", gettext_lazy("Stock")),
        ("get_platform_status_display", gettext_lazy("Platform status")),
    )
    ordering_fields = ("valid_from", "valid_until", "price")
    create_url_name = "accounts_ops:deal-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class DealCreateView(ServiceActionView):
    resource = "local_life"
    form_class = DealForm
    title = gettext_lazy("New group-buy deal (6.5)")
    service = deal_save
    success_url_name = "accounts_ops:deal-list"


class DealUpdateView(DealCreateView):
    action = CHANGE
    form_class = DealEditForm
    title = gettext_lazy("Edit group-buy deal (6.5)")

    def get_object(self):
        return get_object_or_404(GroupBuyDeal.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return deal_save(actor=self.actor, deal=self.object, **data)


class PoiListView(TenantListView):
    model = PoiLink
    resource = "local_life"
    filterset_class = PoiLinkFilterSet
    title = gettext_lazy("POI links (6.5)")
    columns = (
        ("store_name", gettext_lazy("Store")),
        ("address", gettext_lazy("Address")),
        ("account", gettext_lazy("Account")),
        ("platform_poi_id", gettext_lazy("Platform POI id")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("store_name", "status")
    create_url_name = "accounts_ops:poi-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class PoiCreateView(ServiceActionView):
    resource = "local_life"
    form_class = PoiForm
    title = gettext_lazy("New POI link (6.5)")
    service = poi_save
    success_url_name = "accounts_ops:poi-list"


class PoiUpdateView(PoiCreateView):
    action = CHANGE
    title = gettext_lazy("Edit POI link (6.5)")

    def get_object(self):
        return get_object_or_404(PoiLink.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return poi_save(actor=self.actor, poi=self.object, **data)


class EnablementListView(TenantListView):
    model = LocalLifeEnablement
    resource = "local_life"
    filterset_class = LocalLifeEnablementFilterSet
    title = gettext_lazy("Group-buy enablement checklists (6.5)")
    columns = (
        ("client", gettext_lazy("Client")),
        ("qualification_submitted_on", gettext_lazy("Qualification submitted")),
        ("poi_claimed_on", gettext_lazy("POI claimed")),
        ("first_deal_live_on", gettext_lazy("First deal live")),
    )
    create_url_name = "accounts_ops:enablement-edit"

    def scope(self, queryset):
        return queryset.select_related("client")


class EnablementEditView(ServiceActionView):
    resource = "local_life"
    form_class = EnablementForm
    title = gettext_lazy("Qualification for group-buy (6.5)")

    def perform(self, data):
        return enablement_record_qualification(
            actor=self.actor,
            client=data["client"],
            submitted_on=data.get("qualification_submitted_on"),
            note=data.get("qualification_note", ""),
        )

    success_url_name = "accounts_ops:enablement-list"
