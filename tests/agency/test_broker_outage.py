"""A worker outlives a broker outage that happens while it runs a task: Redis is killed in the
middle of a task and started again on the same port a second later; the worker reconnects,
the task in progress ends and is acknowledged, the task counts one run, Redis keeps nothing of
it, and a task sent after the outage runs too.

Celery 5.7.0 exits instead ("Unrecoverable error: AttributeError("'NoneType' object has no
attribute 'hostname'")" after "Restoring 1 unacknowledged message(s)"); agency.celery works around
it (see ``_collect_forgets_default_channel`` there). An idle worker always reconnected, so the
outage must fall inside a task.

The test runs its own redis-server (on a free port, never the suite's) with its append-only file,
as production runs Redis (docker-compose.yml), so the queue outlives the restart, and a worker
with the prefork pool, as production does. Runs are counted in a file each run appends to (the
worker's task is a test task, tests/agency/broker_outage_tasks.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from celery import Celery

from tests import celery_worker
from tests.celery_worker import Worker, new_queue

pytestmark = [pytest.mark.services, pytest.mark.slow]

TASK = "tests.broker_outage.run_for"
TASKS_MODULE = "tests.agency.broker_outage_tasks"
# Redis is down this long, while the worker's first attempts to reconnect fail. The task in progress
# during the outage ends only when the test lets it, once the worker has reconnected (it has started
# the task sent after the outage), so its acknowledgement can reach Redis.
OUTAGE = 1
WAIT = 60  # the most any awaited state may take on a slow machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, persisting every write (``appendfsync always``)."""

    def __init__(self, directory: Path):
        executable = shutil.which("redis-server")
        if executable is None:
            message = "redis-server is not installed"
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
            pytest.skip(message)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        directory.mkdir()
        self.args = [
            executable,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(directory)),
            *("--save", "", "--appendonly", "yes", "--appendfsync", "always"),
        ]
        self.log = directory / "redis.log"
        self.process: subprocess.Popen | None = None
        self.client = redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=1)

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if self.client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise AssertionError(f"redis-server on port {self.port} did not answer")

    def kill(self) -> None:
        """SIGKILL: Redis goes away at once, as when its process or machine is lost."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.client.connection_pool.disconnect()

    def pending(self, queue: str) -> int:
        """Messages of ``queue`` that Redis still holds: waiting, or delivered and unacknowledged
        (which it would deliver again after the visibility timeout)."""
        unacked = sum(json.loads(raw)[2] == queue for raw in self.client.hvals("unacked"))
        return self.client.llen(queue) + unacked


@pytest.fixture
def broker(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.kill()
        server.client.close()


def runs(note: Path) -> Counter:
    """``{"start A": n, "done A": n, ...}``: the task's starts and ends, by tag."""
    lines = note.read_text(encoding="utf-8").splitlines() if note.exists() else []
    return Counter(line.rsplit(" ", 1)[0] for line in lines)


def wait_until(condition, what: str, worker: Worker):
    return celery_worker.wait_until(condition, what, [worker], limit=WAIT, every=0.2)


def test_a_worker_outlives_a_broker_outage_during_a_task_and_runs_each_task_once(transactional_db, broker, tmp_path):
    queue = new_queue()
    note = tmp_path / "runs.txt"
    # The test's messages go to its own Redis, by name (the test process never registers the task).
    sender = Celery("broker-outage-test", broker=broker.url, set_as_current=False)
    worker = Worker(
        queue,
        tmp_path / "worker.log",
        pool="prefork",
        concurrency=2,
        include=TASKS_MODULE,
        REDIS_URL=broker.url,
        CELERY_BROKER_URL=broker.url,
    )
    try:
        release = tmp_path / "release-A"
        sender.send_task(
            TASK, kwargs={"path": str(note), "tag": "A", "seconds": WAIT, "until": str(release)}, queue=queue
        )
        wait_until(lambda: runs(note)["start A"] == 1, "the first task started", worker)
        time.sleep(1)

        broker.kill()  # in the middle of the task
        assert runs(note)["done A"] == 0
        time.sleep(OUTAGE)
        broker.start()  # on the same port, with the queue it held

        sender.send_task(TASK, kwargs={"path": str(note), "tag": "B", "seconds": 0.1}, queue=queue)
        wait_until(lambda: runs(note)["start B"] == 1, "the worker back, running the next task", worker)
        assert runs(note)["done A"] == 0  # the first task is still in progress
        release.touch()
        wait_until(
            lambda: runs(note)["done A"] and runs(note)["done B"] and broker.pending(queue) == 0,
            "both tasks done and nothing left in Redis",
            worker,
        )
        assert worker.alive(), worker.output()
        assert "Connection to broker lost" in worker.output()  # the outage fell inside the task
        assert runs(note) == {"start A": 1, "done A": 1, "start B": 1, "done B": 1}, worker.output()
    finally:
        sender.close()
        worker.stop()
