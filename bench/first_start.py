"""Benchmark of the first start: what `make run` does after the packages are installed, on the
embedded default (a new SQLite database), step by step.

    .venv/bin/python bench/first_start.py [--serial] [--json FILE]

Each step runs as the Makefile runs it, in a process of its own, with no DATABASE_URL, REDIS_URL
or CELERY_BROKER_URL (the embedded default), on a SQLite file in a temporary folder (the
developer's ``db.sqlite3`` is left alone): ``compile_translations`` beside ``migrate``, then
``seed_demo --skip-checks``, then the web server (``runserver``, as the Procfile starts it)
until it answers its first request. ``--serial`` runs the steps one after another, checks
included, as the Makefile did before. Each step's wall-clock time and CPU time (user + system of
its process) are printed, and the total: on a shared machine the wall-clock time depends on the
load (printed before and after), the CPU time much less. Nothing is asserted. Target (issue 23):
the whole first start under 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60  # issue 23
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def finish(process: subprocess.Popen, label: str) -> None:
    _out, err = process.communicate()
    if process.returncode:
        sys.exit(f"{label} failed ({process.returncode}):\n{err.decode(errors='replace')[-3000:]}")


def timed(steps: dict, label: str, args: list[str], env: dict) -> None:
    cpu, started = children_cpu(), time.perf_counter()
    finish(start(args, env), label)
    steps[label] = (time.perf_counter() - started, children_cpu() - cpu)


def first_answer(env: dict) -> tuple[float, float]:
    """Seconds until ``runserver`` answers its first request (any status), and its CPU seconds."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cpu, started = children_cpu(), time.perf_counter()
    server = start(["runserver", f"127.0.0.1:{port}", "--noreload"], env)
    try:
        while True:
            if server.poll() is not None:
                sys.exit(f"runserver ended ({server.returncode}):\n{server.stderr.read().decode(errors='replace')}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30)  # noqa: S310 (a local URL)
                break
            except urllib.error.HTTPError:
                break  # an answer (a redirect to the login, say)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.communicate()
    return elapsed, children_cpu() - cpu


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serial", action="store_true", help="one step after another, checks included")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="first_start"))
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "MIGRATION_DATABASE_URL", "CROSSING_DATABASE_URL", "REDIS_URL"}
        and not name.startswith(("CELERY_", "EMBEDDED_BROKER"))
    }
    env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"  # the embedded default's engine and options
    env["DJANGO_MEDIA_ROOT"] = str(folder / "media")
    steps: dict[str, tuple[float, float]] = {}
    print(f"load average before: {load()} ({os.cpu_count()} CPUs)")
    started = time.perf_counter()
    try:
        if args.serial:
            timed(steps, "migrate", ["migrate", "--noinput"], env)
            timed(steps, "compile_translations", ["compile_translations"], env)
            timed(steps, "seed_demo", ["seed_demo"], env)
        else:
            cpu, began = children_cpu(), time.perf_counter()
            translations = start(["compile_translations"], env)
            timed(steps, "migrate", ["migrate", "--noinput"], env)
            finish(translations, "compile_translations")
            steps["migrate + compile_translations beside it"] = (time.perf_counter() - began, children_cpu() - cpu)
            timed(steps, "seed_demo --skip-checks", ["seed_demo", "--skip-checks"], env)
        steps["runserver, first answer"] = first_answer(env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    total = time.perf_counter() - started
    for label, (wall, cpu) in steps.items():
        print(f"  {label:<44} {wall:6.1f} s wall  {cpu:6.1f} s CPU")
    # Beside each other, migrate's own CPU time is part of the step that holds both.
    cpu_total = sum(cpu for label, (_wall, cpu) in steps.items() if args.serial or label != "migrate")
    print(f"  {'first start, in all':<44} {total:6.1f} s wall  {cpu_total:6.1f} s CPU")
    print(f"load average after: {load()}")
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    print(f"first start {total:.1f} s; target under {TARGET_SECONDS} s: {verdict} (wall-clock, at this load)")
    if args.json:
        figures = {label: {"wall": wall, "cpu": cpu} for label, (wall, cpu) in steps.items()}
        Path(args.json).write_text(json.dumps({"steps": figures, "total_wall": total, "total_cpu": cpu_total}))


if __name__ == "__main__":
    main()
