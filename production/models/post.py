"""Clause 5.3: the cuts (versions of the edited video) and the five post-production steps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from production.models.common import ProbedMedia, cut_path, evidence_path
from production.models.projects import ProjectOwned, VideoProject
from production.rules import POST_STEP_EVIDENCE


class Cut(ProbedMedia):
    """Clause 5.3: a version of the edited video, read from its file like a clip."""

    project = models.ForeignKey(
        VideoProject, on_delete=models.CASCADE, related_name="cuts", verbose_name=_("video project")
    )
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=cut_path, max_length=300)
    notes = models.TextField(_("what changed"), blank=True)

    class Meta:
        ordering = ["project_id", "-version"]
        verbose_name = _("cut")
        verbose_name_plural = _("cuts")
        constraints = [
            on_field(
                "version",
                models.UniqueConstraint(
                    fields=["project", "version"],
                    name="cut_version_unique",
                ),
            )
        ]
        indexes = [models.Index(fields=["agency", "probe_state", "created_at"], name="cut_agency_probe_state")]

    name_related = ("project",)

    def __str__(self) -> str:
        return f"{self.project} · cut v{self.version}"


class PostStepKind(models.TextChoices):
    """Clause 5.3 a)-e), in the order the steps are listed."""

    SUBTITLES = "subtitles", _("Subtitles")
    SOUND = "sound", _("Added sound")
    COLOUR_GRADING = "colour_grading", _("Colour grading")
    COVER = "cover", _("Cover")
    RETOUCHING = "retouching", _("Retouching of people")


class StepStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


FINISHED_STEP_STATUSES = frozenset({StepStatus.DONE, StepStatus.NOT_APPLICABLE})


class PostProductionStep(ProjectOwned):
    """Clause 5.3: one of the five post-production steps of a video, with its evidence or the
    reason it does not apply. The five are created with the project."""

    project = models.ForeignKey(
        VideoProject, on_delete=models.CASCADE, related_name="steps", verbose_name=_("video project")
    )
    kind = models.CharField(_("step"), max_length=20, choices=PostStepKind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    status = models.CharField(_("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.TODO)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, max_length=300, blank=True)
    evidence_note = models.TextField(_("what was done"), blank=True)
    not_applicable_reason = models.TextField(_("why it does not apply"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["project_id", "position"]
        verbose_name = _("post-production step")
        verbose_name_plural = _("post-production steps")
        constraints = [
            on_field(
                "kind",
                models.UniqueConstraint(
                    fields=["project", "kind"],
                    name="post_step_once_per_project",
                ),
            ),
            on_field(
                "not_applicable_reason",
                models.CheckConstraint(
                    condition=~Q(status="not_applicable") | ~Q(not_applicable_reason=""),
                    name="post_step_not_applicable_has_reason",
                    violation_error_code="post_step_not_applicable_has_reason",
                    violation_error_message=_("Say why this step does not apply to this video."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="post_step_agency_status")]

    name_related = ("project",)

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STEP_STATUSES

    @property
    def evidence_needed(self) -> str:
        return POST_STEP_EVIDENCE[self.kind]
