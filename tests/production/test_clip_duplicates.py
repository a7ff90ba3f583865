"""Clause 5.2's 8-20 clips are 8-20 different pieces of footage: a clip whose file has the same
content (the same SHA-256) as a clip of the project read before it is rejected, naming that clip,
so it counts once toward the gate; the shoot page says so; deleting the original lets its first
repeat count."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import av
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse

from production import media
from production.models import Clip, ClipVerdict, ProbeState, Stage
from production.rules import SHOOT_MIN_ACCEPTED_CLIPS
from production.services.projects import project_advance
from production.services.shoots import clip_delete, clip_upload, media_probe_finish, media_probe_start
from tests.production import media_samples as ms
from tests.production.factories import ShootFactory
from tests.production.helpers import project_at

UHD = (3840, 2160)


def make_take(path: Path, shade: int) -> Path:
    """A 4K clip of 8 s (one frame a second) of one grey ``shade``: each shade, other footage."""
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=1)
        stream.width, stream.height, stream.pix_fmt = *UHD, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "51"}
        frame = ms._grey(*UHD)
        frame.planes[0].update(bytes([shade]) * frame.planes[0].buffer_size)
        for second in range(8):
            frame.pts = second
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="module")
def takes(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("takes")
    return [make_take(folder / f"take{number}.mp4", 40 + 20 * number) for number in range(SHOOT_MIN_ACCEPTED_CLIPS)]


@pytest.fixture
def project(staff, approver, world):
    return project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)


@pytest.fixture
def shoot(project):
    return ShootFactory(project=project)


def upload(path: Path, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes())


def upload_and_probe(staff, shoot, files: list[SimpleUploadedFile], capture) -> list[Clip]:
    with capture(execute=True):
        pks = [clip_upload(actor=staff, shoot=shoot, file=file).pk for file in files]
    return list(Clip.objects.filter(pk__in=pks).order_by("pk"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gate_problems(staff, project) -> str:
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
    return " | ".join(exc.value.message_dict["stage"])


def test_eight_uploads_of_one_file_count_once(staff, project, shoot, takes, django_capture_on_commit_callbacks):
    copies = [upload(takes[0], f"copy{number}.mp4") for number in range(SHOOT_MIN_ACCEPTED_CLIPS)]
    first, *repeats = upload_and_probe(staff, shoot, copies, django_capture_on_commit_callbacks)
    assert first.verdict == ClipVerdict.ACCEPTED and first.rule_failures == []
    digest = sha256(takes[0])
    for clip in repeats:
        assert clip.probe_state == ProbeState.DONE and clip.verdict == ClipVerdict.REJECTED
        assert clip.resolution == "3840x2160"  # a good clip in itself: only its content repeats
        assert clip.rule_failures == [
            {
                "rule": "duplicate",
                "message": f"the same content as clip “copy0.mp4” (SHA-256 {digest[:12]}…): "
                "the same footage counts once",
                "clip": first.pk,
                "clip_name": "copy0.mp4",
                "sha256": digest,
                # the refusal as a text key and its figures, worded in the reader's language when shown
                "text": "duplicate",
                "params": {"name": "copy0.mp4", "digest": digest[:12]},
            }
        ]
    assert "has 1 accepted clips; at least 8 are needed (7 more)" in gate_problems(staff, project)


def test_eight_different_files_pass_the_gate(staff, project, shoot, takes, django_capture_on_commit_callbacks):
    files = [upload(path, path.name) for path in takes]
    clips = upload_and_probe(staff, shoot, files, django_capture_on_commit_callbacks)
    assert [clip.verdict for clip in clips] == [ClipVerdict.ACCEPTED] * SHOOT_MIN_ACCEPTED_CLIPS
    project = project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
    assert project.stage == Stage.POST_PRODUCTION


def test_a_repeat_is_named_in_any_shoot_of_the_project_and_not_across_projects(
    staff, approver, world, project, shoot, takes, django_capture_on_commit_callbacks
):
    (original,) = upload_and_probe(staff, shoot, [upload(takes[1], "a.mp4")], django_capture_on_commit_callbacks)
    second_shoot = ShootFactory(project=project, location="Riverside")
    (repeat,) = upload_and_probe(staff, second_shoot, [upload(takes[1], "b.mp4")], django_capture_on_commit_callbacks)
    assert repeat.verdict == ClipVerdict.REJECTED and repeat.rule_failures[0]["clip"] == original.pk

    other_shoot = ShootFactory(
        project=project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    )
    (elsewhere,) = upload_and_probe(staff, other_shoot, [upload(takes[1], "c.mp4")], django_capture_on_commit_callbacks)
    assert elsewhere.verdict == ClipVerdict.ACCEPTED, elsewhere.rule_failures


def test_a_file_of_the_same_size_and_other_content_is_not_a_repeat(
    staff, shoot, takes, django_capture_on_commit_callbacks
):
    data = bytearray(takes[2].read_bytes())
    at = data.rindex(b"x264")  # the encoder's note: changing it leaves the pictures readable
    data[at : at + 4] = b"X264"
    same_size = SimpleUploadedFile("edited.mp4", bytes(data))
    original, other = upload_and_probe(
        staff, shoot, [upload(takes[2], "a.mp4"), same_size], django_capture_on_commit_callbacks
    )
    assert original.size_bytes == other.size_bytes
    assert [original.verdict, other.verdict] == [ClipVerdict.ACCEPTED, ClipVerdict.ACCEPTED], other.rule_failures


def test_copies_read_at_the_same_time_are_not_both_counted(staff, shoot, takes, django_capture_on_commit_callbacks):
    """Two workers read two copies at once: each hashed the clips read before it (none), then
    they record one after the other; the second, judged under the project's lock, finds the first."""
    with django_capture_on_commit_callbacks(execute=False):
        a = clip_upload(actor=staff, shoot=shoot, file=upload(takes[3], "a.mp4"))
        b = clip_upload(actor=staff, shoot=shoot, file=upload(takes[3], "b.mp4"))
    facts, digest = media.read_video_facts(takes[3]), sha256(takes[3])
    for clip in (a, b):
        media_probe_start(model=Clip, pk=clip.pk)
    media_probe_finish(model=Clip, pk=a.pk, facts=facts, digest=digest, known_digests={})
    media_probe_finish(model=Clip, pk=b.pk, facts=facts, digest=digest, known_digests={})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.verdict == ClipVerdict.ACCEPTED
    assert b.verdict == ClipVerdict.REJECTED and b.rule_failures[0]["clip"] == a.pk


def test_deleting_the_original_lets_its_first_repeat_count(staff, shoot, takes, django_capture_on_commit_callbacks):
    files = [upload(takes[4], name) for name in ("a.mp4", "b.mp4", "c.mp4")]
    a, b, c = upload_and_probe(staff, shoot, files, django_capture_on_commit_callbacks)
    assert [b.rule_failures[0]["clip"], c.rule_failures[0]["clip"]] == [a.pk, a.pk]
    with django_capture_on_commit_callbacks(execute=True):
        clip_delete(actor=staff, clip=a)
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.verdict == ClipVerdict.ACCEPTED and b.rule_failures == []
    assert c.verdict == ClipVerdict.REJECTED
    assert c.rule_failures[0]["clip"] == b.pk and "“b.mp4”" in c.rule_failures[0]["message"]


def test_a_repeat_that_breaks_another_rule_stays_rejected_once_the_original_goes(
    staff, shoot, takes, samples, django_capture_on_commit_callbacks
):
    short = samples.path("1080p_5s")
    a, b = upload_and_probe(
        staff, shoot, [upload(short, "a.mp4"), upload(short, "b.mp4")], django_capture_on_commit_callbacks
    )
    assert [f["rule"] for f in b.rule_failures] == ["resolution", "duration", "duplicate"]
    with django_capture_on_commit_callbacks(execute=True):
        clip_delete(actor=staff, clip=a)
    b.refresh_from_db()
    assert b.verdict == ClipVerdict.REJECTED and [f["rule"] for f in b.rule_failures] == ["resolution", "duration"]


def test_the_shoot_page_says_which_clip_a_repeat_repeats(
    staff, world, shoot, takes, django_capture_on_commit_callbacks
):
    a, b = upload_and_probe(
        staff, shoot, [upload(takes[5], "a.mp4"), upload(takes[5], "b.mp4")], django_capture_on_commit_callbacks
    )
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.staff_a)
    page = browser.get(reverse("production:shoot-detail", args=[shoot.pk])).content.decode()
    original_url = reverse("production:media-file", args=["clip", a.pk])
    assert (
        f'The same content as clip <a href="{original_url}">a.mp4</a>: one file counts once toward the clips needed.'
        in page
    )
    assert page.count("The same content as clip") == 1
    assert "A file uploaded again (the same content) counts once." in page


def test_the_content_digest_is_the_sha256_of_the_bytes(takes):
    expected = sha256(takes[6])
    assert media.content_digest(takes[6]) == expected
    handle = io.BytesIO(takes[6].read_bytes())
    handle.seek(100)
    assert media.content_digest(handle) == expected and handle.tell() == 0
