"""Questionnaire templates for the yearly evaluation (clause 10.1): versioned and bilingual.

A template is written as a draft, then published; a published version never changes again (the
answers of past campaigns keep their meaning), and editing it means a new version of the same
family. Questions carry a stable ``code`` so that one year's answers compare with the last's.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.models import TenantModel


class QuestionKind(models.TextChoices):
    NPS = "nps", _("Recommend (0-10, NPS)")
    CSAT = "csat", _("Satisfaction (1-5, CSAT)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")


# The scales of the two scored kinds (the usual NPS and CSAT conventions, not the standard's):
# NPS = % promoters (9-10) − % detractors (0-6); CSAT = % of answers of 4 or 5 on 1-5.
SCALES: dict[str, tuple[int, int]] = {QuestionKind.NPS: (0, 10), QuestionKind.CSAT: (1, 5)}
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
CSAT_SATISFIED_MIN = 4
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
MIN_CHOICES = 2
TEXT_ANSWER_MAX_LENGTH = 2000


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


def localized(zh: str, en: str) -> str:
    """The Chinese or English text for the active language (Chinese when English is missing)."""
    return en if (get_language() or "").startswith("en") and en else zh


class QuestionnaireTemplate(TenantModel):
    """Clause 10.1: a questionnaire for the service-quality evaluation, in Chinese and English.

    ``family`` names the questionnaire; its versions are numbered. Only a published version is
    sent; the agency's default (``is_default``) is offered for new yearly campaigns."""

    family = models.SlugField(
        _("family"), max_length=60, help_text=_("The versions of one questionnaire share this name.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    is_default = models.BooleanField(_("default for new campaigns"), default=False)

    # The agency's own tool. Client people read a campaign's questions only alongside that
    # campaign (evaluation.selectors.campaign_questions), as anyone holding its public link does.
    tenant_client_path = None

    class Meta:
        ordering = ["family", "-version"]
        verbose_name = _("questionnaire template")
        verbose_name_plural = _("questionnaire templates")
        constraints = [
            on_field(
                "version",
                models.UniqueConstraint(
                    fields=["agency", "family", "version"],
                    name="questionnaire_version_unique",
                ),
            ),
            on_field(
                "is_default",
                models.UniqueConstraint(
                    fields=["agency"],
                    condition=Q(is_default=True),
                    name="questionnaire_one_default_per_agency",
                    violation_error_code="questionnaire_one_default_per_agency",
                    violation_error_message=_("The agency already has a default questionnaire."),
                ),
            ),
            on_field(
                "is_default",
                models.CheckConstraint(
                    condition=Q(is_default=False) | Q(status="published"),
                    name="questionnaire_default_is_published",
                    violation_error_code="questionnaire_default_is_published",
                    violation_error_message=_("Only a published questionnaire can be the default."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="questionnaire_agency_status")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def title(self) -> str:
        return localized(self.title_zh, self.title_en)

    @property
    def intro(self) -> str:
        return localized(self.intro_zh, self.intro_en)

    @property
    def is_editable(self) -> bool:
        return self.status == TemplateStatus.DRAFT

    def get_absolute_url(self) -> str:
        return reverse("evaluation:questionnaire-detail", args=[self.pk])


class Question(TenantModel):
    """Clause 10.1: one question of a questionnaire, in Chinese and English.

    ``choices`` (single and multiple choice only) is a list of ``{"value", "zh", "en"}``."""

    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.CASCADE, related_name="questions", verbose_name=_("questionnaire")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Stable across versions, so that years can be compared.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)

    tenant_client_path = None

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            on_field(
                "position",
                models.UniqueConstraint(
                    fields=["agency", "template", "position"],
                    name="question_position_unique",
                ),
            ),
            on_field(
                "code",
                models.UniqueConstraint(
                    fields=["agency", "template", "code"],
                    name="question_code_unique",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def text(self) -> str:
        return localized(self.text_zh, self.text_en)

    @property
    def key(self) -> str:
        """The name of the answer in the public form and API (no database id is shown there)."""
        return f"q{self.position}"

    @property
    def scale(self) -> tuple[int, int] | None:
        return SCALES.get(self.kind)

    def choice_labels(self) -> list[tuple[str, str]]:
        return [(c["value"], localized(c.get("zh", ""), c.get("en", ""))) for c in self.choices or []]

    def clean(self) -> None:
        super().clean()
        choices = self.choices or []
        if self.kind in CHOICE_KINDS:
            if not isinstance(choices, list) or len(choices) < MIN_CHOICES:
                raise ValidationError(
                    {"choices": _("A choice question needs at least %(n)d choices.") % {"n": MIN_CHOICES}}
                )
            values = []
            for choice in choices:
                if not isinstance(choice, dict) or not all(
                    str(choice.get(k, "")).strip() for k in ("value", "zh", "en")
                ):
                    raise ValidationError(
                        {"choices": _("Each choice needs a value and its Chinese and English labels.")}
                    )
                values.append(choice["value"])
            if len(set(values)) != len(values):
                raise ValidationError({"choices": _("Two choices have the same value.")})
        elif choices:
            raise ValidationError({"choices": _("Only choice questions have choices.")})
