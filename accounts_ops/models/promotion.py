"""Models of clause 6.6, promotion tasks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from agency.constraints import on_field
from agency.models import SameClient
from clients.models import Video


class PromotionChannel(models.TextChoices):
    """Clause 6.6: the three ways the standard names."""

    OWN_MATERIAL = "own_material", _("The account's own material")
    COMMENT_SECTIONS = "comment_sections", _("Other accounts' comment sections")
    SEARCH_KEYWORDS = "search_keywords", _("Search keywords")


class PromotionTarget(models.TextChoices):
    PERSON = "person", _("A person")
    CLIP = "clip", _("A clip")
    PRODUCT = "product", _("A product")


class PromotionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PromotionTask(AccountScoped):
    """Clause 6.6: one promotion of a person, clip or product through one channel, planned and
    done on given dates, with its outcome."""

    channel = models.CharField(_("channel"), max_length=20, choices=PromotionChannel.choices)
    target_kind = models.CharField(_("what is promoted"), max_length=10, choices=PromotionTarget.choices)
    target = models.CharField(_("target"), max_length=200)
    target_video = models.ForeignKey(
        Video, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("clip")
    )
    content = models.TextField(_("content"))
    search_keywords = models.JSONField(_("search keywords"), default=list, blank=True)
    planned_on = models.DateField(_("planned on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PromotionStatus.choices, default=PromotionStatus.PLANNED
    )
    outcome = models.TextField(_("outcome"), blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True, help_text=_("Views or impressions."))

    same_client_as = (
        *AccountScoped.same_client_as,
        SameClient("target_video", _("The clip belongs to another client.")),
    )

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("promotion task")
        verbose_name_plural = _("promotion tasks")
        constraints = [
            on_field(
                "done_on",
                models.CheckConstraint(
                    condition=~Q(status="done") | Q(done_on__isnull=False),
                    name="promotion_done_has_date",
                    violation_error_code="promotion_done_has_date",
                    violation_error_message=_("A done promotion needs the day it was done."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "done_on"], name="promotion_agency_account_done")]

    def __str__(self) -> str:
        return self.target

    def clean(self) -> None:
        super().clean()
        errors = {}
        keywords = self.search_keywords
        if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
            errors["search_keywords"] = _("Search keywords are a list of non-empty texts.")
        elif self.channel == PromotionChannel.SEARCH_KEYWORDS and not keywords:
            errors["search_keywords"] = _("A search-keyword promotion names its keywords.")
        if self.status == PromotionStatus.DONE:
            if self.done_on is None:
                errors["done_on"] = _("Give the date the promotion was done.")
            if not (self.outcome or "").strip():
                errors["outcome"] = _("Record the outcome of a done promotion.")
        if errors:
            raise ValidationError(errors)
