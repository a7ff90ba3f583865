"""Clause 9 h): daily inspection — one checklist per active platform account and day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.db.indexes import TrigramIndex
from records.models.common import VoidableRecord, void_constraint
from records.rules import INSPECTION_ITEMS


class InspectionStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    DONE = "done", _("Done")


def _item_field(label) -> models.BooleanField:
    return models.BooleanField(
        label, null=True, blank=True, help_text=_("Empty until ticked: yes = fine, no = problem.")
    )


class DailyInspection(VoidableRecord):
    """Clause 9 h): the daily inspection list of one account for one day. Made by a scheduled task
    (idempotent: one per account and day); the operator ticks the items and notes problems. A list
    still to do after its day is a missed inspection."""

    account = models.ForeignKey(
        "clients.PlatformAccount",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("platform account"),
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("client")
    )
    inspection_date = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PENDING
    )
    profile_intact = _item_field(INSPECTION_ITEMS[0][1])
    pinned_videos_in_place = _item_field(INSPECTION_ITEMS[1][1])
    interactions_handled = _item_field(INSPECTION_ITEMS[2][1])
    no_violation_notice = _item_field(INSPECTION_ITEMS[3][1])
    metrics_arrived = _item_field(INSPECTION_ITEMS[4][1])
    problems = models.TextField(_("problems found"), blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspected by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-inspection_date", "account_id"]
        verbose_name = _("daily inspection")
        verbose_name_plural = _("daily inspections")
        constraints = [
            on_field(
                "inspection_date",
                models.UniqueConstraint(
                    fields=["account", "inspection_date"],
                    name="inspection_one_per_account_day",
                ),
            ),
            void_constraint("inspection"),
        ]
        indexes = [
            TrigramIndex(fields=["agency", "problems"], name="inspection_agency_search"),
            models.Index(fields=["agency", "inspection_date", "status"], name="inspection_agency_day_status"),
            models.Index(fields=["agency", "client", "inspection_date"], name="inspection_agency_client_day"),
        ]

    name_related = ("account",)
    name_fields = ("inspection_date", "account", "account__platform", "account__handle")  # __str__

    def __str__(self) -> str:
        return f"{self.account} · {self.inspection_date.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("records:inspection-detail", args=[self.pk])

    def items(self) -> list[tuple[str, object, bool | None]]:
        return [(name, label, getattr(self, name)) for name, label in INSPECTION_ITEMS]

    def is_missed(self, today) -> bool:
        return self.status == InspectionStatus.PENDING and self.voided_at is None and self.inspection_date < today


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class InspectionFollowUp(VoidableRecord):
    """Clause 9 h): a task opened from a problem an inspection found, until it is resolved."""

    inspection = models.ForeignKey(
        DailyInspection, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("inspection")
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    same_client_as = ("inspection",)

    class Meta:
        ordering = ["status", "due_date", "id"]
        verbose_name = _("inspection follow-up")
        verbose_name_plural = _("inspection follow-ups")
        constraints = [void_constraint("followup")]
        indexes = [models.Index(fields=["agency", "status", "due_date"], name="followup_agency_status_due")]

    def __str__(self) -> str:
        return self.title
