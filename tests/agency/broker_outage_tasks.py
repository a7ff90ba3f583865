"""A task for tests/agency/test_broker_outage.py, imported only by the worker that test starts
(``-I``): the test process sends it by name and never registers it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from agency.celery import app


@app.task(name="tests.broker_outage.run_for")  # the project's base task: acknowledged late, as every task is
def run_for(*, path: str, tag: str, seconds: float, until: str = "") -> None:
    """Run ``seconds``, or, given ``until``, until that file exists (``seconds`` at most), noting its
    start and its end in ``path``: each run of the task is counted."""
    note = Path(path)
    with note.open("a", encoding="utf-8") as f:
        f.write(f"start {tag} {os.getpid()}\n")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (until and Path(until).exists()):
        time.sleep(min(0.05, seconds))
    with note.open("a", encoding="utf-8") as f:
        f.write(f"done {tag} {os.getpid()}\n")
