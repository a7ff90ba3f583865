"""Clause 9 ("paper or electronic"): exports of record lists to CSV, XLSX and PDF, made by a task."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.models import TenantModel


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# The record lists an export can hold, by key, with their names (``records.exports.datasets``
# defines each list's rows and columns; a job keeps its key when a list is no longer offered).
DATASET_TITLES = {
    "assets": _("Assets"),
    "asset_checkouts": _("Asset check-outs"),
    "inspections": _("Daily inspections"),
    "inspection_follow_ups": _("Inspection follow-ups"),
    "usage_records": _("Usage records"),
    "statistics_reports": _("Data statistics reports"),
    "assessment_reports": _("Work assessment reports"),
    "image_records": _("Image records"),
    "audit_events": _("Audit trail"),
}


class ExportJob(TenantModel):
    """One export of a record list, run by a task: its progress, then the file to download.
    It exports what its requester may see, with the filters they chose. Client people's exports
    carry their client (and only they and the agency see them)."""

    dataset = models.CharField(_("record list"), max_length=40)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    query = models.JSONField(_("filters"), default=dict, blank=True)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("client")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        editable=False,
        help_text=_("The language of the person who asked for it; empty: the agency's."),
    )
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="records/exports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["agency", "status"], name="export_agency_status")]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.format} #{self.pk}"

    @property
    def dataset_title(self) -> str:
        """The list's name in the reader's language (the code when the list is no longer offered)."""
        title = DATASET_TITLES.get(self.dataset)
        return str(title) if title is not None else self.dataset

    def get_absolute_url(self) -> str:
        return reverse("records:export-detail", args=[self.pk])
