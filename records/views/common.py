"""What every records page shares: the landing page of chapter 9, the record list with its export
buttons, a record's trail, and voiding a record with its reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from agency.pages import base_template, report_refusal
from agency.roles import DELETE
from agency.standard import CHAPTERS, CLAUSES
from agency.views import TenantListView, TenantViewMixin
from clients.views import period_from_request
from records import forms
from records.models.assets import Asset, AssetCheckout
from records.models.audit import AuditEvent
from records.models.images import ImageRecord
from records.models.inspections import DailyInspection, InspectionFollowUp
from records.models.reports import StatisticsReport, WorkAssessmentReport
from records.models.usage import UsageRecord
from records.selectors.audit import readable_events
from records.selectors.common import records_overview
from records.services.common import record_void


def back(request) -> str:
    """Where the form was sent from (same site only), else the records' landing page."""
    target = request.META.get("HTTP_REFERER", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("records:index")


class RecordsHomeView(TenantViewMixin, View):
    """Chapter 9's landing page: each record type this period, what needs attention, the clauses."""

    allow_both = True

    def get(self, request):
        period = period_from_request(request, self.actor)
        clauses = [c for c in CLAUSES if c.chapter == "9"]
        return render(
            request,
            "records/home.html",
            {
                "period": period,
                "overview": records_overview(self.actor, period),
                "clauses": clauses,
                "chapter_title": CHAPTERS["9"],
                "base_template": base_template(self.actor),
            },
        )


class RecordListView(TenantListView):
    """A record list with its export buttons (CSV, XLSX, PDF of exactly what the filters show)."""

    template_name = "records/list.html"
    dataset = ""
    allow_both = True
    select = ()

    def scope(self, queryset):
        return queryset.select_related(*self.select)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "sort"):
            query.pop(key, None)
        context.update(
            dataset=self.dataset,
            export_query=query.urlencode(),
            formats=["csv", "xlsx", "pdf"],
            base_template=base_template(self.actor),
            today=self.actor.agency.today(),
        )
        return context


def trail_of(actor, record, limit: int = 50):
    """The latest events of ``record``'s trail, as people read them."""
    events = (
        AuditEvent.objects.filter(model_label=record._meta.label_lower, object_pk=str(record.pk))
        .select_related("user")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return readable_events(actor, events)


VOIDABLE = {
    "asset": (Asset, "asset"),
    "checkout": (AssetCheckout, "asset"),
    "inspection": (DailyInspection, "inspection"),
    "follow-up": (InspectionFollowUp, "inspection"),
    "usage": (UsageRecord, "usage_record"),
    "statistics": (StatisticsReport, "statistics_report"),
    "assessment": (WorkAssessmentReport, "assessment_report"),
    "image": (ImageRecord, "image_record"),
}


class VoidView(TenantViewMixin, View):
    """Void a record with a reason (clause 9: records are never deleted)."""

    def post(self, request, kind, pk):
        if kind not in VOIDABLE:
            raise Http404
        model, resource = VOIDABLE[kind]
        record = get_object_or_404(model.objects.visible_to(self.actor), pk=pk)
        if not self.actor.can(DELETE, resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = forms.VoidForm(request.POST, prefix="void")
        if form.is_valid():
            try:
                record_void(actor=self.actor, record=record, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                report_refusal(request, exc)
            else:
                messages.success(request, _("The record is void; it stays in the lists, exports and trail."))
        else:
            messages.error(request, _("Say why the record is voided."))
        return redirect(back(request))
