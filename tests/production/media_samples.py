"""Tiny media files made with the same library the product reads them with (PyAV): 4K pictures
at one frame a second and the lowest quality, so a 60 s 4K clip weighs a few dozen kilobytes."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av


def _grey(width: int, height: int, shade: int = 128) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    for index, plane in enumerate(frame.planes):
        plane.update(bytes([shade if index == 0 else 128]) * plane.buffer_size)
    return frame


def make_video(
    path: Path,
    *,
    width: int,
    height: int,
    seconds: float,
    fps: Fraction | int = 1,
    rotation: int | None = None,
    faststart: bool = False,
    with_audio: bool = False,
    shade: int = 128,
) -> Path:
    """A grey video lasting exactly ``seconds`` (at ``fps`` frames a second); each ``shade`` of
    grey is other footage (5.2 counts one file once)."""
    options = {"movflags": "+faststart"} if faststart else {}
    rate = Fraction(fps)
    frames = round(Fraction(str(seconds)) * rate)
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "51"}
        if rotation is not None:
            stream.set_display_rotation(rotation)
        audio = container.add_stream("aac", rate=8000) if with_audio else None
        if audio is not None:
            audio.layout = "mono"
        frame = _grey(width, height, shade)
        for index in range(frames):
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if audio is not None:
            _write_silence(container, audio, seconds)
    return path


def _write_silence(container, stream, seconds: float) -> None:
    samples = 1024
    for start in range(0, int(8000 * seconds), samples):
        frame = av.AudioFrame(format="fltp", layout="mono", samples=samples)
        frame.planes[0].update(bytes(4 * samples))
        frame.sample_rate, frame.pts = 8000, start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def make_audio_only(path: Path, seconds: float = 2) -> Path:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=8000)
        stream.layout = "mono"
        _write_silence(container, stream, seconds)
    return path


def make_png(path: Path, size: int = 32) -> Path:
    with av.open(str(path), "w", format="image2") as container:
        stream = container.add_stream("png", rate=1)
        stream.width = stream.height = size
        stream.pix_fmt = "rgb24"
        frame = av.VideoFrame(size, size, "rgb24")
        frame.pts = 0
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


SRT = "1\n00:00:00,000 --> 00:00:02,000\n老街火锅，正宗川味\n\n2\n00:00:02,500 --> 00:00:05,000\n欢迎光临\n"
