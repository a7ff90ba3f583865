"""What the writes of chapter 5 share: locks, stage checks, file storage, the latest script and cut."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.roles import DECIDE
from agency.tenancy import Actor
from production.models import (
    STAGE_ORDER,
    Cut,
    Script,
    Stage,
    StageTransition,
    VideoProject,
)

SCRIPT_EDIT_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING})
SHOOT_EDIT_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING, Stage.SHOOTING})
DELETABLE_STAGES = frozenset({Stage.PLANNING, Stage.SCRIPTING})


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


def latest_script(project: VideoProject) -> Script | None:
    return project.scripts.order_by("-version").first()


def latest_cut(project: VideoProject) -> Cut | None:
    return project.cuts.order_by("-version").first()
