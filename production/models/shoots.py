"""Clause 5.2: shoots and their clips."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from production.models.common import ProbedMedia, clip_path
from production.models.projects import ProjectOwned, VideoProject
from production.rules import failure_message


class Shoot(ProjectOwned):
    """Clause 5.2: a shoot according to the scene set-up; it receives the clips."""

    project = models.ForeignKey(
        VideoProject, on_delete=models.CASCADE, related_name="shoots", verbose_name=_("video project")
    )
    date = models.DateField(_("date"))
    location = models.CharField(_("location"), max_length=200)
    scene_setup = models.TextField(_("scene set-up"), blank=True)
    crew = models.TextField(_("crew"), blank=True, help_text=_("Who shot it, one person and role a line."))

    class Meta:
        ordering = ["project_id", "date", "id"]
        verbose_name = _("shoot")
        verbose_name_plural = _("shoots")
        indexes = [models.Index(fields=["agency", "date"], name="shoot_agency_date")]

    def __str__(self) -> str:
        return f"{self.location} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("production:shoot-detail", args=[self.pk])


class ClipVerdict(models.TextChoices):
    PENDING = "pending", _("Not yet judged")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Clip(ProbedMedia):
    """Clause 5.2: one clip of a shoot. Accepted when 4K and 7-60 s; otherwise kept and marked
    rejected, with every failed rule named in ``rule_failures``."""

    project = models.ForeignKey(
        VideoProject, on_delete=models.CASCADE, related_name="clips", verbose_name=_("video project")
    )
    shoot = models.ForeignKey(Shoot, on_delete=models.CASCADE, related_name="clips", verbose_name=_("shoot"))
    file = models.FileField(_("file"), upload_to=clip_path, max_length=300)
    label = models.CharField(_("label"), max_length=200, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=ClipVerdict.choices, default=ClipVerdict.PENDING)
    rule_failures = models.JSONField(_("failed rules"), default=list, blank=True)

    class Meta:
        ordering = ["shoot_id", "id"]
        verbose_name = _("clip")
        verbose_name_plural = _("clips")
        indexes = [
            models.Index(fields=["agency", "shoot", "verdict"], name="clip_agency_shoot_verdict"),
            models.Index(fields=["agency", "probe_state", "created_at"], name="clip_agency_probe_state"),
        ]

    def __str__(self) -> str:
        return self.label or self.original_name

    @property
    def failure_messages(self) -> list[str]:
        return [failure_message(item) for item in self.rule_failures or []]

    @property
    def shown_failures(self) -> list[dict]:
        """The failed rules with their words in the reader's language."""
        return [
            {**item, "message": failure_message(item)} for item in self.rule_failures or [] if isinstance(item, dict)
        ]
