"""Pages of 5.1: the script version and its storyboard (shared by staff and the client's approver)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts_ops.selectors.hot_topics import hot_topics_for_project
from agency.pages import base_template, form_errors_from, report_refusal
from agency.roles import CHANGE, DECIDE
from production.forms import DecisionForm, ScriptForm, ShotForm
from production.models.scripts import Script, ScriptStatus, StoryboardShot
from production.rules import script_missing_parts
from production.services.common import SCRIPT_EDIT_STAGES, latest_script
from production.services.scripts import (
    script_approve,
    script_request_changes,
    script_submit,
    script_update,
    storyboard_shot_add,
    storyboard_shot_delete,
)
from production.views.common import ProductionPage, approval_confirmation, approval_confirmed


def approval_question(script) -> str:
    return _("Approve script v%(version)d of “%(title)s”?") % {"version": script.version, "title": script.project.title}


def approval_consequence() -> str:
    return _("Once approved, the script is final: the video is shot from it, and changes need a new version.")


class ScriptDetailView(ProductionPage, View):
    """The script version with its storyboard. Staff write a draft; the client's approver (and
    the agency's leads) decide a submitted one. Shared by staff and client people."""

    resource = "script"
    allow_both = True

    def script(self, pk) -> Script:
        return get_object_or_404(
            Script.objects.visible_to(self.actor).select_related(
                "project", "project__account", "decided_by", "requirement"
            ),
            pk=pk,
        )

    def get(self, request, pk, script_form=None, shot_form=None, decision_form=None, status=200):
        script = self.script(pk)
        shots = list(StoryboardShot.objects.visible_to(self.actor).filter(script=script).order_by("number"))
        editable = (
            script.status == ScriptStatus.DRAFT
            and script.project.stage in SCRIPT_EDIT_STAGES
            and self.actor.can(CHANGE, "script")
        )
        latest = latest_script(script.project)
        can_decide = (
            script.status == ScriptStatus.SUBMITTED and latest.pk == script.pk and self.actor.can(DECIDE, "script")
        )
        context = {
            "object": script,
            "script": script,
            "project": script.project,
            "shots": shots,
            "total_seconds": sum((shot.duration_seconds for shot in shots), 0),
            # 7.2 market research the agency did for this video: staff only.
            "planned_topics": [] if self.actor.is_client_person else hot_topics_for_project(script.project),
            "missing": script_missing_parts(script, shot_count=len(shots)),
            "editable": editable,
            "can_decide": can_decide,
            "is_latest": latest.pk == script.pk,
            "script_form": script_form or (ScriptForm(instance=script, actor=self.actor) if editable else None),
            "shot_form": shot_form or (ShotForm(actor=self.actor) if editable else None),
            "decision_form": decision_form or (DecisionForm() if can_decide else None),
            "approval_consequence": approval_consequence(),
            "approval_question": approval_question(script),
            "base_template": base_template(self.actor),
            "title": str(script),
        }
        return render(request, "production/script_detail.html", context, status=status)


class ScriptActionView(ScriptDetailView):
    http_method_names = ["post"]
    ACTIONS = {
        "update": CHANGE,
        "submit": CHANGE,
        "approve": DECIDE,
        "request-changes": DECIDE,
        "add-shot": CHANGE,
        "delete-shot": CHANGE,
    }

    def post(self, request, pk, name):
        if name not in self.ACTIONS:
            raise Http404
        script = self.script(pk)
        self.require(self.ACTIONS[name])
        try:
            response = getattr(self, name.replace("-", "_"))(request, script)
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect(script.get_absolute_url())
        return response or redirect(script.get_absolute_url())

    def update(self, request, script):
        form = ScriptForm(request.POST, instance=script, actor=self.actor)
        if form.is_valid():
            try:
                script_update(actor=self.actor, script=script, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Script saved."))
                return None
        return self.get(request, script.pk, script_form=form, status=400)

    def submit(self, request, script):
        script_submit(actor=self.actor, script=script)
        messages.success(request, _("Sent to the client for approval."))

    def approve(self, request, script):
        form = DecisionForm(request.POST)
        form.is_valid()
        if script.status == ScriptStatus.SUBMITTED and not approval_confirmed(request, 0):
            return approval_confirmation(
                request,
                self.actor,
                what=approval_question(script),
                action_url=request.path,
                back_url=script.get_absolute_url(),
                consequence=approval_consequence(),
            )
        script_approve(actor=self.actor, script=script, comment=form.cleaned_data.get("comment", ""))
        messages.success(request, _("Script approved."))
        return self._after_decision(script)

    def request_changes(self, request, script):
        form = DecisionForm(request.POST)
        form.is_valid()
        script_request_changes(actor=self.actor, script=script, comment=form.cleaned_data.get("comment", ""))
        messages.success(request, _("Changes requested."))
        return self._after_decision(script)

    def _after_decision(self, script):
        if self.actor.is_client_person:
            return redirect("production:client-home")
        return None

    def add_shot(self, request, script):
        form = ShotForm(request.POST, actor=self.actor)
        form.instance.script = script
        form.instance.client_id = script.client_id
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if not (k == "number" and v is None)}
            try:
                storyboard_shot_add(actor=self.actor, script=script, **data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Shot added."))
                return None
        return self.get(request, script.pk, shot_form=form, status=400)

    def delete_shot(self, request, script):
        shot = get_object_or_404(
            StoryboardShot.objects.visible_to(self.actor), pk=request.POST.get("shot"), script=script
        )
        storyboard_shot_delete(actor=self.actor, shot=shot)
        messages.success(request, _("Shot removed."))
