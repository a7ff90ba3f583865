"""Clause 9 j) and k): data statistics reports and work assessment reports, built monthly by a
scheduled task (and on demand) from what the other chapters record."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from records.models.common import VoidableRecord, void_constraint


class ReportCadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly (scheduled)")
    ON_DEMAND = "on_demand", _("On demand")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class GeneratedReport(VoidableRecord):
    """A report over a period, built by a task: its figures are kept as they were at build time."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    cadence = models.CharField(_("made"), max_length=12, choices=ReportCadence.choices, default=ReportCadence.ON_DEMAND)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    has_data = models.BooleanField(_("has data"), default=False)
    data = models.JSONField(_("figures"), default=dict, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("requested by"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        editable=False,
        help_text=_("The language of the person who asked for it; empty: the agency's."),
    )

    class Meta:
        abstract = True

    @property
    def period_label(self) -> str:
        return f"{self.period_start.isoformat()} – {self.period_end.isoformat()}"


def _period_constraint(prefix: str) -> models.CheckConstraint:
    return on_field(
        "period_end",
        models.CheckConstraint(
            condition=Q(period_end__gte=F("period_start")),
            name=f"{prefix}_period_ordered",
            violation_error_code="period_ordered",
            violation_error_message=_("The period cannot end before it starts."),
        ),
    )


class StatisticsReport(GeneratedReport):
    """Clause 9 j): a data statistics report for one client and period: fans, plays, engagement,
    top videos, live results, the comparison with the previous period, with charts."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="statistics_reports", verbose_name=_("client")
    )

    class Meta:
        ordering = ["-period_start", "client_id", "-id"]
        verbose_name = _("data statistics report")
        verbose_name_plural = _("data statistics reports")
        constraints = [
            on_field(
                "period_end",
                models.UniqueConstraint(
                    fields=["client", "period_start", "period_end"],
                    condition=Q(cadence="monthly"),
                    name="statistics_one_scheduled_per_period",
                    violation_error_code="statistics_one_scheduled_per_period",
                    violation_error_message=_("This period already has its scheduled report."),
                ),
            ),
            _period_constraint("statistics"),
            void_constraint("statistics"),
        ]
        indexes = [models.Index(fields=["agency", "client", "period_start"], name="stats_agency_client_period")]

    name_related = ("client",)

    def __str__(self) -> str:
        return f"{self.client} · {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("records:statistics-detail", args=[self.pk])


class WorkAssessmentReport(GeneratedReport):
    """Clause 9 k): a work assessment report for one period, about one staff member or one client:
    videos delivered on time, first-response times, inspections done, requirements fulfilled, live
    sessions run."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment_reports",
        verbose_name=_("client"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("work assessment report")
        verbose_name_plural = _("work assessment reports")
        constraints = [
            on_field(
                "client",
                models.CheckConstraint(
                    condition=Q(client__isnull=True, staff__isnull=False) | Q(client__isnull=False, staff__isnull=True),
                    name="assessment_about_client_or_staff",
                    violation_error_code="assessment_about_client_or_staff",
                    violation_error_message=_("An assessment is about one client or one staff member."),
                ),
            ),
            on_field(
                "period_end",
                models.UniqueConstraint(
                    fields=["agency", "client", "period_start", "period_end"],
                    condition=Q(cadence="monthly", client__isnull=False),
                    name="assessment_one_scheduled_per_client",
                    violation_error_code="assessment_one_scheduled_per_client",
                    violation_error_message=_("This period already has its scheduled report."),
                ),
            ),
            on_field(
                "period_end",
                models.UniqueConstraint(
                    fields=["agency", "staff", "period_start", "period_end"],
                    condition=Q(cadence="monthly", staff__isnull=False),
                    name="assessment_one_scheduled_per_staff",
                    violation_error_code="assessment_one_scheduled_per_staff",
                    violation_error_message=_("This period already has its scheduled report."),
                ),
            ),
            _period_constraint("assessment"),
            void_constraint("assessment"),
        ]
        indexes = [models.Index(fields=["agency", "period_start"], name="assessment_agency_period")]

    name_related = ("client", "staff")

    def __str__(self) -> str:
        return f"{self.subject} · {self.period_label}"

    @property
    def subject(self):
        return self.client if self.client_id else self.staff

    def get_absolute_url(self) -> str:
        return reverse("records:assessment-detail", args=[self.pk])
