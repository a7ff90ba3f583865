"""Staff pages of clause 6.6, promotion tasks. Thin: forms collect, services decide."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from accounts_ops.api.promotion import PromotionTaskFilterSet
from accounts_ops.forms.promotion import PromotionCompleteForm, PromotionForm
from accounts_ops.models.promotion import PromotionTask
from accounts_ops.services.promotion import promotion_complete, promotion_plan
from agency.pages import ServiceActionView
from agency.roles import CHANGE
from agency.views import TenantListView


class PromotionListView(TenantListView):
    model = PromotionTask
    resource = "promotion"
    filterset_class = PromotionTaskFilterSet
    title = gettext_lazy("Promotion tasks (6.6)")
    columns = (
        ("target", gettext_lazy("Target")),
        ("account", gettext_lazy("Account")),
        ("get_channel_display", gettext_lazy("Channel")),
        ("planned_on", gettext_lazy("Planned on")),
        ("done_on", gettext_lazy("Done on")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("planned_on", "done_on")
    create_url_name = "accounts_ops:promotion-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class PromotionCreateView(ServiceActionView):
    resource = "promotion"
    form_class = PromotionForm
    title = gettext_lazy("Plan a promotion (6.6)")
    service = promotion_plan
    success_url_name = "accounts_ops:promotion-list"


class PromotionCompleteView(ServiceActionView):
    resource = "promotion"
    action = CHANGE
    form_class = None
    title = gettext_lazy("Record a done promotion (6.6)")

    def get_object(self):
        return get_object_or_404(PromotionTask.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def make_form(self, data=None, files=None):
        return PromotionCompleteForm(data, initial={"done_on": self.actor.agency.today()})

    def perform(self, data):
        return promotion_complete(actor=self.actor, task=self.object, **data)

    success_url_name = "accounts_ops:promotion-list"
