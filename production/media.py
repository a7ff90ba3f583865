"""Media facts read from the file itself, with PyAV (FFmpeg's libraries, bundled in the wheel).

Two readings:

- ``sniff_video(file)`` at upload: cheap (the container header only). It decides from the bytes,
  never from the name, whether the file is a video at all; an upload that is not one is refused
  before anything is stored.
- ``read_video_facts(file)`` in the probe task: the full reading. It demuxes every packet of the
  video stream (so a truncated or corrupt file is caught even when its header looks fine) and
  decodes the first picture, which carries the display rotation.

FFmpeg is only ever allowed the demuxers of the formats we accept (``format_whitelist``): a
playlist or concat list (HLS, ffconcat, which make FFmpeg open other files, on this server or
elsewhere) is never read as a video, whatever its name, and neither is anything else outside the
list. A file refused at opening is named by what its bytes are (``agency.uploads.sniff``).

Nothing here touches the database; ``production.services`` records what these functions find.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import av
import av.error

from agency.uploads import head_of, sniff, what_it_is

# The demuxers FFmpeg may use, per kind of file (nothing else is ever probed); for videos, with
# the extension a stored video read by each gets (from its bytes, never the uploader's name).
VIDEO_DEMUXERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "mkv", "mpegts": "ts"}
VIDEO_FORMATS_TEXT = "MP4/MOV, Matroska/WebM, MPEG-TS"
SUBTITLE_DEMUXERS = ("srt", "ass", "webvtt")
SUBTITLE_FORMATS_TEXT = "SRT, ASS, WebVTT"
# sniff() codes of formats the video demuxers read (their failure is FFmpeg's to explain).
VIDEO_CODES = frozenset({"mp4", "matroska", "mpegts"})
# A file whose packets end this much before the duration its header declares is truncated.
TRUNCATION_TOLERANCE_SECONDS = Decimal("0.5")

MILLISECOND = Decimal("0.001")


class NotAVideo(ValueError):
    """The file is not a video (not media, audio only, a still image, unreadable)."""


class MediaUnreadable(ValueError):
    """The file opened as a video but could not be read to its end (truncated or corrupt)."""


@dataclass(frozen=True)
class VideoSniff:
    container: str
    video_codec: str


@dataclass(frozen=True)
class VideoFacts:
    """What a video file says about itself. ``display_*`` are the picture as shown, after the
    rotation its display matrix asks for."""

    container: str
    video_codec: str
    audio_codec: str
    width: int
    height: int
    rotation: int
    display_width: int
    display_height: int
    frame_rate: Decimal | None
    duration_seconds: Decimal
    size_bytes: int

    def as_dict(self) -> dict:
        return asdict(self)


@contextlib.contextmanager
def _open(source, demuxers=VIDEO_DEMUXERS, expected=VIDEO_CODES, accepted=VIDEO_FORMATS_TEXT):
    """Open a path or a file object (rewound) with PyAV, allowing only ``demuxers``; FFmpeg errors
    become ``NotAVideo``, naming what the file is when it is not of an ``expected`` kind."""
    if hasattr(source, "seek"):
        source.seek(0)
    options = {"format_whitelist": ",".join(demuxers), "protocol_whitelist": "file"}
    try:
        container = av.open(source, mode="r", options=options)
    except (av.error.FFmpegError, ValueError, OSError, EOFError) as exc:
        code = sniff(head_of(source))
        if code not in expected:
            raise NotAVideo(f"it is {what_it_is(code)}; accepted: {accepted}") from exc
        raise NotAVideo(_ffmpeg_reason(exc)) from exc
    try:
        yield container
    finally:
        container.close()
        if hasattr(source, "seek"):
            with contextlib.suppress(Exception):
                source.seek(0)


def _ffmpeg_reason(exc: BaseException) -> str:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(reason).rstrip(".")


def _container_name(container) -> str:
    return container.format.name


def _text(seconds: Decimal) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def sniff_video(source) -> VideoSniff:
    """Decide from the bytes whether ``source`` is a video. Raises ``NotAVideo`` naming why not."""
    with _open(source) as container:
        video = container.streams.video
        if not video:
            audio = container.streams.audio
            if audio:
                raise NotAVideo(f"it has audio only ({audio[0].codec_context.name}) and no picture")
            raise NotAVideo(f"it holds no video stream ({_container_name(container)})")
        return VideoSniff(container=_container_name(container), video_codec=video[0].codec_context.name)


def _seconds(value) -> Decimal:
    return Decimal(str(float(value))).quantize(MILLISECOND, rounding=ROUND_HALF_UP)


def _size_of(source) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if size is not None:
        return int(size)
    position = source.tell()
    source.seek(0, os.SEEK_END)
    end = source.tell()
    source.seek(position)
    return end


def read_video_facts(source) -> VideoFacts:
    """Read every fact the clip rules need. Raises ``NotAVideo`` or ``MediaUnreadable``."""
    sniff = sniff_video(source)
    with _open(source) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context
        audio = container.streams.audio
        declared = None
        if stream.duration is not None and stream.time_base is not None:
            declared = _seconds(stream.duration * stream.time_base)
        elif container.duration is not None:
            declared = _seconds(Fraction(container.duration, av.time_base))
        start = stream.start_time or 0
        end = None
        packets = 0
        try:
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue
                packets += 1
                packet_end = packet.pts + (packet.duration or 0)
                end = packet_end if end is None else max(end, packet_end)
        except (av.error.FFmpegError, EOFError) as exc:
            raise MediaUnreadable(
                f"the file is corrupt: reading stopped after {packets} packets ({_ffmpeg_reason(exc)})"
            )
        if not packets or end is None:
            raise MediaUnreadable("the file holds no picture data")
        read = _seconds((end - start) * stream.time_base)
        if declared is not None and declared - read > TRUNCATION_TOLERANCE_SECONDS:
            raise MediaUnreadable(
                f"the file is truncated: its picture data ends at {_text(read)} s of the {_text(declared)} s declared"
            )
        container.seek(0)
        rotation = 0
        try:
            for frame in container.decode(stream):
                rotation = int(round(frame.rotation or 0)) % 360
                break
            else:
                raise MediaUnreadable("no picture could be decoded")
        except (av.error.FFmpegError, EOFError) as exc:
            raise MediaUnreadable(f"the file is corrupt: its first picture cannot be decoded ({_ffmpeg_reason(exc)})")
        width, height = codec.width, codec.height
        sideways = rotation in (90, 270)
        rate = stream.average_rate or stream.guessed_rate
        return VideoFacts(
            container=sniff.container,
            video_codec=codec.name,
            audio_codec=audio[0].codec_context.name if audio else "",
            width=width,
            height=height,
            rotation=rotation,
            display_width=height if sideways else width,
            display_height=width if sideways else height,
            frame_rate=_seconds(rate) if rate else None,
            duration_seconds=read,
            size_bytes=_size_of(source),
        )


def sniff_subtitles(source) -> str:
    """The subtitle format of ``source`` (srt, ass, webvtt). Raises ``NotAVideo`` otherwise."""
    with _open(source, SUBTITLE_DEMUXERS, frozenset(), SUBTITLE_FORMATS_TEXT) as container:
        if not container.streams.subtitles:
            raise NotAVideo(f"it holds no subtitles ({_container_name(container)})")
        return container.streams.subtitles[0].codec_context.name
