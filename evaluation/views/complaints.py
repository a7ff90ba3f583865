"""Pages of the customer protection mechanism (clause 10.1): complaints and their steps, and the
service guarantees."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy

from agency.pages import ServiceActionView
from agency.roles import ADD, DECIDE, FULFIL
from agency.views import TenantCreateView, TenantListView, TenantUpdateView
from evaluation.api.complaints import ComplaintFilterSet, ServiceGuaranteeFilterSet
from evaluation.forms.complaints import ComplaintForm, ConfirmForm, GuaranteeForm, ResolveForm, RespondForm
from evaluation.models import Complaint, ComplaintStatus, ServiceGuarantee
from evaluation.services import complaints as complaint_services
from evaluation.views.common import DetailWithSteps


class ComplaintListView(TenantListView):
    model = Complaint
    resource = "complaint"
    filterset_class = ComplaintFilterSet
    title = gettext_lazy("Complaints (customer protection)")
    columns = (
        ("subject", gettext_lazy("Subject")),
        ("client", gettext_lazy("Client")),
        ("get_severity_display", gettext_lazy("Severity")),
        ("get_status_display", gettext_lazy("Status")),
        ("resolve_by", gettext_lazy("Resolve by")),
        ("escalation_level", gettext_lazy("Escalation")),
    )
    ordering_fields = ("received_at", "resolve_by", "severity")
    create_url_name = "evaluation:complaint-create"

    def scope(self, queryset):
        return queryset.select_related("client")


class ComplaintCreateView(ServiceActionView):
    invalid_status = 200
    resource = "complaint"
    allow_both = True
    form_class = ComplaintForm
    title = gettext_lazy("File a complaint")

    def get_initial(self):
        return {"client": self.request.GET.get("client"), "campaign": self.request.GET.get("campaign")}

    service = complaint_services.complaint_file


class ComplaintDetailView(DetailWithSteps):
    model = Complaint
    resource = "complaint"
    allow_both = True
    template_name = "evaluation/complaint_detail.html"
    steps = {
        "respond": ("complaint", FULFIL, RespondForm, complaint_services.complaint_respond, "complaint"),
        "resolve": ("complaint", FULFIL, ResolveForm, complaint_services.complaint_resolve, "complaint"),
        "confirm": ("complaint", DECIDE, ConfirmForm, complaint_services.complaint_confirm, "complaint"),
    }

    def scope(self, queryset):
        return queryset.select_related("client", "guarantee", "owner", "resolved_by", "campaign")

    def extra_context(self, complaint):
        return {
            "open": complaint.status == ComplaintStatus.OPEN,
            "resolved": complaint.status == ComplaintStatus.RESOLVED,
            "findings": list(complaint.findings.all()),
            "can_open_finding": self.actor.can(ADD, "improvement"),
        }


class GuaranteeListView(TenantListView):
    model = ServiceGuarantee
    resource = "service_guarantee"
    filterset_class = ServiceGuaranteeFilterSet
    title = gettext_lazy("Service guarantees")
    columns = (
        ("__str__", gettext_lazy("Guarantee")),
        ("response_hours", gettext_lazy("Response within (hours)")),
        ("compensation_rule", gettext_lazy("Compensation rule")),
        ("is_active", gettext_lazy("Active")),
    )
    create_url_name = "evaluation:guarantee-create"


class GuaranteeFormPage:
    model = ServiceGuarantee
    resource = "service_guarantee"
    form_class = GuaranteeForm
    success_url = reverse_lazy("evaluation:guarantee-list")


class GuaranteeCreateView(GuaranteeFormPage, TenantCreateView):
    title = gettext_lazy("New service guarantee")


class GuaranteeUpdateView(GuaranteeFormPage, TenantUpdateView):
    title = gettext_lazy("Edit service guarantee")
