"""Evaluation campaigns (clause 10.1) and the follow-up surveys of clause 10.2, their personal
invitations, and the answers they collect from the client's people and from platform users."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.constraints import on_field
from agency.models import SameClient, TenantModel
from evaluation.models.questionnaires import Question, QuestionnaireTemplate

TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 random bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class CampaignKind(models.TextChoices):
    YEARLY = "yearly", _("Yearly evaluation (10.1)")
    FOLLOW_UP = "follow_up", _("Follow-up survey (10.2)")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Scheduled")
    OPEN = "open", pgettext_lazy("campaign status", "Open")
    CLOSED = "closed", _("Closed")


class Audience(models.TextChoices):
    """Clause 10.1 asks both for views: the client's people and the platform's users."""

    CLIENT = "client", _("Client")
    USERS = "users", _("Platform users")


class EvaluationCampaign(TenantModel):
    """Clause 10.1: a client's service-quality evaluation for one calendar year; or, with
    ``kind=follow_up``, the survey that asks again after an improvement (10.2).

    The client's people are invited by email with personal links; platform users answer through
    the public link (``public_token``) and its QR code, without logging in."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="evaluation_campaigns", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.YEARLY)
    year = models.PositiveSmallIntegerField(_("year"))
    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("questionnaire")
    )
    status = models.CharField(_("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    opens_on = models.DateField(_("sent on"), help_text=_("The day invitations go out and the public link opens."))
    closes_on = models.DateField(_("closes on"))
    opened_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    public_token = models.CharField(
        _("public link token"), max_length=64, unique=True, default=new_token, editable=False
    )
    reminded_at = models.DateTimeField(_("account manager reminded at"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    flag_reason = models.CharField(_("flag"), max_length=300, blank=True)
    # 10.2 follow-ups only: the cycle it checks, its round, and the last day it may be sent.
    cycle = models.ForeignKey(
        "evaluation.ImprovementCycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("improvement cycle"),
    )
    round = models.PositiveSmallIntegerField(_("round"), null=True, blank=True)
    due_by = models.DateField(_("to be sent by"), null=True, blank=True)
    client_satisfaction = models.DecimalField(
        _("client satisfaction (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    users_satisfaction = models.DecimalField(
        _("users' satisfaction (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    outcome_met = models.BooleanField(_("satisfaction threshold met"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-opens_on", "-id"]
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        constraints = [
            on_field(
                "year",
                models.UniqueConstraint(
                    fields=["agency", "client", "year"],
                    condition=Q(kind="yearly"),
                    name="campaign_one_yearly_per_client",
                    violation_error_code="campaign_one_yearly_per_client",
                    violation_error_message=_("The client already has its yearly evaluation for this year."),
                ),
            ),
            on_field(
                "closes_on",
                models.CheckConstraint(
                    condition=Q(closes_on__gte=F("opens_on")),
                    name="campaign_closes_after_opening",
                    violation_error_code="campaign_closes_after_opening",
                    violation_error_message=_("A survey cannot close before it opens."),
                ),
            ),
            on_field(
                "due_by",
                models.CheckConstraint(
                    condition=(Q(kind="yearly") & Q(cycle__isnull=True) & Q(due_by__isnull=True))
                    | (
                        Q(kind="follow_up")
                        & Q(cycle__isnull=False)
                        & Q(due_by__isnull=False)
                        & Q(opens_on__lte=F("due_by"))
                    ),
                    name="campaign_follow_up_has_cycle_and_deadline",
                    violation_error_code="campaign_follow_up_has_cycle_and_deadline",
                    violation_error_message=_(
                        "A follow-up survey belongs to an improvement cycle and is sent by its deadline; "
                        "a yearly one has neither."
                    ),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "opens_on"], name="campaign_agency_status_opens"),
            models.Index(fields=["agency", "client", "year"], name="campaign_agency_client_year"),
        ]

    name_related = ("client",)

    def __str__(self) -> str:
        if self.kind == CampaignKind.FOLLOW_UP:
            return _("%(client)s · follow-up %(year)s round %(round)s") % {
                "client": self.client,
                "year": self.year,
                "round": self.round,
            }
        return _("%(client)s · evaluation %(year)s") % {"client": self.client, "year": self.year}

    def get_absolute_url(self) -> str:
        return reverse("evaluation:campaign-detail", args=[self.pk])

    @property
    def public_path(self) -> str:
        return reverse("evaluation:public-survey", args=[self.public_token])

    def clean(self) -> None:
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("A campaign cannot close before it is sent.")})
        if self.kind == CampaignKind.FOLLOW_UP:
            if self.cycle_id is None:
                raise ValidationError({"cycle": _("A follow-up survey belongs to an improvement cycle.")})
            if self.due_by is None:
                raise ValidationError({"due_by": _("A follow-up survey needs the day by which it must be sent.")})
        elif self.cycle_id is not None or self.due_by is not None:
            raise ValidationError({"cycle": _("Only follow-up surveys belong to an improvement cycle.")})


# An invitation or a response is for its campaign's client.
SAME_CLIENT_AS_CAMPAIGN = SameClient("campaign", _("The campaign belongs to another client."), error_on="client")


class SurveyInvitation(TenantModel):
    """Clause 10.1: a personal invitation of one of the client's people, by email, with a link
    that answers once."""

    campaign = models.ForeignKey(
        EvaluationCampaign, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("campaign")
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("email"))
    token = models.CharField(_("personal link token"), max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    same_client_as = (SAME_CLIENT_AS_CAMPAIGN,)

    class Meta:
        ordering = ["campaign", "email"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            on_field(
                "email",
                models.UniqueConstraint(
                    fields=["agency", "campaign", "email"],
                    name="invitation_once_per_email",
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.email


class SurveyResponse(TenantModel):
    """Clause 10.1: one filled-in questionnaire, from the client's people (by invitation) or from
    a platform user (public link). ``device_key`` is a one-way hash of the answering device, so a
    device answers a campaign once."""

    campaign = models.ForeignKey(
        EvaluationCampaign, on_delete=models.PROTECT, related_name="responses", verbose_name=_("campaign")
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    invitation = models.OneToOneField(
        SurveyInvitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    device_key = models.CharField(_("device"), max_length=64, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    same_client_as = (SAME_CLIENT_AS_CAMPAIGN,)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            on_field(
                "device_key",
                models.UniqueConstraint(
                    fields=["agency", "campaign", "device_key"],
                    condition=~Q(device_key=""),
                    name="response_once_per_device",
                    violation_error_code="response_once_per_device",
                    violation_error_message=_("This device has already answered this survey."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "campaign", "audience"], name="response_agency_campaign")]

    name_related = ("campaign__client",)

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_audience_display()} · {self.submitted_at:%Y-%m-%d}"


class SurveyAnswer(TenantModel):
    """Clause 10.1: the answer to one question: a score, the chosen values or a text (with its
    sentiment where the chapter 7 classifier is available)."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question"))
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    choices = models.JSONField(_("chosen"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=20, blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            on_field(
                "question",
                models.UniqueConstraint(
                    fields=["agency", "response", "question"],
                    name="answer_once_per_question",
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "question"], name="answer_agency_question")]

    def __str__(self) -> str:
        if self.score is not None:
            return str(self.score)
        return ", ".join(self.choices) if self.choices else self.text[:60]
