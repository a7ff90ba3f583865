"""Pages of 5.2: shoots and their clips."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from agency.pages import form_errors_from, report_refusal
from agency.roles import ADD, DELETE
from production.forms import ClipUploadForm, ShootForm
from production.models.common import ProbeState
from production.models.projects import Stage
from production.models.shoots import Clip, Shoot
from production.rules import (
    CLIP_MAX_SECONDS,
    CLIP_MIN_LONG_SIDE,
    CLIP_MIN_SECONDS,
    CLIP_MIN_SHORT_SIDE,
    SHOOT_MAX_ACCEPTED_CLIPS,
    SHOOT_MIN_ACCEPTED_CLIPS,
    seconds_text,
)
from production.selectors.shoots import shoot_probing
from production.services.shoots import clip_delete, clip_upload, shoot_create
from production.views.common import ProductionPage


class ShootCreateView(ProductionPage, View):
    resource = "shoot"
    action = ADD

    def get(self, request, pk):
        project = self.project(pk)
        return self.render(project, ShootForm(actor=self.actor, initial={"date": project.due_date}))

    def post(self, request, pk):
        project = self.project(pk)
        form = ShootForm(request.POST, actor=self.actor)
        if form.is_valid():
            try:
                shoot = shoot_create(actor=self.actor, project=project, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Shoot planned."))
                return redirect(shoot)
        return self.render(project, form)

    def render(self, project, form):
        title = _("New shoot for %(project)s") % {"project": project.title}
        return render(self.request, "agency/form.html", {"form": form, "title": title})


class ShootProbingView(ProductionPage, View):
    """The reading of a shoot's clips as JSON (``{status, progress, unread, total}``), which the
    shoot's page polls to show its progress (agency/static/agency/progress.js)."""

    resource = "shoot"

    def get(self, request, pk):
        shoot = get_object_or_404(Shoot.objects.visible_to(self.actor), pk=pk)
        return JsonResponse(shoot_probing(self.actor, shoot))


class ShootDetailView(ProductionPage, View):
    resource = "shoot"

    def shoot(self, pk) -> Shoot:
        return get_object_or_404(
            Shoot.objects.visible_to(self.actor).select_related("project", "project__client"), pk=pk
        )

    def get(self, request, pk, upload_form=None, status=200):
        shoot = self.shoot(pk)
        clips = list(Clip.objects.visible_to(self.actor).filter(shoot=shoot).order_by("id"))
        accepted = sum(1 for clip in clips if clip.verdict == "accepted")
        unread = sum(1 for clip in clips if clip.probe_state in (ProbeState.PENDING, ProbeState.PROBING))
        uploading = shoot.project.stage == Stage.SHOOTING and self.actor.can(ADD, "shoot")
        context = {
            "object": shoot,
            "shoot": shoot,
            "project": shoot.project,
            "clips": clips,
            "accepted": accepted,
            "unread": unread,
            "complete": not unread and SHOOT_MIN_ACCEPTED_CLIPS <= accepted <= SHOOT_MAX_ACCEPTED_CLIPS,
            "upload_form": upload_form or (ClipUploadForm() if uploading else None),
            "can_delete": shoot.project.stage == Stage.SHOOTING and self.actor.can(DELETE, "shoot"),
            "rules": {
                "long": CLIP_MIN_LONG_SIDE,
                "short": CLIP_MIN_SHORT_SIDE,
                "min_seconds": seconds_text(CLIP_MIN_SECONDS),
                "max_seconds": seconds_text(CLIP_MAX_SECONDS),
                "min_clips": SHOOT_MIN_ACCEPTED_CLIPS,
                "max_clips": SHOOT_MAX_ACCEPTED_CLIPS,
            },
            "title": str(shoot),
        }
        if unread:
            context.update(probing=shoot_probing(self.actor, shoot), probe_labels=dict(ProbeState.choices))
        return render(request, "production/shoot_detail.html", context, status=status)

    def post(self, request, pk):
        """Upload clips (each one on its own: a refused file names its problem, the others stay)."""
        shoot = self.shoot(pk)
        self.require(ADD)
        form = ClipUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, pk, upload_form=form, status=400)
        received = 0
        for upload in form.cleaned_data["files"]:
            try:
                clip_upload(actor=self.actor, shoot=shoot, file=upload, label=form.cleaned_data["label"])
            except ValidationError as exc:
                report_refusal(request, exc)
            else:
                received += 1
        if received:
            messages.success(request, _("%(count)d clips received; they are being read.") % {"count": received})
        return redirect(shoot)


class ClipDeleteView(ProductionPage, View):
    resource = "shoot"
    action = DELETE

    def post(self, request, pk):
        clip = get_object_or_404(Clip.objects.visible_to(self.actor), pk=pk)
        try:
            clip_delete(actor=self.actor, clip=clip)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Clip deleted."))
        return redirect("production:shoot-detail", pk=clip.shoot_id)
