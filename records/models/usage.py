"""Clause 9 i): usage records — who used which asset or account, when, and for what."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.db.indexes import TrigramIndex
from records.models.common import VoidableRecord, void_constraint


class UsagePurpose(models.TextChoices):
    SHOOT = "shoot", _("Shoot")
    LIVE_SESSION = "live_session", _("Live session")
    POSTING = "posting", _("Posting")
    MAINTENANCE = "maintenance", _("Account maintenance")
    OTHER = "other", _("Other")


class UsageRecord(VoidableRecord):
    """Clause 9 i): one use of an asset or a platform account by a person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("used by")
    )
    asset = models.ForeignKey(
        "records.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="usages", verbose_name=_("asset")
    )
    account = models.ForeignKey(
        "clients.PlatformAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usages",
        verbose_name=_("platform account"),
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usages",
        verbose_name=_("client"),
        help_text=_("Taken from the account, else from the asset's owner."),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=UsagePurpose.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        constraints = [
            on_field(
                "asset",
                models.CheckConstraint(
                    condition=Q(asset__isnull=False) | Q(account__isnull=False),
                    name="usage_names_asset_or_account",
                    violation_error_code="usage_names_asset_or_account",
                    violation_error_message=_("Name the asset or the account that was used."),
                ),
            ),
            on_field(
                "ended_at",
                models.CheckConstraint(
                    condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                    name="usage_ends_after_start",
                    violation_error_code="usage_ends_after_start",
                    violation_error_message=_("A use cannot end before it starts."),
                ),
            ),
            void_constraint("usage"),
        ]
        indexes = [
            TrigramIndex(fields=["agency", "note"], name="usage_agency_search"),
            models.Index(fields=["agency", "started_at"], name="usage_agency_started"),
            models.Index(fields=["agency", "client", "started_at"], name="usage_agency_client_started"),
        ]

    name_related = ("user", "asset", "account")

    def __str__(self) -> str:
        return f"{self.user or '—'} · {self.asset or self.account} · {self.get_purpose_display()}"
