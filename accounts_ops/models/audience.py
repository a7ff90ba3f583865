"""7.3 the audience persona: the platform's audience portraits as snapshots, and the persona reports
built from them each period."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from accounts_ops.portrait import DIMENSION_NAMES, PortraitError, normalise
from agency.constraints import on_field


def _distribution(verbose_name) -> models.JSONField:
    return models.JSONField(verbose_name, default=dict, blank=True)


class AudienceSnapshot(AccountScoped):
    """Clause 7.3: an account's fan portrait on one date, in the platform's shape: gender split,
    age buckets (the platform's own), provinces and cities, devices, interests, active days and
    hours. Each is ``{key: share}``; the rules they keep are in ``accounts_ops.portrait``."""

    date = models.DateField(_("date"))
    fans_total = models.PositiveBigIntegerField(_("fans"), null=True, blank=True)
    gender = _distribution(_("gender"))
    age = _distribution(_("age"))
    provinces = _distribution(_("provinces"))
    cities = _distribution(_("cities"))
    devices = _distribution(_("devices"))
    interests = _distribution(_("interests"))
    active_days = _distribution(_("active days"))
    active_hours = _distribution(_("active hours"))

    DIMENSIONS = DIMENSION_NAMES

    class Meta:
        ordering = ["-date", "account_id"]
        verbose_name = _("audience snapshot")
        verbose_name_plural = _("audience snapshots")
        constraints = [
            on_field(
                "date",
                models.UniqueConstraint(
                    fields=["account", "date"],
                    name="audience_snapshot_once_per_day",
                ),
            )
        ]
        indexes = [models.Index(fields=["agency", "account", "date"], name="audience_agency_account_date")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.date}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        for name in self.DIMENSIONS:
            try:
                setattr(self, name, normalise(name, getattr(self, name)))
            except PortraitError as exc:
                errors[name] = f"{name}: {exc}"
        if errors:
            raise ValidationError(errors)


class PersonaTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Scheduled")
    ON_DEMAND = "on_demand", _("On demand")


class AudiencePersonaReport(AccountScoped):
    """Clause 7.3: the analysis of an account's audience for one period: the dominant segment of
    each dimension, the shift since the previous report in percentage points, and a short summary
    in Chinese and English. Built by the scheduled job (or on demand), once per account and
    period: building it again changes nothing."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    snapshot = models.ForeignKey(
        AudienceSnapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("snapshot analysed")
    )
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("previous report")
    )
    dominant = models.JSONField(_("dominant segments"), default=dict)
    shifts = models.JSONField(_("shift since the previous report (points)"), default=dict, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"))
    summary_en = models.TextField(_("summary (English)"))
    trigger = models.CharField(
        _("made"), max_length=10, choices=PersonaTrigger.choices, default=PersonaTrigger.SCHEDULE
    )

    class Meta:
        ordering = ["-period_end", "account_id"]
        verbose_name = _("audience persona report")
        verbose_name_plural = _("audience persona reports")
        constraints = [
            on_field(
                "period_end",
                models.UniqueConstraint(
                    fields=["account", "period_start", "period_end"],
                    name="persona_report_once_per_period",
                ),
            ),
            on_field(
                "period_end",
                models.CheckConstraint(
                    condition=Q(period_end__gte=F("period_start")),
                    name="persona_report_period",
                    violation_error_code="persona_report_period",
                    violation_error_message=_("The period cannot end before it starts."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "period_end"], name="persona_agency_account_end")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.period_start}..{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:persona-detail", args=[self.pk])
