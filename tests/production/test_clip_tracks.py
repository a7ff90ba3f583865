"""Clause 5.2 judged on what a player shows: the video track marked default (not the first one),
files whose video tracks disagree refused, cover pictures not taken for video, MPEG-TS clips read
to their true length (their packets carry no duration, and their 33-bit timestamps may wrap inside
the clip), and an upload sniffed in the web process without decoding its pictures."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import av
import pytest
from av.stream import Disposition
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from production import media
from production.models import Clip, ClipVerdict, ProbeState, Stage
from production.rules import clip_track_failures
from production.services.shoots import clip_upload
from tests.production import media_samples as ms
from tests.production.conftest import stored_files
from tests.production.factories import ShootFactory
from tests.production.helpers import project_at

UHD, FULL_HD = (3840, 2160), (1920, 1080)
RESOLUTION_BELOW_4K = "resolution 1920x1080 is below 4K (3840x2160 or 2160x3840)"
TS_WRAP = 2**33  # MPEG-TS timestamps are 33-bit counts of a 90 kHz clock
TS_TIME_BASE = Fraction(1, 90_000)


def make_tracks(path: Path, fmt: str, tracks: list[tuple[tuple[int, int], bool, int]]) -> Path:
    """A file holding one video track per ``((width, height), default, seconds)``, in that order,
    at one frame a second."""
    with av.open(str(path), "w", format=fmt) as container:
        streams = []
        for (width, height), default, seconds in tracks:
            stream = container.add_stream("libx264", rate=1)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.options = {"preset": "ultrafast", "crf": "51"}
            stream.disposition = Disposition.default if default else Disposition(0)
            streams.append((stream, ms._grey(width, height), seconds))
        for second in range(max(seconds for *_, seconds in tracks)):
            for stream, frame, seconds in streams:
                if second < seconds:
                    frame.pts = second
                    for packet in stream.encode(frame):
                        container.mux(packet)
        for stream, _frame, _seconds in streams:
            for packet in stream.encode():
                container.mux(packet)
    return path


def make_ts(path: Path, *, first_pts: int, seconds: int = 8) -> Path:
    """A 4K MPEG-TS clip of ``seconds`` frames, one a second, its first timestamp ``first_pts``
    (written modulo 2**33, as the format does)."""
    with av.open(str(path), "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=1)
        stream.width, stream.height, stream.pix_fmt = *UHD, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "51"}
        stream.codec_context.time_base = TS_TIME_BASE
        frame = ms._grey(*UHD)
        frame.time_base = TS_TIME_BASE
        for second in range(seconds):
            frame.pts = first_pts + second * 90_000
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def pes_timestamps(path: Path) -> list[int]:
    """The presentation timestamps written in the video PES headers of a transport stream, as
    stored (33 bits), in file order."""
    data, found, at = path.read_bytes(), [], 0
    while (at := data.find(b"\x00\x00\x01\xe0", at)) >= 0:
        flags, pts = data[at + 7], data[at + 9 : at + 14]
        if flags & 0x80 and len(pts) == 5:
            found.append(((pts[0] >> 1) & 0x07) << 30 | pts[1] << 22 | (pts[2] >> 1) << 15 | pts[3] << 7 | pts[4] >> 1)
        at += 4
    return found


def make_cover_art_audio(path: Path) -> Path:
    """An M4A song with its cover picture: a video stream marked "attached picture"."""
    with av.open(str(path), "w", format="mp4") as container:
        audio = container.add_stream("aac", rate=8000)
        audio.layout = "mono"
        cover = container.add_stream("mjpeg", rate=1)
        cover.width = cover.height = 64
        cover.pix_fmt = "yuvj420p"
        cover.disposition = Disposition.attached_pic
        frame = av.VideoFrame(64, 64, "yuvj420p")
        frame.pts = 0
        for packet in [*cover.encode(frame), *cover.encode()]:
            container.mux(packet)
        ms._write_silence(container, audio, 2)
    return path


def make_big_picture_video(path: Path, side: int = 6000) -> Path:
    """One ``side`` x ``side`` PNG picture in a QuickTime file: small on disk (rows repeat), over
    100 MB once decoded."""
    with av.open(str(path), "w", format="mov") as container:
        stream = container.add_stream("png", rate=1)
        stream.width = stream.height = side
        stream.pix_fmt = "rgb24"
        frame = av.VideoFrame(side, side, "rgb24")
        plane = frame.planes[0]
        row = bytes(range(256)) * (plane.line_size // 256) + bytes(plane.line_size % 256)
        plane.update(row * side)
        frame.pts = 0
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clip-tracks")
    fourk_first_hd_default = [(UHD, False, 8), (FULL_HD, True, 8)]
    return {
        "two_tracks_mp4": make_tracks(folder / "two.mp4", "mp4", fourk_first_hd_default),
        "two_tracks_mkv": make_tracks(folder / "two.mkv", "matroska", fourk_first_hd_default),
        "two_4k_tracks_mp4": make_tracks(folder / "agree.mp4", "mp4", [(UHD, False, 8), (UHD, True, 8)]),
        "ts": make_ts(folder / "plain.ts", first_pts=0),
        "ts_wrapping": make_ts(folder / "wrap.ts", first_pts=TS_WRAP - 3 * 90_000),
        "cover_art": make_cover_art_audio(folder / "song.m4a"),
        "big_picture": make_big_picture_video(folder / "picture.mov"),
    }


@pytest.fixture
def shoot(staff, approver, world):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    return ShootFactory(project=project)


def upload_and_probe(staff, shoot, path: Path, capture) -> Clip:
    with capture(execute=True):
        clip = clip_upload(actor=staff, shoot=shoot, file=SimpleUploadedFile(path.name, path.read_bytes()))
    return Clip.objects.get(pk=clip.pk)


# --- several video tracks ---------------------------------------------------------------------


@pytest.mark.parametrize("sample, container", [("two_tracks_mp4", "mp4"), ("two_tracks_mkv", "matroska")])
def test_a_file_is_judged_by_the_track_players_show_and_refused_when_its_tracks_disagree(
    staff, shoot, files, django_capture_on_commit_callbacks, sample, container
):
    """A non-default 4K track first, the default 1080p track (the one players show) second."""
    clip = upload_and_probe(staff, shoot, files[sample], django_capture_on_commit_callbacks)
    assert clip.probe_state == ProbeState.DONE and clip.verdict == ClipVerdict.REJECTED
    assert container in clip.container
    assert (clip.width, clip.height, clip.display_width, clip.display_height) == (1920, 1080, 1920, 1080)
    assert clip.duration_seconds == Decimal("8")
    assert clip.failure_messages == [
        RESOLUTION_BELOW_4K,
        "the file has 2 video tracks that differ (track 1: 3840x2160, 8 s; "
        "track 2: 1920x1080, 8 s, the one players show); a clip must show one picture",
    ]


def test_the_facts_are_those_of_the_default_track_with_every_track_listed(files):
    facts = media.read_video_facts(files["two_tracks_mkv"])
    assert facts.shown_track == 2
    assert [(t.number, t.shown, t.resolution, t.duration_seconds) for t in facts.tracks] == [
        (1, False, "3840x2160", Decimal("8")),
        (2, True, "1920x1080", Decimal("8")),
    ]
    assert (facts.display_width, facts.display_height) == FULL_HD


def test_tracks_that_agree_are_accepted_as_one_picture(staff, shoot, files, django_capture_on_commit_callbacks):
    clip = upload_and_probe(staff, shoot, files["two_4k_tracks_mp4"], django_capture_on_commit_callbacks)
    assert clip.verdict == ClipVerdict.ACCEPTED, clip.rule_failures
    assert clip.resolution == "3840x2160" and clip.duration_seconds == Decimal("8")
    assert media.read_video_facts(files["two_4k_tracks_mp4"]).shown_track == 2


def test_tracks_of_one_size_disagree_when_their_lengths_differ():
    def track(number, seconds, shown=False):
        return media.VideoTrack(number, shown, *UHD, 0, *UHD, Decimal(seconds))

    assert clip_track_failures([track(1, "8")]) == []
    assert clip_track_failures([track(1, "8"), track(2, "8.4", shown=True)]) == []
    (failure,) = clip_track_failures([track(1, "8"), track(2, "12", shown=True)])
    assert failure.rule == "tracks"
    assert failure.message == (
        "the file has 2 video tracks that differ (track 1: 3840x2160, 8 s; "
        "track 2: 3840x2160, 12 s, the one players show); a clip must show one picture"
    )


def test_a_song_with_its_cover_picture_is_not_a_video(staff, shoot, files, settings):
    path = files["cover_art"]
    with pytest.raises(ValidationError) as exc:
        clip_upload(actor=staff, shoot=shoot, file=SimpleUploadedFile("take.mp4", path.read_bytes()))
    assert exc.value.message_dict["file"] == [
        "take.mp4 is not a video: it holds a still picture (cover art) and no video."
    ]
    assert not Clip.objects.exists() and stored_files(settings.MEDIA_ROOT) == []


# --- MPEG-TS --------------------------------------------------------------------------------------


def test_a_transport_stream_clip_is_read_to_its_full_length(staff, shoot, files, django_capture_on_commit_callbacks):
    """Its packets carry no duration: the last picture still lasts its frame."""
    clip = upload_and_probe(staff, shoot, files["ts"], django_capture_on_commit_callbacks)
    assert clip.verdict == ClipVerdict.ACCEPTED, clip.rule_failures
    assert clip.container == "mpegts" and clip.duration_seconds == Decimal("8") and clip.resolution == "3840x2160"


def test_a_transport_stream_whose_timestamps_wrap_inside_the_clip_is_accepted_with_its_length(
    staff, shoot, files, django_capture_on_commit_callbacks
):
    written = pes_timestamps(files["ts_wrapping"])
    assert len(written) == 8 and written[0] > TS_WRAP - 4 * 90_000
    assert any(later < earlier for earlier, later in zip(written, written[1:], strict=False))  # it wraps
    clip = upload_and_probe(staff, shoot, files["ts_wrapping"], django_capture_on_commit_callbacks)
    assert clip.probe_state == ProbeState.DONE, clip.probe_error
    assert clip.verdict == ClipVerdict.ACCEPTED, clip.rule_failures
    assert clip.duration_seconds == Decimal("8") and clip.resolution == "3840x2160"


# --- the web process decodes no picture ------------------------------------------------------------

# The process's peak resident memory (VmHWM: its own, where ru_maxrss would carry its parent's
# over from before exec).
PEAK_SCRIPT = """
import json, sys
import av
from production import media

def peak_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

path, how = sys.argv[1], sys.argv[2]
before = peak_mb()
if how == "upload-sniff":
    codec = media.sniff_video(path).video_codec
else:  # FFmpeg's own opening, which decodes a first picture to learn its format
    with av.open(path) as container:
        codec = container.streams.video[0].codec_context.name
print(json.dumps({"codec": codec, "grew_mb": peak_mb() - before}))
"""


def _peak_growth(path: Path, how: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(path), how],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.slow  # starts a process
def test_sniffing_an_upload_decodes_no_picture(files):
    """A 6000x6000 picture in a video: opening it the usual way decodes it (over 100 MB of peak
    memory); the upload's sniffing, done in the web process, reads the header only."""
    path = files["big_picture"]
    assert path.stat().st_size < 1024 * 1024
    decoded = _peak_growth(path, "decode")
    sniffed = _peak_growth(path, "upload-sniff")
    assert decoded["codec"] == sniffed["codec"] == "png"
    assert decoded["grew_mb"] > 100  # the sample does make a decoder allocate its picture
    assert sniffed["grew_mb"] < 20


def test_the_upload_path_reads_the_header_only(staff, shoot, files, monkeypatch):
    """The upload checks the file with ``sniff_video`` (decoders refused), never with the full
    reading, which is the probe task's."""
    opened = []
    real_open = av.open

    def spy(*args, **kwargs):
        opened.append(kwargs.get("options", {}))
        return real_open(*args, **kwargs)

    def no_full_reading(source):
        raise AssertionError("the web process read the pictures")

    monkeypatch.setattr(media.av, "open", spy)
    monkeypatch.setattr(media, "read_video_facts", no_full_reading)
    path = files["big_picture"]
    clip = clip_upload(actor=staff, shoot=shoot, file=SimpleUploadedFile(path.name, path.read_bytes()))
    assert clip.probe_state == ProbeState.PENDING
    assert opened and all(options.get("codec_whitelist") == media.NO_DECODERS for options in opened)
