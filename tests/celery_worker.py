"""A real Celery worker process for tests marked ``services``: on its own queue, reading the test
database as the application's role, logging to a file the test prints when it fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# A solo worker's warm shutdown takes about a second, a prefork one's a few: one still running after
# this many seconds is stuck, and is reported with its threads' stacks.
STOP_GRACE = 20
LOG_TAIL_LINES = 50


class WorkerHung(AssertionError):
    """A worker did not finish its warm shutdown."""


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def database_url(user: str, password: str | None = None) -> str:
    """The test database's URL for ``user``."""
    db = connection.settings_dict
    credentials = f"{user}:{password}" if password else user
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def connection_of_its_own(*, user: str | None = None, password: str | None = None, autocommit: bool = False):
    """A psycopg connection to the test database beside Django's, as ``user`` (with ``password``)
    or the test's own role: to hold a lock a worker's task waits on, to see what another process
    committed, or to act as another role."""
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=user or db["USER"],
        password=(password if user else db["PASSWORD"]) or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=autocommit,
    )


def wait_until(condition, what: str, workers=(), limit: float = 60, every: float = 0.2):
    """The first true value of ``condition()`` within ``limit`` seconds, polled every ``every``;
    fails naming ``what`` (with the ``workers``' logs) when it does not come, or at once when one of
    ``workers`` has died."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        for worker in workers:
            assert worker.alive(), f"the worker died while waiting for {what}:\n{worker.output()}"
        time.sleep(every)
    logs = "\n".join(worker.output() for worker in workers)
    raise AssertionError(f"{what}: not reached within {limit} s\n{logs}")


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

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Warm shutdown (SIGTERM): the task in progress ends, then the worker exits. One still running
        after ``grace`` seconds is hung: its threads' stacks are asked for, the worker is killed, and
        the stacks with its log's end are reported (``WorkerHung``) instead of passing unnoticed."""
        if self.alive():
            self.process.terminate()
        self.wait_stopped(grace)

    def wait_stopped(self, grace: float = STOP_GRACE) -> None:
        """Wait for the worker, asked to stop, to exit; one still running after ``grace`` seconds is
        killed and reported with its threads' stacks (``WorkerHung``)."""
        hung = ""
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            hung = self._stacks()
            self.process.kill()
            self.process.wait()
        self._log.close()
        if hung:
            raise WorkerHung(
                f"worker {self.pid} (queue {self.queue}) still running {grace} s after SIGTERM; "
                f"its threads and log:\n{hung}"
            )

    def _stacks(self, wait: float = 5) -> str:
        """The end of the log, then the stacks of the worker's threads: Celery writes them to its log
        on SIGUSR1 (a main thread stuck inside a signal handler still answers)."""
        before = self.output()
        self.process.send_signal(signal.SIGUSR1)
        size, deadline = len(before), time.monotonic() + wait
        while time.monotonic() < deadline:  # until the dump has been written, and no longer grows
            time.sleep(0.5)
            now = len(self.output())
            if now > len(before) and now == size:
                break
            size = now
        tail = "\n".join(before.splitlines()[-LOG_TAIL_LINES:])
        return f"{tail}\n--- threads' stacks (SIGUSR1) ---\n{self.output()[len(before) :]}"

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
