"""The landing pages of chapter 10: the staff overview (this year's evaluation per client, open
complaints, open improvement cycles, follow-ups to send) and the client area's own view."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views import View

from agency.roles import ADD
from agency.views import TenantViewMixin
from evaluation.models import Complaint, EvaluationCampaign, ImprovementCycle
from evaluation.selectors.campaigns import campaign_results
from evaluation.selectors.overview import evaluation_overview


class OverviewView(TenantViewMixin, View):
    """The evaluation landing page: this year's evaluation per client, open complaints, open
    improvement cycles and the follow-ups to send."""

    resource = "evaluation_campaign"
    allow_both = True

    def get(self, request):
        if self.actor.is_client_person:
            return redirect("evaluation:client-home")
        year = self.actor.agency.today().year
        context = evaluation_overview(self.actor, year)
        context["can_create"] = self.actor.can(ADD, "evaluation_campaign")
        return render(request, "evaluation/overview.html", context)


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
