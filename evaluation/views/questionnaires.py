"""Pages of the questionnaires of clause 10.1: the list, a new one, a questionnaire's page with
its steps (publish, retire, new version, add a question), and removing a question."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import ServiceActionView, report_refusal
from agency.roles import ADD, CHANGE
from agency.views import TenantListView, TenantViewMixin
from evaluation.api.questionnaires import QuestionnaireTemplateFilterSet
from evaluation.forms.questionnaires import PublishForm, QuestionForm, QuestionnaireForm
from evaluation.models import Question, QuestionnaireTemplate
from evaluation.services import questionnaires as questionnaire_services
from evaluation.views.common import DetailWithSteps


class QuestionnaireListView(TenantListView):
    model = QuestionnaireTemplate
    resource = "questionnaire"
    filterset_class = QuestionnaireTemplateFilterSet
    title = gettext_lazy("Questionnaires")
    columns = (
        ("title", gettext_lazy("Title")),
        ("family", gettext_lazy("Family")),
        ("version", gettext_lazy("Version")),
        ("get_status_display", gettext_lazy("Status")),
        ("is_default", gettext_lazy("Default")),
    )
    ordering_fields = ("family", "version")
    create_url_name = "evaluation:questionnaire-create"


class QuestionnaireCreateView(ServiceActionView):
    invalid_status = 200
    resource = "questionnaire"
    form_class = QuestionnaireForm
    title = gettext_lazy("New questionnaire")
    service = questionnaire_services.questionnaire_create


class QuestionnaireDetailView(DetailWithSteps):
    model = QuestionnaireTemplate
    resource = "questionnaire"
    template_name = "evaluation/questionnaire_detail.html"
    steps = {
        "publish": (
            "questionnaire",
            CHANGE,
            PublishForm,
            questionnaire_services.questionnaire_publish,
            "template",
        ),
        "retire": ("questionnaire", CHANGE, None, questionnaire_services.questionnaire_retire, "template"),
        "new_version": ("questionnaire", ADD, None, questionnaire_services.questionnaire_new_version, "template"),
        "add_question": ("questionnaire", CHANGE, QuestionForm, questionnaire_services.question_add, "template"),
    }

    def extra_context(self, template):
        return {"questions": list(template.questions.order_by("position"))}


class QuestionRemoveView(TenantViewMixin, View):
    resource = "questionnaire"
    action = CHANGE

    def post(self, request, pk):
        question = get_object_or_404(Question.objects.visible_to(self.actor).select_related("template"), pk=pk)
        try:
            questionnaire_services.question_remove(actor=self.actor, question=question)
        except ValidationError as exc:
            report_refusal(request, exc)
        return redirect(question.template.get_absolute_url())
