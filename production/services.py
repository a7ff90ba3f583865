"""Writes of video production (chapter 5). Pages, the API, admin and tasks call these.

A project moves one stage forward only through its gate (``project_advance``); each gate names
what is missing. Files are stored with their row or not at all: an upload is refused before it
is written, a failed insert removes the file it had stored, and a deleted row's file goes once
the deletion commits (``media_sweep_orphans`` catches what an outer rollback leaves behind).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from math import ceil

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agency import uploads
from agency.roles import DECIDE
from agency.tasks import enqueue
from agency.tenancy import Actor
from clients.models import ClientRequirement, PlatformAccount, Video, VideoOrigin
from production import media
from production.models import (
    EVIDENCE_IMAGE,
    EVIDENCE_NOTE,
    EVIDENCE_SUBTITLE_FILE,
    FINISHED_STEP_STATUSES,
    POST_STEP_EVIDENCE,
    STAGE_ORDER,
    Clip,
    ClipVerdict,
    Cut,
    PostProductionStep,
    PostStepKind,
    ProbeState,
    ReviewComment,
    ReviewRound,
    RoundStatus,
    Script,
    ScriptStatus,
    Shoot,
    Stage,
    StageTransition,
    StepStatus,
    StoryboardShot,
    VideoProject,
    stage_index,
)
from production.rules import (
    CLIP_MAX_UPLOAD_BYTES,
    clip_rule_failures,
    script_missing_parts,
    seconds_text,
    shoot_clip_count_problem,
)

SCRIPT_EDIT_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING})
SHOOT_EDIT_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING, Stage.SHOOTING})
DELETABLE_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING})


# --- helpers ---------------------------------------------------------------------------------


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def _require_stage(project: VideoProject, allowed, what: str, field_name: str = "stage") -> None:
    if project.stage not in allowed:
        raise ValidationError(
            {
                field_name: _("%(what)s only while the project is in %(allowed)s; it is in %(stage)s.")
                % {
                    "what": what,
                    "allowed": " / ".join(_stage_label(s) for s in STAGE_ORDER if s in allowed),
                    "stage": _stage_label(project.stage),
                }
            }
        )


def _require_decider(actor: Actor, resource: str, row) -> None:
    """Decisions are the client approver's (for their own client) or an agency lead's."""
    if not actor.can(DECIDE, resource):
        raise PermissionDenied(_("Your role does not allow this decision."))
    if actor.is_client_person and actor.client_id != row.client_id:
        raise PermissionDenied(_("This belongs to another client."))


def _store(instance, *file_fields: str) -> None:
    """Save ``instance``; if the insert fails after its new files were written, remove them."""
    pending = [getattr(instance, name) for name in file_fields]
    pending = [f for f in pending if f and not f._committed]
    try:
        instance.save()
    except Exception:
        for stored in pending:
            if stored._committed and stored.name:
                stored.storage.delete(stored.name)
        raise


def _delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def _record_transition(*, actor: Actor | None, project: VideoProject, to_stage: str, note: str = "", snapshot=None):
    now = timezone.now()
    StageTransition.objects.create(
        agency=project.agency,
        client_id=project.client_id,
        project=project,
        from_stage=project.stage,
        to_stage=to_stage,
        at=now,
        by=actor.user if actor else None,
        note=note,
        snapshot=snapshot or {},
    )
    project.stage = to_stage
    project.stage_changed_at = now
    project.save(update_fields=["stage", "stage_changed_at", "updated_at", "updated_by"])


# --- projects --------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: Actor,
    account: PlatformAccount,
    title: str,
    due_date: dt.date,
    client=None,
    assignee=None,
    brief: str = "",
) -> VideoProject:
    """Open a video project for a client's account: stage planning, an empty script (v1) and the
    five post-production steps of 5.3."""
    if client is not None and client.pk != account.client_id:
        raise ValidationError({"account": _("The account belongs to another client than the project.")})
    project = VideoProject(
        agency=actor.agency,
        client_id=account.client_id,
        account=account,
        title=(title or "").strip(),
        due_date=due_date,
        assignee=assignee,
        brief=(brief or "").strip(),
    )
    project.full_clean()
    project.save()
    StageTransition.objects.create(
        agency=project.agency,
        client_id=project.client_id,
        project=project,
        from_stage="",
        to_stage=Stage.PLANNING,
        at=timezone.now(),
        by=actor.user,
    )
    Script.objects.create(agency=project.agency, client_id=project.client_id, project=project, version=1)
    PostProductionStep.objects.bulk_create(
        [
            PostProductionStep(
                agency=project.agency,
                client_id=project.client_id,
                project=project,
                kind=kind,
                position=position,
                created_by=actor.user,
                updated_by=actor.user,
            )
            for position, kind in enumerate(PostStepKind.values)
        ]
    )
    return project


@transaction.atomic
def project_update(*, actor: Actor, project: VideoProject, **changes) -> VideoProject:
    """Change a project's title, brief, due date or assignee. Its client and account are fixed."""
    project = _lock(VideoProject, project)
    allowed = {"title", "brief", "due_date", "assignee"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    if project.stage == Stage.PUBLISHED:
        raise ValidationError({"stage": _("A published project is closed.")})
    for name, value in changes.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def project_delete(*, actor: Actor, project: VideoProject) -> None:
    """Delete a project that has not started shooting (nothing of the client's was filmed yet)."""
    project = _lock(VideoProject, project)
    _require_stage(project, DELETABLE_STAGES, _("A project can be deleted"))
    for step in project.steps.exclude(evidence_file=""):
        _delete_file_on_commit(step.evidence_file.name)
    project.delete()


@dataclass
class Gate:
    """What entering ``stage`` needs and what is missing now; ``snapshot`` records what was found."""

    stage: str
    missing: list[str] = field(default_factory=list)
    snapshot: dict = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return not self.missing


def latest_script(project: VideoProject) -> Script | None:
    return project.scripts.order_by("-version").first()


def latest_cut(project: VideoProject) -> Cut | None:
    return project.cuts.order_by("-version").first()


def _gate_scripting(project: VideoProject) -> Gate:
    gate = Gate(Stage.SCRIPTING)
    if project.assignee_id is None:
        gate.missing.append(_("nobody is assigned: name who writes the script"))
    return gate


def _gate_shooting(project: VideoProject) -> Gate:
    """5.1: all four parts exist and the current script version is approved."""
    gate = Gate(Stage.SHOOTING)
    script = latest_script(project)
    if script is None:
        gate.missing.append(_("there is no script"))
        return gate
    for part in script_missing_parts(script, shot_count=script.shots.count()):
        gate.missing.append(_("script v%(version)d lacks %(part)s") % {"version": script.version, "part": part})
    if script.status != ScriptStatus.APPROVED:
        gate.missing.append(
            _("script v%(version)d is not approved (%(status)s)")
            % {"version": script.version, "status": script.get_status_display()}
        )
    gate.snapshot = {
        "script": {
            "id": script.pk,
            "version": script.version,
            "status": script.status,
            "decided_at": script.decided_at.isoformat() if script.decided_at else None,
            "decided_by": script.decided_by_id,
        }
    }
    return gate


def _gate_post_production(project: VideoProject) -> Gate:
    """5.2: every shoot has 8-20 accepted clips, and no clip is still being read."""
    gate = Gate(Stage.POST_PRODUCTION)
    shoots = list(
        project.shoots.annotate(
            accepted=Count("clips", filter=Q(clips__verdict=ClipVerdict.ACCEPTED)),
            rejected=Count("clips", filter=Q(clips__verdict=ClipVerdict.REJECTED)),
            unread=Count("clips", filter=Q(clips__probe_state__in=[ProbeState.PENDING, ProbeState.PROBING])),
        ).order_by("date", "id")
    )
    if not shoots:
        gate.missing.append(_("there is no shoot"))
    for shoot in shoots:
        label = _("shoot %(shoot)s") % {"shoot": shoot}
        if shoot.unread:
            gate.missing.append(
                ngettext(
                    "%(shoot)s has %(count)d clip still being read from its file",
                    "%(shoot)s has %(count)d clips still being read from their files",
                    shoot.unread,
                )
                % {"shoot": label, "count": shoot.unread}
            )
        problem = shoot_clip_count_problem(shoot_label=label, accepted=shoot.accepted)
        if problem:
            gate.missing.append(problem)
    accepted_ids = dict(
        Clip.objects.filter(project=project, verdict=ClipVerdict.ACCEPTED)
        .values("shoot_id")
        .annotate(n=Count("id"))
        .values_list("shoot_id", "n")
    )
    gate.snapshot = {
        "shoots": [
            {
                "id": shoot.pk,
                "label": str(shoot),
                "accepted": accepted_ids.get(shoot.pk, 0),
                "rejected": shoot.rejected,
                "accepted_clips": list(
                    Clip.objects.filter(shoot=shoot, verdict=ClipVerdict.ACCEPTED).values_list("pk", flat=True)
                ),
            }
            for shoot in shoots
        ]
    }
    return gate


def _gate_client_review(project: VideoProject) -> Gate:
    """5.3: the five steps are done or not applicable; a cut has been read and not yet reviewed."""
    gate = Gate(Stage.CLIENT_REVIEW)
    steps = list(project.steps.order_by("position"))
    for step in steps:
        if not step.is_finished:
            gate.missing.append(
                _("post-production step %(step)s is %(status)s")
                % {"step": step.get_kind_display(), "status": step.get_status_display()}
            )
    present = {step.kind for step in steps}
    for kind in PostStepKind:
        if kind.value not in present:
            gate.missing.append(_("post-production step %(step)s is missing") % {"step": kind.label})
    cut = latest_cut(project)
    if cut is None:
        gate.missing.append(_("no cut has been uploaded"))
    elif cut.probe_state in (ProbeState.PENDING, ProbeState.PROBING):
        gate.missing.append(_("cut v%(version)d is still being read from its file") % {"version": cut.version})
    elif cut.probe_state == ProbeState.FAILED:
        gate.missing.append(
            _("cut v%(version)d could not be read (%(error)s): upload a new cut")
            % {"version": cut.version, "error": cut.probe_error}
        )
    elif cut.review_rounds.exclude(status=RoundStatus.WITHDRAWN).exists():
        gate.missing.append(
            _("cut v%(version)d was already reviewed: upload a new cut with the changes") % {"version": cut.version}
        )
    gate.snapshot = {
        "steps": [
            {
                "id": step.pk,
                "kind": step.kind,
                "status": step.status,
                "completed_at": step.completed_at.isoformat() if step.completed_at else None,
            }
            for step in steps
        ],
        "cut": {"id": cut.pk, "version": cut.version} if cut else None,
    }
    return gate


def _gate_publishing(project: VideoProject) -> Gate:
    gate = Gate(Stage.PUBLISHING)
    round_ = project.review_rounds.order_by("-number").first()
    if round_ is None or round_.status != RoundStatus.APPROVED:
        gate.missing.append(_("the client has not approved the cut: a review round approves it"))
    return gate


def _gate_published(project: VideoProject) -> Gate:
    gate = Gate(Stage.PUBLISHED)
    if project.video_id is None:
        gate.missing.append(_("the publication is not recorded: publish records the platform item id, URL and time"))
    return gate


GATES = {
    Stage.SCRIPTING: _gate_scripting,
    Stage.SHOOTING: _gate_shooting,
    Stage.POST_PRODUCTION: _gate_post_production,
    Stage.CLIENT_REVIEW: _gate_client_review,
    Stage.PUBLISHING: _gate_publishing,
    Stage.PUBLISHED: _gate_published,
}
# Stages entered only through their own action, which records more than the move.
ENTERED_BY_ACTION = {
    Stage.PUBLISHING: "approve (review round)",
    Stage.PUBLISHED: "publish",
}


def project_gate(project: VideoProject, stage: str | None = None) -> Gate | None:
    """The gate into ``stage`` (default: the next stage), with what is missing now."""
    stage = stage or project.next_stage
    if stage is None:
        return None
    return GATES[stage](project)


def _gate_error(gate: Gate) -> ValidationError:
    return ValidationError(
        {
            "stage": [
                _("Cannot enter %(stage)s: %(missing)s.") % {"stage": _stage_label(gate.stage), "missing": item}
                for item in gate.missing
            ]
        }
    )


@transaction.atomic
def project_advance(*, actor: Actor, project: VideoProject, stage: str) -> VideoProject:
    """Move the project one stage forward, through its gate. ``stage`` names the stage to enter,
    so that a repeated request cannot skip a stage."""
    project = _lock(VideoProject, project)
    if stage not in STAGE_ORDER:
        raise ValidationError({"stage": _("Unknown stage %(stage)s.") % {"stage": stage}})
    if stage != project.next_stage:
        raise ValidationError(
            {
                "stage": _("The project is in %(current)s; the next stage is %(next)s, not %(stage)s.")
                % {
                    "current": _stage_label(project.stage),
                    "next": _stage_label(project.next_stage) if project.next_stage else "—",
                    "stage": _stage_label(stage),
                }
            }
        )
    gate = project_gate(project, stage)
    if not gate.open:
        raise _gate_error(gate)
    if stage in ENTERED_BY_ACTION:
        raise ValidationError(
            {
                "stage": _("%(stage)s is entered with %(action)s.")
                % {"stage": _stage_label(stage), "action": ENTERED_BY_ACTION[stage]}
            }
        )
    _record_transition(actor=actor, project=project, to_stage=stage, snapshot=gate.snapshot)
    if stage == Stage.CLIENT_REVIEW:
        _open_review_round(project=project, cut=latest_cut(project))
    return project


@transaction.atomic
def project_move_back(*, actor: Actor, project: VideoProject, stage: str, reason: str) -> VideoProject:
    """Send the project back to an earlier stage (a script to rework, a clip to reshoot), saying
    why. Going forward again passes the gates again. An open review round is withdrawn."""
    project = _lock(VideoProject, project)
    if stage not in STAGE_ORDER:
        raise ValidationError({"stage": _("Unknown stage %(stage)s.") % {"stage": stage}})
    if project.stage == Stage.PUBLISHED:
        raise ValidationError({"stage": _("A published project is closed.")})
    if stage_index(stage) >= stage_index(project.stage):
        raise ValidationError(
            {
                "stage": _("%(stage)s is not before %(current)s.")
                % {"stage": _stage_label(stage), "current": _stage_label(project.stage)}
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the project goes back.")})
    project.review_rounds.filter(status=RoundStatus.OPEN).update(
        status=RoundStatus.WITHDRAWN, decided_at=timezone.now(), updated_at=timezone.now()
    )
    _record_transition(actor=actor, project=project, to_stage=stage, note=reason.strip())
    return project


# --- 5.1 scripts and storyboards -------------------------------------------------------------

SCRIPT_FIELDS = frozenset(
    {"topic", "topic_basis", "topic_reason", "trending_topics", "requirement", "scene_concept", "screenplay"}
)


def _ensure_draft(script: Script) -> None:
    if script.status != ScriptStatus.DRAFT:
        raise ValidationError(
            {
                "status": _("Script v%(version)d is %(status)s and no longer changes; start a new version.")
                % {"version": script.version, "status": script.get_status_display()}
            }
        )


@transaction.atomic
def script_new_version(*, actor: Actor, project: VideoProject) -> Script:
    """Start the next version of the script from a copy of the latest one (shots included)."""
    project = _lock(VideoProject, project)
    _require_stage(project, SCRIPT_EDIT_STAGES, _("A script is rewritten"), "project")
    previous = latest_script(project)
    if previous is not None and previous.status in (ScriptStatus.DRAFT, ScriptStatus.SUBMITTED):
        raise ValidationError(
            {
                "project": _("Script v%(version)d is still %(status)s: finish it first.")
                % {"version": previous.version, "status": previous.get_status_display()}
            }
        )
    script = Script(agency=project.agency, client_id=project.client_id, project=project)
    if previous is not None:
        script.version = previous.version + 1
        for name in SCRIPT_FIELDS:
            setattr(script, name, getattr(previous, name))
    script.full_clean()
    script.save()
    if previous is not None:
        StoryboardShot.objects.bulk_create(
            [
                StoryboardShot(
                    agency=project.agency,
                    client_id=project.client_id,
                    script=script,
                    number=shot.number,
                    shot_size=shot.shot_size,
                    camera_movement=shot.camera_movement,
                    duration_seconds=shot.duration_seconds,
                    picture=shot.picture,
                    dialogue=shot.dialogue,
                    sound=shot.sound,
                    props=shot.props,
                    created_by=actor.user,
                    updated_by=actor.user,
                )
                for shot in previous.shots.all()
            ]
        )
    return script


@transaction.atomic
def script_update(*, actor: Actor, script: Script, **changes) -> Script:
    """Write the parts of a draft script (5.1 a)-c))."""
    script = _lock(Script, script)
    _ensure_draft(script)
    _require_stage(script.project, SCRIPT_EDIT_STAGES, _("A script is written"))
    unknown = set(changes) - SCRIPT_FIELDS
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    requirement = changes.get("requirement")
    if isinstance(requirement, ClientRequirement) and requirement.client_id != script.client_id:
        raise ValidationError({"requirement": _("The requirement belongs to another client.")})
    for name, value in changes.items():
        setattr(script, name, value.strip() if isinstance(value, str) else value)
    script.full_clean()
    script.save()
    return script


@transaction.atomic
def script_submit(*, actor: Actor, script: Script) -> Script:
    """Send a complete draft to the client for approval."""
    script = _lock(Script, script)
    _ensure_draft(script)
    _require_stage(script.project, SCRIPT_EDIT_STAGES, _("A script is submitted"))
    missing = script_missing_parts(script, shot_count=script.shots.count())
    if missing:
        raise ValidationError(
            {
                "status": [
                    _("Script v%(version)d lacks %(part)s.") % {"version": script.version, "part": part}
                    for part in missing
                ]
            }
        )
    script.status = ScriptStatus.SUBMITTED
    script.submitted_at = timezone.now()
    script.full_clean()
    script.save()
    return script


def _decide_script(actor: Actor, script: Script, status: str, comment: str) -> Script:
    script = _lock(Script, script)
    _require_decider(actor, "script", script)
    if script.status != ScriptStatus.SUBMITTED:
        raise ValidationError(
            {
                "status": _("Script v%(version)d is %(status)s; only a submitted script is decided.")
                % {"version": script.version, "status": script.get_status_display()}
            }
        )
    newest = latest_script(script.project)
    if newest.pk != script.pk:
        raise ValidationError(
            {"status": _("Script v%(version)d is not the current version.") % {"version": script.version}}
        )
    script.status = status
    script.decided_by = actor.user
    script.decided_at = timezone.now()
    script.decision_comment = (comment or "").strip()
    script.full_clean()
    script.save()
    return script


@transaction.atomic
def script_approve(*, actor: Actor, script: Script, comment: str = "") -> Script:
    """The client's approver (or an agency lead) approves the submitted script (5.1)."""
    return _decide_script(actor, script, ScriptStatus.APPROVED, comment)


@transaction.atomic
def script_request_changes(*, actor: Actor, script: Script, comment: str) -> Script:
    """The approver asks for changes, saying which; the writers start a new version."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change.")})
    return _decide_script(actor, script, ScriptStatus.CHANGES_REQUESTED, comment)


SHOT_FIELDS = frozenset(
    {"number", "shot_size", "camera_movement", "duration_seconds", "picture", "dialogue", "sound", "props"}
)


@transaction.atomic
def storyboard_shot_add(*, actor: Actor, script: Script, **fields) -> StoryboardShot:
    """Add a shot to a draft script's storyboard (5.1 d)); numbered next unless given."""
    script = _lock(Script, script)
    _ensure_draft(script)
    unknown = set(fields) - SHOT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown shot field.") for name in unknown})
    if not fields.get("number"):
        fields["number"] = (script.shots.aggregate(n=Max("number"))["n"] or 0) + 1
    shot = StoryboardShot(agency=script.agency, client_id=script.client_id, script=script, **fields)
    shot.full_clean()
    shot.save()
    return shot


@transaction.atomic
def storyboard_shot_update(*, actor: Actor, shot: StoryboardShot, **changes) -> StoryboardShot:
    shot = _lock(StoryboardShot, shot)
    _ensure_draft(shot.script)
    unknown = set(changes) - SHOT_FIELDS
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    for name, value in changes.items():
        setattr(shot, name, value)
    shot.full_clean()
    shot.save()
    return shot


@transaction.atomic
def storyboard_shot_delete(*, actor: Actor, shot: StoryboardShot) -> None:
    shot = _lock(StoryboardShot, shot)
    _ensure_draft(shot.script)
    shot.delete()


# --- 5.2 shoots and clips --------------------------------------------------------------------

SHOOT_FIELDS = frozenset({"date", "location", "scene_setup", "crew"})


@transaction.atomic
def shoot_create(
    *, actor: Actor, project: VideoProject, date: dt.date, location: str, scene_setup: str = "", crew: str = ""
) -> Shoot:
    """Plan a shoot of the project (while planning, scripting or shooting)."""
    _require_stage(project, SHOOT_EDIT_STAGES, _("A shoot is planned"), "project")
    shoot = Shoot(
        agency=project.agency,
        client_id=project.client_id,
        project=project,
        date=date,
        location=(location or "").strip(),
        scene_setup=(scene_setup or "").strip(),
        crew=(crew or "").strip(),
    )
    shoot.full_clean()
    shoot.save()
    return shoot


@transaction.atomic
def shoot_update(*, actor: Actor, shoot: Shoot, **changes) -> Shoot:
    shoot = _lock(Shoot, shoot)
    _require_stage(shoot.project, SHOOT_EDIT_STAGES, _("A shoot is changed"))
    unknown = set(changes) - SHOOT_FIELDS
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    for name, value in changes.items():
        setattr(shoot, name, value.strip() if isinstance(value, str) else value)
    shoot.full_clean()
    shoot.save()
    return shoot


@transaction.atomic
def shoot_delete(*, actor: Actor, shoot: Shoot) -> None:
    shoot = _lock(Shoot, shoot)
    _require_stage(shoot.project, SHOOT_EDIT_STAGES, _("A shoot is deleted"))
    if shoot.clips.exists():
        raise ValidationError({"clips": _("The shoot has clips: delete them first.")})
    shoot.delete()


# The extension a stored video gets, from the container its bytes were read as (never the name).
VIDEO_EXTENSIONS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "mkv", "mpegts": "ts"}


def _check_video_upload(*, actor: Actor, upload) -> media.VideoSniff:
    """Refuse, before anything is stored, a file empty, too large or that is not a video (5.2);
    name what is kept after the container found, never after the uploader's name."""
    uploads.check_size(upload, field="file", kind="video", default_limit=actor.agency.setting(CLIP_MAX_UPLOAD_BYTES))
    name = uploads.display_name(upload)
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.file
    try:
        sniff = media.sniff_video(source)
    except media.NotAVideo as exc:
        raise ValidationError({"file": _("%(name)s is not a video: %(reason)s.") % {"name": name, "reason": exc}})
    upload.name = f"video.{VIDEO_EXTENSIONS.get(sniff.container, 'bin')}"
    return sniff


@transaction.atomic
def clip_upload(*, actor: Actor, shoot: Shoot, file, label: str = "") -> Clip:
    """Receive a clip into a shoot. The file is checked from its bytes first (a video, within the
    size limit); its facts are read by ``clip_probe_task`` once this transaction commits."""
    shoot = _lock(Shoot, shoot)
    _require_stage(shoot.project, {Stage.SHOOTING}, _("Clips are uploaded"), "shoot")
    original_name = (getattr(file, "name", "") or "clip")[-255:]
    _check_video_upload(actor=actor, upload=file)
    clip = Clip(
        agency=shoot.agency,
        client_id=shoot.client_id,
        project_id=shoot.project_id,
        shoot=shoot,
        original_name=original_name,
        size_bytes=file.size,
        label=(label or "").strip(),
    )
    clip.file = file
    clip.full_clean()
    _store(clip, "file")
    from production.tasks import clip_probe_task

    enqueue(clip_probe_task, agency_id=clip.agency_id, clip_id=clip.pk)
    return clip


@transaction.atomic
def clip_update(*, actor: Actor, clip: Clip, label: str) -> Clip:
    clip = _lock(Clip, clip)
    clip.label = (label or "").strip()
    clip.full_clean()
    clip.save()
    return clip


@transaction.atomic
def clip_delete(*, actor: Actor, clip: Clip) -> None:
    """Remove a clip and, once that commits, its file. Only while shooting: after the 5.2 gate
    the clips are the evidence it was passed on."""
    clip = _lock(Clip, clip)
    _require_stage(clip.project, {Stage.SHOOTING}, _("Clips are deleted"))
    name = clip.file.name
    clip.delete()
    _delete_file_on_commit(name)


def _media_source(row):
    try:
        return row.file.path
    except NotImplementedError:  # storage without local paths
        return row.file.open("rb")


@transaction.atomic
def media_probe_start(*, model, pk: int):
    """Mark a clip or cut as being read. Returns None when there is nothing (left) to read:
    the row is gone, or was read already (a second run changes nothing)."""
    row = model.objects.select_for_update().filter(pk=pk).first()
    if row is None or row.probe_state in (ProbeState.DONE, ProbeState.FAILED):
        return None
    row.probe_state = ProbeState.PROBING
    row.save(update_fields=["probe_state", "updated_at"])
    return row


@transaction.atomic
def media_probe_finish(*, model, pk: int, facts: media.VideoFacts | None, error: str = ""):
    """Record what was read from the file; for a clip, judge it against 5.2."""
    row = model.objects.select_for_update().filter(pk=pk).first()
    if row is None or row.probe_state in (ProbeState.DONE, ProbeState.FAILED):
        return row
    row.probed_at = timezone.now()
    if facts is None:
        row.probe_state = ProbeState.FAILED
        row.probe_error = error
        if isinstance(row, Clip):
            row.verdict = ClipVerdict.REJECTED
            row.rule_failures = [{"rule": "readable", "message": error}]
    else:
        row.probe_state = ProbeState.DONE
        row.probe_error = ""
        for name in row.FACT_FIELDS:
            setattr(row, name, getattr(facts, name))
        if isinstance(row, Clip):
            failures = clip_rule_failures(
                display_width=facts.display_width,
                display_height=facts.display_height,
                duration_seconds=facts.duration_seconds,
            )
            row.verdict = ClipVerdict.REJECTED if failures else ClipVerdict.ACCEPTED
            row.rule_failures = [failure.as_dict() for failure in failures]
    row.full_clean()
    row.save()
    return row


def media_probe(*, model, pk: int):
    """Read a clip's or cut's file and record its facts (the probe task's body). Two short
    transactions around the reading, so that "being read" shows while it runs."""
    row = media_probe_start(model=model, pk=pk)
    if row is None:
        return model.objects.filter(pk=pk).first()
    source = _media_source(row)
    try:
        facts, error = media.read_video_facts(source), ""
    except (media.NotAVideo, media.MediaUnreadable) as exc:
        facts, error = None, str(exc)
    except FileNotFoundError:
        facts, error = None, _("the file is missing from storage")
    except SoftTimeLimitExceeded:
        facts, error = None, _("reading the file took longer than the time allowed")
    except MemoryError:
        facts, error = None, _("reading the file needed more memory than allowed")
    finally:
        if hasattr(source, "close"):
            source.close()
    return media_probe_finish(model=model, pk=pk, facts=facts, error=error)


@transaction.atomic
def media_requeue_stale(*, older_than: dt.timedelta) -> int:
    """Send again the probe of clips and cuts still unread after ``older_than`` (a lost message,
    a worker that died). Reading is idempotent, so a duplicate does no harm."""
    from production.tasks import clip_probe_task, cut_probe_task

    cutoff = timezone.now() - older_than
    unread = Q(probe_state__in=[ProbeState.PENDING, ProbeState.PROBING], updated_at__lt=cutoff)
    count = 0
    for pk, agency_id in Clip.objects.filter(unread).values_list("pk", "agency_id"):
        enqueue(clip_probe_task, agency_id=agency_id, clip_id=pk)
        count += 1
    for pk, agency_id in Cut.objects.filter(unread).values_list("pk", "agency_id"):
        enqueue(cut_probe_task, agency_id=agency_id, cut_id=pk)
        count += 1
    return count


def media_sweep_orphans(*, agency_id: int, older_than: dt.timedelta, storage=default_storage) -> int:
    """Delete files under the agency's production folder that no row names (left by a request
    that rolled back after storing them). Files younger than ``older_than`` are left alone: their
    row may not be committed yet."""
    from production.models import agency_media_prefix

    known = set()
    for model, name in ((Clip, "file"), (Cut, "file"), (PostProductionStep, "evidence_file")):
        known.update(model.objects.exclude(**{name: ""}).values_list(name, flat=True))
    cutoff = timezone.now() - older_than
    removed = 0

    def walk(folder: str):
        try:
            dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        for name in files:
            yield f"{folder}{name}"
        for sub in dirs:
            yield from walk(f"{folder}{sub}/")

    for path in list(walk(agency_media_prefix(agency_id))):
        if path in known:
            continue
        if storage.get_modified_time(path) >= cutoff:
            continue
        storage.delete(path)
        removed += 1
    return removed


# --- 5.3 post-production and cuts ------------------------------------------------------------


@transaction.atomic
def cut_upload(*, actor: Actor, project: VideoProject, file, notes: str = "") -> Cut:
    """Receive the next version of the edited video; it is read from its file like a clip."""
    project = _lock(VideoProject, project)
    _require_stage(project, {Stage.POST_PRODUCTION}, _("Cuts are uploaded"), "project")
    original_name = (getattr(file, "name", "") or "cut")[-255:]
    _check_video_upload(actor=actor, upload=file)
    version = (project.cuts.aggregate(n=Max("version"))["n"] or 0) + 1
    cut = Cut(
        agency=project.agency,
        client_id=project.client_id,
        project=project,
        version=version,
        original_name=original_name,
        size_bytes=file.size,
        notes=(notes or "").strip(),
    )
    cut.file = file
    cut.full_clean()
    _store(cut, "file")
    from production.tasks import cut_probe_task

    enqueue(cut_probe_task, agency_id=cut.agency_id, cut_id=cut.pk)
    return cut


# 5.3 evidence files: a subtitle file is text (and small); a cover is a picture, re-encoded.
SUBTITLE_MAX_BYTES = 2 * uploads.MIB
COVER_MAX_BYTES = 20 * uploads.MIB
COVER_MAX_PIXELS = 50_000_000


def _clean_evidence_file(kind: str, upload):
    """The file to keep as a step's evidence, checked from its bytes: the subtitles as sent, the
    cover re-encoded without metadata, any other step's file as an evidence document."""
    needed = POST_STEP_EVIDENCE[kind]
    name = uploads.display_name(upload)
    if needed == EVIDENCE_IMAGE:
        return uploads.clean_picture(
            upload, field="evidence_file", kind="cover", max_bytes=COVER_MAX_BYTES, max_pixels=COVER_MAX_PIXELS
        ).as_file()
    if needed != EVIDENCE_SUBTITLE_FILE:
        return uploads.clean_document(upload, field="evidence_file")
    data = uploads.read_upload(upload, field="evidence_file", kind="subtitles", default_limit=SUBTITLE_MAX_BYTES)
    try:
        fmt = media.sniff_subtitles(io.BytesIO(data))
    except media.NotAVideo as exc:
        raise ValidationError(
            {
                "evidence_file": _("%(name)s is not %(what)s: %(reason)s.")
                % {"name": name, "what": _("a subtitle file"), "reason": exc}
            }
        )
    return ContentFile(data, name=f"subtitles.{SUBTITLE_EXTENSIONS.get(fmt, 'srt')}")


SUBTITLE_EXTENSIONS = {"subrip": "srt", "srt": "srt", "ass": "ass", "ssa": "ass", "webvtt": "vtt"}


UNSET = object()


@transaction.atomic
def post_step_update(
    *,
    actor: Actor,
    step: PostProductionStep,
    status: str | None = None,
    assignee=UNSET,
    evidence_file=None,
    evidence_note: str | None = None,
    not_applicable_reason: str | None = None,
) -> PostProductionStep:
    """Work on one of the five steps (5.3). Done needs its evidence (a subtitle file for
    subtitles, an image for the cover, a note of what was done otherwise); not applicable needs
    a reason."""
    step = _lock(PostProductionStep, step)
    _require_stage(step.project, {Stage.POST_PRODUCTION}, _("Post-production steps change"))
    old_file = step.evidence_file.name if step.evidence_file else ""
    old_status = step.status
    if assignee is not UNSET:
        step.assignee = assignee
    if evidence_note is not None:
        step.evidence_note = evidence_note.strip()
    if not_applicable_reason is not None:
        step.not_applicable_reason = not_applicable_reason.strip()
    if evidence_file is not None:
        step.evidence_file = _clean_evidence_file(step.kind, evidence_file)
    if status is not None:
        step.status = status
    if step.status == StepStatus.NOT_APPLICABLE and not step.not_applicable_reason:
        raise ValidationError({"not_applicable_reason": _("Say why this step does not apply to this video.")})
    if step.status == StepStatus.DONE:
        needed = POST_STEP_EVIDENCE[step.kind]
        if needed == EVIDENCE_SUBTITLE_FILE and not step.evidence_file:
            raise ValidationError({"evidence_file": _("Subtitles are done with their subtitle file.")})
        if needed == EVIDENCE_IMAGE and not step.evidence_file:
            raise ValidationError({"evidence_file": _("The cover is done with its image.")})
        if needed == EVIDENCE_NOTE and not step.evidence_note:
            raise ValidationError(
                {"evidence_note": _("Say what was done for %(step)s.") % {"step": step.get_kind_display()}}
            )
    if step.status != StepStatus.NOT_APPLICABLE:
        step.not_applicable_reason = ""
    if step.status in FINISHED_STEP_STATUSES:
        if step.completed_at is None or step.status != old_status:
            step.completed_at = timezone.now()
            step.completed_by = actor.user
    else:
        step.completed_at = None
        step.completed_by = None
    step.full_clean()
    _store(step, "evidence_file")
    if old_file and old_file != step.evidence_file.name:
        _delete_file_on_commit(old_file)
    return step


# --- client review ---------------------------------------------------------------------------


def _open_review_round(*, project: VideoProject, cut: Cut) -> ReviewRound:
    number = (project.review_rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = ReviewRound(agency=project.agency, client_id=project.client_id, project=project, cut=cut, number=number)
    round_.full_clean()
    round_.save()
    return round_


def _ensure_open_round(round_: ReviewRound) -> None:
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(
            {
                "round": _("Review round %(number)d is closed (%(status)s).")
                % {"number": round_.number, "status": round_.get_status_display()}
            }
        )


def _check_timecode(cut: Cut, seconds: Decimal | None, frame: int | None) -> None:
    if seconds is None:
        raise ValidationError({"timecode_seconds": _("Say where in the video: a time code in seconds.")})
    if seconds < 0:
        raise ValidationError({"timecode_seconds": _("A time code cannot be negative.")})
    if cut.duration_seconds is not None and seconds > cut.duration_seconds:
        raise ValidationError(
            {
                "timecode_seconds": _("%(at)s s is past the end of cut v%(version)d (%(length)s s).")
                % {"at": seconds_text(seconds), "version": cut.version, "length": seconds_text(cut.duration_seconds)}
            }
        )
    if frame is not None:
        if not cut.frame_rate:
            raise ValidationError({"frame": _("The cut's frame rate is unknown: give the time code only.")})
        frames = ceil(cut.frame_rate)
        if frame >= frames:
            raise ValidationError(
                {
                    "frame": _("Frame %(frame)d does not exist: a second of this cut has frames 0-%(last)d.")
                    % {"frame": frame, "last": frames - 1}
                }
            )


@transaction.atomic
def review_comment_add(
    *,
    actor: Actor,
    round: ReviewRound,  # noqa: A002 - the standard's word
    body: str,
    timecode_seconds: Decimal | None = None,
    frame: int | None = None,
    parent: ReviewComment | None = None,
) -> ReviewComment:
    """Comment on the round's cut at a time code, or reply to a comment (staff and the client's
    approver see the same thread)."""
    round_ = round
    if actor.is_client_person and actor.client_id != round_.client_id:
        raise PermissionDenied(_("This belongs to another client."))
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the comment.")})
    if round_.project.stage == Stage.PUBLISHED:
        raise ValidationError({"round": _("A published project is closed.")})
    if parent is not None:
        if parent.round_id != round_.pk:
            raise ValidationError({"parent": _("The comment replied to belongs to another review round.")})
        if parent.parent_id is not None:
            parent = parent.parent  # replies stay one level deep
        timecode_seconds, frame = None, None
    else:
        _ensure_open_round(round_)
        if timecode_seconds is not None:
            timecode_seconds = Decimal(str(timecode_seconds)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        _check_timecode(round_.cut, timecode_seconds, frame)
    comment = ReviewComment(
        agency=round_.agency,
        client_id=round_.client_id,
        round=round_,
        cut_id=round_.cut_id,
        parent=parent,
        author=actor.user,
        body=body.strip(),
        timecode_seconds=timecode_seconds,
        frame=frame,
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def review_comment_resolve(*, actor: Actor, comment: ReviewComment, resolved: bool = True) -> ReviewComment:
    """Mark a comment as dealt with, in the project's latest cut (or open it again)."""
    comment = _lock(ReviewComment, comment)
    if comment.parent_id is not None:
        raise ValidationError({"parent": _("Replies are not resolved; resolve the comment they answer.")})
    if resolved:
        comment.resolved_at = timezone.now()
        comment.resolved_by = actor.user
        comment.resolved_in = latest_cut(comment.round.project)
    else:
        comment.resolved_at = comment.resolved_by = comment.resolved_in = None
    comment.full_clean()
    comment.save()
    return comment


def _decide_round(actor: Actor, round_: ReviewRound, status: str, comment: str, to_stage: str) -> ReviewRound:
    round_ = _lock(ReviewRound, round_)
    _require_decider(actor, "review", round_)
    _ensure_open_round(round_)
    project = _lock(VideoProject, round_.project)
    round_.status = status
    round_.decided_by = actor.user
    round_.decided_at = timezone.now()
    round_.decision_comment = (comment or "").strip()
    round_.full_clean()
    round_.save()
    _record_transition(
        actor=actor,
        project=project,
        to_stage=to_stage,
        note=round_.decision_comment,
        snapshot={"round": round_.pk, "cut": {"id": round_.cut_id, "version": round_.cut.version}},
    )
    return round_


@transaction.atomic
def review_round_approve(*, actor: Actor, round: ReviewRound, comment: str = "") -> ReviewRound:  # noqa: A002
    """The client approves the cut: the project is ready to publish."""
    return _decide_round(actor, round, RoundStatus.APPROVED, comment, Stage.PUBLISHING)


@transaction.atomic
def review_round_request_changes(*, actor: Actor, round: ReviewRound, comment: str) -> ReviewRound:  # noqa: A002
    """The client asks for changes: the project goes back to post-production for a new cut."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change.")})
    return _decide_round(actor, round, RoundStatus.CHANGES_REQUESTED, comment, Stage.POST_PRODUCTION)


# --- publishing ------------------------------------------------------------------------------


@transaction.atomic
def project_publish(
    *,
    actor: Actor,
    project: VideoProject,
    platform_item_id: str,
    url: str = "",
    published_at: dt.datetime | None = None,
) -> VideoProject:
    """Record the publication: create (or link, when the platform's data already brought it in)
    the account's ``clients.Video``, and close the project."""
    project = _lock(VideoProject, project)
    _require_stage(project, {Stage.PUBLISHING}, _("A video is published"))
    platform_item_id = (platform_item_id or "").strip()
    if not platform_item_id:
        raise ValidationError({"platform_item_id": _("Give the platform's id of the published video.")})
    published_at = published_at or timezone.now()
    if published_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"published_at": _("Record the publication once the video is live, not before.")})
    round_ = project.review_rounds.filter(status=RoundStatus.APPROVED).order_by("-number").first()
    cut = round_.cut if round_ else latest_cut(project)
    video = Video.objects.select_for_update().filter(account=project.account, platform_item_id=platform_item_id).first()
    if video is not None:
        other = VideoProject.objects.filter(video=video).exclude(pk=project.pk).first()
        if other is not None:
            raise ValidationError(
                {
                    "platform_item_id": _("That video is already the publication of project %(project)s.")
                    % {"project": other.title}
                }
            )
        video.origin = VideoOrigin.PRODUCED
        video.title = video.title or project.title
        video.url = video.url or (url or "").strip()
        video.published_at = video.published_at or published_at
    else:
        video = Video(
            agency=project.agency,
            client_id=project.client_id,
            account_id=project.account_id,
            platform_item_id=platform_item_id,
            title=project.title[:300],
            url=(url or "").strip(),
            published_at=published_at,
            origin=VideoOrigin.PRODUCED,
        )
    if cut is not None and cut.duration_seconds is not None and video.duration_seconds is None:
        video.duration_seconds = cut.duration_seconds.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    video.full_clean()
    video.save()
    project.video = video
    project.save(update_fields=["video", "updated_at", "updated_by"])
    _record_transition(
        actor=actor,
        project=project,
        to_stage=Stage.PUBLISHED,
        snapshot={"video": video.pk, "platform_item_id": platform_item_id, "cut": cut.pk if cut else None},
    )
    return project
