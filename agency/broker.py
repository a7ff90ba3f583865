"""The broker of the embedded default: kombu's SQLAlchemy transport on a SQLite file beside the
database (``embedded+sqlite:///…``), which needs no server. It differs from kombu's own only in when
it looks for new messages:

- four times a second instead of once while the worker waits for work;
- at once when the worker's task ends: while the worker holds as many unacknowledged messages as it
  may (its one task), kombu answers "empty" without reading the file and then sleeps out a whole
  interval; here that wait is a hundredth of a second, so that a queue of short tasks (the demo's
  seeding sends dozens, beat's first start as many) drains in seconds;
- never again once the worker is asked to stop (Ctrl+C, SIGTERM): its wait ends then, where kombu's
  lasts out its timeout (2 s), so that the warm shutdown ends within the grace a supervisor gives
  before it kills the worker (honcho's, for `make run`: 5 s).
"""

from __future__ import annotations

from time import monotonic, sleep

from kombu.transport import TRANSPORT_ALIASES, sqlalchemy
from kombu.transport.virtual import Empty

ALIAS = "embedded"


class Transport(sqlalchemy.Transport):
    polling_interval = 0.25
    busy_interval = 0.01

    def drain_events(self, connection, timeout=None):
        """kombu's loop (``virtual.Transport.drain_events``), with the waits above."""
        started = monotonic()
        while True:
            try:
                if _stop_asked():
                    raise Empty()
                self.cycle.get(self._deliver, timeout=timeout)
            except Empty:
                if _stop_asked() or (timeout is not None and monotonic() - started >= timeout):
                    raise TimeoutError() from None
                interval = self.busy_interval if self._busy() else self.polling_interval
                if interval is not None:
                    sleep(min(interval, timeout) if timeout else interval)
            else:
                return

    def _busy(self) -> bool:
        """Every consuming channel holds all the unacknowledged messages it may."""
        consuming = [channel for channel in self.channels if channel._consumers]
        return bool(consuming) and not any(channel.qos.can_consume() for channel in consuming)


def _stop_asked() -> bool:
    """This process is a worker asked to stop (``celery.worker.state``, as its loop reads it)."""
    from celery.worker import state

    return any(flag is not None and flag is not False for flag in (state.should_stop, state.should_terminate))


TRANSPORT_ALIASES[ALIAS] = f"{__name__}:Transport"
