"""Chapter 8's landing page (its clauses and what needs attention) and the client area's view of
its own live results, store visits and valuations."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views import View

from agency.conformance import CHECKS
from agency.roles import VIEW
from agency.standard import CHAPTERS, CLAUSES
from agency.views import TenantViewMixin
from extensions.models import LiveSessionStatus
from extensions.selectors.overview import client_extensions, extensions_overview


class ExtensionsIndexView(TenantViewMixin, View):
    """Chapter 8's landing page: its clauses and what needs attention. Client people go to their
    own view of live results, visits and valuations."""

    allow_both = True

    def get(self, request):
        if self.actor.is_client_person:
            return redirect("extensions:client-area")
        clauses = [
            {"clause": clause, "implemented": clause.id in CHECKS} for clause in CLAUSES if clause.chapter == "8"
        ]
        context = {"chapter_title": CHAPTERS["8"], "clauses": clauses, "title": CHAPTERS["8"]}
        context.update(extensions_overview(self.actor))
        return render(request, "extensions/index.html", context)


class ClientExtensionsView(TenantViewMixin, View):
    """A client person's live sessions with their results, store visits and valuations."""

    client_area = True
    resource = "live_session"
    action = VIEW

    def get(self, request):
        context = client_extensions(self.actor)
        context.update(
            can_see_visits=self.actor.can(VIEW, "store_visit"),
            can_see_valuations=self.actor.can(VIEW, "valuation"),
            live_status=LiveSessionStatus,
        )
        return render(request, "extensions/client_area.html", context)
