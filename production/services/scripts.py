"""Clause 5.1: scripts and storyboards, their versions and the client's decision."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import UNCHANGED, given, validated_save
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
    script = Script(agency=project.agency, project=project)
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
def script_update(
    *,
    actor: Actor,
    script: Script,
    topic: str = UNCHANGED,
    topic_basis: list = UNCHANGED,
    topic_reason: str = UNCHANGED,
    trending_topics: str = UNCHANGED,
    requirement: ClientRequirement | None = UNCHANGED,
    scene_concept: str = UNCHANGED,
    screenplay: str = UNCHANGED,
) -> Script:
    """Write the parts of a draft script (5.1 a)-c); the fields given)."""
    changes = given(
        topic=topic,
        topic_basis=topic_basis,
        topic_reason=topic_reason,
        trending_topics=trending_topics,
        requirement=requirement,
        scene_concept=scene_concept,
        screenplay=screenplay,
    )
    script = lock_row(Script, script)
    _ensure_draft(script)
    require_stage(script.project, SCRIPT_EDIT_STAGES, _("A script is written"))
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


@transaction.atomic
def storyboard_shot_add(
    *,
    actor: Actor,
    script: Script,
    number: int | None = UNCHANGED,
    shot_size: str = UNCHANGED,
    camera_movement: str = UNCHANGED,
    duration_seconds: Decimal = UNCHANGED,
    picture: str = UNCHANGED,
    dialogue: str = UNCHANGED,
    sound: str = UNCHANGED,
    props: str = UNCHANGED,
) -> StoryboardShot:
    """Add a shot to a draft script's storyboard (5.1 d)); numbered next unless given. A field
    not given takes the model's default (a required one is refused as missing)."""
    fields = given(
        number=number,
        shot_size=shot_size,
        camera_movement=camera_movement,
        duration_seconds=duration_seconds,
        picture=picture,
        dialogue=dialogue,
        sound=sound,
        props=props,
    )
    script = lock_row(Script, script)
    _ensure_draft(script)
    if not fields.get("number"):
        fields["number"] = (script.shots.aggregate(n=Max("number"))["n"] or 0) + 1
    shot = StoryboardShot(agency=script.agency, script=script, **fields)
    return validated_save(shot)


@transaction.atomic
def storyboard_shot_update(
    *,
    actor: Actor,
    shot: StoryboardShot,
    number: int = UNCHANGED,
    shot_size: str = UNCHANGED,
    camera_movement: str = UNCHANGED,
    duration_seconds: Decimal = UNCHANGED,
    picture: str = UNCHANGED,
    dialogue: str = UNCHANGED,
    sound: str = UNCHANGED,
    props: str = UNCHANGED,
) -> StoryboardShot:
    """Change a draft script's shot (the fields given)."""
    changes = given(
        number=number,
        shot_size=shot_size,
        camera_movement=camera_movement,
        duration_seconds=duration_seconds,
        picture=picture,
        dialogue=dialogue,
        sound=sound,
        props=props,
    )
    shot = lock_row(StoryboardShot, shot)
    _ensure_draft(shot.script)
    for name, value in changes.items():
        setattr(shot, name, value)
    return validated_save(shot)


@transaction.atomic
def storyboard_shot_delete(*, actor: Actor, shot: StoryboardShot) -> None:
    shot = lock_row(StoryboardShot, shot)
    _ensure_draft(shot.script)
    shot.delete()
