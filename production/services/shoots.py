"""Clause 5.2: shoots and their clips, uploaded and read in a worker."""

from __future__ import annotations

import datetime as dt

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agency import uploads
from agency.tasks import enqueue
from agency.tenancy import Actor
from agency.uploads import save_with_files
from production import media
from production.models import (
    Clip,
    ClipVerdict,
    Cut,
    PostProductionStep,
    ProbeState,
    Shoot,
    Stage,
    VideoProject,
)
from production.rules import (
    CLIP_MAX_UPLOAD_BYTES,
    clip_rule_failures,
)
from production.services._common import SHOOT_EDIT_STAGES, _delete_file_on_commit, _lock, _require_stage

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
    upload.name = f"video.{media.VIDEO_DEMUXERS.get(sniff.container, 'bin')}"
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
    save_with_files(clip, "file")
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
