"""The landing page of chapter 7, advanced account operations."""

from __future__ import annotations

from django.shortcuts import render
from django.views import View

from accounts_ops.selectors.overview import advanced_operations_dashboard
from agency.conformance import CHECKS
from agency.roles import ADD
from agency.standard import CHAPTERS, CLAUSES
from agency.views import TenantViewMixin


class AdvancedDashboardView(TenantViewMixin, View):
    """Chapter 7: comments waiting (negative first), open opinion alerts, hot topics and upcoming
    plans, persona reports and IP personas, the latest imports, and the clauses."""

    resource = "comment"

    def get(self, request):
        context = advanced_operations_dashboard(self.actor)
        context.update(
            chapter_title=CHAPTERS["7"],
            title=CHAPTERS["7"],
            clauses=[{"clause": c, "implemented": c.id in CHECKS} for c in CLAUSES if c.chapter == "7"],
            can_import=self.actor.can(ADD, "data_import"),
        )
        return render(request, "accounts_ops/advanced.html", context)
