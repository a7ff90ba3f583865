"""Video production (chapter 5): a video project moves from topic to published video.

    VideoProject ─┬─ Script (versions, 5.1) ── StoryboardShot
                  ├─ Shoot (5.2) ── Clip (facts read from the file)
                  ├─ PostProductionStep ×5 (5.3) and Cut (versions, facts read from the file)
                  ├─ ReviewRound (one per cut sent to the client) ── ReviewComment (time-coded)
                  ├─ StageTransition (every stage change, with what the gate found)
                  └─ Publication (the approved cut sent to the platform at a planned time)

Every row carries its agency and its client. Rows change through ``production.services``; the
rules those services enforce are in ``production.rules``.
"""

from __future__ import annotations

import os
import uuid
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
from agency.models import TenantModel
from clients.models import Client, ClientRequirement, PlatformAccount, Video
from production.rules import failure_message


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


def _media_path(kind: str, instance, filename: str) -> str:
    """``production/<agency>/<kind>/<project>/<random>.<ext>``: names never carry the uploader's
    file name (kept in ``original_name``) and the agency's files stay under one folder."""
    ext = os.path.splitext(filename)[1].lower().lstrip(".")
    ext = ext if ext.isalnum() and len(ext) <= 5 else "bin"
    return f"production/{instance.agency_id}/{kind}/{instance.project_id}/{uuid.uuid4().hex}.{ext}"


def clip_path(instance, filename: str) -> str:
    return _media_path("clips", instance, filename)


def cut_path(instance, filename: str) -> str:
    return _media_path("cuts", instance, filename)


def evidence_path(instance, filename: str) -> str:
    return _media_path("evidence", instance, filename)


def agency_media_prefix(agency_id: int) -> str:
    return f"production/{agency_id}/"


class ProjectOwned(TenantModel):
    """A row of one video project: carries the project's client too (checked in ``clean``)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", verbose_name=_("client"))

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        project_id = getattr(self, "project_id", None)
        if project_id and self.client_id:
            owner = VideoProject.dangerously_all_agencies.filter(pk=project_id).values_list("client_id", flat=True)
            if owner.first() not in (None, self.client_id):
                raise ValidationError({"client": _("The row's client differs from its video project's client.")})


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

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("video project")
        verbose_name_plural = _("video projects")
        indexes = [
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

    def clean(self) -> None:
        super().clean()
        if self.account_id and self.client_id:
            account_client = (
                PlatformAccount.dangerously_all_agencies.filter(pk=self.account_id)
                .values_list("client_id", flat=True)
                .first()
            )
            if account_client is not None and account_client != self.client_id:
                raise ValidationError({"account": _("The account belongs to another client than the project.")})


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


class ProbeState(models.TextChoices):
    PENDING = "pending", _("Waiting to be read")
    PROBING = "probing", _("Being read")
    DONE = "done", _("Read")
    FAILED = "failed", _("Unreadable")


class ProbedMedia(ProjectOwned):
    """A video file and the facts read from it by the probe task (``production.media``)."""

    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    probe_state = models.CharField(
        _("probe state"), max_length=10, choices=ProbeState.choices, default=ProbeState.PENDING
    )
    probe_error = models.TextField(_("why it could not be read"), blank=True)
    probed_at = models.DateTimeField(_("read at"), null=True, blank=True)
    container = models.CharField(_("container"), max_length=40, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=40, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=40, blank=True)
    width = models.PositiveIntegerField(_("coded width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("coded height"), null=True, blank=True)
    rotation = models.PositiveSmallIntegerField(_("rotation (°)"), null=True, blank=True)
    display_width = models.PositiveIntegerField(_("width as shown"), null=True, blank=True)
    display_height = models.PositiveIntegerField(_("height as shown"), null=True, blank=True)
    frame_rate = models.DecimalField(_("frame rate"), max_digits=8, decimal_places=3, null=True, blank=True)
    duration_seconds = models.DecimalField(_("duration (s)"), max_digits=9, decimal_places=3, null=True, blank=True)

    FACT_FIELDS = (
        "container",
        "video_codec",
        "audio_codec",
        "width",
        "height",
        "rotation",
        "display_width",
        "display_height",
        "frame_rate",
        "duration_seconds",
    )

    class Meta:
        abstract = True

    @property
    def is_vertical(self) -> bool | None:
        if not self.display_width or not self.display_height:
            return None
        return self.display_height > self.display_width

    @property
    def resolution(self) -> str:
        if not self.display_width:
            return ""
        return f"{self.display_width}x{self.display_height}"


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

    def __str__(self) -> str:
        return f"{self.project} · cut v{self.version}"


class PostStepKind(models.TextChoices):
    """Clause 5.3 a)-e), in the order the steps are listed."""

    SUBTITLES = "subtitles", _("Subtitles")
    SOUND = "sound", _("Added sound")
    COLOUR_GRADING = "colour_grading", _("Colour grading")
    COVER = "cover", _("Cover")
    RETOUCHING = "retouching", _("Retouching of people")


# 5.3: the evidence a step needs to be done. A file is checked from its content.
EVIDENCE_SUBTITLE_FILE = "subtitle_file"
EVIDENCE_IMAGE = "image"
EVIDENCE_NOTE = "note"
POST_STEP_EVIDENCE = {
    PostStepKind.SUBTITLES: EVIDENCE_SUBTITLE_FILE,
    PostStepKind.SOUND: EVIDENCE_NOTE,
    PostStepKind.COLOUR_GRADING: EVIDENCE_NOTE,
    PostStepKind.COVER: EVIDENCE_IMAGE,
    PostStepKind.RETOUCHING: EVIDENCE_NOTE,
}


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

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STEP_STATUSES

    @property
    def evidence_needed(self) -> str:
        return POST_STEP_EVIDENCE[self.kind]


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

    def __str__(self) -> str:
        return f"{self.project}: {self.get_from_stage_display() or '—'} → {self.get_to_stage_display()}"


class PublicationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENDING = "sending", _("Being sent")
    REVIEWING = "reviewing", _("In the platform's review")
    PUBLISHED = "published", _("Published")
    REFUSED = "refused", _("Refused by the platform")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# A project has at most one publication on its way; a failed or refused one waits on Today until
# its producer schedules again, records the publication by hand or cancels it.
ACTIVE_PUBLICATION_STATUSES = (PublicationStatus.PLANNED, PublicationStatus.SENDING, PublicationStatus.REVIEWING)
PROBLEM_PUBLICATION_STATUSES = (PublicationStatus.FAILED, PublicationStatus.REFUSED)


class Publication(ProjectOwned):
    """The approved cut of a project published on its account through the platform's open API,
    at a planned time: uploaded, created with its text (title and topics, as the platform takes
    them) and POI, then followed through the platform's review until it is public or refused.
    Sending and following it is the connectors' work (``platforms.services.publishing``); the
    project closes, as with a publication recorded by hand, once the platform says it is public."""

    project = models.ForeignKey(
        VideoProject, on_delete=models.CASCADE, related_name="publications", verbose_name=_("video project")
    )
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("platform account"), editable=False
    )
    scheduled_at = models.DateTimeField(_("publish at"))
    title = models.CharField(_("title"), max_length=200)
    topics = models.JSONField(_("topics"), default=list, blank=True, help_text=_("Without the # sign."))
    text = models.TextField(_("text sent to the platform"), editable=False)
    poi_id = models.CharField(_("POI id"), max_length=64, blank=True, help_text=_("The platform's id of the place."))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.PLANNED,
        editable=False,
    )
    producer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("producer"),
        help_text=_("Told on Today when the publication fails or is refused."),
    )
    platform_item_id = models.CharField(_("platform item id"), max_length=128, blank=True, editable=False)
    url = models.URLField(_("URL"), max_length=500, blank=True, editable=False)
    send_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted by the platform at"), null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(_("review last checked at"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    problem = models.TextField(_("why it failed or was refused"), blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["scheduled_at", "id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            on_field(
                "status",
                models.UniqueConstraint(
                    fields=["project"],
                    condition=Q(status__in=["planned", "sending", "reviewing"]),
                    name="publication_one_active_per_project",
                    violation_error_code="publication_one_active_per_project",
                    violation_error_message=_("This project already has a publication on its way."),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "scheduled_at"], name="publication_agency_status_at"),
            models.Index(fields=["agency", "producer", "status"], name="publication_agency_producer"),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.scheduled_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("production:project-detail", args=[self.project_id])

    @property
    def is_changeable(self) -> bool:
        return self.status == PublicationStatus.PLANNED
