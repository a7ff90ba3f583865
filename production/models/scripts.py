"""Clause 5.1: scripts (versions), the basis of their topic and their storyboard shots."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.constraints import on_field
from agency.models import SameClient
from clients.models import ClientRequirement
from production.models.projects import ProjectOwned, VideoProject


class TopicBasis(models.TextChoices):
    """5.1: a topic is chosen from the account's positioning, trending topics and the client's wishes."""

    ACCOUNT_POSITIONING = "account_positioning", _("Account positioning")
    TRENDING = "trending", _("Trending topic")
    CLIENT_WISH = "client_wish", _("Client's wish")


def validate_topic_basis(value) -> None:
    if not isinstance(value, list) or any(item not in TopicBasis.values for item in value):
        raise ValidationError(_("Choose the basis among: %(known)s."), params={"known": ", ".join(TopicBasis.values)})
    if len(set(value)) != len(value):
        raise ValidationError(_("A basis is listed twice."))


class ScriptStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class Script(ProjectOwned):
    """Clause 5.1: one version of a video's script — a) topic and why it was chosen, b) scene
    concept, c) screenplay, d) storyboard shots. Only a draft changes; a decided version is kept
    as it was, and a new version starts from a copy of it."""

    project = models.ForeignKey(
        VideoProject, on_delete=models.CASCADE, related_name="scripts", verbose_name=_("video project")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    topic_basis = models.JSONField(_("basis of the topic"), default=list, blank=True, validators=[validate_topic_basis])
    topic_reason = models.TextField(_("why this topic"), blank=True)
    trending_topics = models.TextField(_("trending topics used"), blank=True)
    requirement = models.ForeignKey(
        ClientRequirement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client requirement it answers"),
    )
    scene_concept = models.TextField(_("scene concept"), blank=True)
    screenplay = models.TextField(_("screenplay"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ScriptStatus.choices, default=ScriptStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
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
        ordering = ["project_id", "-version"]
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        constraints = [
            on_field(
                "version",
                models.UniqueConstraint(
                    fields=["project", "version"],
                    name="script_version_unique",
                ),
            ),
            on_field(
                "decision_comment",
                models.CheckConstraint(
                    condition=~Q(status="changes_requested") | ~Q(decision_comment=""),
                    name="script_changes_requested_has_comment",
                    violation_error_code="script_changes_requested_has_comment",
                    violation_error_message=_("Say what should change."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="script_agency_status")]

    name_related = ("project",)

    def __str__(self) -> str:
        return f"{self.project} · v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("production:script-detail", args=[self.pk])

    def get_topic_basis_display(self) -> list[str]:
        labels = dict(TopicBasis.choices)
        return [str(labels.get(code, code)) for code in self.topic_basis or []]


class ShotSize(models.TextChoices):
    EXTREME_WIDE = "extreme_wide", _("Extreme wide")
    WIDE = "wide", _("Wide")
    FULL = "full", _("Full")
    MEDIUM = "medium", pgettext_lazy("shot size", "Medium")
    MEDIUM_CLOSE_UP = "medium_close_up", _("Medium close-up")
    CLOSE_UP = "close_up", _("Close-up")
    EXTREME_CLOSE_UP = "extreme_close_up", _("Extreme close-up")


class CameraMovement(models.TextChoices):
    STATIC = "static", _("Static")
    PUSH_IN = "push_in", _("Push in")
    PULL_OUT = "pull_out", _("Pull out")
    PAN = "pan", _("Pan")
    TILT = "tilt", _("Tilt")
    TRACKING = "tracking", _("Tracking")
    FOLLOW = "follow", _("Follow")
    CRANE = "crane", _("Crane")
    HANDHELD = "handheld", _("Handheld")
    ORBIT = "orbit", _("Orbit")


class StoryboardShot(ProjectOwned):
    """Clause 5.1 d): one shot of the storyboard (分镜头脚本)."""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="shots", verbose_name=_("script"))
    number = models.PositiveSmallIntegerField(_("shot number"), validators=[MinValueValidator(1)])
    shot_size = models.CharField(_("shot size"), max_length=20, choices=ShotSize.choices)
    camera_movement = models.CharField(
        _("camera movement"), max_length=20, choices=CameraMovement.choices, default=CameraMovement.STATIC
    )
    duration_seconds = models.DecimalField(
        _("duration (s)"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    picture = models.TextField(_("picture"), help_text=_("What the frame shows."))
    dialogue = models.TextField(_("dialogue or voice-over"), blank=True)
    sound = models.TextField(_("sound and music"), blank=True)
    props = models.TextField(_("props"), blank=True)

    same_client_as = (
        SameClient("script", _("The row's client differs from its video project's client."), error_on="client"),
    )  # no project of its own: the script's

    class Meta:
        ordering = ["script_id", "number"]
        verbose_name = _("storyboard shot")
        verbose_name_plural = _("storyboard shots")
        constraints = [
            on_field(
                "number",
                models.UniqueConstraint(
                    fields=["script", "number"],
                    name="shot_number_unique_in_script",
                ),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.get_shot_size_display()}"

    @property
    def project_id(self):
        return self.script.project_id if self.script_id else None
