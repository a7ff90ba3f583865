"""The results page of the top bar's search box (``/search/?q=``), for staff and client people: the
rows found grouped by kind, with their counts and a link to each row's page."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from agency.views import TenantViewMixin
from search.selectors import KINDS_BY_KEY, MAX_RESULTS_PER_KIND, RESULTS_PER_KIND, kinds_for, search


class SearchView(TenantViewMixin, View):
    """``q``: the words to find; ``kind``: one kind alone, with more of its rows."""

    allow_both = True  # each kind is searched only where the person's role may view it

    def get(self, request):
        query = request.GET.get("q", "")
        kind = request.GET.get("kind", "")
        if kind not in KINDS_BY_KEY:
            kind = ""
        limit = MAX_RESULTS_PER_KIND if kind else RESULTS_PER_KIND
        found = search(self.actor, query, kind=kind or None, limit=limit)
        context = {
            "title": _("Search"),
            "found": found,
            "search_query": found.query,
            "kind": KINDS_BY_KEY[kind] if kind else None,
            "kinds": kinds_for(self.actor),
            "base_template": "client_area/base.html" if self.actor.is_client_person else "base.html",
        }
        return render(request, "search/results.html", context)
