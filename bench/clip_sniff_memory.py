"""Peak memory of reading an uploaded video whose picture is huge (a 6000x6000 picture in a
video: a few hundred KB to a few MB on disk, 54-144 MB once decoded), in the two places a clip is
read (clause 5.2):

- ``upload-sniff``: ``production.media.sniff_video``, what the web process runs on every clip and
  cut upload. It reads the container header with every decoder refused.
- ``ffmpeg-open``: a plain ``av.open`` of the same file, as the upload used to sniff it: FFmpeg
  decodes a first picture of each stream to complete the header's facts.
- ``worker-read``: ``production.media.read_video_facts``, the probe task's full reading in a worker
  (it decodes each track's first picture, under the worker's memory cap).

    .venv/bin/python bench/clip_sniff_memory.py [--side 6000] [--json out.json]

Each reading runs in a fresh process; its figure is the growth of its peak resident memory
(``VmHWM``, the process's own) over the peak just before the reading, with PyAV and the product's
media module already loaded. Nothing is asserted; the figures are printed (and written as JSON
with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

READINGS = ("upload-sniff", "ffmpeg-open", "worker-read")


def peak_mb() -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


# --- the files ------------------------------------------------------------------------------------


def make_picture_video(path: Path, *, side: int, codec: str) -> Path:
    """One ``side`` x ``side`` picture (a ramp, rows repeating, so it packs small) in a video file:
    PNG in QuickTime, Motion JPEG or H.264 (4:4:4) in MP4."""
    import av

    fmt, pix_fmt, options = {
        "png": ("mov", "rgb24", {}),
        "mjpeg": ("mp4", "yuvj444p", {"q": "2"}),
        "libx264": ("mp4", "yuv444p", {"preset": "ultrafast", "crf": "10"}),
    }[codec]
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=1)
        stream.width = stream.height = side
        stream.pix_fmt = pix_fmt
        stream.options = options
        frame = av.VideoFrame(side, side, "rgb24")
        plane = frame.planes[0]
        row = bytes(range(256)) * (plane.line_size // 256) + bytes(plane.line_size % 256)
        plane.update(row * side)
        frame = frame.reformat(format=pix_fmt)
        frame.pts = 0
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    return path


# --- one reading in a fresh process -----------------------------------------------------------------


def run_reading(how: str, path: str) -> dict:
    import av

    from production import media

    before = peak_mb()
    started = time.perf_counter()
    if how == "upload-sniff":
        what = media.sniff_video(path).video_codec
    elif how == "ffmpeg-open":
        with av.open(path) as container:
            what = container.streams.video[0].codec_context.name
    else:
        facts = media.read_video_facts(path)
        what = f"{facts.video_codec} {facts.width}x{facts.height}"
    return {
        "read": what,
        "seconds": round(time.perf_counter() - started, 3),
        "peak_before_mb": round(before, 1),
        "grew_mb": round(peak_mb() - before, 1),
    }


def reading(how: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--reading", how, str(path)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", type=int, default=6000, help="width and height of the picture")
    parser.add_argument("--codecs", default="png,mjpeg,libx264")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--reading", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reading:
        print(json.dumps(run_reading(*args.reading)))
        return
    figures = {"side": args.side, "files": []}
    with tempfile.TemporaryDirectory(prefix="clip-sniff-") as folder:
        for codec in args.codecs.split(","):
            path = make_picture_video(Path(folder) / f"picture-{codec}.video", side=args.side, codec=codec)
            row = {"codec": codec, "bytes": path.stat().st_size}
            for how in READINGS:
                row[how] = reading(how, path)
            figures["files"].append(row)
    print(f"A {args.side}x{args.side} picture in a video: growth of the peak resident memory per reading (MiB)\n")
    print("| picture | file | " + " | ".join(READINGS) + " |")
    print("|---|---:|" + "---:|" * len(READINGS))
    for row in figures["files"]:
        cells = [
            row[how]["error"] if "error" in row[how] else f"{row[how]['grew_mb']:.1f} ({row[how]['seconds']:.2f} s)"
            for how in READINGS
        ]
        print(f"| {row['codec']} | {row['bytes'] / 1024:,.0f} KiB | " + " | ".join(cells) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
