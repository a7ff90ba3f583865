"""Staff pages of clause 6.2, profile changes (avatar, banner, bio, nickname). Thin: forms collect,
services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops.api.profile import ProfileChangeFilterSet
from accounts_ops.forms.profile import ApplyForm, DecisionForm, ProfileBaselineForm, ProfileChangeForm
from accounts_ops.models.profile import ProfileChange
from accounts_ops.services.profile import (
    profile_change_apply,
    profile_change_decide,
    profile_change_request,
    profile_record_baseline,
)
from accounts_ops.views.common import _account_page
from agency.http import file_response
from agency.pages import ServiceActionView, form_errors_from
from agency.roles import CHANGE, DECIDE
from agency.views import TenantListView, TenantViewMixin


class ProfileListView(TenantListView):
    model = ProfileChange
    resource = "profile_change"
    filterset_class = ProfileChangeFilterSet
    title = gettext_lazy("Profile changes (6.2)")
    columns = (
        ("get_field_display", gettext_lazy("Part")),
        ("account", gettext_lazy("Account")),
        ("after_text", gettext_lazy("After")),
        ("get_status_display", gettext_lazy("Status")),
        ("requested_at", gettext_lazy("Asked at")),
        ("applied_on", gettext_lazy("Applied on")),
    )
    ordering_fields = ("requested_at", "applied_on", "status")
    create_url_name = "accounts_ops:profile-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class ProfileCreateView(ServiceActionView):
    resource = "profile_change"
    form_class = ProfileChangeForm
    title = gettext_lazy("Ask for a profile change (6.2)")
    allow_both = True
    service = profile_change_request

    def success_url(self, result):
        return result.get_absolute_url()


class ProfileBaselineView(ServiceActionView):
    resource = "profile_change"
    form_class = ProfileBaselineForm
    title = gettext_lazy("Record the profile as found (6.2)")
    service = profile_record_baseline

    def success_url(self, result):
        return _account_page(result.account_id)


class ProfileDetailView(TenantViewMixin, View):
    resource = "profile_change"
    allow_both = True
    ACTIONS = {"approve": DECIDE, "reject": DECIDE, "apply": CHANGE}

    def page(self, change, forms_=None, status=200):
        forms_ = forms_ or {}
        action_forms = {
            "approve": forms_.get("approve") or DecisionForm(prefix="approve"),
            "reject": forms_.get("reject") or DecisionForm(prefix="reject"),
            "apply": forms_.get("apply")
            or ApplyForm(prefix="apply", initial={"applied_on": self.actor.agency.today()}),
        }
        allowed = {name: self.actor.can(action, self.resource) for name, action in self.ACTIONS.items()}
        return render(
            self.request,
            "accounts_ops/profile_detail.html",
            {"object": change, "action_forms": action_forms, "allowed": allowed, "title": str(change)},
            status=status,
        )

    def change(self, pk):
        return get_object_or_404(ProfileChange.objects.visible_to(self.actor).select_related("account"), pk=pk)

    def get(self, request, pk):
        return self.page(self.change(pk))

    def post(self, request, pk):
        change = self.change(pk)
        name = request.POST.get("action", "")
        if name not in self.ACTIONS or not self.actor.can(self.ACTIONS[name], self.resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = (ApplyForm if name == "apply" else DecisionForm)(request.POST, prefix=name)
        if form.is_valid():
            try:
                if name == "apply":
                    profile_change_apply(actor=self.actor, change=change, **form.cleaned_data)
                else:
                    profile_change_decide(
                        actor=self.actor, change=change, approve=name == "approve", note=form.cleaned_data["note"]
                    )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Profile change updated."))
                return redirect(change.get_absolute_url())
        return self.page(change, {name: form}, status=400)


class ProfileImageView(TenantViewMixin, View):
    """The image before or after a profile change, to people who may see the change."""

    resource = "profile_change"
    allow_both = True
    SIDES = {"before": "before_image", "after": "after_image"}

    def get(self, request, pk, side):
        if side not in self.SIDES:
            raise Http404
        change = get_object_or_404(ProfileChange.objects.visible_to(self.actor), pk=pk)
        stored = getattr(change, self.SIDES[side])
        if not stored:
            raise Http404
        return file_response(request, stored)
