"""Staff pages of the platform-data file imports. Thin: forms collect, services decide."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops.api.imports import DataImportFilterSet
from accounts_ops.forms.imports import DataImportForm
from accounts_ops.models.imports import DataImport
from accounts_ops.services.imports import data_import_request
from agency.pages import ServiceActionView
from agency.views import TenantListView, TenantViewMixin


class ImportListView(TenantListView):
    model = DataImport
    resource = "data_import"
    filterset_class = DataImportFilterSet
    title = gettext_lazy("Imports of platform data")
    columns = (
        ("get_kind_display", gettext_lazy("Kind of data")),
        ("source", gettext_lazy("File")),
        ("account", gettext_lazy("Account")),
        ("get_status_display", gettext_lazy("Status")),
        ("rows_accepted", gettext_lazy("Rows accepted")),
        ("rows_rejected", gettext_lazy("Rows rejected")),
        ("created_at", gettext_lazy("Uploaded at")),
    )
    ordering_fields = ("created_at", "status")
    create_url_name = "accounts_ops:import-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class ImportCreateView(ServiceActionView):
    resource = "data_import"
    form_class = DataImportForm
    title = gettext_lazy("Import a file of platform data")
    success_message = gettext_lazy("The file is being imported; its progress shows below.")
    service = data_import_request

    def success_url(self, result):
        return result.get_absolute_url()


class ImportDetailView(TenantViewMixin, View):
    resource = "data_import"

    def get(self, request, pk):
        job = get_object_or_404(DataImport.objects.visible_to(self.actor).select_related("account"), pk=pk)
        return render(request, "accounts_ops/import_detail.html", {"object": job, "title": str(job)})
