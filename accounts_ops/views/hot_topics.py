"""Staff pages of 7.2, hot topics and content plans. Thin: forms collect, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops.api.hot_topics import ContentPlanFilterSet, HotTopicFilterSet
from accounts_ops.forms.hot_topics import ContentPlanEditForm, ContentPlanForm, HotTopicForm, PlanTopicForm
from accounts_ops.models.hot_topics import ContentPlan, ContentPlanTopic, HotTopic
from accounts_ops.services.hot_topics import (
    content_plan_create,
    content_plan_link_topic,
    content_plan_unlink_topic,
    content_plan_update,
    hot_topic_save,
)
from agency.pages import ServiceActionView, base_template, form_errors_from
from agency.roles import CHANGE
from agency.views import TenantListView, TenantViewMixin


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


class TopicCreateView(ServiceActionView):
    resource = "hot_topic"
    form_class = HotTopicForm
    title = gettext_lazy("Enter a hot topic (7.2)")
    service = hot_topic_save
    success_url_name = "accounts_ops:topic-list"


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


class PlanCreateView(ServiceActionView):
    resource = "content_plan"
    form_class = ContentPlanForm
    title = gettext_lazy("Plan content from hot topics (7.2)")
    service = content_plan_create

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
            "link": PlanTopicForm(prefix="link", actor=self.actor),
            "edit": ContentPlanEditForm(prefix="edit", actor=self.actor, instance=plan),
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
                "base_template": base_template(self.actor),
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
            content_plan_unlink_topic(actor=self.actor, link=link)
            return redirect(plan.get_absolute_url())
        if name == "link":
            form = PlanTopicForm(request.POST, prefix="link", actor=self.actor)
        elif name == "edit":
            form = ContentPlanEditForm(request.POST, prefix="edit", actor=self.actor, instance=plan)
        else:
            raise PermissionDenied(_("Unknown action."))
        if form.is_valid():
            try:
                if name == "link":
                    content_plan_link_topic(actor=self.actor, plan=plan, **form.cleaned_data)
                else:
                    content_plan_update(actor=self.actor, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect(plan.get_absolute_url())
        return self.page(plan, (name, form), status=400)
