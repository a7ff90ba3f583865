"""The conformance reports' rows: a client's conformance frozen for a period (the monthly snapshot)
and the PDF report built from it. Written by ``reports.services``, read by ``reports.selectors``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.models import TenantModel
from clients.models import Client


class ConformanceSnapshot(TenantModel):
    """A client's conformance with the standard for one period, frozen as it was evaluated, so a
    past month's report can be reproduced exactly. Made monthly by a scheduled task."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="conformance_snapshots")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    results = models.JSONField(_("results"), help_text=_("One entry per clause: status, summary, evidence."))
    met = models.PositiveSmallIntegerField(_("clauses met"), default=0)
    not_met = models.PositiveSmallIntegerField(_("clauses not met"), default=0)

    class Meta:
        ordering = ["-period_start", "client_id"]
        # The table it has had since the model lived in the tenant core (agency), kept with its rows.
        db_table = "agency_conformancesnapshot"
        verbose_name = _("conformance snapshot")
        verbose_name_plural = _("conformance snapshots")
        constraints = [
            on_field(
                "period_end",
                models.UniqueConstraint(
                    fields=["client", "period_start", "period_end"],
                    name="snapshot_one_per_period",
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "period_start"], name="snapshot_agency_period")]

    def __str__(self) -> str:
        return f"{self.client} {self.period_start:%Y-%m}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ConformanceReport(TenantModel):
    """A conformance report (PDF) for a client and period, built by a task with visible progress."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="conformance_reports")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="conformance/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    snapshot = models.ForeignKey(ConformanceSnapshot, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        db_table = "agency_conformancereport"
        verbose_name = _("conformance report")
        verbose_name_plural = _("conformance reports")
        indexes = [models.Index(fields=["agency", "client", "created_at"], name="report_agency_client_created")]

    def __str__(self) -> str:
        return f"{self.client} {self.period_start}..{self.period_end} ({self.language})"
