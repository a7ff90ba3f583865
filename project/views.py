"""The staff home page: what every app contributes to it (the clients' headline figures, the
accounts' key figures and activity, today's work from each app's ``today.py``)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse

from accounts_ops.selectors.metrics import CHART_DAYS, FIGURE_DAYS, agency_figures_and_activity
from agency.roles import VIEW
from agency.today import sections_for
from clients.selectors import headline_counts


def home(request):
    actor = getattr(request, "actor", None)
    if not request.user.is_authenticated:
        return redirect("login")
    if actor is None:
        return redirect("switch-agency")
    if actor.is_client_person:
        return redirect("client-area:dashboard")
    context = {"overview": headline_counts(actor), "sections": sections_for(actor)}
    if actor.can(VIEW, "platform_metrics"):
        figures, activity = agency_figures_and_activity(actor, days=FIGURE_DAYS, chart_days=CHART_DAYS[0])
        context.update(
            figures=figures,
            figure_days=FIGURE_DAYS,
            activity=activity.chart(),
            activity_url=reverse("accounts_ops:metrics-agency") + f"?days={CHART_DAYS[0]}",
        )
    return render(request, "agency/home.html", context)
