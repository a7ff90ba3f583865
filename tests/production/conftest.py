"""Fixtures of the production tests: media samples made once per session, a project at any
stage, and a real Celery worker for the services tests."""

from __future__ import annotations

import os
from fractions import Fraction
from functools import partial
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.production import media_samples as ms

UHD = (3840, 2160)


def _sparse_4k(path: Path, *, tenths: int) -> Path:
    """A 4K clip lasting ``tenths`` / 10 s with few frames (one a second, then the last tenth)."""
    import av

    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = *UHD, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "51"}
        frame = ms._grey(*UHD)
        for pts in [*range(0, tenths - 1, 10), tenths - 1]:
            frame.pts = pts
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _take(path: Path, samples, *, shade: int) -> Path:
    return ms.make_video(path, width=3840, height=2160, seconds=8, shade=shade)


def _truncated(source: Path, path: Path, fraction: Fraction) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


RECIPES = {
    "4k_8s": lambda p, s: ms.make_video(p, width=3840, height=2160, seconds=8),
    "4k_8s_with_sound": lambda p, s: ms.make_video(p, width=3840, height=2160, seconds=8, with_audio=True),
    "vertical_4k_8s": lambda p, s: ms.make_video(p, width=2160, height=3840, seconds=8),
    "rotated_4k_8s": lambda p, s: ms.make_video(p, width=3840, height=2160, seconds=8, rotation=90),
    "1080p_8s": lambda p, s: ms.make_video(p, width=1920, height=1080, seconds=8),
    "4k_6s": lambda p, s: ms.make_video(p, width=3840, height=2160, seconds=6),
    "4k_6.9s": lambda p, s: _sparse_4k(p, tenths=69),
    "4k_7s": lambda p, s: ms.make_video(p, width=3840, height=2160, seconds=7),
    "4k_60s": lambda p, s: ms.make_video(p, width=3840, height=2160, seconds=60),
    "4k_60.1s": lambda p, s: _sparse_4k(p, tenths=601),
    "4k_61s": lambda p, s: ms.make_video(p, width=3840, height=2160, seconds=61),
    "1080p_5s": lambda p, s: ms.make_video(p, width=1920, height=1080, seconds=5),
    "faststart_4k_8s": lambda p, s: ms.make_video(p, width=3840, height=2160, seconds=8, faststart=True),
    "truncated_header": lambda p, s: _truncated(s.path("4k_8s"), p, Fraction(1, 2)),
    "truncated_data": lambda p, s: _truncated(s.path("faststart_4k_8s"), p, Fraction(2, 3)),
    "audio_only": lambda p, s: ms.make_audio_only(p),
    "random_bytes": lambda p, s: (p.write_bytes(os.urandom(40_000)), p)[1],
    "cover_png": lambda p, s: ms.make_png(p),
    "subtitles_srt": lambda p, s: (p.write_text(ms.SRT, encoding="utf-8"), p)[1],
    # Takes of a shoot: 4K, 8 s, each other footage (the same file twice counts once, 5.2).
    **{f"4k_8s_take{n}": partial(_take, shade=30 + 8 * n) for n in range(20)},
}
EXTENSIONS = {"cover_png": "png", "subtitles_srt": "srt", "audio_only": "m4a"}


class Samples:
    """Each sample is made on first use and kept for the session."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._made: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        if name not in self._made:
            target = self.folder / f"{name}.{EXTENSIONS.get(name, 'mp4')}"
            self._made[name] = RECIPES[name](target, self)
        return self._made[name]

    def upload(self, name: str, filename: str | None = None) -> SimpleUploadedFile:
        path = self.path(name)
        return SimpleUploadedFile(filename or path.name, path.read_bytes())


@pytest.fixture
def staff(world):
    """Agency A's admin, acting inside agency A for the whole test."""
    from agency.tenancy import tenant_context
    from tests.production.helpers import actor_of

    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor):
        yield actor


@pytest.fixture
def approver(world, staff):
    """Client a1's approver (client person of agency A)."""
    from tests.production.helpers import actor_of

    return actor_of(world.approver_a1, world.agency_a)


def stored_files(root) -> list[str]:
    folder = Path(root) / "production"
    return sorted(str(p.relative_to(root)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Samples:
    return Samples(tmp_path_factory.mktemp("media-samples"))
