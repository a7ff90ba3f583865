"""What the production pages share: the page base (the project in the person's scope, the role
check) and the files of clips, cuts and evidence."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from agency.http import file_response
from agency.roles import VIEW
from agency.views import TenantViewMixin
from production.models.post import Cut, PostProductionStep
from production.models.projects import VideoProject
from production.models.shoots import Clip


class ProductionPage(TenantViewMixin):
    resource = "video_project"

    def project(self, pk) -> VideoProject:
        return get_object_or_404(
            VideoProject.objects.visible_to(self.actor).select_related("client", "account", "assignee", "video"), pk=pk
        )

    def require(self, action: str, resource: str | None = None) -> None:
        if not self.actor.can(action, resource or self.resource):
            raise PermissionDenied(_("Your role does not allow this."))


# --- files -----------------------------------------------------------------------------------


class MediaFileView(ProductionPage, View):
    """A clip, cut or evidence file, to people who may see its row (byte ranges for seeking)."""

    allow_both = True
    SOURCES = {
        "clip": (Clip, "shoot", "file"),
        "cut": (Cut, "post_production", "file"),
        "evidence": (PostProductionStep, "post_production", "evidence_file"),
    }

    def get(self, request, kind, pk):
        if kind not in self.SOURCES:
            raise Http404
        model, resource, field = self.SOURCES[kind]
        row = get_object_or_404(model.objects.visible_to(self.actor), pk=pk)
        self.require(VIEW, resource)
        stored = getattr(row, field)
        if not stored:
            raise Http404
        return file_response(request, stored, download_name=getattr(row, "original_name", ""))
