"""Pages of clause 10.2: improvement cycles (findings), their thread of actions and follow-ups,
and the steps of an action."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from agency.pages import ServiceActionView
from agency.roles import ADD, CHANGE, FULFIL
from agency.views import TenantListView
from evaluation.api.improvement import ImprovementCycleFilterSet
from evaluation.forms.improvement import ActionForm, CancelForm, CompleteForm, CycleForm
from evaluation.models import CycleStatus, ImprovementAction, ImprovementCycle
from evaluation.selectors.campaigns import campaign_questions
from evaluation.selectors.improvement import cycle_thread
from evaluation.services import followups as followup_services
from evaluation.services import improvement as improvement_services
from evaluation.views.common import DetailWithSteps


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


class CycleCreateView(ServiceActionView):
    invalid_status = 200
    resource = "improvement"
    form_class = CycleForm
    title = gettext_lazy("New finding")

    def get_initial(self):
        keys = ("client", "campaign", "complaint", "question", "source", "finding")
        return {key: self.request.GET.get(key) for key in keys if self.request.GET.get(key)}

    service = improvement_services.improvement_cycle_open


class CycleDetailView(DetailWithSteps):
    model = ImprovementCycle
    resource = "improvement"
    allow_both = True
    template_name = "evaluation/cycle_detail.html"
    steps = {
        "add_action": ("improvement", ADD, ActionForm, improvement_services.improvement_action_add, "cycle"),
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
            "blank_complete": CompleteForm(prefix="complete"),
            "blank_cancel": CancelForm(prefix="cancel"),
        }


class ActionStepView(CycleDetailView):
    """Complete or cancel an action; the page shown is its cycle's thread."""

    model = ImprovementAction
    steps = {
        "complete": (
            "improvement",
            FULFIL,
            CompleteForm,
            followup_services.improvement_action_complete,
            "action",
        ),
        "cancel": ("improvement", CHANGE, CancelForm, improvement_services.improvement_action_cancel, "action"),
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
