"""Pages of clause 9 j), 9 k): data statistics and work assessment reports, their charts and files."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View

from agency.charts import BAR, Chart, Series
from agency.pages import ServiceActionView, base_template, report_refusal
from agency.views import TenantDetailView, TenantViewMixin
from records import filters, forms
from records.exports.reports import no_data_message, render_report, report_filename
from records.exports.tables import CONTENT_TYPES
from records.models.reports import ReportStatus, StatisticsReport, WorkAssessmentReport
from records.services.reports import assessment_report_request, statistics_report_request
from records.views.common import RecordListView


class StatisticsListView(RecordListView):
    model = StatisticsReport
    resource = "statistics_report"
    filterset_class = filters.StatisticsReportFilterSet
    dataset = "statistics_reports"
    title = gettext_lazy("Data statistics reports (9 j)")
    select = ("client",)
    columns = (
        ("client", gettext_lazy("Client")),
        ("period_label", gettext_lazy("Period")),
        ("get_cadence_display", gettext_lazy("Made")),
        ("get_status_display", gettext_lazy("Status")),
        ("generated_at", gettext_lazy("Generated at")),
    )
    ordering_fields = ("period_start", "status")
    create_url_name = "records:statistics-create"


class AssessmentListView(RecordListView):
    model = WorkAssessmentReport
    resource = "assessment_report"
    filterset_class = filters.WorkAssessmentReportFilterSet
    dataset = "assessment_reports"
    title = gettext_lazy("Work assessment reports (9 k)")
    select = ("client", "staff")
    columns = (
        ("subject", gettext_lazy("About")),
        ("period_label", gettext_lazy("Period")),
        ("get_cadence_display", gettext_lazy("Made")),
        ("get_status_display", gettext_lazy("Status")),
        ("generated_at", gettext_lazy("Generated at")),
    )
    ordering_fields = ("period_start", "status")
    create_url_name = "records:assessment-create"


class StatisticsCreateView(ServiceActionView):
    resource = "statistics_report"
    form_class = forms.StatisticsRequestForm
    title = gettext_lazy("Build a data statistics report (9 j)")
    service = statistics_report_request


class AssessmentCreateView(ServiceActionView):
    resource = "assessment_report"
    form_class = forms.AssessmentRequestForm
    title = gettext_lazy("Build a work assessment report (9 k)")
    service = assessment_report_request


class ReportDetailView(TenantDetailView):
    template_name = "records/report_detail.html"
    allow_both = True
    file_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        sections = []
        for number, section in enumerate((report.data or {}).get("sections", [])):
            charts = [
                (f"report-chart-{number}-{index}", report_chart(chart)) for index, chart in enumerate(section["charts"])
            ]
            sections.append({**section, "charts": charts})
        data = report.data or {}
        context.update(
            heading=data.get("title") or report._meta.verbose_name,
            subject=data.get("subject") or str(getattr(report, "subject", None) or report.client),
            base_template=base_template(self.actor),
            sections=sections,
            building=report.status in (ReportStatus.PENDING, ReportStatus.BUILDING),
            job_url=reverse(f"{report._meta.model_name}-detail", args=[report.pk]),
            ready=report.status == ReportStatus.READY,
            file_url_name=self.file_url_name,
            no_data_message=no_data_message(),
            formats=["csv", "xlsx", "pdf"],
        )
        return context


def report_chart(chart: dict) -> Chart:
    """A report's stored bar chart (``records.selectors.Section.chart``) for the page to draw."""
    return Chart(
        title=chart["title"],
        labels=chart["labels"],
        series=[Series("value", chart["title"], chart["values"], style=BAR)],
        over_time=False,
    )


class StatisticsDetailView(ReportDetailView):
    model = StatisticsReport
    resource = "statistics_report"
    file_url_name = "records:statistics-file"


class AssessmentDetailView(ReportDetailView):
    model = WorkAssessmentReport
    resource = "assessment_report"
    file_url_name = "records:assessment-file"


class ReportFileView(TenantViewMixin, View):
    allow_both = True
    model = None

    def get(self, request, pk, fmt):
        report = get_object_or_404(self.model.objects.visible_to(self.actor), pk=pk)
        if fmt not in CONTENT_TYPES:
            raise Http404
        try:
            content = render_report(report, fmt)
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect(report.get_absolute_url())
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{report_filename(report, fmt)}"'
        return response


class StatisticsFileView(ReportFileView):
    model = StatisticsReport
    resource = "statistics_report"


class AssessmentFileView(ReportFileView):
    model = WorkAssessmentReport
    resource = "assessment_report"
