"""Pages of clause 9 h): daily inspection lists, ticked and completed, and their follow-ups."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import base_template, report_refusal
from agency.roles import ADD, CHANGE
from agency.views import TenantDetailView, TenantViewMixin
from records import filters, forms
from records.models.images import ImageRecord
from records.models.inspections import DailyInspection, InspectionFollowUp
from records.selectors.inspections import missed_inspections
from records.services.inspections import follow_up_open, follow_up_resolve, inspection_record
from records.views.common import RecordListView, trail_of


class InspectionListView(RecordListView):
    model = DailyInspection
    resource = "inspection"
    filterset_class = filters.DailyInspectionFilterSet
    dataset = "inspections"
    title = gettext_lazy("Daily inspections (9 h)")
    select = ("client", "account", "inspected_by")
    columns = (
        ("inspection_date", gettext_lazy("Day")),
        ("account", gettext_lazy("Account")),
        ("client", gettext_lazy("Client")),
        ("get_status_display", gettext_lazy("Status")),
        ("inspected_by", gettext_lazy("Inspected by")),
    )
    ordering_fields = ("inspection_date", "status")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["missed_count"] = missed_inspections(self.base_queryset(), context["today"]).count()
        return context


class InspectionDetailView(TenantDetailView):
    model = DailyInspection
    resource = "inspection"
    template_name = "records/inspection_detail.html"
    allow_both = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection = self.object
        today = self.actor.agency.today()
        editable = self.actor.can(CHANGE, "inspection") and inspection.status == "pending" and not inspection.is_voided
        context.update(
            base_template=base_template(self.actor),
            missed=inspection.is_missed(today),
            form=forms.InspectionForm(inspection=inspection, prefix="tick") if editable else None,
            follow_up_form=forms.FollowUpForm(actor=self.actor, prefix="follow")
            if self.actor.can(ADD, "inspection") and not inspection.is_voided
            else None,
            follow_ups=inspection.follow_ups.select_related("assignee"),
            resolve_form=forms.ResolveForm(prefix="resolve") if self.actor.can(CHANGE, "inspection") else None,
            images=ImageRecord.objects.visible_to(self.actor).filter(
                linked_type__app_label="records", linked_type__model="dailyinspection", linked_id=inspection.pk
            ),
            trail=trail_of(self.actor, inspection),
        )
        return context


class InspectionActionView(TenantViewMixin, View):
    resource = "inspection"

    def post(self, request, pk, name):
        inspection = get_object_or_404(DailyInspection.objects.visible_to(self.actor), pk=pk)
        try:
            if name == "tick" and self.actor.can(CHANGE, self.resource):
                form = forms.InspectionForm(request.POST, inspection=inspection, prefix="tick")
                if form.is_valid():
                    inspection_record(
                        actor=self.actor,
                        inspection=inspection,
                        items=form.items(),
                        problems=form.cleaned_data["problems"],
                        complete=form.cleaned_data["complete"],
                    )
            elif name == "follow-up" and self.actor.can(ADD, self.resource):
                form = forms.FollowUpForm(request.POST, actor=self.actor, prefix="follow")
                if form.is_valid():
                    follow_up_open(actor=self.actor, inspection=inspection, **form.cleaned_data)
            elif name == "resolve" and self.actor.can(CHANGE, self.resource):
                follow_up = self.posted_row(inspection.follow_ups.all(), "follow_up")
                form = forms.ResolveForm(request.POST, prefix="resolve")
                if form.is_valid():
                    follow_up_resolve(actor=self.actor, follow_up=follow_up, **form.cleaned_data)
            else:
                raise PermissionDenied(_("Your role does not allow this."))
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect("records:inspection-detail", pk=pk)
        if form.is_valid():
            messages.success(request, _("Recorded."))
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect("records:inspection-detail", pk=pk)


class FollowUpListView(RecordListView):
    model = InspectionFollowUp
    resource = "inspection"
    filterset_class = filters.InspectionFollowUpFilterSet
    dataset = "inspection_follow_ups"
    title = gettext_lazy("Inspection follow-ups (9 h)")
    select = ("client", "assignee", "inspection__account")
    columns = (
        ("title", gettext_lazy("Title")),
        ("inspection", gettext_lazy("Inspection")),
        ("assignee", gettext_lazy("Assignee")),
        ("due_date", gettext_lazy("Due date")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("due_date", "status")
