"""The client's review of a cut: rounds and their time-coded comments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.models import SameClient
from production.models.post import Cut
from production.models.projects import ProjectOwned, VideoProject


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the client")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReviewRound(ProjectOwned):
    """The client's review of one cut: comments at time codes, then approval or changes."""

    project = models.ForeignKey(
        VideoProject, on_delete=models.CASCADE, related_name="review_rounds", verbose_name=_("video project")
    )
    cut = models.ForeignKey(Cut, on_delete=models.PROTECT, related_name="review_rounds", verbose_name=_("cut"))
    number = models.PositiveIntegerField(_("round"))
    status = models.CharField(_("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        ordering = ["project_id", "-number"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        constraints = [
            on_field(
                "number",
                models.UniqueConstraint(
                    fields=["project", "number"],
                    name="review_round_number_unique",
                ),
            ),
            on_field(
                "status",
                models.UniqueConstraint(
                    fields=["project"],
                    condition=Q(status="open"),
                    name="review_round_one_open_per_project",
                    violation_error_code="review_round_one_open_per_project",
                    violation_error_message=_("This project already has a review round waiting for the client."),
                ),
            ),
            on_field(
                "decision_comment",
                models.CheckConstraint(
                    condition=~Q(status="changes_requested") | ~Q(decision_comment=""),
                    name="review_changes_requested_has_comment",
                    violation_error_code="review_changes_requested_has_comment",
                    violation_error_message=_("Say what should change."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="review_round_agency_status")]

    name_related = ("project",)

    def __str__(self) -> str:
        return f"{self.project} · round {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("production:review-detail", args=[self.pk])


class ReviewComment(ProjectOwned):
    """A comment on a cut at a time code (seconds, optionally a frame), or a reply to one."""

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="comments", verbose_name=_("review round")
    )
    cut = models.ForeignKey(Cut, on_delete=models.CASCADE, related_name="comments", verbose_name=_("cut"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", verbose_name=_("reply to")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"))
    timecode_seconds = models.DecimalField(
        _("time code (s)"),
        max_digits=9,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    frame = models.PositiveIntegerField(_("frame"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_in = models.ForeignKey(
        Cut,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_comments",
        verbose_name=_("resolved in cut"),
    )

    same_client_as = (
        SameClient("round", _("The row's client differs from its video project's client."), error_on="client"),
    )  # no project of its own: the round's

    class Meta:
        ordering = ["round_id", "timecode_seconds", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        constraints = [
            on_field(
                "timecode_seconds",
                models.CheckConstraint(
                    condition=Q(parent__isnull=False) | Q(timecode_seconds__isnull=False),
                    name="review_comment_has_timecode",
                    violation_error_code="review_comment_has_timecode",
                    violation_error_message=_("A comment needs its time code; only replies go without."),
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def project_id(self):
        return self.cut.project_id if self.cut_id else None

    @property
    def timecode(self) -> str:
        """``mm:ss.fff`` (and ``+frame``) for people."""
        if self.timecode_seconds is None:
            return ""
        total = self.timecode_seconds
        minutes, seconds = divmod(total, 60)
        text = f"{int(minutes):02d}:{seconds:06.3f}"
        return f"{text} +{self.frame}f" if self.frame is not None else text
