"""Pages of exports (clause 9, "paper or electronic"): asked for, followed and downloaded."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import base_template, report_refusal
from agency.roles import VIEW
from agency.views import TenantDetailView, TenantViewMixin
from records import filters, forms
from records.models.exports import ExportJob, JobStatus
from records.services.exports import export_request
from records.views.common import RecordListView, back


class ExportListView(RecordListView):
    model = ExportJob
    resource = "export_job"
    filterset_class = filters.ExportJobFilterSet
    title = gettext_lazy("Exports")
    select = ("requested_by",)
    columns = (
        ("dataset_title", gettext_lazy("Record list")),
        ("get_format_display", gettext_lazy("Format")),
        ("get_status_display", gettext_lazy("Status")),
        ("progress", gettext_lazy("Progress (%)")),
        ("requested_by", gettext_lazy("Requested by")),
        ("created_at", gettext_lazy("Asked at")),
    )


class ExportCreateView(TenantViewMixin, View):
    """Ask for an export of the list as filtered; a task makes the file."""

    resource = "export_job"
    allow_both = True

    def post(self, request):
        form = forms.ExportForm(request.POST)
        if not form.is_valid():
            raise Http404
        query = dict(parse_qsl(form.cleaned_data["query"] or ""))
        try:
            job = export_request(
                actor=self.actor, dataset=form.cleaned_data["dataset"], format=form.cleaned_data["format"], query=query
            )
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect(back(request))
        return redirect("records:export-detail", pk=job.pk)


class ExportDetailView(TenantDetailView):
    model = ExportJob
    resource = "export_job"
    template_name = "records/export_detail.html"
    allow_both = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        context.update(
            base_template=base_template(self.actor),
            running=job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
            dataset_title=job.dataset_title,
        )
        return context


class ExportDownloadView(TenantViewMixin, View):
    resource = "export_job"
    action = VIEW
    allow_both = True

    def get(self, request, pk):
        job = get_object_or_404(ExportJob.objects.visible_to(self.actor), pk=pk)
        if job.status != JobStatus.DONE or not job.file:
            messages.error(request, _("The export is not ready yet."))
            return redirect("records:export-detail", pk=pk)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
