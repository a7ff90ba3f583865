"""Staff pages of chapter 7, advanced account operations, and of the platform-data imports.
Thin: forms collect, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from accounts_ops import forms, services
from accounts_ops.api.advanced import (
    AudiencePersonaReportFilterSet,
    ContentPlanFilterSet,
    HotTopicFilterSet,
    IpPersonaFilterSet,
    OpinionAlertFilterSet,
    VideoCommentFilterSet,
)
from accounts_ops.api.metrics import DataImportFilterSet
from accounts_ops.models import (
    AudiencePersonaReport,
    CommentAction,
    CommentStatus,
    ContentPlan,
    ContentPlanTopic,
    DataImport,
    HotTopic,
    IpPersona,
    OpinionAlert,
    VideoComment,
)
from accounts_ops.selectors import advanced_operations_dashboard, persona_sections
from accounts_ops.views.common import ServiceFormView, add_errors
from agency.conformance import CHECKS
from agency.roles import ADD, CHANGE
from agency.standard import CHAPTERS, CLAUSES
from agency.views import TenantListView, TenantViewMixin
from clients.models import PlatformAccount


class AdvancedDashboardView(TenantViewMixin, View):
    """Chapter 7: comments waiting (negative first), open opinion alerts, hot topics and upcoming
    plans, persona reports and IP personas, the latest imports, and the clauses."""

    resource = "comment"

    def get(self, request):
        context = advanced_operations_dashboard(self.actor)
        context.update(
            chapter_title=CHAPTERS["7"],
            title=CHAPTERS["7"],
            clauses=[{"clause": c, "implemented": c.id in CHECKS} for c in CLAUSES if c.chapter == "7"],
            can_import=self.actor.can(ADD, "data_import"),
        )
        return render(request, "accounts_ops/advanced.html", context)


# --- 7.1 comments ---------------------------------------------------------------------------


class CommentListView(TenantListView):
    model = VideoComment
    resource = "comment"
    filterset_class = VideoCommentFilterSet
    template_name = "accounts_ops/comment_list.html"
    title = gettext_lazy("Comment inbox (7.1)")
    ordering_fields = ("posted_at", "like_count", "sentiment_score")

    def scope(self, queryset):
        if "status" not in self.request.GET:
            queryset = queryset.filter(status=CommentStatus.WAITING, is_from_account=False)
        return queryset.select_related("account", "video", "assignee").order_by("-posted_at", "-id")


class CommentDetailView(TenantViewMixin, View):
    """One comment with its thread of actions, and the forms to work it."""

    resource = "comment"
    allow_both = True
    ACTIONS = {
        "reply": ADD,
        "pin": CHANGE,
        "unpin": CHANGE,
        "hide": CHANGE,
        "unhide": CHANGE,
        "assign": CHANGE,
        "handle": CHANGE,
    }

    def comment(self, pk):
        return get_object_or_404(
            VideoComment.objects.visible_to(self.actor).select_related("account", "video", "assignee"), pk=pk
        )

    def page(self, comment, bound=None, status=200):
        action_forms = {
            "reply": forms.CommentReplyForm(prefix="reply"),
            "hide": forms.CommentHideForm(prefix="hide"),
            "assign": forms.CommentAssignForm(
                prefix="assign", actor=self.actor, initial={"assignee": comment.assignee_id}
            ),
            "handle": forms.CommentNoteForm(prefix="handle"),
        }
        if bound is not None:
            action_forms[bound[0]] = bound[1]
        return render(
            self.request,
            "accounts_ops/comment_detail.html",
            {
                "object": comment,
                "actions": list(CommentAction.objects.filter(comment=comment).select_related("author").order_by("id")),
                "action_forms": action_forms,
                "can_add": self.actor.can(ADD, "comment"),
                "can_change": self.actor.can(CHANGE, "comment"),
                "title": str(comment),
                "base_template": "client_area/base.html" if self.actor.is_client_person else "base.html",
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.comment(pk))

    def post(self, request, pk):
        comment = self.comment(pk)
        name = request.POST.get("action", "")
        if name not in self.ACTIONS or not self.actor.can(self.ACTIONS[name], "comment"):
            raise PermissionDenied(_("Your role does not allow this."))
        form = None
        try:
            if name == "reply":
                form = forms.CommentReplyForm(request.POST, prefix="reply")
                if form.is_valid():
                    services.comment_reply(actor=self.actor, comment=comment, text=form.cleaned_data["text"])
            elif name in ("pin", "unpin"):
                services.comment_pin(actor=self.actor, comment=comment, pinned=name == "pin")
            elif name == "hide":
                form = forms.CommentHideForm(request.POST, prefix="hide")
                if form.is_valid():
                    services.comment_hide(actor=self.actor, comment=comment, note=form.cleaned_data["note"])
            elif name == "unhide":
                services.comment_hide(actor=self.actor, comment=comment, hidden=False)
            elif name == "assign":
                form = forms.CommentAssignForm(request.POST, prefix="assign", actor=self.actor)
                if form.is_valid():
                    services.comment_assign(actor=self.actor, comment=comment, assignee=form.cleaned_data["assignee"])
            else:
                form = forms.CommentNoteForm(request.POST, prefix="handle")
                if form.is_valid():
                    services.comment_mark_handled(actor=self.actor, comment=comment, note=form.cleaned_data["note"])
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return redirect(comment.get_absolute_url())
            add_errors(form, exc)
        if form is not None and form.errors:
            return self.page(comment, (name, form), status=400)
        messages.success(request, _("Saved."))
        return redirect(comment.get_absolute_url())


class GuideCreateView(ServiceFormView):
    resource = "comment"
    form_class = forms.GuideForm
    title = gettext_lazy("Seed a guide comment (7.1)")

    def perform(self, data):
        return services.comment_guide_post(actor=self.actor, **data)

    def success_url(self, result):
        return result.get_absolute_url()


class AlertListView(TenantListView):
    model = OpinionAlert
    resource = "opinion_alert"
    filterset_class = OpinionAlertFilterSet
    title = gettext_lazy("Opinion alerts (7.1)")
    columns = (
        ("raised_at", gettext_lazy("Raised at")),
        ("account", gettext_lazy("Account")),
        ("negative_share", gettext_lazy("Negative share")),
        ("peak_share", gettext_lazy("Peak")),
        ("comments_count", gettext_lazy("Comments in the window")),
        ("get_status_display", gettext_lazy("Status")),
        ("episode_ended_at", gettext_lazy("Episode ended")),
    )
    ordering_fields = ("raised_at", "negative_share")

    def scope(self, queryset):
        return queryset.select_related("account")


class AlertDetailView(TenantViewMixin, View):
    resource = "opinion_alert"
    allow_both = True

    def alert(self, pk):
        return get_object_or_404(OpinionAlert.objects.visible_to(self.actor).select_related("account"), pk=pk)

    def page(self, alert, form=None, status=200):
        negatives = (
            VideoComment.objects.visible_to(self.actor)
            .filter(
                account=alert.account,
                sentiment="negative",
                posted_at__gt=alert.window_start,
                posted_at__lte=alert.episode_ended_at or timezone.now(),
            )
            .select_related("video")
            .order_by("-posted_at")[:30]
        )
        return render(
            self.request,
            "accounts_ops/alert_detail.html",
            {
                "object": alert,
                "negatives": negatives,
                "form": form or forms.AlertHandleForm(),
                "can_handle": self.actor.can(CHANGE, "opinion_alert") and alert.status == "open",
                "title": str(alert),
                "base_template": "client_area/base.html" if self.actor.is_client_person else "base.html",
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.alert(pk))

    def post(self, request, pk):
        alert = self.alert(pk)
        if not self.actor.can(CHANGE, "opinion_alert"):
            raise PermissionDenied(_("Your role does not allow this."))
        form = forms.AlertHandleForm(request.POST)
        if form.is_valid():
            try:
                services.opinion_alert_handle(actor=self.actor, alert=alert, note=form.cleaned_data["note"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The alert is handled."))
                return redirect(alert.get_absolute_url())
        return self.page(alert, form, status=400)


# --- 7.2 hot topics and plans ------------------------------------------------------------------


class TopicListView(TenantListView):
    model = HotTopic
    resource = "hot_topic"
    filterset_class = HotTopicFilterSet
    title = gettext_lazy("Hot topics (7.2)")
    columns = (
        ("title", gettext_lazy("Title")),
        ("get_platform_display", gettext_lazy("Platform")),
        ("heat", gettext_lazy("Heat")),
        ("rank", gettext_lazy("Rank")),
        ("seen_at", gettext_lazy("Seen at")),
        ("source", gettext_lazy("Source")),
    )
    ordering_fields = ("seen_at", "heat", "rank")
    create_url_name = "accounts_ops:topic-create"


class TopicCreateView(ServiceFormView):
    resource = "hot_topic"
    form_class = forms.HotTopicForm
    title = gettext_lazy("Enter a hot topic (7.2)")

    def perform(self, data):
        return services.hot_topic_save(actor=self.actor, **data)

    def success_url(self, result):
        return reverse("accounts_ops:topic-list")


class PlanListView(TenantListView):
    model = ContentPlan
    resource = "content_plan"
    filterset_class = ContentPlanFilterSet
    title = gettext_lazy("Content plans (7.2)")
    columns = (
        ("title", gettext_lazy("Title")),
        ("account", gettext_lazy("Account")),
        ("planned_on", gettext_lazy("Planned for")),
        ("get_status_display", gettext_lazy("Status")),
        ("video_project", gettext_lazy("Video project")),
    )
    ordering_fields = ("planned_on", "status")
    create_url_name = "accounts_ops:plan-create"

    def scope(self, queryset):
        return queryset.select_related("account", "video_project")


class PlanCreateView(ServiceFormView):
    resource = "content_plan"
    form_class = forms.ContentPlanForm
    title = gettext_lazy("Plan content from hot topics (7.2)")

    def perform(self, data):
        return services.content_plan_create(actor=self.actor, **data)

    def success_url(self, result):
        return result.get_absolute_url()


class PlanDetailView(TenantViewMixin, View):
    """A plan with the topics it rides; staff link or unlink a topic and edit the plan."""

    resource = "content_plan"
    allow_both = True

    def plan(self, pk):
        return get_object_or_404(
            ContentPlan.objects.visible_to(self.actor).select_related("account", "video_project"), pk=pk
        )

    def page(self, plan, bound=None, status=200):
        action_forms = {
            "link": forms.PlanTopicForm(prefix="link", actor=self.actor),
            "edit": forms.ContentPlanEditForm(prefix="edit", actor=self.actor, instance=plan),
        }
        if bound is not None:
            action_forms[bound[0]] = bound[1]
        return render(
            self.request,
            "accounts_ops/plan_detail.html",
            {
                "object": plan,
                "links": list(ContentPlanTopic.objects.filter(plan=plan).select_related("topic").order_by("id")),
                "action_forms": action_forms,
                "can_change": self.actor.can(CHANGE, "content_plan"),
                "title": plan.title,
                "base_template": "client_area/base.html" if self.actor.is_client_person else "base.html",
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.plan(pk))

    def post(self, request, pk):
        plan = self.plan(pk)
        if not self.actor.can(CHANGE, "content_plan"):
            raise PermissionDenied(_("Your role does not allow this."))
        name = request.POST.get("action", "")
        if name == "unlink":
            link = self.posted_row(ContentPlanTopic.objects.visible_to(self.actor).filter(plan=plan), "link")
            services.content_plan_unlink_topic(actor=self.actor, link=link)
            return redirect(plan.get_absolute_url())
        if name == "link":
            form = forms.PlanTopicForm(request.POST, prefix="link", actor=self.actor)
        elif name == "edit":
            form = forms.ContentPlanEditForm(request.POST, prefix="edit", actor=self.actor, instance=plan)
        else:
            raise PermissionDenied(_("Unknown action."))
        if form.is_valid():
            try:
                if name == "link":
                    services.content_plan_link_topic(actor=self.actor, plan=plan, **form.cleaned_data)
                else:
                    services.content_plan_update(actor=self.actor, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(plan.get_absolute_url())
        return self.page(plan, (name, form), status=400)


# --- 7.3 audience ----------------------------------------------------------------------------


class PersonaReportListView(TenantListView):
    model = AudiencePersonaReport
    resource = "audience"
    filterset_class = AudiencePersonaReportFilterSet
    template_name = "accounts_ops/persona_list.html"
    title = gettext_lazy("Audience persona reports (7.3)")
    columns = (
        ("account", gettext_lazy("Account")),
        ("period_start", gettext_lazy("From")),
        ("period_end", gettext_lazy("To")),
        ("get_trigger_display", gettext_lazy("Made")),
    )
    ordering_fields = ("period_end",)

    def scope(self, queryset):
        return queryset.select_related("account")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["accounts"] = PlatformAccount.objects.visible_to(self.actor).order_by("handle")
        context["can_request"] = self.actor.can(ADD, "audience")
        return context


class PersonaDetailView(TenantViewMixin, View):
    resource = "audience"
    allow_both = True

    def get(self, request, pk):
        report = get_object_or_404(
            AudiencePersonaReport.objects.visible_to(self.actor).select_related("account", "snapshot", "previous"),
            pk=pk,
        )
        language = get_language() or "zh-hans"
        return render(
            request,
            "accounts_ops/persona_detail.html",
            {
                "object": report,
                "summary": report.summary_zh if language.startswith("zh") else report.summary_en,
                "other_summary": report.summary_en if language.startswith("zh") else report.summary_zh,
                "sections": persona_sections(report, language),
                "title": str(report.account),
                "base_template": "client_area/base.html" if self.actor.is_client_person else "base.html",
            },
        )


class PersonaRequestView(TenantViewMixin, View):
    resource = "audience"
    action = ADD

    def post(self, request):
        account = self.posted_row(PlatformAccount.objects.visible_to(self.actor), "account")
        try:
            report = services.persona_report_request(actor=self.actor, account=account)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts_ops:persona-list")
        return redirect(report.get_absolute_url())


# --- 7.4 IP persona --------------------------------------------------------------------------


class IpPersonaListView(TenantListView):
    model = IpPersona
    resource = "ip_persona"
    filterset_class = IpPersonaFilterSet
    template_name = "accounts_ops/ip_persona_list.html"
    title = gettext_lazy("IP personas (7.4)")
    ordering_fields = ("version", "effective_from")
    create_url_name = "accounts_ops:persona-ip-create"

    def scope(self, queryset):
        if "is_current" not in self.request.GET and "account" not in self.request.GET:
            queryset = queryset.filter(is_current=True)
        return queryset.select_related("account").order_by("account_id", "-version")


class IpPersonaCreateView(ServiceFormView):
    resource = "ip_persona"
    form_class = forms.IpPersonaForm
    title = gettext_lazy("New version of an IP persona (7.4)")

    def perform(self, data):
        return services.ip_persona_record(actor=self.actor, **data)

    def success_url(self, result):
        return result.get_absolute_url()


# --- platform data in ------------------------------------------------------------------------


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


class ImportCreateView(ServiceFormView):
    resource = "data_import"
    form_class = forms.DataImportForm
    title = gettext_lazy("Import a file of platform data")
    success_message = gettext_lazy("The file is being imported; its progress shows below.")

    def perform(self, data):
        return services.data_import_request(actor=self.actor, **data)

    def success_url(self, result):
        return result.get_absolute_url()


class ImportDetailView(TenantViewMixin, View):
    resource = "data_import"

    def get(self, request, pk):
        job = get_object_or_404(DataImport.objects.visible_to(self.actor).select_related("account"), pk=pk)
        return render(request, "accounts_ops/import_detail.html", {"object": job, "title": str(job)})
