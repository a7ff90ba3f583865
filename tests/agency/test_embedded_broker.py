"""The embedded default's broker (agency.broker): when a worker on it looks for its next message."""

from __future__ import annotations

import pytest
from celery.worker import state
from kombu import Connection, Exchange, Queue
from kombu.transport.virtual import base

from agency import broker

QUEUE = Queue("work", Exchange("work"), "work")


class Waited(Exception):
    """Raised by the stand-in for ``sleep``: the loop went to wait (for how long: ``waits``)."""


@pytest.fixture
def connection(tmp_path):
    with Connection(f"{broker.ALIAS}+sqlite:///{tmp_path / 'broker.sqlite3'}") as connection:
        connection.Producer().publish({"n": 1}, exchange=QUEUE.exchange, routing_key="work", declare=[QUEUE])
        yield connection


def consume(connection, taken: list):
    consumer = connection.Consumer(QUEUE, callbacks=[lambda body, message: taken.append((body, message))])
    consumer.qos(prefetch_count=1)  # a worker of `make run`: one task at a time (CELERY_WORKER_PREFETCH_MULTIPLIER)
    return consumer


def test_a_worker_holding_its_one_task_looks_again_at_once_and_an_idle_one_four_times_a_second(connection, monkeypatch):
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        raise Waited

    monkeypatch.setattr(broker, "sleep", sleep, raising=False)
    monkeypatch.setattr(base, "sleep", sleep)  # kombu's loop, which this transport's replaces
    taken = []
    with consume(connection, taken):
        connection.drain_events(timeout=5)  # the message: the worker's one task
        assert [body for body, _message in taken] == [{"n": 1}]
        with pytest.raises(Waited):
            connection.drain_events(timeout=5)  # while it runs: kombu would sleep out the whole interval
        assert waits == [0.01]
        taken[0][1].ack()  # the task ended
        with pytest.raises(Waited):
            connection.drain_events(timeout=5)  # the file read at once: nothing there, so the idle wait
        assert waits == [0.01, 0.25]


def test_a_worker_asked_to_stop_takes_no_more_messages(connection, monkeypatch):
    taken = []
    with consume(connection, taken):
        monkeypatch.setattr(state, "should_stop", 0)  # a warm shutdown asked (Ctrl+C, SIGTERM): exit code 0
        with pytest.raises(TimeoutError):  # the worker's loop ends its wait at once, to stop
            connection.drain_events(timeout=None)
        assert taken == []
        monkeypatch.setattr(state, "should_stop", None)
        connection.drain_events(timeout=5)  # still there for the next worker
        assert [body for body, _message in taken] == [{"n": 1}]
