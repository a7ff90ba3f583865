"""Pages of clause 9 g): assets, registered, changed, handed out and taken back."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import form_errors_from, report_refusal
from agency.roles import CHANGE, DELETE
from agency.views import TenantCreateView, TenantDetailView, TenantUpdateView, TenantViewMixin
from records import filters, forms
from records.models.assets import Asset
from records.models.images import ImageRecord
from records.services.assets import asset_check_in, asset_check_out, asset_register
from records.services.common import record_update, record_void
from records.views.common import RecordListView, trail_of


class AssetListView(RecordListView):
    model = Asset
    resource = "asset"
    filterset_class = filters.AssetFilterSet
    dataset = "assets"
    title = gettext_lazy("Assets (9 g)")
    select = ("client", "custodian")
    columns = (
        ("identifier", gettext_lazy("Identifier")),
        ("name", gettext_lazy("Name")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("client", gettext_lazy("Owner client")),
        ("custodian", gettext_lazy("Custodian")),
        ("location", gettext_lazy("Location")),
        ("get_condition_display", gettext_lazy("Condition")),
    )
    ordering_fields = ("identifier", "kind", "purchase_date")
    create_url_name = "records:asset-create"


class AssetFormPage:
    model = Asset
    resource = "asset"
    form_class = forms.AssetForm

    def get_success_url(self):
        return reverse("records:asset-detail", args=[self.object.pk])


class AssetCreateView(AssetFormPage, TenantCreateView):
    title = gettext_lazy("New asset")

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            self.object = asset_register(actor=self.actor, **data)
        except ValidationError as exc:
            form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())


class AssetUpdateView(AssetFormPage, TenantUpdateView):
    title = gettext_lazy("Edit asset")

    def form_valid(self, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            self.object = record_update(actor=self.actor, record=self.get_object(), changes=changes)
        except ValidationError as exc:
            form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())


class AssetDetailView(TenantDetailView):
    model = Asset
    resource = "asset"
    template_name = "records/asset_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asset = self.object
        can_change = self.actor.can(CHANGE, "asset") and not asset.is_voided
        context.update(
            checkouts=asset.checkouts.select_related("checked_out_by", "checked_in_by").order_by("-checked_out_at"),
            open_checkout=asset.checkouts.filter(checked_in_at__isnull=True, voided_at__isnull=True).first(),
            check_out_form=forms.CheckOutForm(actor=self.actor, prefix="out") if can_change else None,
            check_in_form=forms.CheckInForm(prefix="in") if can_change else None,
            void_form=forms.VoidForm(prefix="void")
            if self.actor.can(DELETE, "asset") and not asset.is_voided
            else None,
            images=ImageRecord.objects.visible_to(self.actor).filter(
                linked_type__app_label="records", linked_type__model="asset", linked_id=asset.pk
            ),
            trail=trail_of(self.actor, asset),
            can_change=can_change,
        )
        return context


class AssetActionView(TenantViewMixin, View):
    """Check out, check in or void an asset; the services decide what is allowed."""

    resource = "asset"

    def post(self, request, pk, name):
        asset = get_object_or_404(Asset.objects.visible_to(self.actor), pk=pk)
        needed = DELETE if name == "void" else CHANGE
        if name not in ("check-out", "check-in", "void") or not self.actor.can(needed, self.resource):
            raise PermissionDenied(_("Your role does not allow this."))
        try:
            if name == "check-out":
                form = forms.CheckOutForm(request.POST, actor=self.actor, prefix="out")
                if form.is_valid():
                    asset_check_out(actor=self.actor, asset=asset, **form.cleaned_data)
            elif name == "check-in":
                form = forms.CheckInForm(request.POST, prefix="in")
                if form.is_valid():
                    asset_check_in(actor=self.actor, asset=asset, **form.cleaned_data)
            else:
                form = forms.VoidForm(request.POST, prefix="void")
                if form.is_valid():
                    record_void(actor=self.actor, record=asset, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect("records:asset-detail", pk=pk)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        else:
            messages.success(request, _("Recorded."))
        return redirect("records:asset-detail", pk=pk)
