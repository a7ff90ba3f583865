"""Clause 5.3: post-production steps and cuts."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agency import uploads
from agency.people import check_person_field
from agency.tasks import enqueue
from agency.tenancy import Actor
from agency.uploads import save_with_files
from production import media
from production.models.post import FINISHED_STEP_STATUSES, Cut, PostProductionStep, StepStatus
from production.models.projects import Stage, VideoProject
from production.rules import EVIDENCE_IMAGE, EVIDENCE_NOTE, EVIDENCE_SUBTITLE_FILE, POST_STEP_EVIDENCE
from production.services.common import check_video_upload, delete_file_on_commit, lock_row, require_stage


@transaction.atomic
def cut_upload(*, actor: Actor, project: VideoProject, file, notes: str = "") -> Cut:
    """Receive the next version of the edited video; it is read from its file like a clip."""
    project = lock_row(VideoProject, project)
    require_stage(project, {Stage.POST_PRODUCTION}, _("Cuts are uploaded"), "project")
    original_name = (getattr(file, "name", "") or "cut")[-255:]
    check_video_upload(actor=actor, upload=file)
    version = (project.cuts.aggregate(n=Max("version"))["n"] or 0) + 1
    cut = Cut(
        agency=project.agency,
        project=project,
        version=version,
        original_name=original_name,
        size_bytes=file.size,
        notes=(notes or "").strip(),
    )
    cut.file = file
    cut.full_clean()
    save_with_files(cut, "file")
    enqueue("production.tasks.cut_probe_task", agency_id=cut.agency_id, cut_id=cut.pk)
    return cut


# 5.3 evidence files: a subtitle file is text (and small); a cover is a picture, re-encoded.
SUBTITLE_MAX_BYTES = 2 * uploads.MIB
COVER_MAX_BYTES = 20 * uploads.MIB
COVER_MAX_PIXELS = uploads.PICTURE_MAX_PIXELS


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
    step = lock_row(PostProductionStep, step)
    require_stage(step.project, {Stage.POST_PRODUCTION}, _("Post-production steps change"))
    old_file = step.evidence_file.name if step.evidence_file else ""
    old_status = step.status
    if assignee is not UNSET:
        check_person_field(
            agency=step.agency, client_id=step.client_id, user=assignee, field="assignee", resource="post_production"
        )
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
    save_with_files(step, "evidence_file")
    if old_file and old_file != step.evidence_file.name:
        delete_file_on_commit(old_file)
    return step
