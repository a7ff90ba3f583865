"""Pages of the client's review of a cut (shared by staff and the client's approver). Without
scripts every action is a form that posts and comes back to the page; with them, commenting,
replying and resolving swap the comments' part (``#review-thread``, ``agency.htmx``) instead, the
view answering that part with the messages of what was done. The decision stays a whole page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from agency import htmx
from agency.pages import base_template, form_errors_from, report_refusal
from agency.roles import ADD, CHANGE, DECIDE
from production.forms import CommentForm, DecisionForm, ReplyForm
from production.models.projects import Stage
from production.models.review import ReviewComment, ReviewRound, RoundStatus
from production.selectors.review import open_review_comments, review_thread
from production.services.review import (
    review_comment_add,
    review_comment_resolve,
    review_round_approve,
    review_round_request_changes,
)
from production.views.common import ProductionPage, approval_confirmation, approval_confirmed

THREAD_ID = "review-thread"  # the element commenting, replying and resolving swap
THREAD_ACTIONS = frozenset({"comment", "reply", "resolve", "reopen"})


def approval_question(round_) -> str:
    return _("Approve cut v%(version)d of “%(title)s”?") % {
        "version": round_.cut.version,
        "title": round_.project.title,
    }


def approval_consequence() -> str:
    return _("Once approved, the cut goes to publishing; comments still open stay on the record.")


class ReviewDetailView(ProductionPage, View):
    """A review round: the cut, its time-coded comments with replies, what earlier rounds asked
    and whether it was resolved, and the decision. Shared by staff and client people."""

    resource = "review"
    allow_both = True

    def round(self, pk) -> ReviewRound:
        return get_object_or_404(
            ReviewRound.objects.visible_to(self.actor).select_related("project", "cut", "decided_by"), pk=pk
        )

    def get(self, request, pk, comment_form=None, status=200):
        round_ = self.round(pk)
        is_open = round_.status == RoundStatus.OPEN
        start = request.GET.get("t", "")
        context = {
            "object": round_,
            "round": round_,
            "project": round_.project,
            "cut": round_.cut,
            "start": start if start.replace(".", "", 1).isdigit() else "",
            "comment_form": comment_form or (CommentForm() if is_open and self.actor.can(ADD, "review") else None),
            "can_reply": self.actor.can(ADD, "review") and round_.project.stage != Stage.PUBLISHED,
            "can_resolve": self.actor.can(CHANGE, "review"),
            "decision_form": DecisionForm() if is_open and self.actor.can(DECIDE, "review") else None,
            "approval_consequence": approval_consequence(),
            "approval_question": approval_question(round_),
            "base_template": base_template(self.actor),
            "title": str(round_),
        }
        context.update(review_thread(self.actor, round_))
        if context["decision_form"] is not None:
            context["open_comments"] = open_review_comments(self.actor, round_)
        context["part"] = part = htmx.wants_part(request, THREAD_ID)
        template = "production/_review_thread.html" if part else "production/review_detail.html"
        return htmx.vary(render(request, template, context, status=status))


class ReviewActionView(ReviewDetailView):
    http_method_names = ["post"]
    ACTIONS = {
        "comment": ADD,
        "reply": ADD,
        "resolve": CHANGE,
        "reopen": CHANGE,
        "approve": DECIDE,
        "request-changes": DECIDE,
    }

    def post(self, request, pk, name):
        if name not in self.ACTIONS:
            raise Http404
        round_ = self.round(pk)
        self.require(self.ACTIONS[name])
        try:
            response = getattr(self, name.replace("-", "_"))(request, round_)
        except ValidationError as exc:
            report_refusal(request, exc)
            response = None
        if response is not None:
            return response
        if name in THREAD_ACTIONS and htmx.wants_part(request, THREAD_ID):
            return self.get(request, round_.pk)  # the comments again, with what was done
        return redirect(round_.get_absolute_url())

    def comment(self, request, round_):
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                review_comment_add(actor=self.actor, round=round_, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Comment added."))
                return None
        return self.get(request, round_.pk, comment_form=form, status=400)

    def reply(self, request, round_):
        form = ReplyForm(request.POST)
        if not form.is_valid():
            raise ValidationError({"body": _("Write the reply.")})
        parent = get_object_or_404(ReviewComment.objects.visible_to(self.actor), pk=form.cleaned_data["parent"])
        review_comment_add(actor=self.actor, round=round_, body=form.cleaned_data["body"], parent=parent)
        messages.success(request, _("Reply added."))

    def _comment(self, request, round_) -> ReviewComment:
        return get_object_or_404(
            ReviewComment.objects.visible_to(self.actor).filter(round__project_id=round_.project_id),
            pk=request.POST.get("comment"),
        )

    def resolve(self, request, round_):
        review_comment_resolve(actor=self.actor, comment=self._comment(request, round_))

    def reopen(self, request, round_):
        review_comment_resolve(actor=self.actor, comment=self._comment(request, round_), resolved=False)

    def approve(self, request, round_):
        form = DecisionForm(request.POST)
        form.is_valid()
        if round_.status == RoundStatus.OPEN:
            open_comments = open_review_comments(self.actor, round_)
            if not approval_confirmed(request, len(open_comments)):
                return approval_confirmation(
                    request,
                    self.actor,
                    what=approval_question(round_),
                    action_url=request.path,
                    back_url=round_.get_absolute_url(),
                    consequence=approval_consequence(),
                    open_comments=open_comments,
                )
        review_round_approve(actor=self.actor, round=round_, comment=form.cleaned_data.get("comment", ""))
        messages.success(request, _("Cut approved: it is ready to publish."))
        return redirect("production:client-home") if self.actor.is_client_person else None

    def request_changes(self, request, round_):
        form = DecisionForm(request.POST)
        form.is_valid()
        review_round_request_changes(actor=self.actor, round=round_, comment=form.cleaned_data.get("comment", ""))
        messages.success(request, _("Changes requested."))
        return redirect("production:client-home") if self.actor.is_client_person else None
