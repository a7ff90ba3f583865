"""Video projects and their stages: the project, every row's link to it (``ProjectOwned``) and
the record of each stage change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.db.indexes import TrigramIndex
from agency.models import SameClient, TenantModel
from clients.models import Client, PlatformAccount, Video


class Stage(models.TextChoices):
    PLANNING = "planning", _("Planning")
    SCRIPTING = "scripting", _("Scripting (5.1)")
    SHOOTING = "shooting", _("Shooting (5.2)")
    POST_PRODUCTION = "post_production", _("Post-production (5.3)")
    CLIENT_REVIEW = "client_review", _("Client review")
    PUBLISHING = "publishing", _("Ready to publish")
    PUBLISHED = "published", _("Published")


STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


class ProjectOwned(TenantModel):
    """A row of one video project: carries the project's client too (checked in ``clean``)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", verbose_name=_("client"))

    same_client_as = (
        SameClient("project", _("The row's client differs from its video project's client."), error_on="client"),
    )

    class Meta:
        abstract = True


class VideoProject(TenantModel):
    """One video from topic to publication (chapter 5), for one platform account of a client."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="video_projects", verbose_name=_("client")
    )
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="video_projects", verbose_name=_("platform account")
    )
    title = models.CharField(_("title"), max_length=200)
    brief = models.TextField(_("brief"), blank=True, help_text=_("What the video is for, in the client's words."))
    due_date = models.DateField(_("due date"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PLANNING)
    stage_changed_at = models.DateTimeField(_("stage changed at"), null=True, blank=True)
    video = models.OneToOneField(
        Video,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="production_project",
        verbose_name=_("published video"),
    )

    same_client_as = (SameClient("account", _("The account belongs to another client than the project.")),)
    name_fields = ("title",)  # __str__

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("video project")
        verbose_name_plural = _("video projects")
        indexes = [
            TrigramIndex(fields=["agency", "title", "brief"], name="vproject_agency_search"),
            models.Index(fields=["agency", "stage", "due_date"], name="vproject_agency_stage_due"),
            models.Index(fields=["agency", "client", "stage"], name="vproject_agency_client_stage"),
            models.Index(fields=["agency", "due_date"], name="vproject_agency_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("production:project-detail", args=[self.pk])

    @property
    def next_stage(self) -> str | None:
        index = stage_index(self.stage)
        return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


class StageTransition(ProjectOwned):
    """Every stage change of a video project: when, by whom, and what the gate found then
    (``snapshot``), so that a past period is judged as it stood."""

    project = models.ForeignKey(
        VideoProject, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("video project")
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    snapshot = models.JSONField(_("what the gate found"), default=dict, blank=True)

    class Meta:
        ordering = ["project_id", "at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["agency", "to_stage", "at"], name="transition_agency_stage_at")]

    name_related = ("project",)

    def __str__(self) -> str:
        return f"{self.project}: {self.get_from_stage_display() or '—'} → {self.get_to_stage_display()}"
