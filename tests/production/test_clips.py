"""Clause 5.2 read from the files themselves: clips made with PyAV, uploaded, probed by the task
once the upload commits, and judged at the rules' boundaries. Bad files are refused with the
problem named, and leave neither a row nor a file behind."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection

from production.models import Clip, ClipVerdict, ProbeState, Stage
from production.rules import CLIP_MAX_SECONDS, CLIP_MAX_UPLOAD_BYTES, CLIP_MIN_SECONDS, MIB
from production.services.shoots import clip_delete, clip_upload, media_requeue_stale, media_sweep_orphans
from production.tasks import clip_probe_task
from tests.production.conftest import stored_files
from tests.production.factories import ClipFactory, ShootFactory
from tests.production.helpers import project_at


@pytest.fixture
def shoot(staff, approver, world):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    return ShootFactory(project=project)


def upload_and_probe(staff, shoot, upload, capture) -> Clip:
    with capture(execute=True):
        clip = clip_upload(actor=staff, shoot=shoot, file=upload)
        assert Clip.objects.get(pk=clip.pk).probe_state == ProbeState.PENDING  # read after commit
    return Clip.objects.get(pk=clip.pk)


@pytest.mark.parametrize(
    "sample, seconds",
    [
        ("4k_8s", Decimal("8")),
        ("4k_7s", CLIP_MIN_SECONDS),
        ("4k_60s", CLIP_MAX_SECONDS),
        ("4k_8s_with_sound", Decimal("8")),
    ],
)
def test_a_4k_clip_of_7_to_60_seconds_is_accepted(
    staff, shoot, samples, django_capture_on_commit_callbacks, sample, seconds
):
    clip = upload_and_probe(staff, shoot, samples.upload(sample), django_capture_on_commit_callbacks)
    assert clip.probe_state == ProbeState.DONE and clip.verdict == ClipVerdict.ACCEPTED, clip.rule_failures
    assert (clip.display_width, clip.display_height) == (3840, 2160)
    assert clip.duration_seconds == seconds
    assert clip.video_codec == "h264" and "mp4" in clip.container and clip.frame_rate is not None
    assert clip.size_bytes == samples.path(sample).stat().st_size
    assert clip.audio_codec == ("aac" if "sound" in sample else "")


def test_a_vertical_4k_clip_is_accepted(staff, shoot, samples, django_capture_on_commit_callbacks):
    clip = upload_and_probe(staff, shoot, samples.upload("vertical_4k_8s"), django_capture_on_commit_callbacks)
    assert clip.verdict == ClipVerdict.ACCEPTED and clip.resolution == "2160x3840" and clip.is_vertical


def test_rotation_is_taken_into_account(staff, shoot, samples, django_capture_on_commit_callbacks):
    clip = upload_and_probe(staff, shoot, samples.upload("rotated_4k_8s"), django_capture_on_commit_callbacks)
    assert (clip.width, clip.height, clip.rotation) == (3840, 2160, 90)
    assert (clip.display_width, clip.display_height) == (2160, 3840)
    assert clip.verdict == ClipVerdict.ACCEPTED and clip.is_vertical


@pytest.mark.parametrize(
    "sample, expected",
    [
        ("1080p_8s", ["resolution 1920x1080 is below 4K (3840x2160 or 2160x3840)"]),
        ("4k_6s", ["duration 6 s is below 7 s"]),
        ("4k_6.9s", ["duration 6.9 s is below 7 s"]),
        ("4k_60.1s", ["duration 60.1 s is above 60 s"]),
        ("4k_61s", ["duration 61 s is above 60 s"]),
        ("1080p_5s", ["resolution 1920x1080 is below 4K (3840x2160 or 2160x3840)", "duration 5 s is below 7 s"]),
    ],
)
def test_a_clip_breaking_a_rule_is_kept_and_rejected_with_each_rule_named(
    staff, shoot, samples, django_capture_on_commit_callbacks, sample, expected
):
    clip = upload_and_probe(staff, shoot, samples.upload(sample), django_capture_on_commit_callbacks)
    assert clip.probe_state == ProbeState.DONE and clip.verdict == ClipVerdict.REJECTED
    assert clip.failure_messages == expected
    assert default_storage.exists(clip.file.name)


def test_the_type_comes_from_the_content_not_the_name(staff, shoot, samples, django_capture_on_commit_callbacks):
    clip = upload_and_probe(
        staff, shoot, samples.upload("4k_8s", filename="notes.txt"), django_capture_on_commit_callbacks
    )
    assert clip.verdict == ClipVerdict.ACCEPTED and clip.original_name == "notes.txt"


ACCEPTED = "; accepted: MP4/MOV, Matroska/WebM, MPEG-TS."


@pytest.mark.parametrize(
    "sample, filename, message",
    [
        (
            "random_bytes",
            "clip.mp4",
            "clip.mp4 is not a video: it is data in no format this product accepts" + ACCEPTED,
        ),
        ("audio_only", "voice.mp4", "voice.mp4 is not a video: it has audio only (aac) and no picture."),
        ("truncated_header", "cut_short.mp4", "cut_short.mp4 is not a video: "),
        ("cover_png", "frame.mp4", "frame.mp4 is not a video: it is a PNG image" + ACCEPTED),
    ],
)
def test_a_file_that_is_not_a_video_is_refused_and_nothing_is_kept(
    staff, shoot, samples, settings, sample, filename, message
):
    with pytest.raises(ValidationError) as exc:
        clip_upload(actor=staff, shoot=shoot, file=samples.upload(sample, filename=filename))
    assert exc.value.message_dict["file"][0].startswith(message)
    assert not Clip.objects.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_an_empty_file_is_refused(staff, shoot, settings):
    with pytest.raises(ValidationError) as exc:
        clip_upload(actor=staff, shoot=shoot, file=SimpleUploadedFile("empty.mp4", b""))
    assert "empty.mp4 is empty" in exc.value.message_dict["file"][0]
    assert not Clip.objects.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_a_file_over_the_agencys_limit_is_refused(staff, shoot, world, settings):
    assert CLIP_MAX_UPLOAD_BYTES.default == 2 * 1024**3
    world.agency_a.settings = {CLIP_MAX_UPLOAD_BYTES.key: MIB}
    world.agency_a.full_clean()
    world.agency_a.save()
    staff.agency.refresh_from_db()
    big = SimpleUploadedFile("big.mp4", os.urandom(MIB + 1))
    with pytest.raises(ValidationError) as exc:
        clip_upload(actor=staff, shoot=shoot, file=big)
    assert exc.value.message_dict["file"] == ["big.mp4 is 1,048,577 B; the limit is 1,048,576 B."]
    assert not Clip.objects.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_a_file_truncated_after_its_header_is_kept_as_unreadable(
    staff, shoot, samples, django_capture_on_commit_callbacks
):
    clip = upload_and_probe(staff, shoot, samples.upload("truncated_data"), django_capture_on_commit_callbacks)
    assert clip.probe_state == ProbeState.FAILED and clip.verdict == ClipVerdict.REJECTED
    assert "the file is truncated: its picture data ends at" in clip.probe_error
    assert clip.rule_failures == [{"rule": "readable", "message": clip.probe_error}]


def test_a_reading_past_its_time_limit_is_recorded_as_unreadable(
    staff, shoot, samples, monkeypatch, django_capture_on_commit_callbacks
):
    """The probe task's soft time limit (a hostile file must not hold a worker) ends the reading:
    the clip is refused with the reason, not left "being read" to be sent again forever."""
    from celery.exceptions import SoftTimeLimitExceeded

    from production import media
    from production.tasks import PROBE_SOFT_TIME_LIMIT, clip_probe_task

    assert clip_probe_task.soft_time_limit == PROBE_SOFT_TIME_LIMIT < clip_probe_task.time_limit

    def endless(source):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(media, "read_video_facts", endless)
    clip = upload_and_probe(staff, shoot, samples.upload("4k_8s"), django_capture_on_commit_callbacks)
    assert clip.probe_state == ProbeState.FAILED and clip.verdict == ClipVerdict.REJECTED
    assert clip.probe_error == "reading the file took longer than the time allowed"


def test_a_reading_past_the_workers_memory_limit_is_recorded_as_unreadable(
    staff, shoot, samples, monkeypatch, django_capture_on_commit_callbacks
):
    """A file that needs more memory than a worker process may have (CELERY_WORKER_MEMORY_LIMIT_MB)
    fails its reading with the reason; the worker goes on."""
    from production import media

    def greedy(source):
        raise MemoryError()

    monkeypatch.setattr(media, "read_video_facts", greedy)
    clip = upload_and_probe(staff, shoot, samples.upload("4k_8s"), django_capture_on_commit_callbacks)
    assert clip.probe_state == ProbeState.FAILED and clip.verdict == ClipVerdict.REJECTED
    assert clip.probe_error == "reading the file needed more memory than allowed"


@pytest.mark.slow  # starts a process
def test_a_worker_process_is_held_to_its_memory_limit():
    """What each pool process does as it starts (agency.celery.limit_memory), in a process of its
    own: the cap is set, and an allocation beyond it fails there."""
    import subprocess
    import sys

    script = (
        "import resource\n"
        "from agency.celery import limit_memory\n"
        "limit_memory(400)\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0])\n"
        "try:\n"
        "    block = bytearray(800 * 1024 * 1024)\n"
        "except MemoryError:\n"
        "    print('refused')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(400 * 1024 * 1024), "refused"]


def test_probing_twice_changes_nothing(staff, shoot, samples, django_capture_on_commit_callbacks):
    clip = upload_and_probe(staff, shoot, samples.upload("4k_8s"), django_capture_on_commit_callbacks)
    assert clip_probe_task.delay(agency_id=clip.agency_id, clip_id=clip.pk).get() == ProbeState.DONE
    again = Clip.objects.get(pk=clip.pk)
    assert again.probed_at == clip.probed_at and again.updated_at == clip.updated_at


def test_probing_a_deleted_clip_does_nothing(staff, world):
    assert clip_probe_task.delay(agency_id=world.agency_a.pk, clip_id=987654).get() is None


def test_a_deleted_clips_file_goes_once_the_deletion_commits(
    staff, shoot, samples, settings, django_capture_on_commit_callbacks
):
    clip = upload_and_probe(staff, shoot, samples.upload("4k_8s"), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        clip_delete(actor=staff, clip=clip)
        assert default_storage.exists(clip.file.name)
    assert not default_storage.exists(clip.file.name) and stored_files(settings.MEDIA_ROOT) == []


def test_a_failed_insert_removes_the_file_it_stored(staff, shoot, samples, settings):
    stored_before_insert = []

    def refuse_clip_insert(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "production_clip"'):
            stored_before_insert.extend(stored_files(settings.MEDIA_ROOT))
            raise DatabaseError("the database went away")
        return execute(sql, params, many, context)

    with pytest.raises(DatabaseError), connection.execute_wrapper(refuse_clip_insert):
        clip_upload(actor=staff, shoot=shoot, file=samples.upload("4k_8s"))
    assert len(stored_before_insert) == 1  # the file was written, then the insert failed
    assert stored_files(settings.MEDIA_ROOT) == []


def test_the_sweep_removes_old_files_no_row_names(staff, shoot, world, settings):
    kept = ClipFactory(shoot=shoot)
    orphan = default_storage.save(
        f"production/{world.agency_a.pk}/clips/{shoot.project_id}/orphan.mp4", ContentFile(b"x")
    )
    young = default_storage.save(
        f"production/{world.agency_a.pk}/clips/{shoot.project_id}/young.mp4", ContentFile(b"x")
    )
    other_agency = default_storage.save(f"production/{world.agency_b.pk}/clips/1/theirs.mp4", ContentFile(b"x"))
    old = dt.datetime(2020, 1, 1).timestamp()
    for name in (orphan, kept.file.name, other_agency):
        os.utime(default_storage.path(name), (old, old))
    assert media_sweep_orphans(agency_id=world.agency_a.pk, older_than=dt.timedelta(days=1)) == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(young) and default_storage.exists(kept.file.name)
    assert default_storage.exists(other_agency)


def test_unread_clips_are_sent_again_after_a_while(staff, shoot, django_capture_on_commit_callbacks, monkeypatch):
    stale = ClipFactory(shoot=shoot, probe_state=ProbeState.PENDING, verdict=ClipVerdict.PENDING)
    Clip.objects.filter(pk=stale.pk).update(updated_at=stale.updated_at - dt.timedelta(hours=1))
    ClipFactory(shoot=shoot, probe_state=ProbeState.PENDING, verdict=ClipVerdict.PENDING)  # young: left alone
    sent = []
    monkeypatch.setattr(clip_probe_task, "apply_async", lambda kwargs, **options: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        assert media_requeue_stale(older_than=dt.timedelta(minutes=15)) == 1
    assert sent == [{"agency_id": stale.agency_id, "clip_id": stale.pk}]
