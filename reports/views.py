"""Pages of the standard as evidence: the conformance matrix (clients × clauses), one client's
conformance with its PDF reports, and the agency overview."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views import View

from agency.conformance import Period, Status
from agency.conformance_shown import conformance_shown_to
from agency.languages import requester_language
from agency.pages import base_template
from agency.roles import ADD
from agency.standard import CLAUSES
from agency.views import TenantViewMixin, period_from_request
from clients.models import Client, ClientStatus
from reports.models import ConformanceReport, ReportStatus
from reports.selectors import clients_results, overview_rows
from reports.services import conformance_report_request

# One clause's cell of the conformance matrix: its status (class), full words (title), symbol, label, stale mark.
CELL = '<td><span class="status {}" title="{}">{}<span class="visually-hidden">{}</span></span>{}</td>'


class ConformanceMatrixView(TenantViewMixin, View):
    """Clients × clauses for one period: where the agency's attention is needed."""

    resource = "conformance"
    page_size = 25
    symbols = {Status.MET: "✓", Status.NOT_MET: "✗", Status.NOT_APPLICABLE: "–"}

    def get(self, request):
        period = period_from_request(request, self.actor)
        clients = Client.objects.visible_to(self.actor).filter(status=ClientStatus.ACTIVE).order_by("name")
        page = Paginator(clients, self.page_size).get_page(request.GET.get("page"))
        clients = list(page.object_list)
        found = clients_results(clients, period, stale_shown=True)
        labels = {status: str(label) for status, label in Status.LABELS.items()}
        # One cell per clause, written here as the template would write it (escaped the same way):
        # a page of 25 clients has 575 of them, too many for a template loop's nodes.
        stale = format_html(  # shown after a cell whose result waits to be computed again
            '<span class="muted" title="{}">↻<span class="visually-hidden">{}</span></span>',
            _("Its evidence changed since; being computed again."),
            _("being computed again"),
        )
        rows = []
        for client in clients:
            results = found[client.pk].results
            rows.append(
                {
                    "client": client,
                    "cells": format_html_join(
                        "",
                        CELL,
                        (
                            (
                                r.status,
                                f"{r.clause_id} · {labels[r.status]}: {r.summary}",
                                self.symbols.get(r.status, "?"),
                                labels[r.status],
                                stale if r.stale else "",
                            )
                            for r in results
                        ),
                    ),
                    "frozen": found[client.pk].snapshot is not None,
                    "not_met": sum(r.status == Status.NOT_MET for r in results),
                }
            )
        return render(
            request,
            "agency/conformance_matrix.html",
            {
                "period": period,
                "rows": rows,
                "page_obj": page,
                "clauses": CLAUSES,
                "title": _("Conformance"),
            },
        )


class ClientConformanceView(TenantViewMixin, View):
    """One client's conformance for a period, with PDF reports to build and download."""

    resource = "conformance"
    allow_both = True

    def get(self, request, pk):
        client = get_object_or_404(Client.objects.visible_to(self.actor), pk=pk)
        period = period_from_request(request, self.actor)
        found = clients_results([client], period)[client.pk]
        results, snapshot = conformance_shown_to(self.actor, found.results), found.snapshot
        reports = ConformanceReport.objects.visible_to(self.actor).filter(client=client)[:10]
        return render(
            request,
            "agency/conformance_client.html",
            {
                "client": client,
                "period": period,
                "conformance": results,
                "snapshot": snapshot,
                "kept": found,
                "reports": reports,
                "can_request": self.actor.can(ADD, "conformance"),
                "title": _("Conformance"),
                "base_template": base_template(self.actor),
            },
        )

    def post(self, request, pk):
        client = get_object_or_404(Client.objects.visible_to(self.actor), pk=pk)
        if not self.actor.can(ADD, "conformance"):
            raise PermissionDenied(_("Your role does not allow this."))
        try:
            period = Period.parse(request.POST.get("period", ""))
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("conformance-client", pk=pk)
        language = (
            request.POST.get("language")
            if request.POST.get("language") in dict(settings.LANGUAGES)
            else requester_language()
        )
        conformance_report_request(
            actor=self.actor,
            client=client,
            period=period,
            language=language,
            for_client=request.POST.get("for_client") == "1",
        )
        messages.success(request, _("The report is being built; it appears below when ready."))
        return redirect(f"{reverse('conformance-client', args=[pk])}?period={request.POST.get('period')}")


class ConformanceReportDownloadView(TenantViewMixin, View):
    """Serve a built report to those who may see it, as an attachment (never by a public path)."""

    resource = "conformance"
    allow_both = True

    def get(self, request, pk):
        report = get_object_or_404(ConformanceReport.objects.visible_to(self.actor), pk=pk, status=ReportStatus.DONE)
        response = FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=f"conformance-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class AgencyOverviewView(TenantViewMixin, View):
    """Every active client: its accounts' fans, plays and engagement with their trend, its
    conformance this month (from the registry of clause checks) and its work in progress."""

    resource = "client"
    page_size = 25

    def get(self, request):
        period = period_from_request(request, self.actor)
        clients = Client.objects.visible_to(self.actor).filter(status=ClientStatus.ACTIVE).order_by("name")
        page = Paginator(clients, self.page_size).get_page(request.GET.get("page"))
        return render(
            request,
            "agency/overview.html",
            {
                "rows": overview_rows(self.actor, list(page.object_list), period),
                "page_obj": page,
                "period": period,
                "title": _("Agency overview"),
            },
        )
