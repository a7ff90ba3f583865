"""Pages of 8.3: adverse events, valuing an account and a valuation with its factors, explanation
and reproducibility check, for staff and for the client area. The pages call
``extensions.services.valuation``; a refused write shows the service's message on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import ServiceActionView, report_refusal
from agency.roles import ADD, VIEW
from agency.views import TenantDetailView, TenantListView, TenantViewMixin
from extensions.api.valuation import AccountValuationFilterSet, AdverseEventFilterSet
from extensions.forms.valuation import AdverseEventForm, ValuationForm
from extensions.models import AccountValuation, AdverseEvent
from extensions.selectors.valuation import METHOD_DESCRIPTION, render_step, valuation_verify
from extensions.services.valuation import account_valuation_create, account_valuation_recompute, adverse_event_record


class AdverseEventListView(TenantListView):
    model = AdverseEvent
    resource = "adverse_event"
    filterset_class = AdverseEventFilterSet
    title = gettext_lazy("Adverse events (8.3)")
    columns = (
        ("occurred_on", gettext_lazy("Occurred on")),
        ("account", gettext_lazy("Account")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("get_severity_display", gettext_lazy("Severity")),
        ("description", gettext_lazy("What happened")),
        ("resolved_on", gettext_lazy("Resolved on")),
    )
    ordering_fields = ("occurred_on", "severity")
    create_url_name = "extensions:adverse-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class AdverseEventCreateView(ServiceActionView):
    resource = "adverse_event"
    form_class = AdverseEventForm
    service = adverse_event_record
    title = gettext_lazy("Record an adverse event")
    success_url_name = "extensions:adverse-list"
    invalid_status = 200


class ValuationListView(TenantListView):
    model = AccountValuation
    resource = "valuation"
    filterset_class = AccountValuationFilterSet
    title = gettext_lazy("Account valuations (8.3)")
    columns = (
        ("account", gettext_lazy("Account")),
        ("client", gettext_lazy("Client")),
        ("valued_on", gettext_lazy("Valued on")),
        ("value_low", gettext_lazy("From (yuan)")),
        ("value_high", gettext_lazy("Up to (yuan)")),
        ("method", gettext_lazy("Method")),
    )
    ordering_fields = ("valued_on", "value_point")
    create_url_name = "extensions:valuation-create"

    def scope(self, queryset):
        return queryset.select_related("client", "account")


class ValuationCreateView(ServiceActionView):
    resource = "valuation"
    form_class = ValuationForm
    service = account_valuation_create
    title = gettext_lazy("Value an account")
    invalid_status = 200


def valuation_context(valuation) -> dict:
    return {
        "factors": list(valuation.factors.order_by("position")),
        "explanation": [render_step(step) for step in valuation.steps],
        "method_description": METHOD_DESCRIPTION,
        "verification": valuation_verify(valuation),
    }


class ValuationDetailView(TenantDetailView):
    model = AccountValuation
    resource = "valuation"
    template_name = "extensions/valuation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "account", "recomputed_from")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(valuation_context(self.object), can_recompute=self.actor.can(ADD, "valuation"))
        return context


class ValuationRecomputeView(TenantViewMixin, View):
    resource = "valuation"
    action = ADD

    def post(self, request, pk):
        valuation = get_object_or_404(AccountValuation.objects.visible_to(self.actor), pk=pk)
        try:
            again = account_valuation_recompute(actor=self.actor, valuation=valuation)
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect(valuation.get_absolute_url())
        messages.success(request, _("Valued again as a new record."))
        return redirect(again.get_absolute_url())


class ClientValuationView(TenantViewMixin, View):
    client_area = True
    resource = "valuation"
    action = VIEW

    def get(self, request, pk):
        valuation = get_object_or_404(AccountValuation.objects.visible_to(self.actor).select_related("account"), pk=pk)
        return render(
            request, "extensions/client_valuation.html", {"object": valuation, **valuation_context(valuation)}
        )
