"""Video projects: creation, assignment, the stage gates and moves (chapter 5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agency.people import check_person_field
from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount
from production.models.common import ProbeState
from production.models.post import PostProductionStep, PostStepKind
from production.models.projects import STAGE_ORDER, Stage, StageTransition, VideoProject, stage_index
from production.models.review import RoundStatus
from production.models.scripts import Script, ScriptStatus
from production.models.shoots import Clip, ClipVerdict
from production.rules import script_missing_parts, shoot_clip_count_problem
from production.services.common import (
    DELETABLE_STAGES,
    delete_file_on_commit,
    latest_cut,
    latest_script,
    lock_row,
    record_transition,
    require_stage,
    stage_label,
)
from production.services.review import open_review_round


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
    check_person_field(
        agency=actor.agency, client_id=account.client_id, user=assignee, field="assignee", resource="video_project"
    )
    project = VideoProject(
        agency=actor.agency,
        account=account,
        title=(title or "").strip(),
        due_date=due_date,
        assignee=assignee,
        brief=(brief or "").strip(),
    )
    validated_save(project)
    StageTransition.objects.create(
        agency=project.agency,
        project=project,
        from_stage="",
        to_stage=Stage.PLANNING,
        at=timezone.now(),
        by=actor.user,
    )
    Script.objects.create(agency=project.agency, project=project, version=1)
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
def project_update(
    *,
    actor: Actor,
    project: VideoProject,
    title: str = UNCHANGED,
    brief: str = UNCHANGED,
    due_date: dt.date = UNCHANGED,
    assignee=UNCHANGED,
) -> VideoProject:
    """Change a project's title, brief, due date or assignee (the fields given). Its client and
    account are fixed."""
    changes = given(title=title, brief=brief, due_date=due_date, assignee=assignee)
    project = lock_row(VideoProject, project)
    if project.stage == Stage.PUBLISHED:
        raise ValidationError({"stage": _("A published project is closed.")})
    if "assignee" in changes:
        check_person_field(
            agency=project.agency,
            client_id=project.client_id,
            user=changes["assignee"],
            field="assignee",
            resource="video_project",
        )
    for name, value in changes.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    return validated_save(project)


@transaction.atomic
def project_delete(*, actor: Actor, project: VideoProject) -> None:
    """Delete a project that has not started shooting (nothing of the client's was filmed yet)."""
    project = lock_row(VideoProject, project)
    require_stage(project, DELETABLE_STAGES, _("A project can be deleted"))
    for step in project.steps.exclude(evidence_file=""):
        delete_file_on_commit(step.evidence_file.name)
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
                _("Cannot enter %(stage)s: %(missing)s.") % {"stage": stage_label(gate.stage), "missing": item}
                for item in gate.missing
            ]
        }
    )


@transaction.atomic
def project_advance(*, actor: Actor, project: VideoProject, stage: str) -> VideoProject:
    """Move the project one stage forward, through its gate. ``stage`` names the stage to enter,
    so that a repeated request cannot skip a stage."""
    project = lock_row(VideoProject, project)
    if stage not in STAGE_ORDER:
        raise ValidationError({"stage": _("Unknown stage %(stage)s.") % {"stage": stage}})
    if stage != project.next_stage:
        raise ValidationError(
            {
                "stage": _("The project is in %(current)s; the next stage is %(next)s, not %(stage)s.")
                % {
                    "current": stage_label(project.stage),
                    "next": stage_label(project.next_stage) if project.next_stage else "—",
                    "stage": stage_label(stage),
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
                % {"stage": stage_label(stage), "action": ENTERED_BY_ACTION[stage]}
            }
        )
    record_transition(actor=actor, project=project, to_stage=stage, snapshot=gate.snapshot)
    if stage == Stage.CLIENT_REVIEW:
        open_review_round(project=project, cut=latest_cut(project))
    return project


@transaction.atomic
def project_move_back(*, actor: Actor, project: VideoProject, stage: str, reason: str) -> VideoProject:
    """Send the project back to an earlier stage (a script to rework, a clip to reshoot), saying
    why. Going forward again passes the gates again. An open review round is withdrawn."""
    project = lock_row(VideoProject, project)
    if stage not in STAGE_ORDER:
        raise ValidationError({"stage": _("Unknown stage %(stage)s.") % {"stage": stage}})
    if project.stage == Stage.PUBLISHED:
        raise ValidationError({"stage": _("A published project is closed.")})
    if stage_index(stage) >= stage_index(project.stage):
        raise ValidationError(
            {
                "stage": _("%(stage)s is not before %(current)s.")
                % {"stage": stage_label(stage), "current": stage_label(project.stage)}
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the project goes back.")})
    project.review_rounds.filter(status=RoundStatus.OPEN).update(
        status=RoundStatus.WITHDRAWN, decided_at=timezone.now(), updated_at=timezone.now()
    )
    record_transition(actor=actor, project=project, to_stage=stage, note=reason.strip())
    return project
