"""A real Celery worker process for tests marked ``services``: on its own queue, reading the test
database as the application's role, logging to a file the test prints when it fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def database_url(user: str, password: str | None = None) -> str:
    """The test database's URL for ``user``."""
    db = connection.settings_dict
    credentials = f"{user}:{password}" if password else user
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(queue: str, **extra: str) -> dict:
    """As in production: the application's role, and the crossing role on its own connection."""
    from tests.conftest import APP_CREDENTIALS

    db = connection.settings_dict
    roles = {}
    if APP_CREDENTIALS:
        roles = {
            "DATABASE_URL": database_url(APP_CREDENTIALS["USER"], APP_CREDENTIALS["PASSWORD"]),
            "CROSSING_DATABASE_URL": database_url(settings.DATABASE_CROSSING_ROLE, crossing_password()),
        }
    environment = {k: v for k, v in os.environ.items() if k != "CROSSING_DATABASE_URL"}
    return {
        **environment,
        "DATABASE_URL": database_url(db["USER"], db.get("PASSWORD")),
        **roles,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_ENV": "development",
        **extra,
    }


def crossing_password() -> str | None:
    """The crossing role's password, from CROSSING_DATABASE_URL when the environment sets it."""
    from tests.conftest import CROSSING_SETTINGS

    return CROSSING_SETTINGS.get("PASSWORD") or None


class Worker:
    """``celery worker`` consuming ``queue`` (one task at a time unless ``concurrency`` says more),
    started at once."""

    def __init__(
        self, queue: str, log: Path, *, pool: str = "solo", concurrency: int = 1, include: str = "", **env: str
    ):
        """``include``: modules the worker imports besides the project's (``-I``), e.g. a test's
        own tasks; ``env``: variables for its environment (``REDIS_URL`` for another broker)."""
        self.queue = queue
        self.log_path = log
        self._log = open(log, "a", encoding="utf-8")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "project",
                "worker",
                "-Q",
                queue,
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
                *(["-I", include] if include else []),
            ],
            cwd=ROOT,
            env=worker_env(queue, **env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def children(self) -> list[int]:
        """The pool's processes (prefork), read from /proc."""
        pids = []
        for task_dir in Path(f"/proc/{self.pid}/task").iterdir():
            pids += [int(pid) for pid in (task_dir / "children").read_text().split()]
        return pids

    def kill(self) -> None:
        """SIGKILL the worker and then its pool's processes, as when its machine is lost: no warm
        shutdown, nothing acknowledged or handed back."""
        children = self.children() if self.alive() else []
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_worker(log: Path, **env: str) -> Iterator[str]:
    """A solo worker on a new queue for the block; its log is printed when it ended badly."""
    worker = Worker(new_queue(), log, **env)
    try:
        yield worker.queue
    finally:
        worker.stop()
        if worker.process.returncode not in (0, -15, 15):
            print(worker.output())
