"""Forms of the pages of clause 6.5, local life: POI links, group-buy deals and the client's
enablement."""

from __future__ import annotations

from accounts_ops.forms.common import DATE, ServiceForm
from accounts_ops.models.local import GroupBuyDeal, LocalLifeEnablement, PoiLink


class PoiForm(ServiceForm):
    model = PoiLink
    field_names = ("account", "store_name", "address", "platform_poi_id", "status")


class DealForm(ServiceForm):
    model = GroupBuyDeal
    field_names = (
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
    )
    widgets = {"valid_from": DATE, "valid_until": DATE}


class DealEditForm(DealForm):
    field_names = tuple(name for name in DealForm.field_names if name != "account")


class EnablementForm(ServiceForm):
    model = LocalLifeEnablement
    field_names = ("client", "qualification_submitted_on", "qualification_note")
    widgets = {"qualification_submitted_on": DATE}
