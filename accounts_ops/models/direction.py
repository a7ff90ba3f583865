"""Models of clause 6.1, the account's content and direction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from agency.constraints import on_field


class AccountDirection(AccountScoped):
    """Clause 6.1: one dated version of an account's content and direction, chosen from the
    platform's current rules and the operating goals. The newest version is the current one."""

    version = models.PositiveIntegerField(_("version"), editable=False)
    effective_from = models.DateField(_("effective from"))
    positioning = models.TextField(_("positioning"))
    target_audience = models.TextField(_("target audience"))
    content_pillars = models.JSONField(_("content pillars"), default=list)
    platform_rules = models.TextField(_("platform rules considered"))
    operating_goals = models.TextField(_("operating goals"))
    is_current = models.BooleanField(_("current"), default=True, editable=False)

    class Meta:
        ordering = ["account_id", "-version"]
        verbose_name = _("account direction")
        verbose_name_plural = _("account directions")
        constraints = [
            on_field(
                "version",
                models.UniqueConstraint(
                    fields=["account", "version"],
                    name="direction_version_unique",
                ),
            ),
            on_field(
                "is_current",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=Q(is_current=True),
                    name="direction_one_current_per_account",
                    violation_error_code="direction_one_current_per_account",
                    violation_error_message=_("The account already has a current direction."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "is_current"], name="direction_agency_current")]

    def __str__(self) -> str:
        return f"{self.account_id} v{self.version}"

    def clean(self) -> None:
        super().clean()
        pillars = self.content_pillars
        if not isinstance(pillars, list) or not all(isinstance(p, str) and p.strip() for p in pillars):
            raise ValidationError({"content_pillars": _("Content pillars are a list of non-empty texts.")})
        if not pillars:
            raise ValidationError({"content_pillars": _("Name at least one content pillar.")})
