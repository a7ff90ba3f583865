"""Chart data as JSON for the pages' charts (``agency.charts``): an account's, a client's and the
agency's daily figures. Session-authenticated like the pages; each answers only within what the
person may see (another agency's or client's account or client answers 404)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from accounts_ops.selectors.metrics import CHART_DAYS, account_series, agency_activity, chart_days, client_series
from agency.views import TenantViewMixin
from clients.models import Client, PlatformAccount


class ChartDataView(TenantViewMixin, View):
    resource = "platform_metrics"
    allow_both = True

    def answer(self, series, title: str = "") -> JsonResponse:
        response = JsonResponse(series.chart(title).as_json())
        response["Cache-Control"] = "private, max-age=300"
        return response


class AccountMetricsView(ChartDataView):
    """``?days=30|90|365``: fans, plays, interactions and engagement rate per day of one account."""

    def get(self, request, pk):
        account = get_object_or_404(PlatformAccount.objects.visible_to(self.actor), pk=pk)
        return self.answer(account_series(self.actor, account, days=chart_days(request.GET.get("days"))), str(account))


class ClientMetricsView(ChartDataView):
    """The same for a client's active accounts together."""

    def get(self, request, pk):
        client = get_object_or_404(Client.objects.visible_to(self.actor), pk=pk)
        return self.answer(client_series(self.actor, client, days=chart_days(request.GET.get("days"))), client.name)


class AgencyMetricsView(ChartDataView):
    """Plays and interactions per day across the agency's accounts (staff only)."""

    allow_both = False

    def get(self, request):
        return self.answer(agency_activity(self.actor, days=chart_days(request.GET.get("days"))))


def metrics_context(request, actor, *, account: PlatformAccount | None = None, client: Client | None = None) -> dict:
    """What ``templates/agency/_metrics.html`` needs for an account's or a client's charts: the
    figures (also the table and summary shown without scripts) and the JSON they are drawn from."""
    days = chart_days(request.GET.get("days"))
    if account is not None:
        series = account_series(actor, account, days=days)
        url = reverse("accounts_ops:metrics-account", args=[account.pk])
    else:
        series = client_series(actor, client, days=days)
        url = reverse("accounts_ops:metrics-client", args=[client.pk])
    return {
        "metrics": series.chart(),
        "metrics_url": f"{url}?days={days}",
        "days": days,
        "chart_ranges": CHART_DAYS,
    }
