"""Publications: the approved cut sent to the platform at a planned time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from clients.models import PlatformAccount
from production.models.projects import ProjectOwned, VideoProject


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
