"""Clause 9 g): asset management — the agency's equipment and devices, and who has them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.constraints import on_field
from agency.db.indexes import TrigramIndex
from agency.models import SameClient
from records.models.common import VoidableRecord, void_constraint


class AssetKind(models.TextChoices):
    CAMERA = "camera", pgettext_lazy("asset kind", "Camera")
    LENS = "lens", _("Lens")
    LIGHT = "light", _("Light")
    PHONE = "phone", pgettext_lazy("asset kind", "Phone")
    COMPUTER = "computer", _("Computer")
    SIM_CARD = "sim_card", _("SIM card")
    LOGIN_DEVICE = "login_device", _("Account login device")
    PROP = "prop", _("Prop")
    OTHER = "other", _("Other")


class AssetCondition(models.TextChoices):
    NEW = "new", _("New")
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Lost")
    RETIRED = "retired", _("Retired")


class Asset(VoidableRecord):
    """Clause 9 g): one asset of the agency (a camera, a phone an account logs in on, a prop…),
    owned by a client when the client bought or lent it, with its custodian and where it is."""

    identifier = models.CharField(_("identifier"), max_length=64, help_text=_("Asset tag or serial number."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("owner client"),
        help_text=_("Empty when the agency owns it."),
    )
    account = models.ForeignKey(
        "clients.PlatformAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("platform account"),
        help_text=_("For login devices and SIM cards: the account that uses it."),
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("custodian"),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    condition = models.CharField(
        _("condition"), max_length=20, choices=AssetCondition.choices, default=AssetCondition.GOOD
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_value = models.DecimalField(
        _("purchase value (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    notes = models.TextField(_("notes"), blank=True)

    same_client_as = (SameClient("account", _("The account belongs to another client than the asset's owner.")),)

    class Meta:
        ordering = ["identifier"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            on_field(
                "identifier",
                models.UniqueConstraint(
                    fields=["agency", "identifier"],
                    name="asset_identifier_unique_in_agency",
                ),
            ),
            on_field(
                "purchase_value",
                models.CheckConstraint(
                    condition=Q(purchase_value__isnull=True) | Q(purchase_value__gte=0),
                    name="asset_value_not_negative",
                    violation_error_code="asset_value_not_negative",
                    violation_error_message=_("The value cannot be negative."),
                ),
            ),
            void_constraint("asset"),
        ]
        indexes = [
            TrigramIndex(fields=["agency", "identifier", "name", "notes"], name="asset_agency_search"),
            models.Index(fields=["agency", "kind"], name="asset_agency_kind"),
            models.Index(fields=["agency", "client"], name="asset_agency_client"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("records:asset-detail", args=[self.pk])


class AssetCheckout(VoidableRecord):
    """Clause 9 g): one check-out of an asset and, once it is back, its check-in."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="checkouts", verbose_name=_("asset"))
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # empty once the person's login is deleted: the checkout stays a valid record
        related_name="+",
        verbose_name=_("taken by"),
    )
    checked_out_at = models.DateTimeField(_("checked out at"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    due_back = models.DateField(_("due back"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned by"),
    )
    condition_on_return = models.CharField(
        _("condition on return"), max_length=20, choices=AssetCondition.choices, blank=True
    )
    return_note = models.TextField(_("return note"), blank=True)

    tenant_client_path = "asset__client_id"

    class Meta:
        ordering = ["-checked_out_at", "-id"]
        verbose_name = _("asset check-out")
        verbose_name_plural = _("asset check-outs")
        constraints = [
            on_field(
                "asset",
                models.UniqueConstraint(
                    fields=["asset"],
                    condition=Q(checked_in_at__isnull=True, voided_at__isnull=True),
                    name="asset_one_open_checkout",
                    violation_error_code="asset_one_open_checkout",
                    violation_error_message=_("The asset is already checked out."),
                ),
            ),
            on_field(
                "checked_in_at",
                models.CheckConstraint(
                    condition=Q(checked_in_at__isnull=True) | Q(checked_in_at__gte=F("checked_out_at")),
                    name="checkout_in_after_out",
                    violation_error_code="checkout_in_after_out",
                    violation_error_message=_("An asset cannot be checked in before it was checked out."),
                ),
            ),
            void_constraint("checkout"),
        ]
        indexes = [models.Index(fields=["agency", "checked_out_at"], name="checkout_agency_out_at")]

    name_related = ("asset", "checked_out_by")

    def __str__(self) -> str:
        return f"{self.asset} → {self.checked_out_by or '—'}"

    @property
    def is_open(self) -> bool:
        return self.checked_in_at is None and self.voided_at is None
