"""Pages of chapter 10: the evaluation overview, campaigns and their results (10.1),
questionnaires, customer protection (guarantees and complaints), improvement cycles (10.2), and
the client area's own view of its evaluations and complaints. Thin: the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.forms import TenantModelForm
from agency.roles import ADD, CHANGE, DECIDE, FULFIL, VIEW
from agency.views import TenantCreateView, TenantListView, TenantUpdateView, TenantViewMixin
from evaluation import forms
from evaluation.api.campaigns import EvaluationCampaignFilterSet
from evaluation.api.complaints import ComplaintFilterSet, ServiceGuaranteeFilterSet
from evaluation.api.improvement import ImprovementCycleFilterSet
from evaluation.api.questionnaires import QuestionnaireTemplateFilterSet
from evaluation.models import (
    CampaignKind,
    Complaint,
    ComplaintStatus,
    CycleStatus,
    EvaluationCampaign,
    ImprovementAction,
    ImprovementCycle,
    Question,
    QuestionnaireTemplate,
    ServiceGuarantee,
)
from evaluation.notifications import public_url
from evaluation.qr import qr_svg, qr_svg_inline
from evaluation.selectors import (
    campaign_questionnaire,
    campaign_questions,
    campaign_results,
    cycle_thread,
    evaluation_overview,
)
from evaluation.services import campaigns as campaign_services
from evaluation.services import complaints as complaint_services
from evaluation.services import improvement as improvement_services
from evaluation.services import questionnaires as questionnaire_services
from evaluation.services.campaigns import local_today


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def base_template(actor) -> str:
    return "client_area/base.html" if actor.is_client_person else "base.html"


class ServiceFormView(TenantViewMixin, View):
    """A form whose cleaned data goes to one service; the service's refusals show on the form."""

    form_class = None
    title = ""
    action = ADD
    template_name = "agency/form.html"

    def get_initial(self) -> dict:
        return {}

    def make_form(self, data=None):
        return self.form_class(data, actor=self.actor, initial=self.get_initial())

    def get(self, request, **kwargs):
        return self.render_form(self.make_form())

    def post(self, request, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                row = self.perform(form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.success_url(row))
        return self.render_form(form)

    def perform(self, data: dict):
        raise NotImplementedError

    def success_url(self, row) -> str:
        return row.get_absolute_url()

    def render_form(self, form):
        context = {"form": form, "title": self.title, "base_template": base_template(self.actor)}
        return render(self.request, self.template_name, context)


class DetailWithSteps(TenantViewMixin, View):
    """A row's page, and the steps of its workflow posted to ``<pk>/<step>/``. ``steps`` maps a
    step to (resource, action, form class or None, service, the service's name for the row)."""

    model = None
    template_name = ""
    steps: dict = {}

    def scope(self, queryset):
        return queryset

    def get_object(self, pk):
        return get_object_or_404(self.scope(self.model.objects.visible_to(self.actor)), pk=pk)

    def get(self, request, pk, name=None):
        if name:
            return HttpResponseNotAllowed(["POST"])
        return self.render_page(self.get_object(pk))

    def post(self, request, pk, name=None):
        if name not in self.steps:
            raise Http404
        resource, action, form_class, service, row_arg = self.steps[name]
        row = self.get_object(pk)
        if not self.actor.can(action, resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = self.make_step_form(form_class, name, request.POST) if form_class else None
        if form is None or form.is_valid():
            data = {k: v for k, v in (form.cleaned_data if form else {}).items() if v is not None}
            try:
                result = service(actor=self.actor, **{row_arg: row}, **data)
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                else:
                    add_errors(form, exc)
            else:
                messages.success(request, _("Done."))
                target = result if isinstance(result, self.model) else row
                return redirect(self.after_step(target))
        return self.render_page(self.get_object(pk), failed={name: form} if form else {}, status=400)

    def after_step(self, row) -> str:
        return row.get_absolute_url()

    def make_step_form(self, form_class, name, data=None):
        if issubclass(form_class, TenantModelForm):
            return form_class(data, prefix=name, actor=self.actor)
        return form_class(data, prefix=name)

    def step_forms(self, failed: dict) -> dict:
        out = {}
        for name, (resource, action, form_class, _service, _arg) in self.steps.items():
            if self.actor.can(action, resource):
                out[name] = failed.get(name) or (self.make_step_form(form_class, name) if form_class else True)
        return out

    def extra_context(self, row) -> dict:
        return {}

    def render_page(self, row, failed: dict | None = None, status: int = 200):
        context = {
            "object": row,
            "steps": self.step_forms(failed or {}),
            "base_template": base_template(self.actor),
        }
        context.update(self.extra_context(row))
        return render(self.request, self.template_name, context, status=status)


# --- overview ---------------------------------------------------------------------------------


class OverviewView(TenantViewMixin, View):
    """The evaluation landing page: this year's evaluation per client, open complaints, open
    improvement cycles and the follow-ups to send."""

    resource = "evaluation_campaign"
    allow_both = True

    def get(self, request):
        if self.actor.is_client_person:
            return redirect("evaluation:client-home")
        year = local_today(self.actor.agency).year
        context = evaluation_overview(self.actor, year)
        context["can_create"] = self.actor.can(ADD, "evaluation_campaign")
        return render(request, "evaluation/overview.html", context)


# --- campaigns (10.1) -------------------------------------------------------------------------


class CampaignListView(TenantListView):
    model = EvaluationCampaign
    resource = "evaluation_campaign"
    filterset_class = EvaluationCampaignFilterSet
    title = gettext_lazy("Evaluation campaigns (10.1)")
    columns = (
        ("__str__", gettext_lazy("Campaign")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("get_status_display", gettext_lazy("Status")),
        ("opens_on", gettext_lazy("Sent on")),
        ("closes_on", gettext_lazy("Closes on")),
        ("due_by", gettext_lazy("To be sent by")),
    )
    ordering_fields = ("year", "opens_on", "closes_on", "due_by")
    create_url_name = "evaluation:campaign-create"

    def scope(self, queryset):
        return queryset.select_related("client")


class CampaignCreateView(ServiceFormView):
    resource = "evaluation_campaign"
    form_class = forms.CampaignForm
    title = gettext_lazy("New yearly evaluation")

    def get_initial(self):
        return {"client": self.request.GET.get("client"), "year": local_today(self.actor.agency).year}

    def perform(self, data):
        return campaign_services.campaign_create(actor=self.actor, **data)


class CampaignDetailView(DetailWithSteps):
    model = EvaluationCampaign
    resource = "evaluation_campaign"
    allow_both = True
    template_name = "evaluation/campaign_detail.html"
    steps = {
        "launch": ("evaluation_campaign", DECIDE, None, campaign_services.campaign_launch, "campaign"),
        "close": ("evaluation_campaign", DECIDE, None, campaign_services.campaign_close, "campaign"),
        "reschedule": (
            "evaluation_campaign",
            CHANGE,
            forms.RescheduleForm,
            improvement_services.follow_up_reschedule,
            "campaign",
        ),
        "invite": ("survey_invitation", ADD, forms.InvitationForm, campaign_services.invitation_add, "campaign"),
    }

    def scope(self, queryset):
        return queryset.select_related("client", "cycle")

    def extra_context(self, campaign):
        link = public_url(campaign.public_path, self.request)
        invitations = []
        if self.actor.can(VIEW, "survey_invitation"):
            invitations = list(campaign.invitations.order_by("email"))
        return {
            "results": campaign_results(campaign),
            "questionnaire": campaign_questionnaire(campaign),
            "public_link": link,
            "qr": qr_svg_inline(link),
            "invitations": invitations,
            "is_follow_up": campaign.kind == CampaignKind.FOLLOW_UP,
        }


class CampaignQRView(TenantViewMixin, View):
    """The public link's QR code as an SVG file, to print or post."""

    resource = "evaluation_campaign"
    allow_both = True

    def get(self, request, pk):
        campaign = get_object_or_404(EvaluationCampaign.objects.visible_to(self.actor), pk=pk)
        response = HttpResponse(qr_svg(public_url(campaign.public_path, request), title=str(campaign)))
        response["Content-Type"] = "image/svg+xml"
        response["Content-Disposition"] = f'attachment; filename="survey-{campaign.client_id}-{campaign.year}.svg"'
        return response


# --- questionnaires ---------------------------------------------------------------------------


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


class QuestionnaireCreateView(ServiceFormView):
    resource = "questionnaire"
    form_class = forms.QuestionnaireForm
    title = gettext_lazy("New questionnaire")

    def perform(self, data):
        return questionnaire_services.questionnaire_create(actor=self.actor, **data)


class QuestionnaireDetailView(DetailWithSteps):
    model = QuestionnaireTemplate
    resource = "questionnaire"
    template_name = "evaluation/questionnaire_detail.html"
    steps = {
        "publish": (
            "questionnaire",
            CHANGE,
            forms.PublishForm,
            questionnaire_services.questionnaire_publish,
            "template",
        ),
        "retire": ("questionnaire", CHANGE, None, questionnaire_services.questionnaire_retire, "template"),
        "new_version": ("questionnaire", ADD, None, questionnaire_services.questionnaire_new_version, "template"),
        "add_question": ("questionnaire", CHANGE, forms.QuestionForm, questionnaire_services.question_add, "template"),
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
            messages.error(request, " ".join(exc.messages))
        return redirect(question.template.get_absolute_url())


# --- customer protection (10.1) ---------------------------------------------------------------


class ComplaintListView(TenantListView):
    model = Complaint
    resource = "complaint"
    filterset_class = ComplaintFilterSet
    title = gettext_lazy("Complaints (customer protection)")
    columns = (
        ("subject", gettext_lazy("Subject")),
        ("client", gettext_lazy("Client")),
        ("get_severity_display", gettext_lazy("Severity")),
        ("get_status_display", gettext_lazy("Status")),
        ("resolve_by", gettext_lazy("Resolve by")),
        ("escalation_level", gettext_lazy("Escalation")),
    )
    ordering_fields = ("received_at", "resolve_by", "severity")
    create_url_name = "evaluation:complaint-create"

    def scope(self, queryset):
        return queryset.select_related("client")


class ComplaintCreateView(ServiceFormView):
    resource = "complaint"
    allow_both = True
    form_class = forms.ComplaintForm
    title = gettext_lazy("File a complaint")

    def get_initial(self):
        return {"client": self.request.GET.get("client"), "campaign": self.request.GET.get("campaign")}

    def perform(self, data):
        return complaint_services.complaint_file(actor=self.actor, **data)


class ComplaintDetailView(DetailWithSteps):
    model = Complaint
    resource = "complaint"
    allow_both = True
    template_name = "evaluation/complaint_detail.html"
    steps = {
        "respond": ("complaint", FULFIL, forms.RespondForm, complaint_services.complaint_respond, "complaint"),
        "resolve": ("complaint", FULFIL, forms.ResolveForm, complaint_services.complaint_resolve, "complaint"),
        "confirm": ("complaint", DECIDE, forms.ConfirmForm, complaint_services.complaint_confirm, "complaint"),
    }

    def scope(self, queryset):
        return queryset.select_related("client", "guarantee", "owner", "resolved_by", "campaign")

    def extra_context(self, complaint):
        return {
            "open": complaint.status == ComplaintStatus.OPEN,
            "resolved": complaint.status == ComplaintStatus.RESOLVED,
            "findings": list(complaint.findings.all()),
            "can_open_finding": self.actor.can(ADD, "improvement"),
        }


class GuaranteeListView(TenantListView):
    model = ServiceGuarantee
    resource = "service_guarantee"
    filterset_class = ServiceGuaranteeFilterSet
    title = gettext_lazy("Service guarantees")
    columns = (
        ("__str__", gettext_lazy("Guarantee")),
        ("response_hours", gettext_lazy("Response within (hours)")),
        ("compensation_rule", gettext_lazy("Compensation rule")),
        ("is_active", gettext_lazy("Active")),
    )
    create_url_name = "evaluation:guarantee-create"


class GuaranteeFormPage:
    model = ServiceGuarantee
    resource = "service_guarantee"
    form_class = forms.GuaranteeForm
    success_url = reverse_lazy("evaluation:guarantee-list")


class GuaranteeCreateView(GuaranteeFormPage, TenantCreateView):
    title = gettext_lazy("New service guarantee")


class GuaranteeUpdateView(GuaranteeFormPage, TenantUpdateView):
    title = gettext_lazy("Edit service guarantee")


# --- improvement (10.2) -----------------------------------------------------------------------


class CycleListView(TenantListView):
    model = ImprovementCycle
    resource = "improvement"
    filterset_class = ImprovementCycleFilterSet
    title = gettext_lazy("Improvement cycles (10.2)")
    columns = (
        ("finding", gettext_lazy("Finding")),
        ("client", gettext_lazy("Client")),
        ("round", gettext_lazy("Round")),
        ("get_status_display", gettext_lazy("Status")),
        ("opened_at", gettext_lazy("Opened at")),
    )
    ordering_fields = ("opened_at", "status", "round")
    create_url_name = "evaluation:cycle-create"

    def scope(self, queryset):
        return queryset.select_related("client")


class CycleCreateView(ServiceFormView):
    resource = "improvement"
    form_class = forms.CycleForm
    title = gettext_lazy("New finding")

    def get_initial(self):
        keys = ("client", "campaign", "complaint", "question", "source", "finding")
        return {key: self.request.GET.get(key) for key in keys if self.request.GET.get(key)}

    def perform(self, data):
        return improvement_services.improvement_cycle_open(actor=self.actor, **data)


class CycleDetailView(DetailWithSteps):
    model = ImprovementCycle
    resource = "improvement"
    allow_both = True
    template_name = "evaluation/cycle_detail.html"
    steps = {
        "add_action": ("improvement", ADD, forms.ActionForm, improvement_services.improvement_action_add, "cycle"),
    }

    def scope(self, queryset):
        return queryset.select_related("client", "campaign", "complaint")

    def extra_context(self, cycle):
        failed = getattr(self, "failed_action", None)
        can_fulfil = self.actor.can(FULFIL, "improvement")
        can_change = self.actor.can(CHANGE, "improvement")
        question = None
        if cycle.question_id and cycle.campaign_id:
            question = next((q for q in campaign_questions(cycle.campaign) if q.pk == cycle.question_id), None)
        return {
            "question": question,
            "rounds": cycle_thread(cycle),
            "closed": cycle.status == CycleStatus.CLOSED,
            "complete_form": (failed if failed and failed[1] == "complete" else None),
            "cancel_form": (failed if failed and failed[1] == "cancel" else None),
            "can_fulfil": can_fulfil,
            "can_change": can_change,
            "blank_complete": forms.CompleteForm(prefix="complete"),
            "blank_cancel": forms.CancelForm(prefix="cancel"),
        }


class ActionStepView(CycleDetailView):
    """Complete or cancel an action; the page shown is its cycle's thread."""

    model = ImprovementAction
    steps = {
        "complete": (
            "improvement",
            FULFIL,
            forms.CompleteForm,
            improvement_services.improvement_action_complete,
            "action",
        ),
        "cancel": ("improvement", CHANGE, forms.CancelForm, improvement_services.improvement_action_cancel, "action"),
    }

    def scope(self, queryset):
        return queryset.select_related("cycle")

    def get(self, request, pk, name=None):
        return redirect(self.get_object(pk).cycle.get_absolute_url())

    def after_step(self, action) -> str:
        return reverse("evaluation:cycle-detail", args=[action.cycle_id])

    def render_page(self, row, failed=None, status=200):
        if isinstance(row, ImprovementAction):
            name, form = next(iter((failed or {}).items()), (None, None))
            self.failed_action = (row.pk, name, form)
            self.steps = CycleDetailView.steps
            cycle = get_object_or_404(
                ImprovementCycle.objects.visible_to(self.actor).select_related("client"), pk=row.cycle_id
            )
            return super().render_page(cycle, status=status)
        return super().render_page(row, failed, status)


# --- the client area --------------------------------------------------------------------------


class ClientEvaluationView(TenantViewMixin, View):
    """The client person's view of chapter 10: their evaluations with results and public link,
    their complaints (and filing one), and the improvements made for them."""

    client_area = True
    resource = "evaluation_campaign"

    def get(self, request):
        campaigns = list(
            EvaluationCampaign.objects.visible_to(self.actor).select_related("client").order_by("-year", "-opens_on")
        )
        rows = [{"campaign": c, "results": campaign_results(c)} for c in campaigns[:5]]
        complaints = list(Complaint.objects.visible_to(self.actor).order_by("-received_at")[:50])
        cycles = list(ImprovementCycle.objects.visible_to(self.actor).order_by("-opened_at")[:50])
        return render(
            request,
            "evaluation/client_home.html",
            {
                "rows": rows,
                "older": campaigns[5:],
                "complaints": complaints,
                "cycles": cycles,
                "can_file": self.actor.can(ADD, "complaint"),
            },
        )
