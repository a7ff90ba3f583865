"""Platform data in: file imports of platform data, and bulk API requests kept as data imports."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.platform_fields import ACCOUNT_METRICS, COMMENTS, HOT_TOPICS, VIDEO_METRICS
from agency.models import TenantModel
from clients.models import PlatformAccount


class ImportKind(models.TextChoices):
    ACCOUNT_METRICS = ACCOUNT_METRICS, _("Account daily metrics")
    VIDEO_METRICS = VIDEO_METRICS, _("Video daily metrics")
    COMMENTS = COMMENTS, _("Comments (7.1)")
    HOT_TOPICS = HOT_TOPICS, _("Hot topics (7.2)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


JSON_BATCH = "json"  # the format of a bulk API request kept as a data import


class DataImport(TenantModel):
    """A file of platform data (CSV or XLSX, as a creator-centre export gives it; UTF-8, UTF-8
    with BOM or GBK), imported by a task that shows its progress. A bulk API request that asks to
    be answered at once (``Prefer: respond-async``) is kept as one too, its body as the file
    (format ``json``): its rows were checked when it came in, and the task stores them.

    The rule for a file: the file as a whole must be readable (a known format and encoding, the
    required columns, at least one row, no larger than the size limit), else nothing is imported
    and ``error`` says why. Then each row stands alone: **accepted rows are committed, rejected
    rows are listed** in ``row_errors`` (row number as a spreadsheet shows it, field, message), and
    the counts say how many of each. Importing the same file again changes nothing (the rows are
    upserts). An ``account`` given with the file applies to rows that name none (a creator-centre
    export is one account's)."""

    kind = models.CharField(_("kind of data"), max_length=20, choices=ImportKind.choices)
    account = models.ForeignKey(
        PlatformAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("platform account"),
        help_text=_("For files of one account's data (a creator-centre export)."),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_format = models.CharField(_("format"), max_length=10, blank=True, editable=False)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED, editable=False
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)], editable=False
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0, editable=False)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0, editable=False)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0, editable=False)
    rows_created = models.PositiveIntegerField(
        _("rows created"), default=0, editable=False, help_text=_("Accepted rows whose key was new.")
    )
    rows_updated = models.PositiveIntegerField(
        _("rows updated"), default=0, editable=False, help_text=_("Accepted rows that changed a stored row.")
    )
    row_errors = models.JSONField(_("rejected rows"), default=list, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    tenant_client_path = None  # the agency's own work: a file may hold many clients' rows

    class Meta:
        ordering = ["-id"]
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")
        indexes = [models.Index(fields=["agency", "status"], name="data_import_agency_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:import-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def is_bulk_request(self) -> bool:
        return self.file_format == JSON_BATCH

    @property
    def source(self) -> str:
        """What came in: the uploaded file's name, or a bulk API request."""
        return str(_("bulk API request")) if self.is_bulk_request else self.original_name
