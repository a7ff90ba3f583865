"""Continuous improvement (clause 10.2): one cycle per finding, its improvement actions in
rounds, and the follow-up surveys (``EvaluationCampaign`` of kind ``follow_up``) that prove them.
A cycle closes only when a follow-up's satisfaction meets the agency's threshold for both the
client and the users; otherwise the next round opens."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.models import SameClient, TenantModel
from evaluation.models.campaigns import EvaluationCampaign
from evaluation.models.questionnaires import Question


class FindingSource(models.TextChoices):
    LOW_SCORE = "low_score", _("A low score")
    COMMENT_THEME = "comment_theme", _("A theme in the comments")
    COMPLAINT = "complaint", _("A complaint")
    OTHER = "other", _("Other")


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Actions under way")
    FOLLOW_UP = "follow_up", _("Follow-up survey scheduled or open")
    CLOSED = "closed", _("Closed: users and client satisfied")


class ImprovementCycle(TenantModel):
    """Clause 10.2: a finding from an evaluation (a low score, a theme in the comments, a
    complaint) and its rounds of improvement until users and client are satisfied. The thread of
    a finding is its actions and follow-up surveys, round by round."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="improvement_cycles", verbose_name=_("client")
    )
    finding = models.CharField(_("finding"), max_length=200)
    description = models.TextField(_("what the evaluation showed"), blank=True)
    source = models.CharField(_("found in"), max_length=20, choices=FindingSource.choices)
    campaign = models.ForeignKey(
        "evaluation.EvaluationCampaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("campaign"),
    )
    question = models.ForeignKey(
        "evaluation.Question",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question with the low score"),
    )
    complaint = models.ForeignKey(
        "evaluation.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("complaint"),
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    same_client_as = (
        SameClient("campaign", _("It belongs to another client.")),
        SameClient("complaint", _("It belongs to another client.")),
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("improvement cycle")
        verbose_name_plural = _("improvement cycles")
        indexes = [models.Index(fields=["agency", "client", "status"], name="cycle_agency_client_status")]

    def __str__(self) -> str:
        return self.finding

    def get_absolute_url(self) -> str:
        return reverse("evaluation:cycle-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.client_id is None:
            return
        if self.question_id and self.campaign_id:
            with self.within_own_agency():
                template_id = (
                    EvaluationCampaign.objects.filter(pk=self.campaign_id).values_list("template_id", flat=True).first()
                )
                question_template = (
                    Question.objects.filter(pk=self.question_id).values_list("template_id", flat=True).first()
                )
            if template_id != question_template:
                raise ValidationError({"question": _("The question is not in the campaign's questionnaire.")})


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ImprovementAction(TenantModel):
    """Clause 10.2: an improvement made for a finding: its root cause, the action, the owner, the
    due date, the status and the evidence of completion. Completing it schedules the follow-up
    survey (``follow_up``), which must be sent within a month."""

    cycle = models.ForeignKey(
        ImprovementCycle, on_delete=models.PROTECT, related_name="actions", verbose_name=_("improvement cycle")
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    round = models.PositiveSmallIntegerField(_("round"))
    root_cause = models.TextField(_("root cause"))
    action = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    evidence = models.TextField(_("evidence of completion"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    follow_up = models.ForeignKey(
        "evaluation.EvaluationCampaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_actions",
        verbose_name=_("follow-up survey"),
    )

    same_client_as = (SameClient("cycle", _("The cycle belongs to another client.")),)

    class Meta:
        ordering = ["cycle", "round", "due_date", "id"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        constraints = [
            on_field(
                "evidence",
                models.CheckConstraint(
                    condition=~models.Q(status="done")
                    | (models.Q(completed_at__isnull=False) & ~models.Q(evidence="")),
                    name="action_done_has_evidence",
                    violation_error_code="action_done_has_evidence",
                    violation_error_message=_("A finished action needs its evidence of completion."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "due_date"], name="action_agency_status_due")]

    name_related = ("cycle",)

    def __str__(self) -> str:
        return self.action[:80]

    @property
    def finding(self) -> str:
        return self.cycle.finding

    def clean(self) -> None:
        super().clean()
        if self.status == ActionStatus.DONE and not (self.evidence or "").strip():
            raise ValidationError({"evidence": _("A finished action needs its evidence of completion.")})
