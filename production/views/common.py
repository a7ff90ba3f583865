"""What the production pages share: the page base (the project in the person's scope, the role
check) and the files of clips, cuts and evidence."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from agency.http import file_response
from agency.pages import base_template
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


# --- approvals ---------------------------------------------------------------------------------


def approval_confirmed(request, open_count: int) -> bool:
    """Whether the approver confirmed, having been shown the ``open_count`` comments still open (a
    comment added or resolved since asks again)."""
    return request.POST.get("confirmed") == "1" and request.POST.get("open_seen", "") == str(open_count)


def approval_confirmation(
    request, actor, *, what: str, action_url: str, back_url: str, consequence: str, open_comments=None
):
    """The step before an approval: what is approved, what follows, the comments still open, and a
    button that approves (with the comment typed on the page before). Pages with scripts show the
    same in a dialog without leaving the page."""
    return render(
        request,
        "production/approval_confirm.html",
        {
            "what": what,
            "action_url": action_url,
            "back_url": back_url,
            "consequence": consequence,
            "open_comments": list(open_comments or ()),
            "comments_apply": open_comments is not None,  # a cut's review has comments; a script none
            "comment": request.POST.get("comment", ""),
            "changed_since": request.POST.get("confirmed") == "1",
            "base_template": base_template(actor),
            "title": what,
        },
    )


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
