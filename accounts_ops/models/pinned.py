"""Models of clause 6.3, pinned videos and their boosts."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import ZERO, AccountScoped, clean_video_of_account, money_field
from accounts_ops.rules import BOOST_INTERVAL_DAYS_MAX, PINNED_SLOTS_MAX, PINNED_SLOTS_MIN
from agency.constraints import on_field
from clients.models import Video


class BoostChannel(models.TextChoices):
    """How a pinned video is re-boosted (二次加热)."""

    DOU_PLUS = "dou_plus", _("DOU+ (paid)")
    PAID_OTHER = "paid_other", _("Other paid promotion")
    ORGANIC_REPOST = "organic_repost", _("Organic re-post")


class PinnedVideo(AccountScoped):
    """Clause 6.3: a video pinned to one of the account's 1-3 slots, with its boost plan
    (interval in days, budget per boost, channel). ``unpinned_on`` closes the pin."""

    video = models.ForeignKey(Video, on_delete=models.PROTECT, related_name="+", verbose_name=_("video"))
    slot = models.PositiveSmallIntegerField(
        _("slot"), validators=[MinValueValidator(PINNED_SLOTS_MIN), MaxValueValidator(PINNED_SLOTS_MAX)]
    )
    pinned_on = models.DateField(_("pinned on"))
    unpinned_on = models.DateField(_("unpinned on"), null=True, blank=True, editable=False)
    boost_interval_days = models.PositiveSmallIntegerField(
        _("boost every (days)"), validators=[MinValueValidator(1), MaxValueValidator(BOOST_INTERVAL_DAYS_MAX)]
    )
    boost_budget = money_field(_("budget per boost (yuan)"))
    boost_channel = models.CharField(
        _("boost channel"), max_length=20, choices=BoostChannel.choices, default=BoostChannel.DOU_PLUS
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["account_id", "slot", "-pinned_on"]
        verbose_name = _("pinned video")
        verbose_name_plural = _("pinned videos")
        constraints = [
            on_field(
                "slot",
                models.UniqueConstraint(
                    fields=["account", "slot"],
                    condition=Q(unpinned_on__isnull=True),
                    name="pinned_slot_taken_once",
                    violation_error_code="pinned_slot_taken_once",
                    violation_error_message=_("This slot already holds a pinned video."),
                ),
            ),
            on_field(
                "video",
                models.UniqueConstraint(
                    fields=["account", "video"],
                    condition=Q(unpinned_on__isnull=True),
                    name="pinned_video_pinned_once",
                    violation_error_code="pinned_video_pinned_once",
                    violation_error_message=_("This video is already pinned."),
                ),
            ),
            on_field(
                "slot",
                models.CheckConstraint(
                    condition=Q(slot__gte=PINNED_SLOTS_MIN, slot__lte=PINNED_SLOTS_MAX),
                    name="pinned_slot_in_range",
                    violation_error_code="pinned_slot_in_range",
                    violation_error_message=_("The slot is 1, 2 or 3."),
                ),
            ),
            on_field(
                "boost_budget",
                models.CheckConstraint(
                    condition=Q(boost_budget__gte=0),
                    name="pinned_budget_not_negative",
                    violation_error_code="pinned_budget_not_negative",
                    violation_error_message=_("The boost budget cannot be negative."),
                ),
            ),
            on_field(
                "unpinned_on",
                models.CheckConstraint(
                    condition=Q(unpinned_on__isnull=True) | Q(unpinned_on__gte=F("pinned_on")),
                    name="pinned_unpinned_after_pinned",
                    violation_error_code="pinned_unpinned_after_pinned",
                    violation_error_message=_("A video cannot be unpinned before it was pinned."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "unpinned_on"], name="pinned_agency_account_open")]

    def __str__(self) -> str:
        return f"#{self.slot} {self.video_id}"

    @property
    def is_pinned(self) -> bool:
        return self.unpinned_on is None

    def clean(self) -> None:
        super().clean()
        clean_video_of_account(self)


class BoostTaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class BoostTask(AccountScoped):
    """Clause 6.3: a pinned video's boost falls due on ``due_on``; the operator does it and records
    a ``BoostRecord``. Made by the daily beat task, never twice for one due date."""

    pinned_video = models.ForeignKey(
        PinnedVideo, on_delete=models.CASCADE, related_name="boost_tasks", verbose_name=_("pinned video")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=BoostTaskStatus.choices, default=BoostTaskStatus.OPEN, editable=False
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("boost task")
        verbose_name_plural = _("boost tasks")
        constraints = [
            on_field(
                "due_on",
                models.UniqueConstraint(
                    fields=["pinned_video", "due_on"],
                    name="boost_task_once_per_due_date",
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="boost_task_agency_status_due")]

    def __str__(self) -> str:
        return f"{self.pinned_video_id} @ {self.due_on}"


class BoostRecord(AccountScoped):
    """Clause 6.3: one re-boost of a pinned video: date, channel, spend, the platform's order id and
    what it brought (plays and followers gained)."""

    pinned_video = models.ForeignKey(
        PinnedVideo, on_delete=models.PROTECT, related_name="boosts", verbose_name=_("pinned video")
    )
    boost_task = models.ForeignKey(
        BoostTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("boost task"),
        editable=False,
    )
    boosted_on = models.DateField(_("boosted on"))
    channel = models.CharField(_("channel"), max_length=20, choices=BoostChannel.choices)
    spend = money_field(_("spend (yuan)"), default=ZERO)
    platform_order_id = models.CharField(_("platform order id"), max_length=100, blank=True)
    plays_gained = models.PositiveBigIntegerField(_("plays gained"), null=True, blank=True)
    followers_gained = models.BigIntegerField(_("followers gained (net)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-boosted_on", "-id"]
        verbose_name = _("boost record")
        verbose_name_plural = _("boost records")
        constraints = [
            on_field(
                "spend",
                models.CheckConstraint(
                    condition=Q(spend__gte=0),
                    name="boost_spend_not_negative",
                    violation_error_code="boost_spend_not_negative",
                    violation_error_message=_("Spend cannot be negative."),
                ),
            ),
            on_field(
                "platform_order_id",
                models.UniqueConstraint(
                    fields=["agency", "platform_order_id"],
                    condition=~Q(platform_order_id=""),
                    name="boost_order_id_unique",
                    violation_error_code="boost_order_id_unique",
                    violation_error_message=_("This platform order is already recorded."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "pinned_video", "boosted_on"], name="boost_agency_pinned_date")]

    def __str__(self) -> str:
        return f"{self.pinned_video_id} {self.boosted_on}"
