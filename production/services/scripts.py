"""Clause 5.1: scripts and storyboards, their versions and the client's decision."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import validated_save
from agency.tenancy import Actor
from clients.models import ClientRequirement
from production.models.projects import VideoProject
from production.models.scripts import Script, ScriptStatus, StoryboardShot
from production.rules import script_missing_parts
from production.services.common import SCRIPT_EDIT_STAGES, latest_script, lock_row, require_decider, require_stage

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
    project = lock_row(VideoProject, project)
    require_stage(project, SCRIPT_EDIT_STAGES, _("A script is rewritten"), "project")
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
    validated_save(script)
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
    script = lock_row(Script, script)
    _ensure_draft(script)
    require_stage(script.project, SCRIPT_EDIT_STAGES, _("A script is written"))
    unknown = set(changes) - SCRIPT_FIELDS
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    requirement = changes.get("requirement")
    if isinstance(requirement, ClientRequirement) and requirement.client_id != script.client_id:
        raise ValidationError({"requirement": _("The requirement belongs to another client.")})
    for name, value in changes.items():
        setattr(script, name, value.strip() if isinstance(value, str) else value)
    return validated_save(script)


@transaction.atomic
def script_submit(*, actor: Actor, script: Script) -> Script:
    """Send a complete draft to the client for approval."""
    script = lock_row(Script, script)
    _ensure_draft(script)
    require_stage(script.project, SCRIPT_EDIT_STAGES, _("A script is submitted"))
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
    return validated_save(script)


def _decide_script(actor: Actor, script: Script, status: str, comment: str) -> Script:
    script = lock_row(Script, script)
    require_decider(actor, "script", script)
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
    return validated_save(script)


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
    script = lock_row(Script, script)
    _ensure_draft(script)
    unknown = set(fields) - SHOT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown shot field.") for name in unknown})
    if not fields.get("number"):
        fields["number"] = (script.shots.aggregate(n=Max("number"))["n"] or 0) + 1
    shot = StoryboardShot(agency=script.agency, client_id=script.client_id, script=script, **fields)
    return validated_save(shot)


@transaction.atomic
def storyboard_shot_update(*, actor: Actor, shot: StoryboardShot, **changes) -> StoryboardShot:
    shot = lock_row(StoryboardShot, shot)
    _ensure_draft(shot.script)
    unknown = set(changes) - SHOT_FIELDS
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    for name, value in changes.items():
        setattr(shot, name, value)
    return validated_save(shot)


@transaction.atomic
def storyboard_shot_delete(*, actor: Actor, shot: StoryboardShot) -> None:
    shot = lock_row(StoryboardShot, shot)
    _ensure_draft(shot.script)
    shot.delete()
