"""Models of clause 6.5, local life: POI links, group-buy deals and the client's enablement."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped, money_field, yuan
from agency.constraints import on_field
from agency.models import SameClient, TenantModel


class PoiStatus(models.TextChoices):
    TO_CLAIM = "to_claim", _("To claim")
    CLAIMED = "claimed", _("Claimed")
    LINKED = "linked", _("Linked to the account")
    REJECTED = "rejected", _("Rejected by the platform")


class PoiLink(AccountScoped):
    """Clause 6.5: the client's store as a local-life POI on the platform, linked to an account."""

    store_name = models.CharField(_("store name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    platform_poi_id = models.CharField(_("platform POI id"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PoiStatus.choices, default=PoiStatus.TO_CLAIM)

    class Meta:
        ordering = ["store_name", "id"]
        verbose_name = _("POI link")
        verbose_name_plural = _("POI links")
        constraints = [
            on_field(
                "platform_poi_id",
                models.UniqueConstraint(
                    fields=["account", "platform_poi_id"],
                    condition=~Q(platform_poi_id=""),
                    name="poi_id_once_per_account",
                    violation_error_code="poi_id_once_per_account",
                    violation_error_message=_("This POI is already linked to the account."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "status"], name="poi_agency_client_status")]

    def __str__(self) -> str:
        return self.store_name


class DealStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In platform review")
    LIVE = "live", _("Live")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")
    REJECTED = "rejected", _("Rejected by the platform")


class GroupBuyDeal(AccountScoped):
    """Clause 6.5: a local group-buy deal (团购券) on the platform."""

    poi = models.ForeignKey(
        PoiLink, on_delete=models.PROTECT, null=True, blank=True, related_name="deals", verbose_name=_("POI")
    )
    title = models.CharField(_("title"), max_length=200)
    price = money_field(_("price (yuan)"))
    list_price = money_field(_("list price (yuan)"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    platform_status = models.CharField(
        _("platform status"), max_length=20, choices=DealStatus.choices, default=DealStatus.DRAFT
    )
    platform_deal_id = models.CharField(_("platform deal id"), max_length=100, blank=True)
    first_live_on = models.DateField(_("first live on"), null=True, blank=True, editable=False)

    same_client_as = (*AccountScoped.same_client_as, SameClient("poi", _("The POI belongs to another client.")))

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("group-buy deal")
        verbose_name_plural = _("group-buy deals")
        constraints = [
            on_field(
                "price",
                models.CheckConstraint(
                    condition=Q(price__gte=0) & Q(list_price__gte=0),
                    name="deal_prices_not_negative",
                    violation_error_code="deal_prices_not_negative",
                    violation_error_message=_("Prices cannot be negative."),
                ),
            ),
            on_field(
                "price",
                models.CheckConstraint(
                    condition=Q(price__lte=F("list_price")),
                    name="deal_price_within_list_price",
                    violation_error_code="deal_price_within_list_price",
                    violation_error_message=_("The deal price cannot be above the list price."),
                ),
            ),
            on_field(
                "valid_until",
                models.CheckConstraint(
                    condition=Q(valid_until__gte=F("valid_from")),
                    name="deal_valid_until_after_from",
                    violation_error_code="deal_valid_until_after_from",
                    violation_error_message=_("The deal cannot end before it starts."),
                ),
            ),
            on_field(
                "platform_deal_id",
                models.UniqueConstraint(
                    fields=["agency", "platform_deal_id"],
                    condition=~Q(platform_deal_id=""),
                    name="deal_platform_id_once",
                    violation_error_code="deal_platform_id_once",
                    violation_error_message=_("This platform deal is already recorded."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "platform_status"], name="deal_agency_client_status")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.price is not None and self.list_price is not None and self.price > self.list_price:
            errors["price"] = _("The price %(price)s is above the list price %(list)s.") % {
                "price": yuan(self.price),
                "list": yuan(self.list_price),
            }
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The deal cannot end before it starts.")
        if errors:
            raise ValidationError(errors)


class LocalLifeEnablement(TenantModel):
    """Clause 6.5: a client's checklist for opening group-buy and POI on the platform:
    qualification submitted, POI claimed, first deal live. The last two are ticked by the POI and
    deal services when they happen."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    qualification_submitted_on = models.DateField(_("qualification submitted on"), null=True, blank=True)
    qualification_note = models.TextField(_("qualification note"), blank=True)
    poi_claimed_on = models.DateField(_("POI claimed on"), null=True, blank=True, editable=False)
    first_deal_live_on = models.DateField(_("first deal live on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["client_id"]
        verbose_name = _("local-life enablement")
        verbose_name_plural = _("local-life enablements")
        constraints = [
            on_field(
                "client",
                models.UniqueConstraint(
                    fields=["client"],
                    name="enablement_one_per_client",
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.client_id)

    @property
    def steps(self) -> list[tuple[str, dt.date | None]]:
        return [
            (str(_("Qualification submitted")), self.qualification_submitted_on),
            (str(_("POI claimed")), self.poi_claimed_on),
            (str(_("First deal live")), self.first_deal_live_on),
        ]

    @property
    def is_complete(self) -> bool:
        return all(done for _label, done in self.steps)
