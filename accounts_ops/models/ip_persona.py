"""7.4 the IP persona of an account, versioned: the character the account presents."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from agency.constraints import on_field

IP_FACETS = ("age", "gender", "personality", "cultural_background", "specialty")


class IpPersona(AccountScoped):
    """Clause 7.4: the account's IP persona, positioned by a) age, b) gender, c) personality,
    d) cultural background, e) specialty, and the style it fixes. One current version per
    account; earlier versions are kept as its history. A persona may be recorded while still
    being worked out; it is *complete* when all five facets and the style are set."""

    version = models.PositiveIntegerField(_("version"), editable=False)
    is_current = models.BooleanField(_("current"), default=True, editable=False)
    name = models.CharField(_("IP name"), max_length=100, help_text=_("The character the account presents."))
    age = models.CharField(_("age"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=30, blank=True)
    personality = models.TextField(_("personality"), blank=True)
    cultural_background = models.TextField(_("cultural background"), blank=True)
    specialty = models.TextField(_("specialty"), blank=True)
    style = models.TextField(_("style"), blank=True, help_text=_("The style the persona fixes for the content."))
    effective_from = models.DateField(_("effective from"))
    note = models.TextField(_("note"), blank=True)

    FACETS = IP_FACETS

    class Meta:
        ordering = ["account_id", "-version"]
        verbose_name = _("IP persona")
        verbose_name_plural = _("IP personas")
        constraints = [
            on_field(
                "version",
                models.UniqueConstraint(
                    fields=["account", "version"],
                    name="ip_persona_version_unique",
                ),
            ),
            on_field(
                "is_current",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=Q(is_current=True),
                    name="ip_persona_one_current_per_account",
                    violation_error_code="ip_persona_one_current_per_account",
                    violation_error_message=_("The account already has a current IP persona."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "is_current"], name="ip_persona_agency_current")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:persona-ip-list") + f"?account={self.account_id}"

    @property
    def missing(self) -> list[str]:
        """The facets (and style) still empty, by their field names."""
        return [name for name in (*self.FACETS, "style") if not (getattr(self, name) or "").strip()]

    @property
    def is_complete(self) -> bool:
        return not self.missing
