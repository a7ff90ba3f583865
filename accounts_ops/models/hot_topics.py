"""7.2 hot topics and content plans: the platforms' hot lists as seen, and the plans that take a
topic up on an account."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_ops.models.common import AccountScoped
from accounts_ops.rows import EARLIEST_MOMENT
from agency.constraints import on_field
from agency.models import SameClient, TenantModel
from clients.models import Platform


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
        if self.agency_id and self.platform:
            with self.within_own_agency():
                twin = HotTopic.objects.filter(platform=self.platform, title=self.title).exclude(pk=self.pk).exists()
            if twin:
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

            with self.within_own_agency():
                owner = (
                    VideoProject.objects.filter(pk=self.video_project_id).values_list("account_id", flat=True).first()
                )
            if owner is not None and owner != self.account_id:
                raise ValidationError({"video_project": _("The video project is for another account.")})


class ContentPlanTopic(TenantModel):
    """Clause 7.2: one hot topic a content plan rides, and how."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    plan = models.ForeignKey(ContentPlan, on_delete=models.CASCADE, related_name="plan_topics", verbose_name=_("plan"))
    topic = models.ForeignKey(HotTopic, on_delete=models.PROTECT, related_name="+", verbose_name=_("hot topic"))
    note = models.CharField(_("how it rides the topic"), max_length=300, blank=True)

    same_client_as = (SameClient("plan", _("The plan belongs to another client.")),)

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
