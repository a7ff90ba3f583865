"""Staff pages of 7.3, audience persona reports. Thin: forms collect, services decide."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.views import View

from accounts_ops.api.audience import AudiencePersonaReportFilterSet
from accounts_ops.models.audience import AudiencePersonaReport
from accounts_ops.selectors.audience import persona_sections
from accounts_ops.services.audience import persona_report_request
from agency.pages import base_template, report_refusal
from agency.roles import ADD
from agency.views import TenantListView, TenantViewMixin
from clients.models import PlatformAccount


class PersonaReportListView(TenantListView):
    model = AudiencePersonaReport
    resource = "audience"
    filterset_class = AudiencePersonaReportFilterSet
    template_name = "accounts_ops/persona_list.html"
    title = gettext_lazy("Audience persona reports (7.3)")
    columns = (
        ("account", gettext_lazy("Account")),
        ("period_start", gettext_lazy("From")),
        ("period_end", gettext_lazy("To")),
        ("get_trigger_display", gettext_lazy("Made")),
    )
    ordering_fields = ("period_end",)

    def scope(self, queryset):
        return queryset.select_related("account")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["accounts"] = PlatformAccount.objects.visible_to(self.actor).order_by("handle")
        context["can_request"] = self.actor.can(ADD, "audience")
        return context


class PersonaDetailView(TenantViewMixin, View):
    resource = "audience"
    allow_both = True

    def get(self, request, pk):
        report = get_object_or_404(
            AudiencePersonaReport.objects.visible_to(self.actor).select_related("account", "snapshot", "previous"),
            pk=pk,
        )
        language = get_language() or "zh-hans"
        return render(
            request,
            "accounts_ops/persona_detail.html",
            {
                "object": report,
                "summary": report.summary_zh if language.startswith("zh") else report.summary_en,
                "other_summary": report.summary_en if language.startswith("zh") else report.summary_zh,
                "sections": persona_sections(report, language),
                "title": str(report.account),
                "base_template": base_template(self.actor),
            },
        )


class PersonaRequestView(TenantViewMixin, View):
    resource = "audience"
    action = ADD

    def post(self, request):
        account = self.posted_row(PlatformAccount.objects.visible_to(self.actor), "account")
        try:
            report = persona_report_request(actor=self.actor, account=account)
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect("accounts_ops:persona-list")
        return redirect(report.get_absolute_url())
