"""Staff pages of 7.1, comments and opinion alerts. Thin: forms collect, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops.api.comments import OpinionAlertFilterSet, VideoCommentFilterSet
from accounts_ops.forms.comments import (
    AlertHandleForm,
    CommentAssignForm,
    CommentHideForm,
    CommentNoteForm,
    CommentReplyForm,
    GuideForm,
)
from accounts_ops.models.comments import CommentAction, CommentStatus, OpinionAlert, VideoComment
from accounts_ops.services.comments import (
    comment_assign,
    comment_guide_post,
    comment_hide,
    comment_mark_handled,
    comment_pin,
    comment_reply,
    opinion_alert_handle,
)
from agency.pages import ServiceActionView, base_template, form_errors_from, report_refusal
from agency.roles import ADD, CHANGE
from agency.views import TenantListView, TenantViewMixin


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
            "reply": CommentReplyForm(prefix="reply"),
            "hide": CommentHideForm(prefix="hide"),
            "assign": CommentAssignForm(prefix="assign", actor=self.actor, initial={"assignee": comment.assignee_id}),
            "handle": CommentNoteForm(prefix="handle"),
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
                "base_template": base_template(self.actor),
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
                form = CommentReplyForm(request.POST, prefix="reply")
                if form.is_valid():
                    comment_reply(actor=self.actor, comment=comment, text=form.cleaned_data["text"])
            elif name in ("pin", "unpin"):
                comment_pin(actor=self.actor, comment=comment, pinned=name == "pin")
            elif name == "hide":
                form = CommentHideForm(request.POST, prefix="hide")
                if form.is_valid():
                    comment_hide(actor=self.actor, comment=comment, note=form.cleaned_data["note"])
            elif name == "unhide":
                comment_hide(actor=self.actor, comment=comment, hidden=False)
            elif name == "assign":
                form = CommentAssignForm(request.POST, prefix="assign", actor=self.actor)
                if form.is_valid():
                    comment_assign(actor=self.actor, comment=comment, assignee=form.cleaned_data["assignee"])
            else:
                form = CommentNoteForm(request.POST, prefix="handle")
                if form.is_valid():
                    comment_mark_handled(actor=self.actor, comment=comment, note=form.cleaned_data["note"])
        except ValidationError as exc:
            if form is None:
                report_refusal(request, exc)
                return redirect(comment.get_absolute_url())
            form_errors_from(exc, form)
        if form is not None and form.errors:
            return self.page(comment, (name, form), status=400)
        messages.success(request, _("Saved."))
        return redirect(comment.get_absolute_url())


class GuideCreateView(ServiceActionView):
    resource = "comment"
    form_class = GuideForm
    title = gettext_lazy("Seed a guide comment (7.1)")
    service = comment_guide_post

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
                "form": form or AlertHandleForm(),
                "can_handle": self.actor.can(CHANGE, "opinion_alert") and alert.status == "open",
                "title": str(alert),
                "base_template": base_template(self.actor),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.alert(pk))

    def post(self, request, pk):
        alert = self.alert(pk)
        if not self.actor.can(CHANGE, "opinion_alert"):
            raise PermissionDenied(_("Your role does not allow this."))
        form = AlertHandleForm(request.POST)
        if form.is_valid():
            try:
                opinion_alert_handle(actor=self.actor, alert=alert, note=form.cleaned_data["note"])
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The alert is handled."))
                return redirect(alert.get_absolute_url())
        return self.page(alert, form, status=400)
