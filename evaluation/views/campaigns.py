"""Pages of clause 10.1's evaluation campaigns: the list, planning a yearly one, a campaign's page
with its results, steps and public link, and the link's QR code."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import ServiceActionView
from agency.roles import ADD, CHANGE, DECIDE, VIEW
from agency.views import TenantListView, TenantViewMixin
from evaluation.api.campaigns import EvaluationCampaignFilterSet
from evaluation.forms.campaigns import CampaignForm, InvitationForm, RescheduleForm
from evaluation.models import CampaignKind, EvaluationCampaign
from evaluation.notifications import public_url
from evaluation.qr import qr_svg, qr_svg_inline
from evaluation.selectors.campaigns import campaign_questionnaire, campaign_results
from evaluation.services import campaigns as campaign_services
from evaluation.services import followups as followup_services
from evaluation.views.common import DetailWithSteps


class CampaignListView(TenantListView):
    model = EvaluationCampaign
    resource = "evaluation_campaign"
    filterset_class = EvaluationCampaignFilterSet
    title = gettext_lazy("Evaluation campaigns (10.1)")
    columns = (
        ("__str__", gettext_lazy("Campaign")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("get_status_display", gettext_lazy("Status")),
        ("opens_on", gettext_lazy("Sent on")),
        ("closes_on", gettext_lazy("Closes on")),
        ("due_by", gettext_lazy("To be sent by")),
    )
    ordering_fields = ("year", "opens_on", "closes_on", "due_by")
    create_url_name = "evaluation:campaign-create"

    def scope(self, queryset):
        return queryset.select_related("client")


class CampaignCreateView(ServiceActionView):
    invalid_status = 200
    resource = "evaluation_campaign"
    form_class = CampaignForm
    title = gettext_lazy("New yearly evaluation")

    def get_initial(self):
        return {"client": self.request.GET.get("client"), "year": self.actor.agency.today().year}

    service = campaign_services.campaign_create


class CampaignDetailView(DetailWithSteps):
    model = EvaluationCampaign
    resource = "evaluation_campaign"
    allow_both = True
    template_name = "evaluation/campaign_detail.html"
    steps = {
        "launch": ("evaluation_campaign", DECIDE, None, campaign_services.campaign_launch, "campaign"),
        "close": ("evaluation_campaign", DECIDE, None, followup_services.campaign_close_and_decide, "campaign"),
        "reschedule": (
            "evaluation_campaign",
            CHANGE,
            RescheduleForm,
            followup_services.follow_up_reschedule,
            "campaign",
        ),
        "invite": ("survey_invitation", ADD, InvitationForm, campaign_services.invitation_add, "campaign"),
    }

    def scope(self, queryset):
        return queryset.select_related("client", "cycle")

    def extra_context(self, campaign):
        link = public_url(campaign.public_path, self.request)
        invitations = []
        if self.actor.can(VIEW, "survey_invitation"):
            invitations = list(campaign.invitations.order_by("email"))
        return {
            "results": campaign_results(campaign),
            "questionnaire": campaign_questionnaire(campaign),
            "public_link": link,
            "qr": qr_svg_inline(link),
            "invitations": invitations,
            "is_follow_up": campaign.kind == CampaignKind.FOLLOW_UP,
        }


class CampaignQRView(TenantViewMixin, View):
    """The public link's QR code as an SVG file, to print or post."""

    resource = "evaluation_campaign"
    allow_both = True

    def get(self, request, pk):
        campaign = get_object_or_404(EvaluationCampaign.objects.visible_to(self.actor), pk=pk)
        response = HttpResponse(qr_svg(public_url(campaign.public_path, request), title=str(campaign)))
        response["Content-Type"] = "image/svg+xml"
        response["Content-Disposition"] = f'attachment; filename="survey-{campaign.client_id}-{campaign.year}.svg"'
        return response
