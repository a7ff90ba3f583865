"""Models of clause 6.7, advertising: campaigns, budget approvals, spend and results."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import ZERO, AccountScoped, money_field, yuan
from agency.constraints import on_field


class AdKind(models.TextChoices):
    PLATFORM_ADS = "platform_ads", _("Platform ads")
    CREATOR_COLLABORATION = "creator_collaboration", _("Collaboration with a high-follower account")


class AdProduct(models.TextChoices):
    DOU_PLUS = "dou_plus", _("DOU+")
    QIANCHUAN = "qianchuan", _("Qianchuan (巨量千川)")
    OTHER = "other", _("Other platform ads")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


def campaign_roi(*, sales: Decimal | None, spend: Decimal | None) -> Decimal | None:
    """6.7 ROI, the one place it is computed: sales per yuan spent (the platforms' 支付 ROI),
    to two places; none before any spend."""
    if not spend:
        return None
    return (Decimal(sales or 0) / Decimal(spend)).quantize(Decimal("0.01"))


class AdCampaign(AccountScoped):
    """Clause 6.7: advertising for a client who wants more sales, with the platform (DOU+,
    Qianchuan) or with a high-follower account; budget, period, KPIs. Spend is recorded in
    ``AdSpend`` entries and may pass the budget only with an ``AdBudgetApproval``."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=AdKind.choices)
    ad_product = models.CharField(_("ad product"), max_length=20, choices=AdProduct.choices, blank=True)
    partner_platform = models.CharField(_("partner platform"), max_length=20, blank=True)
    partner_handle = models.CharField(_("partner account"), max_length=100, blank=True)
    partner_followers = models.PositiveBigIntegerField(_("partner followers"), null=True, blank=True)
    budget = money_field(_("budget (yuan)"), validators=[MinValueValidator(Decimal("0.01"))])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    impressions = models.PositiveBigIntegerField(_("impressions"), default=0)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    orders = models.PositiveBigIntegerField(_("orders"), default=0)
    sales = money_field(_("sales (yuan)"), default=ZERO)
    results_recorded_on = models.DateField(_("results recorded on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("ad campaign")
        verbose_name_plural = _("ad campaigns")
        constraints = [
            on_field(
                "budget",
                models.CheckConstraint(
                    condition=Q(budget__gt=0),
                    name="campaign_budget_positive",
                    violation_error_code="campaign_budget_positive",
                    violation_error_message=_("The budget must be more than zero."),
                ),
            ),
            on_field(
                "sales",
                models.CheckConstraint(
                    condition=Q(sales__gte=0),
                    name="campaign_sales_not_negative",
                    violation_error_code="campaign_sales_not_negative",
                    violation_error_message=_("Sales cannot be negative."),
                ),
            ),
            on_field(
                "ends_on",
                models.CheckConstraint(
                    condition=Q(ends_on__gte=F("starts_on")),
                    name="campaign_ends_after_start",
                    violation_error_code="campaign_ends_after_start",
                    violation_error_message=_("The campaign cannot end before it starts."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "starts_on"], name="campaign_agency_client_start")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:campaign-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The campaign cannot end before it starts.")
        if self.kind == AdKind.PLATFORM_ADS and not self.ad_product:
            errors["ad_product"] = _("Name the platform's ad product (DOU+, Qianchuan, ...).")
        if self.kind == AdKind.CREATOR_COLLABORATION:
            if not self.partner_handle:
                errors["partner_handle"] = _("Name the high-follower account you work with.")
            if self.partner_followers is None:
                errors["partner_followers"] = _("Record the partner account's followers.")
        if self.clicks and self.impressions is not None and self.clicks > self.impressions:
            errors["clicks"] = _("%(clicks)s clicks is more than %(impressions)s impressions.") % {
                "clicks": self.clicks,
                "impressions": self.impressions,
            }
        if errors:
            raise ValidationError(errors)


class AdBudgetApproval(AccountScoped):
    """Clause 6.7: an agency admin's recorded approval to spend ``extra_amount`` beyond a
    campaign's budget, with the reason. Approvals add up; they are never edited."""

    campaign = models.ForeignKey(
        AdCampaign, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("campaign")
    )
    extra_amount = money_field(_("extra amount approved (yuan)"), validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(_("approved at"), editable=False)

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("ad budget approval")
        verbose_name_plural = _("ad budget approvals")
        constraints = [
            on_field(
                "extra_amount",
                models.CheckConstraint(
                    condition=Q(extra_amount__gt=0),
                    name="approval_amount_positive",
                    violation_error_code="approval_amount_positive",
                    violation_error_message=_("The extra amount must be more than zero."),
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} +{yuan(self.extra_amount)}"


class AdSpend(AccountScoped):
    """Clause 6.7: money spent on a campaign on one day."""

    campaign = models.ForeignKey(
        AdCampaign, on_delete=models.PROTECT, related_name="spends", verbose_name=_("campaign")
    )
    spent_on = models.DateField(_("spent on"))
    amount = money_field(_("amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))])
    platform_order_id = models.CharField(_("platform order id"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name = _("ad spend")
        verbose_name_plural = _("ad spend")
        constraints = [
            on_field(
                "amount",
                models.CheckConstraint(
                    condition=Q(amount__gt=0),
                    name="spend_amount_positive",
                    violation_error_code="spend_amount_positive",
                    violation_error_message=_("The amount must be more than zero."),
                ),
            )
        ]
        indexes = [models.Index(fields=["agency", "campaign", "spent_on"], name="spend_agency_campaign_date")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {yuan(self.amount)}"
