"""Staff pages of the records app (clause 9), and the audit trail that client people read too (4.2)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from agency.charts import BAR, Chart, Series
from agency.roles import ADD, CHANGE, DELETE, VIEW
from agency.standard import CHAPTERS, CLAUSES
from agency.views import TenantCreateView, TenantDetailView, TenantListView, TenantUpdateView, TenantViewMixin
from clients.views import period_from_request
from records import exports, filters, forms, services
from records.models import (
    Asset,
    AssetCheckout,
    AuditEvent,
    DailyInspection,
    ExportJob,
    ImageRecord,
    InspectionFollowUp,
    JobStatus,
    ReportStatus,
    StatisticsReport,
    UsageRecord,
    WorkAssessmentReport,
)
from records.selectors import missed_inspections, records_overview


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def back(request) -> str:
    """Where the form was sent from (same site only), else the records' landing page."""
    target = request.META.get("HTTP_REFERER", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("records:index")


def base_template(actor) -> str:
    return "client_area/base.html" if actor.is_client_person else "base.html"


class RecordsHomeView(TenantViewMixin, View):
    """Chapter 9's landing page: each record type this period, what needs attention, the clauses."""

    allow_both = True

    def get(self, request):
        period = period_from_request(request, self.actor)
        clauses = [c for c in CLAUSES if c.chapter == "9"]
        return render(
            request,
            "records/home.html",
            {
                "period": period,
                "overview": records_overview(self.actor, period),
                "clauses": clauses,
                "chapter_title": CHAPTERS["9"],
                "base_template": base_template(self.actor),
            },
        )


class RecordListView(TenantListView):
    """A record list with its export buttons (CSV, XLSX, PDF of exactly what the filters show)."""

    template_name = "records/list.html"
    dataset = ""
    allow_both = True
    select = ()

    def scope(self, queryset):
        return queryset.select_related(*self.select)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "ordering"):
            query.pop(key, None)
        context.update(
            dataset=self.dataset,
            export_query=query.urlencode(),
            formats=["csv", "xlsx", "pdf"],
            base_template=base_template(self.actor),
            today=timezone.localdate(timezone=self.actor.agency.tz),
        )
        return context


# --- 9 g) assets ---------------------------------------------------------------------------------


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
            self.object = services.asset_register(actor=self.actor, **data)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())


class AssetUpdateView(AssetFormPage, TenantUpdateView):
    title = gettext_lazy("Edit asset")

    def form_valid(self, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            self.object = services.record_update(actor=self.actor, record=self.get_object(), changes=changes)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())


def trail_of(record, limit: int = 50):
    return (
        AuditEvent.objects.filter(model_label=record._meta.label_lower, object_pk=str(record.pk))
        .select_related("user")
        .order_by("-occurred_at", "-id")[:limit]
    )


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
            trail=trail_of(asset),
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
                    services.asset_check_out(actor=self.actor, asset=asset, **form.cleaned_data)
            elif name == "check-in":
                form = forms.CheckInForm(request.POST, prefix="in")
                if form.is_valid():
                    services.asset_check_in(actor=self.actor, asset=asset, **form.cleaned_data)
            else:
                form = forms.VoidForm(request.POST, prefix="void")
                if form.is_valid():
                    services.record_void(actor=self.actor, record=asset, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("records:asset-detail", pk=pk)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        else:
            messages.success(request, _("Recorded."))
        return redirect("records:asset-detail", pk=pk)


# --- 9 h) inspections ----------------------------------------------------------------------------


class InspectionListView(RecordListView):
    model = DailyInspection
    resource = "inspection"
    filterset_class = filters.DailyInspectionFilterSet
    dataset = "inspections"
    title = gettext_lazy("Daily inspections (9 h)")
    select = ("client", "account", "inspected_by")
    columns = (
        ("inspection_date", gettext_lazy("Day")),
        ("account", gettext_lazy("Account")),
        ("client", gettext_lazy("Client")),
        ("get_status_display", gettext_lazy("Status")),
        ("inspected_by", gettext_lazy("Inspected by")),
    )
    ordering_fields = ("inspection_date", "status")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["missed_count"] = missed_inspections(self.base_queryset(), context["today"]).count()
        return context


class InspectionDetailView(TenantDetailView):
    model = DailyInspection
    resource = "inspection"
    template_name = "records/inspection_detail.html"
    allow_both = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection = self.object
        today = timezone.localdate(timezone=self.actor.agency.tz)
        editable = self.actor.can(CHANGE, "inspection") and inspection.status == "pending" and not inspection.is_voided
        context.update(
            base_template=base_template(self.actor),
            missed=inspection.is_missed(today),
            form=forms.InspectionForm(inspection=inspection, prefix="tick") if editable else None,
            follow_up_form=forms.FollowUpForm(actor=self.actor, prefix="follow")
            if self.actor.can(ADD, "inspection") and not inspection.is_voided
            else None,
            follow_ups=inspection.follow_ups.select_related("assignee"),
            resolve_form=forms.ResolveForm(prefix="resolve") if self.actor.can(CHANGE, "inspection") else None,
            images=ImageRecord.objects.visible_to(self.actor).filter(
                linked_type__app_label="records", linked_type__model="dailyinspection", linked_id=inspection.pk
            ),
            trail=trail_of(inspection),
        )
        return context


class InspectionActionView(TenantViewMixin, View):
    resource = "inspection"

    def post(self, request, pk, name):
        inspection = get_object_or_404(DailyInspection.objects.visible_to(self.actor), pk=pk)
        try:
            if name == "tick" and self.actor.can(CHANGE, self.resource):
                form = forms.InspectionForm(request.POST, inspection=inspection, prefix="tick")
                if form.is_valid():
                    services.inspection_record(
                        actor=self.actor,
                        inspection=inspection,
                        items=form.items(),
                        problems=form.cleaned_data["problems"],
                        complete=form.cleaned_data["complete"],
                    )
            elif name == "follow-up" and self.actor.can(ADD, self.resource):
                form = forms.FollowUpForm(request.POST, actor=self.actor, prefix="follow")
                if form.is_valid():
                    services.follow_up_open(actor=self.actor, inspection=inspection, **form.cleaned_data)
            elif name == "resolve" and self.actor.can(CHANGE, self.resource):
                follow_up = self.posted_row(inspection.follow_ups.all(), "follow_up")
                form = forms.ResolveForm(request.POST, prefix="resolve")
                if form.is_valid():
                    services.follow_up_resolve(actor=self.actor, follow_up=follow_up, **form.cleaned_data)
            else:
                raise PermissionDenied(_("Your role does not allow this."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("records:inspection-detail", pk=pk)
        if form.is_valid():
            messages.success(request, _("Recorded."))
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect("records:inspection-detail", pk=pk)


class FollowUpListView(RecordListView):
    model = InspectionFollowUp
    resource = "inspection"
    filterset_class = filters.InspectionFollowUpFilterSet
    dataset = "inspection_follow_ups"
    title = gettext_lazy("Inspection follow-ups (9 h)")
    select = ("client", "assignee", "inspection__account")
    columns = (
        ("title", gettext_lazy("Title")),
        ("inspection", gettext_lazy("Inspection")),
        ("assignee", gettext_lazy("Assignee")),
        ("due_date", gettext_lazy("Due date")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("due_date", "status")


# --- 9 i) usage ----------------------------------------------------------------------------------


class UsageListView(RecordListView):
    model = UsageRecord
    resource = "usage_record"
    filterset_class = filters.UsageRecordFilterSet
    dataset = "usage_records"
    title = gettext_lazy("Usage records (9 i)")
    select = ("user", "asset", "account", "client")
    columns = (
        ("started_at", pgettext_lazy("start of a time span", "From")),
        ("ended_at", gettext_lazy("Until")),
        ("user", gettext_lazy("Used by")),
        ("get_purpose_display", gettext_lazy("Purpose")),
        ("asset", gettext_lazy("Asset")),
        ("account", gettext_lazy("Account")),
        ("client", gettext_lazy("Client")),
    )
    ordering_fields = ("started_at", "purpose")
    create_url_name = "records:usage-create"


class FormPage(TenantViewMixin, View):
    """A form whose valid data goes to one service; errors come back on the form."""

    form_class = None
    title = ""
    action = ADD

    def get(self, request):
        return self.render(self.make_form(initial=request.GET.dict()))

    def post(self, request):
        form = self.make_form(data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                obj = self.save(form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.success_url(obj))
        return self.render(form, status=400 if request.method == "POST" else 200)

    def make_form(self, **kwargs):
        return self.form_class(actor=self.actor, **kwargs)

    def render(self, form, status=200):
        return render(self.request, "agency/form.html", {"form": form, "title": self.title}, status=status)


class UsageCreateView(FormPage):
    resource = "usage_record"
    form_class = forms.UsageRecordForm
    title = gettext_lazy("Record a use (9 i)")

    def save(self, data):
        return services.usage_record_create(actor=self.actor, **data)

    def success_url(self, obj):
        return reverse("records:usage-list")


# --- 9 j), 9 k) reports --------------------------------------------------------------------------


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


class StatisticsCreateView(FormPage):
    resource = "statistics_report"
    form_class = forms.StatisticsRequestForm
    title = gettext_lazy("Build a data statistics report (9 j)")

    def save(self, data):
        return services.statistics_report_request(actor=self.actor, **data)

    def success_url(self, obj):
        return reverse("records:statistics-detail", args=[obj.pk])


class AssessmentCreateView(FormPage):
    resource = "assessment_report"
    form_class = forms.AssessmentRequestForm
    title = gettext_lazy("Build a work assessment report (9 k)")

    def save(self, data):
        return services.assessment_report_request(actor=self.actor, **data)

    def success_url(self, obj):
        return reverse("records:assessment-detail", args=[obj.pk])


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
            no_data_message=exports.no_data_message(),
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
        if fmt not in exports.CONTENT_TYPES:
            raise Http404
        try:
            content = exports.render_report(report, fmt)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(report.get_absolute_url())
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{exports.report_filename(report, fmt)}"'
        return response


class StatisticsFileView(ReportFileView):
    model = StatisticsReport
    resource = "statistics_report"


class AssessmentFileView(ReportFileView):
    model = WorkAssessmentReport
    resource = "assessment_report"


# --- 9 l) images ---------------------------------------------------------------------------------


class ImageListView(RecordListView):
    model = ImageRecord
    resource = "image_record"
    filterset_class = filters.ImageRecordFilterSet
    dataset = "image_records"
    title = gettext_lazy("Image records (9 l)")
    template_name = "records/image_list.html"
    select = ("client",)
    ordering_fields = ("taken_on",)
    create_url_name = "records:image-create"


class ImageCreateView(FormPage):
    resource = "image_record"
    form_class = forms.ImageRecordForm
    title = gettext_lazy("Add a photo (9 l)")

    def save(self, data):
        return services.image_record_create(actor=self.actor, upload=data.pop("image"), **data)

    def success_url(self, obj):
        return reverse("records:image-detail", args=[obj.pk])


class ImageDetailView(TenantDetailView):
    model = ImageRecord
    resource = "image_record"
    template_name = "records/image_detail.html"
    allow_both = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(base_template=base_template(self.actor), trail=trail_of(self.object))
        return context


class ImageFileView(TenantViewMixin, View):
    """The stored picture or its thumbnail, for those who may see the record (never a public URL)."""

    resource = "image_record"
    allow_both = True

    def get(self, request, pk, which):
        record = get_object_or_404(ImageRecord.objects.visible_to(self.actor), pk=pk)
        if which not in ("image", "thumbnail"):
            raise Http404
        stored = getattr(record, which)
        return FileResponse(stored.open("rb"), filename=stored.name.rsplit("/", 1)[-1])


# --- 4.2 the audit trail -------------------------------------------------------------------------


class AuditListView(RecordListView):
    model = AuditEvent
    resource = "audit_event"
    filterset_class = filters.AuditEventFilterSet
    dataset = "audit_events"
    title = gettext_lazy("Audit trail (4.2)")
    template_name = "records/audit_list.html"
    select = ("user",)
    ordering_fields = ("occurred_at",)
    paginate_by = 50


# --- exports -------------------------------------------------------------------------------------


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
            job = services.export_request(
                actor=self.actor, dataset=form.cleaned_data["dataset"], format=form.cleaned_data["format"], query=query
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
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


# --- voiding any record --------------------------------------------------------------------------

VOIDABLE = {
    "asset": (Asset, "asset"),
    "checkout": (AssetCheckout, "asset"),
    "inspection": (DailyInspection, "inspection"),
    "follow-up": (InspectionFollowUp, "inspection"),
    "usage": (UsageRecord, "usage_record"),
    "statistics": (StatisticsReport, "statistics_report"),
    "assessment": (WorkAssessmentReport, "assessment_report"),
    "image": (ImageRecord, "image_record"),
}


class VoidView(TenantViewMixin, View):
    """Void a record with a reason (clause 9: records are never deleted)."""

    def post(self, request, kind, pk):
        if kind not in VOIDABLE:
            raise Http404
        model, resource = VOIDABLE[kind]
        record = get_object_or_404(model.objects.visible_to(self.actor), pk=pk)
        if not self.actor.can(DELETE, resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = forms.VoidForm(request.POST, prefix="void")
        if form.is_valid():
            try:
                services.record_void(actor=self.actor, record=record, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The record is void; it stays in the lists, exports and trail."))
        else:
            messages.error(request, _("Say why the record is voided."))
        return redirect(back(request))
