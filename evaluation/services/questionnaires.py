"""Writes on questionnaire templates (clause 10.1): drafts, questions, publishing, new versions
and the default questionnaire every agency starts with."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor, require_agency
from evaluation.defaults import DEFAULT_FAMILY, DEFAULT_QUESTIONS, DEFAULT_TEMPLATE
from evaluation.models import Question, QuestionKind, QuestionnaireTemplate, TemplateStatus

TEMPLATE_FIELDS = ("title_zh", "title_en", "intro_zh", "intro_en")
QUESTION_FIELDS = ("kind", "text_zh", "text_en", "required", "choices", "code")


def _ensure_draft(template: QuestionnaireTemplate) -> None:
    if template.status != TemplateStatus.DRAFT:
        raise ValidationError(
            {
                "status": _(
                    "Version %(version)d is %(status)s and can no longer change; make a new version to edit it."
                )
                % {"version": template.version, "status": template.get_status_display()}
            }
        )


@transaction.atomic
def questionnaire_create(
    *, actor: Actor, family: str, title_zh: str, title_en: str, intro_zh: str = "", intro_en: str = ""
) -> QuestionnaireTemplate:
    """Start a new questionnaire (version 1, a draft)."""
    if QuestionnaireTemplate.objects.filter(family=family).exists():
        raise ValidationError(
            {
                "family": _("A questionnaire named %(family)s exists; make a new version of it instead.")
                % {"family": family}
            }
        )
    return validated_save(
        QuestionnaireTemplate(
            agency=actor.agency,
            family=family,
            version=1,
            title_zh=title_zh.strip(),
            title_en=title_en.strip(),
            intro_zh=intro_zh.strip(),
            intro_en=intro_en.strip(),
        )
    )


@transaction.atomic
def questionnaire_change(
    *,
    actor: Actor,
    template: QuestionnaireTemplate,
    title_zh: str = UNCHANGED,
    title_en: str = UNCHANGED,
    intro_zh: str = UNCHANGED,
    intro_en: str = UNCHANGED,
) -> QuestionnaireTemplate:
    """Edit a draft's titles and introductions (the ones given)."""
    changes = given(title_zh=title_zh, title_en=title_en, intro_zh=intro_zh, intro_en=intro_en)
    template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    _ensure_draft(template)
    for name, value in changes.items():
        setattr(template, name, value)
    return validated_save(template)


@transaction.atomic
def questionnaire_delete(*, actor: Actor, template: QuestionnaireTemplate) -> None:
    """Throw away a draft. Published versions stay: campaigns' answers refer to them."""
    template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    _ensure_draft(template)
    template.questions.all().delete()
    template.delete()


def _next_position(template: QuestionnaireTemplate) -> int:
    return (template.questions.aggregate(last=Max("position"))["last"] or 0) + 1


@transaction.atomic
def question_add(
    *,
    actor: Actor,
    template: QuestionnaireTemplate,
    kind: str,
    text_zh: str,
    text_en: str,
    code: str = "",
    required: bool = True,
    choices: list | None = None,
) -> Question:
    """Add a question at the end of a draft questionnaire."""
    template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    _ensure_draft(template)
    position = _next_position(template)
    question = Question(
        agency=template.agency,
        template=template,
        position=position,
        code=code or f"q{position}",
        kind=kind,
        text_zh=text_zh.strip(),
        text_en=text_en.strip(),
        required=required,
        choices=choices or [],
    )
    if template.questions.filter(code=question.code).exists():
        raise ValidationError(
            {"code": _("Another question of this questionnaire has the code %(code)s.") % {"code": question.code}}
        )
    return validated_save(question)


@transaction.atomic
def question_change(
    *,
    actor: Actor,
    question: Question,
    kind: str = UNCHANGED,
    text_zh: str = UNCHANGED,
    text_en: str = UNCHANGED,
    required: bool = UNCHANGED,
    choices: list = UNCHANGED,
    code: str = UNCHANGED,
) -> Question:
    """Edit a question of a draft questionnaire (the fields given)."""
    changes = given(kind=kind, text_zh=text_zh, text_en=text_en, required=required, choices=choices, code=code)
    question = Question.objects.select_for_update(of=("self",)).select_related("template").get(pk=question.pk)
    _ensure_draft(question.template)
    for name, value in changes.items():
        setattr(question, name, value)
    if (
        question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        and "kind" in changes
        and "choices" not in changes
    ):
        question.choices = []
    if Question.objects.filter(template=question.template, code=question.code).exclude(pk=question.pk).exists():
        raise ValidationError(
            {"code": _("Another question of this questionnaire has the code %(code)s.") % {"code": question.code}}
        )
    return validated_save(question)


@transaction.atomic
def question_remove(*, actor: Actor, question: Question) -> None:
    """Remove a question from a draft; the ones after it move up."""
    question = Question.objects.select_for_update(of=("self",)).select_related("template").get(pk=question.pk)
    _ensure_draft(question.template)
    template = question.template
    question.delete()
    for position, remaining in enumerate(template.questions.order_by("position"), start=1):
        if remaining.position != position:
            Question.objects.filter(pk=remaining.pk).update(position=position)


@transaction.atomic
def questionnaire_publish(
    *, actor: Actor | None, template: QuestionnaireTemplate, make_default: bool = False
) -> QuestionnaireTemplate:
    """Publish a draft: from now on it can be sent and never changes. It becomes the default
    when asked, or when it is a new version of the default questionnaire."""
    template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    _ensure_draft(template)
    questions = list(template.questions.all())
    if not questions:
        raise ValidationError({"questions": _("A questionnaire needs at least one question before it is published.")})
    for question in questions:
        question.full_clean()
    current_default = QuestionnaireTemplate.objects.filter(is_default=True).first()
    becomes_default = make_default or current_default is None or current_default.family == template.family
    if becomes_default and current_default is not None:
        QuestionnaireTemplate.objects.filter(pk=current_default.pk).update(is_default=False)
    template.status = TemplateStatus.PUBLISHED
    template.published_at = timezone.now()
    template.is_default = becomes_default
    return validated_save(template)


@transaction.atomic
def questionnaire_new_version(*, actor: Actor, template: QuestionnaireTemplate) -> QuestionnaireTemplate:
    """A new draft version of ``template``'s questionnaire, with its titles and questions copied."""
    family = QuestionnaireTemplate.objects.select_for_update().filter(family=template.family)
    draft = family.filter(status=TemplateStatus.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            {
                "version": _("Version %(version)d is still a draft: finish or delete it first.")
                % {"version": draft.version}
            }
        )
    version = (family.aggregate(last=Max("version"))["last"] or 0) + 1
    copy = validated_save(
        QuestionnaireTemplate(
            agency=template.agency,
            family=template.family,
            version=version,
            **{name: getattr(template, name) for name in TEMPLATE_FIELDS},
        )
    )
    Question.objects.bulk_create(
        [
            Question(
                agency=template.agency,
                template=copy,
                position=question.position,
                **{name: getattr(question, name) for name in QUESTION_FIELDS},
            )
            for question in template.questions.order_by("position")
        ]
    )
    return copy


@transaction.atomic
def questionnaire_retire(*, actor: Actor, template: QuestionnaireTemplate) -> QuestionnaireTemplate:
    """Stop offering a published version (campaigns that used it keep it)."""
    template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    if template.status != TemplateStatus.PUBLISHED:
        raise ValidationError({"status": _("Only a published version can be retired.")})
    if template.is_default:
        raise ValidationError({"is_default": _("The default questionnaire cannot be retired; publish another first.")})
    template.status = TemplateStatus.RETIRED
    return validated_save(template)


@transaction.atomic
def questionnaire_ensure_default() -> QuestionnaireTemplate:
    """The current agency's default questionnaire; the product's own (``evaluation.defaults``)
    is created and published the first time. Idempotent: a second call changes nothing."""
    agency = require_agency()
    current = QuestionnaireTemplate.objects.filter(is_default=True).first()
    if current is not None:
        return current
    published = QuestionnaireTemplate.objects.filter(status=TemplateStatus.PUBLISHED).order_by("-published_at").first()
    if published is not None:  # the agency's own questionnaire becomes its default
        QuestionnaireTemplate.objects.filter(pk=published.pk).update(is_default=True)
        published.is_default = True
        return published
    if QuestionnaireTemplate.objects.filter(family=DEFAULT_FAMILY).exists():
        raise ValidationError({"template": _("The agency has no published questionnaire; publish its draft first.")})
    template = validated_save(QuestionnaireTemplate(agency=agency, version=1, **DEFAULT_TEMPLATE))
    for position, spec in enumerate(DEFAULT_QUESTIONS, start=1):
        validated_save(Question(agency=agency, template=template, position=position, **spec))
    return questionnaire_publish(actor=None, template=template, make_default=True)
