"""Writes of clause 6.7, advertising: campaigns, budget approvals, spend and results. Each validates
before it writes and raises ValidationError naming the field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.models.ads import AdBudgetApproval, AdCampaign, AdKind, AdSpend
from accounts_ops.models.common import ZERO, yuan
from accounts_ops.rules import AD_PARTNER_FOLLOWERS_MIN, OVERSPEND_APPROVER_ROLE
from accounts_ops.services.common import _not_after_today
from agency.models import Agency
from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount


def partner_followers_problem(campaign: AdCampaign, agency: Agency) -> str | None:
    """Why ``campaign``'s partner is not a high-follower account under 6.7, or None."""
    if campaign.kind != AdKind.CREATOR_COLLABORATION or campaign.partner_followers is None:
        return None
    threshold = agency.setting(AD_PARTNER_FOLLOWERS_MIN)
    if campaign.partner_followers >= threshold:
        return None
    return _(
        "@%(partner)s has %(followers)s followers; a high-follower account has at least %(threshold)s "
        "(the agency's setting ad_partner_followers_min, 6.7)."
    ) % {
        "partner": campaign.partner_handle,
        "followers": f"{campaign.partner_followers:,}",
        "threshold": f"{threshold:,}",
    }


def _check_partner(campaign: AdCampaign, agency: Agency) -> None:
    problem = partner_followers_problem(campaign, agency)
    if problem:
        raise ValidationError({"partner_followers": problem})


@transaction.atomic
def campaign_create(
    *,
    actor: Actor,
    account: PlatformAccount,
    name: str = UNCHANGED,
    kind: str = UNCHANGED,
    ad_product: str = UNCHANGED,
    partner_platform: str = UNCHANGED,
    partner_handle: str = UNCHANGED,
    partner_followers: int | None = UNCHANGED,
    budget: Decimal = UNCHANGED,
    starts_on: dt.date = UNCHANGED,
    ends_on: dt.date = UNCHANGED,
    status: str = UNCHANGED,
) -> AdCampaign:
    """Start an ad campaign for the account (6.7) with its budget and period; a collaboration's
    partner must be a high-follower account by the agency's threshold. A field not given takes the
    model's default (a required one is refused as missing)."""
    values = given(
        name=name,
        kind=kind,
        ad_product=ad_product,
        partner_platform=partner_platform,
        partner_handle=partner_handle,
        partner_followers=partner_followers,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    campaign = AdCampaign(agency=actor.agency, account=account)
    for field_name, value in values.items():
        setattr(campaign, field_name, value)
    _check_partner(campaign, actor.agency)
    return validated_save(campaign)


@dataclass(frozen=True)
class CampaignMoney:
    budget: Decimal
    approved_extra: Decimal
    spent: Decimal

    @property
    def limit(self) -> Decimal:
        return self.budget + self.approved_extra

    @property
    def remaining(self) -> Decimal:
        return self.limit - self.spent


def campaign_money(campaign: AdCampaign) -> CampaignMoney:
    spent = AdSpend.objects.filter(campaign=campaign).aggregate(total=Sum("amount"))["total"] or ZERO
    extra = AdBudgetApproval.objects.filter(campaign=campaign).aggregate(total=Sum("extra_amount"))["total"] or ZERO
    return CampaignMoney(budget=campaign.budget, approved_extra=extra, spent=spent)


@transaction.atomic
def campaign_update(
    *,
    actor: Actor,
    campaign: AdCampaign,
    name: str = UNCHANGED,
    kind: str = UNCHANGED,
    ad_product: str = UNCHANGED,
    partner_platform: str = UNCHANGED,
    partner_handle: str = UNCHANGED,
    partner_followers: int | None = UNCHANGED,
    budget: Decimal = UNCHANGED,
    starts_on: dt.date = UNCHANGED,
    ends_on: dt.date = UNCHANGED,
    status: str = UNCHANGED,
) -> AdCampaign:
    """Change a campaign (6.7; the fields given); its budget cannot fall below what was already
    spent."""
    values = given(
        name=name,
        kind=kind,
        ad_product=ad_product,
        partner_platform=partner_platform,
        partner_handle=partner_handle,
        partner_followers=partner_followers,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    campaign = AdCampaign.objects.select_for_update().get(pk=campaign.pk)
    for field_name, value in values.items():
        setattr(campaign, field_name, value)
    if {"kind", "partner_handle", "partner_followers"} & set(values):
        _check_partner(campaign, actor.agency)
    money = campaign_money(campaign)
    if money.spent > money.limit:
        raise ValidationError(
            {
                "budget": _("%(spent)s is already spent; the budget cannot go below it without an approval.")
                % {"spent": yuan(money.spent)}
            }
        )
    return validated_save(campaign)


@transaction.atomic
def ad_spend_record(
    *,
    actor: Actor,
    campaign: AdCampaign,
    spent_on: dt.date,
    amount: Decimal,
    platform_order_id: str = "",
    note: str = "",
) -> AdSpend:
    """Record money spent on a campaign (6.7). Spend beyond the budget (plus any extra an agency
    admin approved) is refused, naming the budget and the spend."""
    campaign = AdCampaign.objects.select_for_update().get(pk=campaign.pk)
    if amount is None or amount <= 0:
        raise ValidationError(
            {"amount": _("The amount must be more than zero (got %(amount)s).") % {"amount": yuan(amount)}}
        )
    if spent_on < campaign.starts_on or spent_on > campaign.ends_on:
        raise ValidationError(
            {
                "spent_on": _("%(day)s is outside the campaign's period %(start)s – %(end)s.")
                % {"day": spent_on, "start": campaign.starts_on, "end": campaign.ends_on}
            }
        )
    _not_after_today(actor.agency, spent_on, "spent_on")
    money = campaign_money(campaign)
    if money.spent + amount > money.limit:
        raise ValidationError(
            {
                "amount": _(
                    "Spending %(amount)s would bring “%(campaign)s” to %(total)s, beyond its budget of %(budget)s "
                    "(approved extra: %(extra)s). An agency admin must record an approval first."
                )
                % {
                    "amount": yuan(amount),
                    "campaign": campaign.name,
                    "total": yuan(money.spent + amount),
                    "budget": yuan(money.budget),
                    "extra": yuan(money.approved_extra),
                }
            }
        )
    return validated_save(
        AdSpend(
            agency=actor.agency,
            client_id=campaign.client_id,
            account_id=campaign.account_id,
            campaign=campaign,
            spent_on=spent_on,
            amount=amount,
            platform_order_id=(platform_order_id or "").strip(),
            note=(note or "").strip(),
        )
    )


@transaction.atomic
def ad_budget_approve(*, actor: Actor, campaign: AdCampaign, extra_amount: Decimal, reason: str) -> AdBudgetApproval:
    """An agency admin approves spending ``extra_amount`` beyond the campaign's budget (6.7)."""
    if actor.role != OVERSPEND_APPROVER_ROLE:
        raise ValidationError({"approved_by": _("Only an agency admin can approve spend beyond a budget.")})
    if extra_amount is None or extra_amount <= 0:
        raise ValidationError({"extra_amount": _("The extra amount must be more than zero.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the budget may be passed.")})
    campaign = AdCampaign.objects.select_for_update().get(pk=campaign.pk)
    return validated_save(
        AdBudgetApproval(
            agency=actor.agency,
            client_id=campaign.client_id,
            account_id=campaign.account_id,
            campaign=campaign,
            extra_amount=extra_amount,
            reason=reason.strip(),
            approved_by=actor.user,
            approved_at=timezone.now(),
        )
    )


@transaction.atomic
def campaign_record_results(
    *,
    actor: Actor,
    campaign: AdCampaign,
    impressions: int,
    clicks: int,
    conversions: int,
    orders: int,
    sales: Decimal,
    recorded_on: dt.date | None = None,
) -> AdCampaign:
    """Record the campaign's KPIs as the platform reports them (6.7); ROI follows from them."""
    campaign = AdCampaign.objects.select_for_update().get(pk=campaign.pk)
    if sales is not None and sales < 0:
        raise ValidationError({"sales": _("Sales cannot be negative (%(amount)s).") % {"amount": yuan(sales)}})
    recorded_on = recorded_on or actor.agency.today()
    _not_after_today(actor.agency, recorded_on, "recorded_on")
    campaign.impressions, campaign.clicks, campaign.conversions, campaign.orders = (
        impressions,
        clicks,
        conversions,
        orders,
    )
    campaign.sales = sales
    campaign.results_recorded_on = recorded_on
    return validated_save(campaign)
