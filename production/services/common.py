"""What the writes of chapter 5 share: locks, stage checks, file storage, the latest script and cut."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency import uploads
from agency.roles import DECIDE
from agency.tenancy import Actor
from production import media
from production.models.post import Cut
from production.models.projects import STAGE_ORDER, Stage, StageTransition, VideoProject
from production.models.scripts import Script
from production.rules import CLIP_MAX_UPLOAD_BYTES

SCRIPT_EDIT_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING})
SHOOT_EDIT_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING, Stage.SHOOTING})
DELETABLE_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING})


def stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def require_stage(project: VideoProject, allowed, what: str, field_name: str = "stage") -> None:
    if project.stage not in allowed:
        raise ValidationError(
            {
                field_name: _("%(what)s only while the project is in %(allowed)s; it is in %(stage)s.")
                % {
                    "what": what,
                    "allowed": " / ".join(stage_label(s) for s in STAGE_ORDER if s in allowed),
                    "stage": stage_label(project.stage),
                }
            }
        )


def require_decider(actor: Actor, resource: str, row) -> None:
    """Decisions are the client approver's (for their own client) or an agency lead's."""
    if not actor.can(DECIDE, resource):
        raise PermissionDenied(_("Your role does not allow this decision."))
    if actor.is_client_person and actor.client_id != row.client_id:
        raise PermissionDenied(_("This belongs to another client."))


def delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def lock_row(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def record_transition(*, actor: Actor | None, project: VideoProject, to_stage: str, note: str = "", snapshot=None):
    now = timezone.now()
    StageTransition.objects.create(
        agency=project.agency,
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


def latest_script(project: VideoProject) -> Script | None:
    return project.scripts.order_by("-version").first()


def latest_cut(project: VideoProject) -> Cut | None:
    return project.cuts.order_by("-version").first()


def check_video_upload(*, actor: Actor, upload) -> media.VideoSniff:
    """Refuse, before anything is stored, a file empty, too large or that is not a video (5.2);
    name what is kept after the container found, never after the uploader's name. Only the
    container header is read here (``media.sniff_video`` decodes nothing): the pictures are
    decoded by the probe task, in a worker under its memory cap."""
    uploads.check_size(upload, field="file", kind="video", default_limit=actor.agency.setting(CLIP_MAX_UPLOAD_BYTES))
    name = uploads.display_name(upload)
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.file
    try:
        sniff = media.sniff_video(source)
    except media.NotAVideo as exc:
        raise ValidationError({"file": _("%(name)s is not a video: %(reason)s.") % {"name": name, "reason": exc}})
    upload.name = f"video.{media.VIDEO_DEMUXERS.get(sniff.container, 'bin')}"
    return sniff
