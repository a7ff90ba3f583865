"""What each sync pulled, so the account page can show it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from agency.models import TenantModel
from clients.models import Client, PlatformAccount
from platforms.models.connections import Connection


class SyncTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Scheduled")
    MANUAL = "manual", _("Sync now")
    CONNECT = "connect", _("First sync after connecting")


class SyncStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    PARTIAL = "partial", _("Done with errors")
    FAILED = "failed", _("Failed")


class SyncRun(TenantModel):
    """One sync of one connection: the period asked for, rows created and updated per stream, and
    each error in the platform's words."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("platform account")
    )
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="syncs", editable=False)
    trigger = models.CharField(_("trigger"), max_length=10, choices=SyncTrigger.choices, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING, editable=False
    )
    period_start = models.DateField(_("from"), null=True, blank=True, editable=False)
    period_end = models.DateField(_("to"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    # {"account_days": {"created": 1, "updated": 0}, "videos": {...}, ...}
    counts = models.JSONField(_("rows"), default=dict, blank=True, editable=False)
    # [{"stream": "comments", "code": 2190008, "message": "..."}]
    errors = models.JSONField(_("errors"), default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        indexes = [models.Index(fields=["agency", "account", "started_at"], name="syncrun_agency_account_started")]

    def __str__(self) -> str:
        return f"sync {self.pk} of account {self.account_id}"
