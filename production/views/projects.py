"""Pages of video projects: the board and calendar, the list, a project's cockpit and its moves, and
the client's own production page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import ServiceActionView, report_refusal
from agency.people import name_choices
from agency.roles import ADD, CHANGE, DECIDE, DELETE
from agency.views import TenantListView
from production.api.projects import VideoProjectFilterSet
from production.forms import CutUploadForm, MoveBackForm, ProjectForm, ProjectUpdateForm, PublicationForm, PublishForm
from production.models.common import ProbeState
from production.models.projects import Stage, VideoProject
from production.rules import (
    CLIP_MAX_SECONDS,
    CLIP_MIN_LONG_SIDE,
    CLIP_MIN_SECONDS,
    CLIP_MIN_SHORT_SIDE,
    SHOOT_MAX_ACCEPTED_CLIPS,
    SHOOT_MIN_ACCEPTED_CLIPS,
    seconds_text,
)
from production.selectors.post import cut_probing
from production.selectors.projects import board, calendar_month, client_production, project_cockpit
from production.selectors.publishing import project_publications
from production.services.post import cut_upload
from production.services.projects import (
    project_advance,
    project_create,
    project_delete,
    project_move_back,
    project_update,
)
from production.services.publishing import project_publish, publication_schedule
from production.services.scripts import script_new_version
from production.views.common import ProductionPage

# --- board, calendar, list -------------------------------------------------------------------


class BoardView(ProductionPage, View):
    """The production board: one column per stage (the app's landing page)."""

    def get(self, request):
        filterset = VideoProjectFilterSet(
            request.GET or None, queryset=VideoProject.objects.visible_to(self.actor), actor=self.actor
        )
        for field in filterset.form.fields.values():
            name_choices(field)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else None
        return render(
            request,
            "production/board.html",
            {
                "columns": board(self.actor, queryset),
                "filterset": filterset,
                "can_add": self.actor.can(ADD, "video_project"),
                "today": self.actor.agency.today(),
                "title": _("Production board"),
            },
        )


class CalendarView(ProductionPage, View):
    """Projects by due date, a month at a time (``?month=2026-11``)."""

    def get(self, request):
        today = self.actor.agency.today()
        try:
            year, month = (int(part) for part in request.GET.get("month", "").split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            first = today.replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return render(
            request,
            "production/calendar.html",
            {
                "weeks": calendar_month(self.actor, first.year, first.month),
                "month": first,
                "previous": previous,
                "following": following,
                "today": today,
                "weekdays": [WEEKDAYS_ABBR[day] for day in range(7)],
                "title": _("Production calendar"),
            },
        )


class ProjectListView(ProductionPage, TenantListView):
    model = VideoProject
    filterset_class = VideoProjectFilterSet
    title = gettext_lazy("Video projects")
    columns = (
        ("title", gettext_lazy("Title")),
        ("client", gettext_lazy("Client")),
        ("account", gettext_lazy("Account")),
        ("get_stage_display", gettext_lazy("Stage")),
        ("due_date", gettext_lazy("Due date")),
        ("assignee", gettext_lazy("Assignee")),
    )
    ordering_fields = ("due_date", "stage", "title")
    create_url_name = "production:project-create"

    def scope(self, queryset):
        return queryset.select_related("client", "account", "assignee")


class ProjectCreateView(ProductionPage, ServiceActionView):
    form_class = ProjectForm
    service = project_create
    title = gettext_lazy("New video project")
    success_message = gettext_lazy("Project created with an empty script and the five post-production steps.")
    invalid_status = 200

    def get_initial(self):
        initial = super().get_initial()
        if not initial.get("due_date"):
            initial["due_date"] = self.actor.agency.today() + dt.timedelta(days=14)
        return initial


class ProjectUpdateView(ProductionPage, ServiceActionView):
    action = CHANGE
    form_class = ProjectUpdateForm
    title = gettext_lazy("Edit video project")
    invalid_status = 200

    def get_object(self):
        return self.project(self.kwargs["pk"])

    def perform(self, data):
        return project_update(actor=self.actor, project=self.object, **data)

    def success_url(self, result):
        return reverse("production:project-detail", args=[self.object.pk])


# --- the project's cockpit -------------------------------------------------------------------


class ProjectDetailView(ProductionPage, View):
    def get(self, request, pk):
        project = self.project(pk)
        context = {"object": project, "project": project, "title": project.title}
        context.update(project_cockpit(self.actor, project))
        context.update(project_publications(self.actor, project))
        active = context["active_publication"]
        cuts_probing = cut_probing(self.actor, project)
        if cuts_probing["unread"]:
            context.update(cuts_probing=cuts_probing, probe_labels=dict(ProbeState.choices))
        context.update(
            can_change=self.actor.can(CHANGE, "video_project"),
            can_script=self.actor.can(CHANGE, "script"),
            can_shoot=self.actor.can(ADD, "shoot"),
            can_post=self.actor.can(CHANGE, "post_production"),
            move_back_form=MoveBackForm(project=project) if project.stage != Stage.PUBLISHED else None,
            publish_form=PublishForm(),
            schedule_form=PublicationForm(initial={"title": project.title}, prefix="schedule"),
            active_publication_form=PublicationForm.for_publication(active)
            if active and active.is_changeable
            else None,
            cut_form=CutUploadForm(),
            rules={
                "long": CLIP_MIN_LONG_SIDE,
                "short": CLIP_MIN_SHORT_SIDE,
                "min_seconds": seconds_text(CLIP_MIN_SECONDS),
                "max_seconds": seconds_text(CLIP_MAX_SECONDS),
                "min_clips": SHOOT_MIN_ACCEPTED_CLIPS,
                "max_clips": SHOOT_MAX_ACCEPTED_CLIPS,
            },
        )
        return render(request, "production/project_detail.html", context)


class ProjectActionView(ProductionPage, View):
    """The project's moves: advance, move back, publish, a new script version, a cut upload."""

    ACTIONS = {
        "advance": ("video_project", CHANGE),
        "move-back": ("video_project", CHANGE),
        "publish": ("video_project", CHANGE),
        "schedule": ("video_project", CHANGE),
        "new-script": ("script", ADD),
        "upload-cut": ("post_production", ADD),
        "delete": ("video_project", DELETE),
    }

    def post(self, request, pk, name):
        if name not in self.ACTIONS:
            raise Http404
        resource, action = self.ACTIONS[name]
        project = self.project(pk)  # a row outside the person's scope is 404 before their role is asked
        self.require(action, resource)
        try:
            target = getattr(self, name.replace("-", "_"))(request, project)
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect("production:project-detail", pk=pk)
        return redirect(target or reverse("production:project-detail", args=[pk]))

    def advance(self, request, project):
        project = project_advance(actor=self.actor, project=project, stage=request.POST.get("stage", ""))
        messages.success(request, _("The project is now in %(stage)s.") % {"stage": project.get_stage_display()})

    def move_back(self, request, project):
        form = MoveBackForm(request.POST, project=project)
        if not form.is_valid():
            raise ValidationError(dict(form.errors.items()))
        project = project_move_back(actor=self.actor, project=project, **form.cleaned_data)
        messages.success(request, _("The project is back in %(stage)s.") % {"stage": project.get_stage_display()})

    def publish(self, request, project):
        form = PublishForm(request.POST)
        if not form.is_valid():
            raise ValidationError(dict(form.errors.items()))
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        project_publish(actor=self.actor, project=project, **data)
        messages.success(request, _("Published: the video is recorded on the account."))

    def schedule(self, request, project):
        form = PublicationForm(request.POST, prefix="schedule")
        if not form.is_valid():
            raise ValidationError(dict(form.errors.items()))
        publication = publication_schedule(actor=self.actor, project=project, **form.cleaned_data)
        messages.success(
            request,
            _("Publication planned for %(when)s; it is sent to the platform then.")
            % {"when": f"{timezone.localtime(publication.scheduled_at, self.actor.agency.tz):%Y-%m-%d %H:%M}"},
        )

    def new_script(self, request, project):
        script = script_new_version(actor=self.actor, project=project)
        messages.success(
            request, _("Script v%(version)d started from the previous version.") % {"version": script.version}
        )
        return script.get_absolute_url()

    def upload_cut(self, request, project):
        form = CutUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(dict(form.errors.items()))
        cut = cut_upload(actor=self.actor, project=project, **form.cleaned_data)
        messages.success(request, _("Cut v%(version)d uploaded; it is being read.") % {"version": cut.version})

    def delete(self, request, project):
        project_delete(actor=self.actor, project=project)
        messages.success(request, _("Project deleted."))
        return reverse("production:index")


# --- the client's page -----------------------------------------------------------------------


class ClientProductionView(ProductionPage, View):
    """The client person's videos in production and what waits for their decision."""

    client_area = True

    def get(self, request):
        context = client_production(self.actor)
        context.update(can_decide=self.actor.can(DECIDE, "script"), title=_("Your videos in production"))
        return render(request, "production/client_home.html", context)
