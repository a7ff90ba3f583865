"""Media facts read from the file itself, with PyAV (FFmpeg's libraries, bundled in the wheel).

Two readings and a fingerprint:

- ``sniff_video(file)`` at upload, in the web process: the container header only, with every
  decoder refused (``NO_DECODERS``), so no picture is ever decoded there whatever its size. It
  decides from the bytes, never from the name, whether the file is a video at all; an upload that
  is not one is refused before anything is stored.
- ``read_video_facts(file)`` in the probe task (a worker, under its memory cap): the full reading.
  In one pass it demuxes every packet of every video track (so a truncated or corrupt file is
  caught even when its header looks fine) and decodes each track's first picture, which carries
  the display rotation. The facts are those of the track a player shows (the default one); the
  other tracks are listed so that a file whose tracks disagree can be refused.
- ``content_digest(file)``: the SHA-256 of the bytes, so that one file uploaded twice is known.

FFmpeg is only ever allowed the demuxers of the formats we accept (``format_whitelist``): a
playlist or concat list (HLS, ffconcat, which make FFmpeg open other files, on this server or
elsewhere) is never read as a video, whatever its name, and neither is anything else outside the
list. A file refused at opening is named by what its bytes are (``agency.uploads.sniff``).

Nothing here touches the database; ``production.services`` records what these functions find.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import av
import av.error
from av.stream import Disposition

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

# The decoders FFmpeg may open while it opens a container: none (no decoder has this name).
# Opening a container makes FFmpeg decode a first picture of each stream to complete what the
# header leaves out; refused every decoder, it keeps to the header, and an upload's sniffing costs
# the web process a few MB whatever the picture's size (bench/clip_sniff_memory.py). Pictures are
# decoded only by ``read_video_facts``, explicitly.
NO_DECODERS = "none"

MILLISECOND = Decimal("0.001")
DIGEST_CHUNK_BYTES = 1024 * 1024


class NotAVideo(ValueError):
    """The file is not a video (not media, audio only, a still image, unreadable)."""


class MediaUnreadable(ValueError):
    """The file opened as a video but could not be read to its end (truncated or corrupt)."""


@dataclass(frozen=True)
class VideoSniff:
    container: str
    video_codec: str


@dataclass(frozen=True)
class VideoTrack:
    """One video track of a file (cover pictures are not tracks), numbered from 1 in file order;
    ``shown`` is the one a player shows."""

    number: int
    shown: bool
    width: int
    height: int
    rotation: int
    display_width: int
    display_height: int
    duration_seconds: Decimal

    @property
    def resolution(self) -> str:
        return f"{self.display_width}x{self.display_height}"


@dataclass(frozen=True)
class VideoFacts:
    """What a video file says about itself: the facts of the track a player shows
    (``shown_track``), every video track in ``tracks``. ``display_*`` are the picture as shown,
    after the rotation its display matrix asks for."""

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
    tracks: tuple[VideoTrack, ...] = ()
    shown_track: int = 1

    def as_dict(self) -> dict:
        return asdict(self)


@contextlib.contextmanager
def _open(source, demuxers=VIDEO_DEMUXERS, expected=VIDEO_CODES, accepted=VIDEO_FORMATS_TEXT, *, decode=True):
    """Open a path or a file object (rewound) with PyAV, allowing only ``demuxers`` (and, unless
    ``decode``, no decoder at all); FFmpeg errors become ``NotAVideo``, naming what the file is
    when it is not of an ``expected`` kind."""
    if hasattr(source, "seek"):
        source.seek(0)
    options = {"format_whitelist": ",".join(demuxers), "protocol_whitelist": "file"}
    if not decode:
        options["codec_whitelist"] = NO_DECODERS
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


def video_tracks(container) -> list:
    """The container's video tracks: its video streams but the cover pictures (attached pictures,
    which a player shows as artwork, not as the video)."""
    return [stream for stream in container.streams.video if not stream.disposition & Disposition.attached_pic]


def shown_track(tracks: list):
    """The track a player shows: the first marked default (in MP4, the enabled track; in
    Matroska, FlagDefault), else the first."""
    return next((stream for stream in tracks if stream.disposition & Disposition.default), tracks[0])


def sniff_video(source) -> VideoSniff:
    """Decide from the bytes whether ``source`` is a video, reading the container header only and
    decoding nothing (safe in the web process). Raises ``NotAVideo`` naming why not."""
    with _open(source, decode=False) as container:
        tracks = video_tracks(container)
        if not tracks:
            audio = container.streams.audio
            if container.streams.video:
                raise NotAVideo("it holds a still picture (cover art) and no video")
            if audio:
                raise NotAVideo(f"it has audio only ({audio[0].codec_context.name}) and no picture")
            raise NotAVideo(f"it holds no video stream ({_container_name(container)})")
        return VideoSniff(container=_container_name(container), video_codec=shown_track(tracks).codec_context.name)


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


class _TrackReading:
    """What one pass over the packets learns of one video track: where its pictures start and end,
    how many packets it has, and its first decoded picture."""

    def __init__(self, stream, number: int, several: bool):
        self.stream = stream
        self.number = number
        self.name = f" (video track {number})" if several else ""
        self.start = stream.start_time
        self.end = None
        self.packets = 0
        self.picture = None
        self.decode_error = None
        rate = stream.average_rate or stream.guessed_rate
        # A packet without a duration (MPEG-TS has none) lasts one frame.
        self.frame_ticks = int(round(1 / (rate * stream.time_base))) if rate and stream.time_base else 0

    def take(self, packet) -> None:
        if packet.pts is not None:
            self.packets += 1
            packet_end = packet.pts + (packet.duration or self.frame_ticks)
            self.end = packet_end if self.end is None else max(self.end, packet_end)
            if self.stream.start_time is None:  # no start declared: the earliest picture's
                self.start = packet.pts if self.start is None else min(self.start, packet.pts)
        if self.picture is None and self.decode_error is None:
            try:
                for frame in packet.decode():  # the last, empty packet drains the decoder
                    self.picture = (frame.width, frame.height, int(round(frame.rotation or 0)) % 360)
                    break
            except (av.error.FFmpegError, EOFError) as exc:
                self.decode_error = exc  # told once the packets are counted (a truncation first)

    def track(self, declared: Decimal | None, shown: bool) -> VideoTrack:
        if not self.packets or self.end is None:
            raise MediaUnreadable(f"the file holds no picture data{self.name}")
        read = _seconds((self.end - self.start) * self.stream.time_base)
        if declared is not None and declared - read > TRUNCATION_TOLERANCE_SECONDS:
            raise MediaUnreadable(
                f"the file is truncated: its picture data{self.name} ends at {_text(read)} s "
                f"of the {_text(declared)} s declared"
            )
        if self.decode_error is not None:
            raise MediaUnreadable(
                f"the file is corrupt: its first picture{self.name} cannot be decoded "
                f"({_ffmpeg_reason(self.decode_error)})"
            )
        if self.picture is None:
            raise MediaUnreadable(f"no picture could be decoded{self.name}")
        width, height, rotation = self.picture
        sideways = rotation in (90, 270)
        return VideoTrack(
            number=self.number,
            shown=shown,
            width=width,
            height=height,
            rotation=rotation,
            display_width=height if sideways else width,
            display_height=width if sideways else height,
            duration_seconds=read,
        )


def read_video_facts(source) -> VideoFacts:
    """Read every fact the clip rules need, in one pass over the file (no seeking: an MPEG-TS
    clip whose 33-bit timestamps wrap has no position "0" to seek back to; FFmpeg's overflow
    correction gives its packets continuous timestamps). Raises ``NotAVideo`` or
    ``MediaUnreadable``."""
    sniff = sniff_video(source)
    # FFmpeg's opening decodes nothing here either: the one decoding is each track's first
    # picture, below (a huge picture is decoded once, not twice).
    with _open(source, decode=False) as container:
        tracks = video_tracks(container)
        shown = shown_track(tracks)
        several = len(tracks) > 1
        readings = {stream.index: _TrackReading(stream, number, several) for number, stream in enumerate(tracks, 1)}
        packets = 0
        try:
            for packet in container.demux(*tracks):
                readings[packet.stream.index].take(packet)
                packets += packet.pts is not None
        except (av.error.FFmpegError, EOFError) as exc:
            raise MediaUnreadable(
                f"the file is corrupt: reading stopped after {packets} packets ({_ffmpeg_reason(exc)})"
            )
        read = [
            readings[stream.index].track(_declared_seconds(container, stream), stream is shown) for stream in tracks
        ]
        picture = read[tracks.index(shown)]
        audio = container.streams.audio
        rate = shown.average_rate or shown.guessed_rate
        return VideoFacts(
            container=sniff.container,
            video_codec=shown.codec_context.name,
            audio_codec=audio[0].codec_context.name if audio else "",
            width=picture.width,
            height=picture.height,
            rotation=picture.rotation,
            display_width=picture.display_width,
            display_height=picture.display_height,
            frame_rate=_seconds(rate) if rate else None,
            duration_seconds=picture.duration_seconds,
            size_bytes=_size_of(source),
            tracks=tuple(read),
            shown_track=picture.number,
        )


def _declared_seconds(container, stream) -> Decimal | None:
    """The duration the header declares for ``stream`` (else for the whole file)."""
    if stream.duration is not None and stream.time_base is not None:
        return _seconds(stream.duration * stream.time_base)
    if container.duration is not None:
        return _seconds(Fraction(container.duration, av.time_base))
    return None


def content_digest(source) -> str:
    """The SHA-256 of the file's bytes (hex), read in chunks: two uploads of one file match."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return content_digest(handle)
    digest = hashlib.sha256()
    source.seek(0)
    try:
        while chunk := source.read(DIGEST_CHUNK_BYTES):
            digest.update(chunk)
    finally:
        source.seek(0)
    return digest.hexdigest()


def sniff_subtitles(source) -> str:
    """The subtitle format of ``source`` (srt, ass, webvtt). Raises ``NotAVideo`` otherwise."""
    with _open(source, SUBTITLE_DEMUXERS, frozenset(), SUBTITLE_FORMATS_TEXT) as container:
        if not container.streams.subtitles:
            raise NotAVideo(f"it holds no subtitles ({_container_name(container)})")
        return container.streams.subtitles[0].codec_context.name
