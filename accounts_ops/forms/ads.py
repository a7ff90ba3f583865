"""Forms of the pages of clause 6.7, advertising: campaigns, budget approvals, spend and results."""

from __future__ import annotations

from accounts_ops.forms.common import DATE, ServiceForm
from accounts_ops.models.ads import AdBudgetApproval, AdCampaign, AdSpend


class CampaignForm(ServiceForm):
    model = AdCampaign
    field_names = (
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
    )
    widgets = {"starts_on": DATE, "ends_on": DATE}


class SpendForm(ServiceForm):
    model = AdSpend
    field_names = ("spent_on", "amount", "platform_order_id", "note")
    widgets = {"spent_on": DATE}


class ApprovalForm(ServiceForm):
    model = AdBudgetApproval
    field_names = ("extra_amount", "reason")


class ResultsForm(ServiceForm):
    model = AdCampaign
    field_names = ("impressions", "clicks", "conversions", "orders", "sales")
