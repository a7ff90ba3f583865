"""Staff pages of clause 6.3, pinned videos and their boosts. Thin: forms collect, services
decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops.api.pinned import BoostTaskFilterSet, PinnedVideoFilterSet
from accounts_ops.forms.pinned import BoostRecordForm, PinForm, PlanForm, UnpinForm
from accounts_ops.models.pinned import BoostTask, BoostTaskStatus, PinnedVideo
from accounts_ops.services.pinned import boost_record, pinned_video_pin, pinned_video_unpin, pinned_video_update_plan
from accounts_ops.views.common import _account_page
from agency.pages import ServiceActionView, report_refusal
from agency.roles import CHANGE
from agency.views import TenantListView, TenantViewMixin


class PinnedListView(TenantListView):
    model = PinnedVideo
    resource = "pinned_video"
    filterset_class = PinnedVideoFilterSet
    title = gettext_lazy("Pinned videos (6.3)")
    columns = (
        ("account", gettext_lazy("Account")),
        ("slot", gettext_lazy("Slot")),
        ("video", gettext_lazy("Video")),
        ("pinned_on", gettext_lazy("Pinned on")),
        ("unpinned_on", gettext_lazy("Unpinned on")),
        ("boost_interval_days", gettext_lazy("Boost every (days)")),
        ("boost_budget", gettext_lazy("Budget per boost (yuan)")),
    )
    ordering_fields = ("pinned_on", "slot")
    create_url_name = "accounts_ops:pin-create"

    def scope(self, queryset):
        return queryset.select_related("account", "video")


class PinCreateView(ServiceActionView):
    resource = "pinned_video"
    form_class = PinForm
    title = gettext_lazy("Pin a video (6.3)")
    service = pinned_video_pin

    def success_url(self, result):
        return _account_page(result.account_id)


class PlanUpdateView(ServiceActionView):
    resource = "pinned_video"
    action = CHANGE
    form_class = PlanForm
    title = gettext_lazy("Change the boost plan (6.3)")

    def get_object(self):
        return get_object_or_404(PinnedVideo.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return pinned_video_update_plan(actor=self.actor, pinned=self.object, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class UnpinView(TenantViewMixin, View):
    resource = "pinned_video"
    action = CHANGE

    def post(self, request, pk):
        pinned = get_object_or_404(PinnedVideo.objects.visible_to(self.actor), pk=pk)
        form = UnpinForm(request.POST)
        try:
            data = form.cleaned_data if form.is_valid() else {}
            result = pinned_video_unpin(actor=self.actor, pinned=pinned, **data)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Video unpinned."))
            if result.account_flagged:
                messages.error(request, _("This account has no pinned video now; clause 6.3 asks for 1 to 3."))
        return redirect(_account_page(pinned.account_id))


class BoostTaskListView(TenantListView):
    model = BoostTask
    resource = "boost"
    filterset_class = BoostTaskFilterSet
    title = gettext_lazy("Boost tasks (6.3)")
    columns = (
        ("due_on", gettext_lazy("Due on")),
        ("account", gettext_lazy("Account")),
        ("pinned_video", gettext_lazy("Pinned video")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("due_on",)
    create_url_name = "accounts_ops:boost-create"

    def scope(self, queryset):
        if "status" not in self.request.GET:
            queryset = queryset.filter(status=BoostTaskStatus.OPEN)
        return queryset.select_related("account", "pinned_video__video")


class BoostCreateView(ServiceActionView):
    resource = "boost"
    form_class = BoostRecordForm
    title = gettext_lazy("Record a boost (6.3)")

    def perform(self, data):
        return boost_record(actor=self.actor, **{k: v for k, v in data.items() if v not in (None, "") or k == "spend"})

    def success_url(self, result):
        return _account_page(result.account_id)
