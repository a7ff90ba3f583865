"""The demo (``manage.py seed_demo``, seconds of work) seeded once for a whole test run, on
PostgreSQL, into a template database that every test needing it gets a fresh copy of.

The first test process to need the demo (any xdist worker, any test package) seeds it into
``test_<name>_demo``, a copy of its own empty test database, with its media files in a folder of
the run (beside the xdist workers' temporary folders), and marks the database with the run's id
(``COMMENT ON DATABASE``, as ``tests.conftest.MigratedTemplate`` does); an advisory lock on the
server orders the processes, and a template left by another run (another id, or none: a seeding
that failed) is seeded anew. Every later process and test copies it (``CREATE DATABASE ...
TEMPLATE``, a file copy); no session is ever open on it after the seeding, as a copy requires.

Each process that used the template holds a shared advisory lock while it runs (released with its
connection, also when the process dies); at its end it drops the template only when no other
process holds one, under the template's lock: the last user drops it. A process that needs it after
that seeds it again (slower, never wrong).

Each test process uses four copies in turn (``<its test database>_demo_N``). While a test runs on
one, the copy for the next test is made in the background, and the previous test's copy is
dropped on another thread: ``DROP DATABASE`` waits for a checkpoint (seconds on a busy server), and
a copy is dropped three tests before it is made again, so making one does not wait for it."""

from __future__ import annotations

import io
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.utils import translation

from agency.celery import app as celery_app
from tests.conftest import RunTemplate, server_as_owner


def seed_demo() -> None:
    """``manage.py seed_demo`` as a test runs it: in English, the source language, with tasks run in
    this process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with translation.override("en"):
            call_command("seed_demo", stdout=io.StringIO(), no_connect=True)
    finally:
        celery_app.conf.task_always_eager = eager


def owner_execute(*statements: str) -> None:
    """Run ``statements`` on the server's ``postgres`` database as the tables' owner (the role that
    made the test database; the application's role may not make databases)."""
    with server_as_owner() as server:
        for statement in statements:
            server.execute(statement)


def use_database(name: str) -> None:
    """Point the default connection (and the replica, its test mirror) at database ``name``: this
    thread's, the live server's and a real worker's connections made from now on read it."""
    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def _quote(name: str) -> str:
    return connections["default"].ops.quote_name(name)


class DemoTemplate(RunTemplate):
    """The run's demo template (``name``), its media files (``media``), and this process's copies
    of it (see the module's docstring)."""

    def __init__(self, test_database: str, worker: str | None, run: str, media: Path):
        self.test_database = test_database  # this process's own (``test_<name>_gwN`` under xdist)
        base = test_database.removesuffix(f"_{worker}") if worker else test_database
        self.name = f"{base}_demo"
        self.run = run
        self.media = media
        self.copies = tuple(f"{test_database}_demo_{turn}" for turn in range(4))
        self.making = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-copies")
        self.dropping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-drops")
        self.next: Future | None = None  # the copy the next test uses, being made
        self.dropped: dict[str, Future] = {}  # copies being dropped
        self.using = ExitStack()  # the connection that holds this process's shared lock

    def _users_key(self) -> str:
        return f"{self.name}:users"

    def make(self) -> None:
        """The template of this run, seeded here unless another process did; from now on this
        process is one of its users."""
        server = self.using.enter_context(server_as_owner())
        try:
            self._locked(server)
            try:
                if self._run_of_template(server) != self.run:
                    self._seed(server)
                server.execute("SELECT pg_advisory_lock_shared(hashtext(%s))", [self._users_key()])
            finally:
                self._unlocked(server)
        except BaseException:
            self.using.close()  # its locks with it: the next process seeds again
            raise

    def _seed(self, server) -> None:

        connections.close_all()
        # The empty test database is the template's template: only no session may be on it then
        # (the live server's threads keep theirs open for a while).
        server.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.test_database],
        )
        server.execute(f"DROP DATABASE IF EXISTS {_quote(self.name)} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {_quote(self.name)} TEMPLATE {_quote(self.test_database)}")
        shutil.rmtree(self.media, ignore_errors=True)  # a failed seeding's files
        self.media.mkdir(parents=True)
        use_database(self.name)
        try:
            with override_settings(MEDIA_ROOT=self.media):
                seed_demo()
        finally:
            use_database(self.test_database)  # (and no session left on the template)
        self._mark(server)

    def _copy(self, copy: str, dropped: Future | None = None) -> str:
        """Database ``copy`` made from the template, once its drop (``dropped``) is over (dropped
        here too if an earlier run left it)."""
        if dropped is not None:
            dropped.exception()  # waited for: a failed drop is made up for below
        owner_execute(
            f"DROP DATABASE IF EXISTS {_quote(copy)} WITH (FORCE)",
            f"CREATE DATABASE {_quote(copy)} TEMPLATE {_quote(self.name)}",
        )
        return copy

    def _drop(self, *names: str) -> None:
        owner_execute(*(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)" for name in names))

    def fresh_copy(self, media_root: Path | None) -> None:
        """A copy of the template that no test has used, used from now on; the demo's files in
        ``media_root`` (None: not copied). Meanwhile the copy for the next test is made, and the
        previous test's dropped."""
        connections.close_all()
        making, self.next = self.next, None
        copy = making.result() if making is not None else self._copy(self.copies[0])
        turn = self.copies.index(copy)
        following, previous = self.copies[(turn + 1) % len(self.copies)], self.copies[turn - 1]
        self.next = self.making.submit(self._copy, following, self.dropped.pop(following, None))
        self.dropped[previous] = self.dropping.submit(self._drop, previous)
        if media_root is not None and self.media.exists():
            shutil.copytree(self.media, media_root, dirs_exist_ok=True)
        use_database(copy)

    def done_with_copy(self) -> None:
        """Back on this process's own test database."""
        use_database(self.test_database)

    def drop(self) -> None:
        """This process's copies dropped: what the background has not begun is left undone, a copy
        being made is waited for, and the databases are dropped together, with a drop under way
        (each ``DROP DATABASE`` asks for a checkpoint, and requests made together share one). Then
        the template, when no other process uses it."""
        self.making.shutdown(wait=True, cancel_futures=True)
        self.dropping.shutdown(wait=False, cancel_futures=True)
        self.next = None
        self.dropped.clear()
        with ThreadPoolExecutor(max_workers=len(self.copies), thread_name_prefix="demo-drop") as dropping:
            list(dropping.map(self._drop, self.copies))
        self.dropping.shutdown(wait=True)
        self.using.close()  # this process's shared lock released
        with server_as_owner() as server:
            self._locked(server)
            last = server.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [self._users_key()]).fetchone()[0]
            if last and self._run_of_template(server) == self.run:
                server.execute(f"DROP DATABASE IF EXISTS {_quote(self.name)} WITH (FORCE)")
