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

from agency.services import UNCHANGED, given, validated_save
from agency.tasks import enqueue
from agency.tenancy import Actor
from agency.uploads import save_with_files
from production import media
from production.models.common import ProbeState, agency_media_prefix
from production.models.post import Cut, PostProductionStep
from production.models.projects import Stage, VideoProject
from production.models.shoots import Clip, ClipVerdict, Shoot
from production.rules import RULE_DUPLICATE, clip_duplicate_failure, clip_rule_failures, clip_track_failures
from production.services.common import (
    SHOOT_EDIT_STAGES,
    check_video_upload,
    delete_file_on_commit,
    lock_row,
    require_stage,
)


@transaction.atomic
def shoot_create(
    *, actor: Actor, project: VideoProject, date: dt.date, location: str, scene_setup: str = "", crew: str = ""
) -> Shoot:
    """Plan a shoot of the project (while planning, scripting or shooting)."""
    require_stage(project, SHOOT_EDIT_STAGES, _("A shoot is planned"), "project")
    shoot = Shoot(
        agency=project.agency,
        project=project,
        date=date,
        location=(location or "").strip(),
        scene_setup=(scene_setup or "").strip(),
        crew=(crew or "").strip(),
    )
    return validated_save(shoot)


@transaction.atomic
def shoot_update(
    *,
    actor: Actor,
    shoot: Shoot,
    date: dt.date = UNCHANGED,
    location: str = UNCHANGED,
    scene_setup: str = UNCHANGED,
    crew: str = UNCHANGED,
) -> Shoot:
    """Change a shoot's date, place, scene set-up or crew (the fields given)."""
    changes = given(date=date, location=location, scene_setup=scene_setup, crew=crew)
    shoot = lock_row(Shoot, shoot)
    require_stage(shoot.project, SHOOT_EDIT_STAGES, _("A shoot is changed"))
    for name, value in changes.items():
        setattr(shoot, name, value.strip() if isinstance(value, str) else value)
    return validated_save(shoot)


@transaction.atomic
def shoot_delete(*, actor: Actor, shoot: Shoot) -> None:
    shoot = lock_row(Shoot, shoot)
    require_stage(shoot.project, SHOOT_EDIT_STAGES, _("A shoot is deleted"))
    if shoot.clips.exists():
        raise ValidationError({"clips": _("The shoot has clips: delete them first.")})
    shoot.delete()


@transaction.atomic
def clip_upload(*, actor: Actor, shoot: Shoot, file, label: str = "") -> Clip:
    """Receive a clip into a shoot. The file is checked from its bytes first (a video, within the
    size limit); its facts are read by ``clip_probe_task`` once this transaction commits."""
    shoot = lock_row(Shoot, shoot)
    require_stage(shoot.project, {Stage.SHOOTING}, _("Clips are uploaded"), "shoot")
    original_name = (getattr(file, "name", "") or "clip")[-255:]
    check_video_upload(actor=actor, upload=file)
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
    enqueue("production.tasks.clip_probe_task", agency_id=clip.agency_id, clip_id=clip.pk)
    return clip


@transaction.atomic
def clip_update(*, actor: Actor, clip: Clip, label: str) -> Clip:
    clip = lock_row(Clip, clip)
    clip.label = (label or "").strip()
    return validated_save(clip)


@transaction.atomic
def clip_delete(*, actor: Actor, clip: Clip) -> None:
    """Remove a clip and, once that commits, its file. Only while shooting: after the 5.2 gate
    the clips are the evidence it was passed on. The clips that repeated its content are judged
    again: the first of them now stands for that content."""
    lock_row(VideoProject, clip.project)  # as the probe does: one judge of repeats at a time
    clip = lock_row(Clip, clip)
    require_stage(clip.project, {Stage.SHOOTING}, _("Clips are deleted"))
    name, pk = clip.file.name, clip.pk
    clip.delete()
    delete_file_on_commit(name)
    _judge_repeats_again(project_id=clip.project_id, deleted_pk=pk)


def _repeat_failure(clip: Clip) -> dict | None:
    return next(
        (item for item in clip.rule_failures or [] if isinstance(item, dict) and item.get("rule") == RULE_DUPLICATE),
        None,
    )


def _judge_repeats_again(*, project_id: int, deleted_pk: int) -> None:
    """The clips rejected for repeating the deleted clip's content: the first (by id) counts now,
    unless it breaks another rule; the others repeat it."""
    repeats = [
        clip
        for clip in Clip.objects.select_for_update().filter(project_id=project_id).order_by("pk")
        if (_repeat_failure(clip) or {}).get("clip") == deleted_pk
    ]
    if not repeats:
        return
    first, *others = repeats
    first.rule_failures = [item for item in first.rule_failures if item.get("rule") != RULE_DUPLICATE]
    first.verdict = ClipVerdict.REJECTED if first.rule_failures else ClipVerdict.ACCEPTED
    first.full_clean()
    first.save(update_fields=["rule_failures", "verdict", "updated_at"])
    for clip in others:
        digest = _repeat_failure(clip)["sha256"]
        failure = clip_duplicate_failure(clip_id=first.pk, clip_name=str(first), sha256=digest).as_dict()
        clip.rule_failures = [failure if item.get("rule") == RULE_DUPLICATE else item for item in clip.rule_failures]
        clip.full_clean()
        clip.save(update_fields=["rule_failures", "updated_at"])


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


def _digest_of(clip: Clip) -> str | None:
    """The SHA-256 of a stored clip's file, or None when the file is gone."""
    try:
        source = _media_source(clip)
    except FileNotFoundError:
        return None
    try:
        return media.content_digest(source)
    except FileNotFoundError:
        return None
    finally:
        if hasattr(source, "close"):
            source.close()


def _read_before(clip: Clip) -> list[Clip]:
    """The clips of the project read before ``clip`` that could hold the same file (of the same
    size, read, not themselves repeats), earliest first. (A project holds a few dozen clips; the
    repeats are left out here rather than by a JSON lookup, which SQLite lacks.)"""
    candidates = (
        Clip.objects.filter(project_id=clip.project_id, size_bytes=clip.size_bytes, probe_state=ProbeState.DONE)
        .exclude(pk=clip.pk)
        .order_by("pk")
    )
    return [earlier for earlier in candidates if _repeat_failure(earlier) is None]


def _repeated_clip(clip: Clip, digest: str, known: dict[int, str | None]) -> Clip | None:
    """The clip read before ``clip`` whose file has the same content, if any. ``known`` holds
    digests taken before the lock; a clip read since is hashed now."""
    for earlier in _read_before(clip):
        found = known[earlier.pk] if earlier.pk in known else _digest_of(earlier)
        if found == digest:
            return earlier
    return None


@transaction.atomic
def media_probe_finish(
    *,
    model,
    pk: int,
    facts: media.VideoFacts | None,
    error: str = "",
    digest: str = "",
    known_digests: dict[int, str | None] | None = None,
):
    """Record what was read from the file; for a clip, judge it against 5.2: its rules, its
    video tracks, and whether its content (``digest``) repeats a clip of the project read before
    it. Clips are judged under the project's lock, one at a time, so that two copies of one file
    read at once are not both counted."""
    if model is Clip:
        project_id = Clip.objects.filter(pk=pk).values_list("project_id", flat=True).first()
        if project_id is not None:
            list(VideoProject.objects.select_for_update().filter(pk=project_id).values_list("pk", flat=True))
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
            failures += clip_track_failures(facts.tracks)
            original = _repeated_clip(row, digest, known_digests or {}) if digest else None
            if original is not None:
                failures.append(clip_duplicate_failure(clip_id=original.pk, clip_name=str(original), sha256=digest))
            row.verdict = ClipVerdict.REJECTED if failures else ClipVerdict.ACCEPTED
            row.rule_failures = [failure.as_dict() for failure in failures]
    return validated_save(row)


def media_probe(*, model, pk: int):
    """Read a clip's or cut's file and record its facts (the probe task's body). Two short
    transactions around the reading, so that "being read" shows. A clip's content is hashed
    here too, with the clips of the project that could hold the same file (outside any lock)."""
    row = media_probe_start(model=model, pk=pk)
    if row is None:
        return model.objects.filter(pk=pk).first()
    digest, known = "", {}
    source = _media_source(row)
    try:
        facts, error = media.read_video_facts(source), ""
        if isinstance(row, Clip):
            digest = media.content_digest(source)
            known = {earlier.pk: _digest_of(earlier) for earlier in _read_before(row)}
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
    return media_probe_finish(model=model, pk=pk, facts=facts, error=error, digest=digest, known_digests=known)


@transaction.atomic
def media_requeue_stale(*, older_than: dt.timedelta) -> int:
    """Send again the probe of clips and cuts still unread after ``older_than`` (a lost message,
    a worker that died). Reading is idempotent, so a duplicate does no harm."""
    cutoff = timezone.now() - older_than
    unread = Q(probe_state__in=[ProbeState.PENDING, ProbeState.PROBING], updated_at__lt=cutoff)
    count = 0
    for pk, agency_id in Clip.objects.filter(unread).values_list("pk", "agency_id"):
        enqueue("production.tasks.clip_probe_task", agency_id=agency_id, clip_id=pk)
        count += 1
    for pk, agency_id in Cut.objects.filter(unread).values_list("pk", "agency_id"):
        enqueue("production.tasks.cut_probe_task", agency_id=agency_id, cut_id=pk)
        count += 1
    return count


def media_sweep_orphans(*, agency_id: int, older_than: dt.timedelta, storage=default_storage) -> int:
    """Delete files under the agency's production folder that no row names (left by a request
    that rolled back after storing them). Files younger than ``older_than`` are left alone: their
    row may not be committed yet."""
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
