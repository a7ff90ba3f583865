"""Pages of 5.3: the post-production steps and the reading of the cuts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from agency.pages import form_errors_from
from agency.roles import CHANGE
from production.forms import StepForm
from production.models.post import PostProductionStep
from production.selectors.post import cut_probing
from production.services.post import post_step_update
from production.views.common import ProductionPage


class ProjectCutProbingView(ProductionPage, View):
    """The reading of a project's cuts as JSON, polled by the project's page like a shoot's."""

    resource = "video_project"

    def get(self, request, pk):
        return JsonResponse(cut_probing(self.actor, self.project(pk)))


class StepUpdateView(ProductionPage, View):
    resource = "post_production"
    action = CHANGE

    def step(self, pk) -> PostProductionStep:
        return get_object_or_404(PostProductionStep.objects.visible_to(self.actor).select_related("project"), pk=pk)

    def get(self, request, pk):
        step = self.step(pk)
        return self.render(step, StepForm(instance=step, actor=self.actor))

    def post(self, request, pk):
        step = self.step(pk)
        form = StepForm(request.POST, request.FILES, instance=step, actor=self.actor)
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = request.FILES.get("evidence_file")
            data["evidence_file"] = upload
            try:
                post_step_update(actor=self.actor, step=self.step(pk), **data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect("production:project-detail", pk=step.project_id)
        return self.render(step, form, status=400)

    def render(self, step, form, status=200):
        title = _("%(step)s · %(project)s") % {"step": step.get_kind_display(), "project": step.project.title}
        return render(self.request, "agency/form.html", {"form": form, "title": title}, status=status)
