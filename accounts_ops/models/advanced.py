"""Chapter 7, advanced account operations: comments and public opinion (7.1), hot topics and
content plans (7.2), audience snapshots and persona reports (7.3), and the IP persona (7.4).

Rows carry their agency and client; the rules that span rows live in
``accounts_ops.services.advanced``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from accounts_ops.portrait import DIMENSION_NAMES, PortraitError, normalise
from accounts_ops.rows import EARLIEST_MOMENT
from agency.constraints import on_field
from agency.db.indexes import TrigramIndex
from agency.models import TenantModel
from clients.models import Platform, Video

# --- 7.1 comments and public opinion ---------------------------------------------------------

HANDLING_NOTE_MAX_CHARS = 300  # how a comment was handled, in a line or two


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class CommentStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    HANDLED = "handled", _("Handled")


class CommentSource(models.TextChoices):
    API = "api", _("API")
    WEBHOOK = "webhook", _("Platform webhook")
    FILE = "file", _("File import")
    STAFF = "staff", _("Written by staff")


class VideoComment(AccountScoped):
    """Clause 7.1: a comment under one of the account's videos, with its sentiment (positive,
    neutral, negative and a score from the classifier) and how staff worked it: replied, pinned,
    hidden, assigned, handled. A comment the account writes itself to start a discussion is a
    *guide* comment (``is_guide``), recorded as such."""

    video = models.ForeignKey(Video, on_delete=models.PROTECT, related_name="+", verbose_name=_("video"))
    platform_comment_id = models.CharField(
        _("platform comment id"),
        max_length=128,
        help_text=_("A guide comment written here carries a local id until the connector reports the platform's."),
    )
    parent_comment_id = models.CharField(
        _("in reply to (platform id)"), max_length=128, blank=True, help_text=_("Empty for a top-level comment.")
    )
    author_uid = models.CharField(_("author id"), max_length=128, blank=True)
    author_nickname = models.CharField(_("author"), max_length=100, blank=True)
    text = models.TextField(_("comment"))
    posted_at = models.DateTimeField(_("posted at"))
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=CommentSource.choices, default=CommentSource.API)
    is_from_account = models.BooleanField(
        _("written by the account"), default=False, help_text=_("The account's own comment (a reply or a guide).")
    )
    is_guide = models.BooleanField(
        _("guide comment"), default=False, help_text=_("A seeded question that invites discussion (7.1).")
    )
    is_pinned = models.BooleanField(_("pinned"), default=False, editable=False)
    is_hidden = models.BooleanField(_("hidden"), default=False, editable=False)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True, editable=False)
    sentiment_score = models.FloatField(
        _("sentiment score"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("How positive the text reads, 0 (negative) to 1 (positive)."),
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.WAITING, editable=False
    )
    replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True, editable=False)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    handling_note = models.CharField(
        _("how it was handled"), max_length=HANDLING_NOTE_MAX_CHARS, blank=True, editable=False
    )

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("video comment")
        verbose_name_plural = _("video comments")
        constraints = [
            on_field(
                "platform_comment_id",
                models.UniqueConstraint(
                    fields=["account", "platform_comment_id"],
                    name="comment_platform_id_once",
                ),
            ),
            # The platform keeps one pinned (置顶) comment per video.
            on_field(
                "is_pinned",
                models.UniqueConstraint(
                    fields=["video"],
                    condition=Q(is_pinned=True),
                    name="comment_one_pinned_per_video",
                    violation_error_code="comment_one_pinned_per_video",
                    violation_error_message=_("Another comment is already pinned on this video."),
                ),
            ),
            on_field(
                "sentiment_score",
                models.CheckConstraint(
                    condition=Q(sentiment_score__isnull=True) | Q(sentiment_score__gte=0, sentiment_score__lte=1),
                    name="comment_score_is_share",
                    violation_error_code="comment_score_is_share",
                    violation_error_message=_("The score is between 0 and 1."),
                ),
            ),
            on_field(
                "is_guide",
                models.CheckConstraint(
                    condition=Q(is_guide=False) | Q(is_from_account=True),
                    name="comment_guide_is_own",
                    violation_error_code="comment_guide_is_own",
                    violation_error_message=_("Only the account's own comment can guide."),
                ),
            ),
        ]
        indexes = [
            TrigramIndex(fields=["agency", "text", "author_nickname"], name="comment_agency_search"),
            models.Index(fields=["agency", "account", "posted_at"], name="comment_agency_account_posted"),
            models.Index(fields=["agency", "status", "posted_at"], name="comment_agency_status_posted"),
        ]

    def __str__(self) -> str:
        return (self.text or "")[:40]

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:comment-detail", args=[self.pk])

    @property
    def needs_answer(self) -> bool:
        return not self.is_from_account and self.status == CommentStatus.WAITING

    def clean(self) -> None:
        super().clean()
        if self.video_id and self.account_id:
            owner = Video.dangerously_all_agencies.filter(pk=self.video_id).values_list("account_id", flat=True).first()
            if owner is not None and owner != self.account_id:
                raise ValidationError(
                    {"video": _("Video %(video)s is not a video of this account.") % {"video": self.video_id}}
                )
        if self.is_guide and not self.is_from_account:
            raise ValidationError({"is_guide": _("A guide comment is written by the account itself.")})


class CommentActionKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    GUIDE = "guide", _("Guide comment")
    PIN = "pin", _("Pin")
    UNPIN = "unpin", _("Unpin")
    HIDE = "hide", _("Hide")
    UNHIDE = "unhide", _("Show again")


class CommentActionStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Done on the platform")
    FAILED = "failed", _("Failed")


class CommentAction(AccountScoped):
    """Clause 7.1: something staff did to a comment (reply, pin, hide, a guide comment), waiting
    for the platform connector to carry it out; the connector reports it done or failed. The
    platform is never called from here."""

    comment = models.ForeignKey(
        VideoComment, on_delete=models.PROTECT, related_name="actions", verbose_name=_("comment")
    )
    kind = models.CharField(_("action"), max_length=10, choices=CommentActionKind.choices)
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CommentActionStatus.choices,
        default=CommentActionStatus.QUEUED,
        editable=False,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    platform_comment_id = models.CharField(_("platform comment id"), max_length=128, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("comment action")
        verbose_name_plural = _("comment actions")
        constraints = [
            on_field(
                "text",
                models.CheckConstraint(
                    condition=~Q(kind__in=["reply", "guide"]) | ~Q(text=""),
                    name="comment_action_reply_has_text",
                    violation_error_code="comment_action_reply_has_text",
                    violation_error_message=_("A reply needs its text."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "kind"], name="comment_action_agency_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.comment_id}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")


class OpinionAlert(AccountScoped):
    """Clause 7.1: the share of negative comments on an account within the agency's window passed
    its threshold. Raised once per episode (an episode lasts while the share stays above the
    threshold); it stays open until someone records how it was handled."""

    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    comments_count = models.PositiveIntegerField(_("comments in the window"))
    negative_count = models.PositiveIntegerField(_("negative comments"))
    negative_share = models.DecimalField(_("negative share"), max_digits=5, decimal_places=4)
    threshold = models.DecimalField(_("threshold"), max_digits=5, decimal_places=4)
    peak_share = models.DecimalField(_("peak negative share"), max_digits=5, decimal_places=4)
    raised_at = models.DateTimeField(_("raised at"))
    episode_ended_at = models.DateTimeField(
        _("episode ended at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the negative share fell back below the threshold."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN, editable=False
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, editable=False)
    handling_note = models.TextField(_("how it was handled"), blank=True, editable=False)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("opinion alert")
        verbose_name_plural = _("opinion alerts")
        constraints = [
            on_field(
                "status",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=Q(status="open"),
                    name="opinion_alert_one_open",
                    violation_error_code="opinion_alert_one_open",
                    violation_error_message=_("The account already has an open opinion alert."),
                ),
            ),
            on_field(
                "episode_ended_at",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=Q(episode_ended_at__isnull=True),
                    name="opinion_alert_one_episode",
                    violation_error_code="opinion_alert_one_episode",
                    violation_error_message=_("The account's current episode already has its alert."),
                ),
            ),
            on_field(
                "handling_note",
                models.CheckConstraint(
                    condition=~Q(status="handled") | (Q(handled_at__isnull=False) & ~Q(handling_note="")),
                    name="opinion_alert_handled_has_note",
                    violation_error_code="opinion_alert_handled_has_note",
                    violation_error_message=_("Say how the alert was handled."),
                ),
            ),
            on_field(
                "negative_count",
                models.CheckConstraint(
                    condition=Q(negative_count__lte=F("comments_count")),
                    name="opinion_alert_counts_consistent",
                    violation_error_code="opinion_alert_counts_consistent",
                    violation_error_message=_("Negative comments cannot outnumber all comments."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "raised_at"], name="opinion_alert_agency_status")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.raised_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:alert-detail", args=[self.pk])


# --- 7.2 hot topics and content plans --------------------------------------------------------


class HotTopic(TenantModel):
    """Clause 7.2: a hot topic on a platform (title, heat value, rank, when it was seen, where it
    came from). One row per platform and title, kept at its latest heat and rank; importing the
    same list (with its times) again changes nothing, while a list without times is taken as seen
    at the moment it arrives. Market data of the agency, not of one client."""

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    title = models.CharField(_("title"), max_length=200)
    heat = models.PositiveBigIntegerField(_("heat value"), default=0)
    peak_heat = models.PositiveBigIntegerField(_("peak heat value"), default=0, editable=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True, validators=[MinValueValidator(1)])
    seen_at = models.DateTimeField(_("seen at"))
    first_seen_at = models.DateTimeField(_("first seen at"), editable=False)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("Hot list, tool or person."))
    url = models.URLField(_("link"), max_length=500, blank=True)

    tenant_client_path = None  # the agency's market watch; client people see topics through plans

    class Meta:
        ordering = ["-seen_at", "rank", "-heat"]
        verbose_name = _("hot topic")
        verbose_name_plural = _("hot topics")
        constraints = [
            on_field(
                "title",
                models.UniqueConstraint(
                    fields=["agency", "platform", "title"],
                    name="hot_topic_once_per_platform",
                ),
            ),
            on_field(
                "peak_heat",
                models.CheckConstraint(
                    condition=Q(peak_heat__gte=F("heat")),
                    name="hot_topic_peak_at_least_heat",
                    violation_error_code="hot_topic_peak_at_least_heat",
                    violation_error_message=_("The peak heat cannot be below the heat."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "platform", "seen_at"], name="hot_topic_agency_seen")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_platform_display()})"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:topic-list") + f"?platform={self.platform}"

    def clean(self) -> None:
        super().clean()
        if not (self.title or "").strip():
            raise ValidationError({"title": _("Give the topic's title.")})
        if self.seen_at is not None and self.seen_at < EARLIEST_MOMENT:
            raise ValidationError({"seen_at": _("%(when)s is before 2000.") % {"when": self.seen_at.date()}})
        agency_id = self.agency_id
        if agency_id and self.platform:
            twin = HotTopic.dangerously_all_agencies.filter(
                agency_id=agency_id, platform=self.platform, title=self.title
            )
            if twin.exclude(pk=self.pk).exists():
                raise ValidationError({"title": _("This topic is already recorded for the platform.")})


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PRODUCTION = "in_production", _("In production")
    PUBLISHED = "published", _("Published")
    DROPPED = "dropped", _("Dropped")


class ContentPlan(AccountScoped):
    """Clause 7.2: a planned piece of content for an account that rides one or more hot topics
    (``ContentPlanTopic`` links, each with how the content rides the topic), and the video project
    in production that makes it, so the script's topic can say which hot topic it rides."""

    title = models.CharField(_("title"), max_length=200)
    angle = models.TextField(_("angle"), help_text=_("How the content takes up the topic and invites interaction."))
    planned_on = models.DateField(_("planned for"))
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.PLANNED)
    video_project = models.ForeignKey(
        "production.VideoProject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("video project"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("content plan")
        verbose_name_plural = _("content plans")
        indexes = [models.Index(fields=["agency", "account", "planned_on"], name="content_plan_agency_account")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:plan-detail", args=[self.pk])

    @property
    def linked_topics(self) -> list[HotTopic]:
        """The hot topics the plan rides (prefetch ``plan_topics__topic`` for lists). Hot topics are
        the agency's own research: client people see the plan, not the topics (the database hides
        them from them too), so a link whose topic is hidden is left out rather than answered as null."""
        topics = []
        for link in self.plan_topics.all():
            try:
                topics.append(link.topic)
            except HotTopic.DoesNotExist:
                continue
        return topics

    def clean(self) -> None:
        super().clean()
        if self.video_project_id and self.account_id:
            from production.models import VideoProject

            owner = (
                VideoProject.dangerously_all_agencies.filter(pk=self.video_project_id)
                .values_list("account_id", flat=True)
                .first()
            )
            if owner is not None and owner != self.account_id:
                raise ValidationError({"video_project": _("The video project is for another account.")})


class ContentPlanTopic(TenantModel):
    """Clause 7.2: one hot topic a content plan rides, and how."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    plan = models.ForeignKey(ContentPlan, on_delete=models.CASCADE, related_name="plan_topics", verbose_name=_("plan"))
    topic = models.ForeignKey(HotTopic, on_delete=models.PROTECT, related_name="+", verbose_name=_("hot topic"))
    note = models.CharField(_("how it rides the topic"), max_length=300, blank=True)

    class Meta:
        ordering = ["plan_id", "id"]
        verbose_name = _("content plan topic")
        verbose_name_plural = _("content plan topics")
        constraints = [
            on_field(
                "topic",
                models.UniqueConstraint(
                    fields=["plan", "topic"],
                    name="plan_topic_once",
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.topic_id}"

    def clean(self) -> None:
        super().clean()
        if self.plan_id and self.client_id:
            owner = ContentPlan.dangerously_all_agencies.filter(pk=self.plan_id).values_list("client_id", flat=True)
            if owner.first() not in (None, self.client_id):
                raise ValidationError({"plan": _("The plan belongs to another client.")})


# --- 7.3 audience persona analysis -----------------------------------------------------------


def _distribution(verbose_name) -> models.JSONField:
    return models.JSONField(verbose_name, default=dict, blank=True)


class AudienceSnapshot(AccountScoped):
    """Clause 7.3: an account's fan portrait on one date, in the platform's shape: gender split,
    age buckets (the platform's own), provinces and cities, devices, interests, active days and
    hours. Each is ``{key: share}``; the rules they keep are in ``accounts_ops.portrait``."""

    date = models.DateField(_("date"))
    fans_total = models.PositiveBigIntegerField(_("fans"), null=True, blank=True)
    gender = _distribution(_("gender"))
    age = _distribution(_("age"))
    provinces = _distribution(_("provinces"))
    cities = _distribution(_("cities"))
    devices = _distribution(_("devices"))
    interests = _distribution(_("interests"))
    active_days = _distribution(_("active days"))
    active_hours = _distribution(_("active hours"))

    DIMENSIONS = DIMENSION_NAMES

    class Meta:
        ordering = ["-date", "account_id"]
        verbose_name = _("audience snapshot")
        verbose_name_plural = _("audience snapshots")
        constraints = [
            on_field(
                "date",
                models.UniqueConstraint(
                    fields=["account", "date"],
                    name="audience_snapshot_once_per_day",
                ),
            )
        ]
        indexes = [models.Index(fields=["agency", "account", "date"], name="audience_agency_account_date")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.date}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        for name in self.DIMENSIONS:
            try:
                setattr(self, name, normalise(name, getattr(self, name)))
            except PortraitError as exc:
                errors[name] = f"{name}: {exc}"
        if errors:
            raise ValidationError(errors)


class PersonaTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Scheduled")
    ON_DEMAND = "on_demand", _("On demand")


class AudiencePersonaReport(AccountScoped):
    """Clause 7.3: the analysis of an account's audience for one period: the dominant segment of
    each dimension, the shift since the previous report in percentage points, and a short summary
    in Chinese and English. Built by the scheduled job (or on demand), once per account and
    period: building it again changes nothing."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    snapshot = models.ForeignKey(
        AudienceSnapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("snapshot analysed")
    )
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("previous report")
    )
    dominant = models.JSONField(_("dominant segments"), default=dict)
    shifts = models.JSONField(_("shift since the previous report (points)"), default=dict, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"))
    summary_en = models.TextField(_("summary (English)"))
    trigger = models.CharField(
        _("made"), max_length=10, choices=PersonaTrigger.choices, default=PersonaTrigger.SCHEDULE
    )

    class Meta:
        ordering = ["-period_end", "account_id"]
        verbose_name = _("audience persona report")
        verbose_name_plural = _("audience persona reports")
        constraints = [
            on_field(
                "period_end",
                models.UniqueConstraint(
                    fields=["account", "period_start", "period_end"],
                    name="persona_report_once_per_period",
                ),
            ),
            on_field(
                "period_end",
                models.CheckConstraint(
                    condition=Q(period_end__gte=F("period_start")),
                    name="persona_report_period",
                    violation_error_code="persona_report_period",
                    violation_error_message=_("The period cannot end before it starts."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "period_end"], name="persona_agency_account_end")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.period_start}..{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:persona-detail", args=[self.pk])


# --- 7.4 IP persona --------------------------------------------------------------------------

IP_FACETS = ("age", "gender", "personality", "cultural_background", "specialty")


class IpPersona(AccountScoped):
    """Clause 7.4: the account's IP persona, positioned by a) age, b) gender, c) personality,
    d) cultural background, e) specialty, and the style it fixes. One current version per
    account; earlier versions are kept as its history. A persona may be recorded while still
    being worked out; it is *complete* when all five facets and the style are set."""

    version = models.PositiveIntegerField(_("version"), editable=False)
    is_current = models.BooleanField(_("current"), default=True, editable=False)
    name = models.CharField(_("IP name"), max_length=100, help_text=_("The character the account presents."))
    age = models.CharField(_("age"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=30, blank=True)
    personality = models.TextField(_("personality"), blank=True)
    cultural_background = models.TextField(_("cultural background"), blank=True)
    specialty = models.TextField(_("specialty"), blank=True)
    style = models.TextField(_("style"), blank=True, help_text=_("The style the persona fixes for the content."))
    effective_from = models.DateField(_("effective from"))
    note = models.TextField(_("note"), blank=True)

    FACETS = IP_FACETS

    class Meta:
        ordering = ["account_id", "-version"]
        verbose_name = _("IP persona")
        verbose_name_plural = _("IP personas")
        constraints = [
            on_field(
                "version",
                models.UniqueConstraint(
                    fields=["account", "version"],
                    name="ip_persona_version_unique",
                ),
            ),
            on_field(
                "is_current",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=Q(is_current=True),
                    name="ip_persona_one_current_per_account",
                    violation_error_code="ip_persona_one_current_per_account",
                    violation_error_message=_("The account already has a current IP persona."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "is_current"], name="ip_persona_agency_current")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("accounts_ops:persona-ip-list") + f"?account={self.account_id}"

    @property
    def missing(self) -> list[str]:
        """The facets (and style) still empty, by their field names."""
        return [name for name in (*self.FACETS, "style") if not (getattr(self, name) or "").strip()]

    @property
    def is_complete(self) -> bool:
        return not self.missing
