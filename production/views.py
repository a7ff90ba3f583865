"""Pages of video production: the board and calendar, a project's cockpit, the script and its
storyboard, shoots with their clips, post-production, the review thread (shared with the
client's approver) and the client's own production page. Writes go to ``production.services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops.selectors import hot_topics_for_project
from agency.http import file_response
from agency.roles import ADD, CHANGE, DECIDE, DELETE, VIEW
from agency.views import TenantListView, TenantViewMixin
from production import selectors, services
from production.api import VideoProjectFilterSet
from production.forms import (
    ClipUploadForm,
    CommentForm,
    CutUploadForm,
    DecisionForm,
    MoveBackForm,
    ProjectForm,
    ProjectUpdateForm,
    PublicationForm,
    PublishForm,
    ReplyForm,
    ScriptForm,
    ShootForm,
    ShotForm,
    StepForm,
)
from production.models import (
    Clip,
    Cut,
    PostProductionStep,
    ProbeState,
    Publication,
    ReviewComment,
    ReviewRound,
    RoundStatus,
    Script,
    ScriptStatus,
    Shoot,
    Stage,
    StoryboardShot,
    VideoProject,
)
from production.rules import (
    CLIP_MAX_SECONDS,
    CLIP_MIN_LONG_SIDE,
    CLIP_MIN_SECONDS,
    CLIP_MIN_SHORT_SIDE,
    SHOOT_MAX_ACCEPTED_CLIPS,
    SHOOT_MIN_ACCEPTED_CLIPS,
    script_missing_parts,
    seconds_text,
)


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [message for messages_ in exc.message_dict.values() for message in messages_]
    return list(exc.messages)


def _report(request, exc: ValidationError) -> None:
    for message in _messages_of(exc):
        messages.error(request, message)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _base_template(actor) -> str:
    return "client_area/base.html" if actor.is_client_person else "base.html"


class ProductionPage(TenantViewMixin):
    resource = "video_project"

    def project(self, pk) -> VideoProject:
        return get_object_or_404(
            VideoProject.objects.visible_to(self.actor).select_related("client", "account", "assignee", "video"), pk=pk
        )

    def require(self, action: str, resource: str | None = None) -> None:
        if not self.actor.can(action, resource or self.resource):
            raise PermissionDenied(_("Your role does not allow this."))


# --- board, calendar, list -------------------------------------------------------------------


class BoardView(ProductionPage, View):
    """The production board: one column per stage (the app's landing page)."""

    def get(self, request):
        filterset = VideoProjectFilterSet(
            request.GET or None, queryset=VideoProject.objects.visible_to(self.actor), actor=self.actor
        )
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else None
        return render(
            request,
            "production/board.html",
            {
                "columns": selectors.board(self.actor, queryset),
                "filterset": filterset,
                "can_add": self.actor.can(ADD, "video_project"),
                "today": timezone.localdate(timezone=self.actor.agency.tz),
                "title": _("Production board"),
            },
        )


class CalendarView(ProductionPage, View):
    """Projects by due date, a month at a time (``?month=2026-11``)."""

    def get(self, request):
        today = timezone.localdate(timezone=self.actor.agency.tz)
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
                "weeks": selectors.calendar_month(self.actor, first.year, first.month),
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


class ProjectCreateView(ProductionPage, View):
    action = ADD

    def get(self, request):
        initial = {"due_date": timezone.localdate(timezone=self.actor.agency.tz) + dt.timedelta(days=14)}
        if request.GET.get("due_date"):
            initial["due_date"] = request.GET["due_date"]
        return self.render(ProjectForm(actor=self.actor, initial=initial))

    def post(self, request):
        form = ProjectForm(request.POST, actor=self.actor)
        if form.is_valid():
            try:
                project = services.project_create(actor=self.actor, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Project created with an empty script and the five post-production steps."))
                return redirect(project)
        return self.render(form)

    def render(self, form):
        return render(self.request, "agency/form.html", {"form": form, "title": _("New video project")})


class ProjectUpdateView(ProductionPage, View):
    action = CHANGE

    def get(self, request, pk):
        project = self.project(pk)
        return self.render(ProjectUpdateForm(instance=project, actor=self.actor))

    def post(self, request, pk):
        project = self.project(pk)
        form = ProjectUpdateForm(request.POST, instance=project, actor=self.actor)
        if form.is_valid():
            try:
                services.project_update(actor=self.actor, project=project, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("production:project-detail", pk=pk)
        return self.render(form)

    def render(self, form):
        return render(self.request, "agency/form.html", {"form": form, "title": _("Edit video project")})


# --- the project's cockpit -------------------------------------------------------------------


class ProjectDetailView(ProductionPage, View):
    def get(self, request, pk):
        project = self.project(pk)
        context = {"object": project, "project": project, "title": project.title}
        context.update(selectors.project_cockpit(self.actor, project))
        context.update(selectors.project_publications(self.actor, project))
        active = context["active_publication"]
        cuts_probing = selectors.cut_probing(self.actor, project)
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
            _report(request, exc)
            return redirect("production:project-detail", pk=pk)
        return redirect(target or reverse("production:project-detail", args=[pk]))

    def advance(self, request, project):
        project = services.project_advance(actor=self.actor, project=project, stage=request.POST.get("stage", ""))
        messages.success(request, _("The project is now in %(stage)s.") % {"stage": project.get_stage_display()})

    def move_back(self, request, project):
        form = MoveBackForm(request.POST, project=project)
        if not form.is_valid():
            raise ValidationError(dict(form.errors.items()))
        project = services.project_move_back(actor=self.actor, project=project, **form.cleaned_data)
        messages.success(request, _("The project is back in %(stage)s.") % {"stage": project.get_stage_display()})

    def publish(self, request, project):
        form = PublishForm(request.POST)
        if not form.is_valid():
            raise ValidationError(dict(form.errors.items()))
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        services.project_publish(actor=self.actor, project=project, **data)
        messages.success(request, _("Published: the video is recorded on the account."))

    def schedule(self, request, project):
        form = PublicationForm(request.POST, prefix="schedule")
        if not form.is_valid():
            raise ValidationError(dict(form.errors.items()))
        publication = services.publication_schedule(actor=self.actor, project=project, **form.cleaned_data)
        messages.success(
            request,
            _("Publication planned for %(when)s; it is sent to the platform then.")
            % {"when": f"{timezone.localtime(publication.scheduled_at, self.actor.agency.tz):%Y-%m-%d %H:%M}"},
        )

    def new_script(self, request, project):
        script = services.script_new_version(actor=self.actor, project=project)
        messages.success(
            request, _("Script v%(version)d started from the previous version.") % {"version": script.version}
        )
        return script.get_absolute_url()

    def upload_cut(self, request, project):
        form = CutUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(dict(form.errors.items()))
        cut = services.cut_upload(actor=self.actor, project=project, **form.cleaned_data)
        messages.success(request, _("Cut v%(version)d uploaded; it is being read.") % {"version": cut.version})

    def delete(self, request, project):
        services.project_delete(actor=self.actor, project=project)
        messages.success(request, _("Project deleted."))
        return reverse("production:index")


class PublicationActionView(ProductionPage, View):
    """A planned publication: change its time, text or POI, or cancel it; close a failed or
    refused one."""

    http_method_names = ["post"]
    ACTIONS = ("update", "cancel")

    def post(self, request, pk, name):
        if name not in self.ACTIONS:
            raise Http404
        publication = get_object_or_404(Publication.objects.visible_to(self.actor), pk=pk)
        self.require(CHANGE)
        try:
            if name == "update":
                form = PublicationForm(request.POST, prefix=f"publication-{publication.pk}")
                if not form.is_valid():
                    raise ValidationError(dict(form.errors.items()))
                services.publication_update(actor=self.actor, publication=publication, **form.cleaned_data)
                messages.success(request, _("Publication changed."))
            else:
                services.publication_cancel(actor=self.actor, publication=publication)
                messages.success(request, _("Publication cancelled."))
        except ValidationError as exc:
            _report(request, exc)
        return redirect("production:project-detail", pk=publication.project_id)


# --- 5.1 script and storyboard ---------------------------------------------------------------


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
            and script.project.stage in services.SCRIPT_EDIT_STAGES
            and self.actor.can(CHANGE, "script")
        )
        latest = services.latest_script(script.project)
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
            "base_template": _base_template(self.actor),
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
            _report(request, exc)
            return redirect(script.get_absolute_url())
        return response or redirect(script.get_absolute_url())

    def update(self, request, script):
        form = ScriptForm(request.POST, instance=script, actor=self.actor)
        if form.is_valid():
            try:
                services.script_update(actor=self.actor, script=script, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Script saved."))
                return None
        return self.get(request, script.pk, script_form=form, status=400)

    def submit(self, request, script):
        services.script_submit(actor=self.actor, script=script)
        messages.success(request, _("Sent to the client for approval."))

    def approve(self, request, script):
        form = DecisionForm(request.POST)
        form.is_valid()
        services.script_approve(actor=self.actor, script=script, comment=form.cleaned_data.get("comment", ""))
        messages.success(request, _("Script approved."))
        return self._after_decision(script)

    def request_changes(self, request, script):
        form = DecisionForm(request.POST)
        form.is_valid()
        services.script_request_changes(actor=self.actor, script=script, comment=form.cleaned_data.get("comment", ""))
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
                services.storyboard_shot_add(actor=self.actor, script=script, **data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Shot added."))
                return None
        return self.get(request, script.pk, shot_form=form, status=400)

    def delete_shot(self, request, script):
        shot = get_object_or_404(
            StoryboardShot.objects.visible_to(self.actor), pk=request.POST.get("shot"), script=script
        )
        services.storyboard_shot_delete(actor=self.actor, shot=shot)
        messages.success(request, _("Shot removed."))


# --- 5.2 shoots and clips --------------------------------------------------------------------


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
                shoot = services.shoot_create(actor=self.actor, project=project, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
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
        return JsonResponse(selectors.shoot_probing(self.actor, shoot))


class ProjectCutProbingView(ProductionPage, View):
    """The reading of a project's cuts as JSON, polled by the project's page like a shoot's."""

    resource = "video_project"

    def get(self, request, pk):
        return JsonResponse(selectors.cut_probing(self.actor, self.project(pk)))


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
            context.update(probing=selectors.shoot_probing(self.actor, shoot), probe_labels=dict(ProbeState.choices))
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
                services.clip_upload(actor=self.actor, shoot=shoot, file=upload, label=form.cleaned_data["label"])
            except ValidationError as exc:
                _report(request, exc)
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
            services.clip_delete(actor=self.actor, clip=clip)
        except ValidationError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Clip deleted."))
        return redirect("production:shoot-detail", pk=clip.shoot_id)


# --- 5.3 post-production ---------------------------------------------------------------------


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
                services.post_step_update(actor=self.actor, step=self.step(pk), **data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("production:project-detail", pk=step.project_id)
        return self.render(step, form, status=400)

    def render(self, step, form, status=200):
        title = _("%(step)s · %(project)s") % {"step": step.get_kind_display(), "project": step.project.title}
        return render(self.request, "agency/form.html", {"form": form, "title": title}, status=status)


# --- client review ---------------------------------------------------------------------------


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
            "base_template": _base_template(self.actor),
            "title": str(round_),
        }
        context.update(selectors.review_thread(self.actor, round_))
        return render(request, "production/review_detail.html", context, status=status)


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
            _report(request, exc)
            return redirect(round_.get_absolute_url())
        return response or redirect(round_.get_absolute_url())

    def comment(self, request, round_):
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.review_comment_add(actor=self.actor, round=round_, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Comment added."))
                return None
        return self.get(request, round_.pk, comment_form=form, status=400)

    def reply(self, request, round_):
        form = ReplyForm(request.POST)
        if not form.is_valid():
            raise ValidationError({"body": _("Write the reply.")})
        parent = get_object_or_404(ReviewComment.objects.visible_to(self.actor), pk=form.cleaned_data["parent"])
        services.review_comment_add(actor=self.actor, round=round_, body=form.cleaned_data["body"], parent=parent)
        messages.success(request, _("Reply added."))

    def _comment(self, request, round_) -> ReviewComment:
        return get_object_or_404(
            ReviewComment.objects.visible_to(self.actor).filter(round__project_id=round_.project_id),
            pk=request.POST.get("comment"),
        )

    def resolve(self, request, round_):
        services.review_comment_resolve(actor=self.actor, comment=self._comment(request, round_))

    def reopen(self, request, round_):
        services.review_comment_resolve(actor=self.actor, comment=self._comment(request, round_), resolved=False)

    def approve(self, request, round_):
        form = DecisionForm(request.POST)
        form.is_valid()
        services.review_round_approve(actor=self.actor, round=round_, comment=form.cleaned_data.get("comment", ""))
        messages.success(request, _("Cut approved: it is ready to publish."))
        return redirect("production:client-home") if self.actor.is_client_person else None

    def request_changes(self, request, round_):
        form = DecisionForm(request.POST)
        form.is_valid()
        services.review_round_request_changes(
            actor=self.actor, round=round_, comment=form.cleaned_data.get("comment", "")
        )
        messages.success(request, _("Changes requested."))
        return redirect("production:client-home") if self.actor.is_client_person else None


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


# --- the client's page -----------------------------------------------------------------------


class ClientProductionView(ProductionPage, View):
    """The client person's videos in production and what waits for their decision."""

    client_area = True

    def get(self, request):
        context = selectors.client_production(self.actor)
        context.update(can_decide=self.actor.can(DECIDE, "script"), title=_("Your videos in production"))
        return render(request, "production/client_home.html", context)
