"""Staff pages of clause 6.7, advertising: campaigns, budget approvals, spend and results. Thin:
forms collect, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops.api.ads import AdCampaignFilterSet
from accounts_ops.forms.ads import ApprovalForm, CampaignForm, ResultsForm, SpendForm
from accounts_ops.models.ads import AdCampaign, campaign_roi
from accounts_ops.selectors.ads import with_money
from accounts_ops.services.ads import ad_budget_approve, ad_spend_record, campaign_create, campaign_record_results
from agency.pages import ServiceActionView, form_errors_from
from agency.roles import ADD, CHANGE
from agency.views import TenantListView, TenantViewMixin


class CampaignListView(TenantListView):
    model = AdCampaign
    resource = "ad_campaign"
    filterset_class = AdCampaignFilterSet
    title = gettext_lazy("Ad campaigns (6.7)")
    columns = (
        ("name", gettext_lazy("Name")),
        ("account", gettext_lazy("Account")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("budget", gettext_lazy("Budget (yuan)")),
        ("spent", gettext_lazy("Spent (yuan)")),
        ("starts_on", gettext_lazy("Starts on")),
        ("ends_on", gettext_lazy("Ends on")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("starts_on", "ends_on", "budget")
    create_url_name = "accounts_ops:campaign-create"

    def scope(self, queryset):
        return with_money(queryset.select_related("account"))


class CampaignCreateView(ServiceActionView):
    resource = "ad_campaign"
    form_class = CampaignForm
    title = gettext_lazy("New ad campaign (6.7)")
    service = campaign_create

    def success_url(self, result):
        return result.get_absolute_url()


class CampaignDetailView(TenantViewMixin, View):
    """A campaign with its spend, approvals and KPIs; forms to record spend, approve overspend
    (agency admin) and record results."""

    resource = "ad_campaign"
    allow_both = True
    FORMS = {"spend": SpendForm, "approval": ApprovalForm, "results": ResultsForm}
    ACTIONS = {
        "spend": ("ad_campaign", ADD),
        "approval": ("ad_budget_approval", ADD),
        "results": ("ad_campaign", CHANGE),
    }

    def campaign(self, pk):
        return get_object_or_404(
            with_money(AdCampaign.objects.visible_to(self.actor)).select_related("account", "client"), pk=pk
        )

    def page(self, campaign, bound=None, status=200):
        today = self.actor.agency.today()
        action_forms = {}
        for name, form_class in self.FORMS.items():
            resource, action = self.ACTIONS[name]
            if not self.actor.can(action, resource):
                continue
            if bound is not None and bound[0] == name:
                action_forms[name] = bound[1]
            elif name == "results":
                action_forms[name] = form_class(actor=self.actor, instance=campaign, prefix=name)
            else:
                action_forms[name] = form_class(actor=self.actor, prefix=name, initial={"spent_on": today})
        return render(
            self.request,
            "accounts_ops/campaign_detail.html",
            {
                "object": campaign,
                "roi": campaign_roi(sales=campaign.sales, spend=campaign.spent),
                "limit": campaign.budget + campaign.approved_extra,
                "spends": list(campaign.spends.order_by("-spent_on", "-id")),
                "approvals": list(campaign.approvals.select_related("approved_by").order_by("-approved_at")),
                "action_forms": action_forms,
                "title": campaign.name,
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.campaign(pk))

    def post(self, request, pk):
        campaign = self.campaign(pk)
        name = request.POST.get("action", "")
        if name not in self.FORMS:
            raise PermissionDenied(_("Unknown action."))
        resource, action = self.ACTIONS[name]
        if not self.actor.can(action, resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = self.FORMS[name](request.POST, actor=self.actor, prefix=name)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if name == "spend":
                    ad_spend_record(actor=self.actor, campaign=campaign, **data)
                elif name == "approval":
                    ad_budget_approve(actor=self.actor, campaign=campaign, **data)
                else:
                    campaign_record_results(actor=self.actor, campaign=campaign, **data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect(campaign.get_absolute_url())
        return self.page(campaign, (name, form), status=400)
