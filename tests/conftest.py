"""Shared fixtures: two agencies with clients and people of every kind, API clients, Celery mode,
a real Celery worker, and the API's OpenAPI schema generated once for the session.

The suite runs on every core (pytest-xdist, ``make test``): each xdist worker has its own test
database (pytest-django names it ``test_<name>_gwN``), migrated as the owner and then used as the
application's role; its own Redis database (tests/xdist_workers.py), which its real Celery worker
reads too; a live server on a free port; files under each test's own ``tmp_path``."""

from __future__ import annotations

import gc
import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agency import twofactor
from agency.celery import app as celery_app
from agency.models import Agency
from clients.models import Client
from tests.celery_worker import running_worker
from tests.factories import AgencyFactory, ClientFactory, MembershipFactory, UserFactory

SERVICES_REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
RLS_REQUIRED = os.environ.get("REQUIRE_RLS") == "1"
# The browser tests drive Debian's chromium package (never a browser Playwright downloads).
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def services_available() -> tuple[bool, str]:
    if not settings.USING_POSTGRES:
        return False, "DATABASE_URL is not a PostgreSQL URL (embedded SQLite default)"
    if not settings.REDIS_URL:
        return False, "REDIS_URL is not set (tasks run eagerly on the embedded default)"
    return True, ""


# When the application has its own database role (DATABASE_URL's user differs from
# MIGRATION_DATABASE_URL's), the test database is made and migrated as the owner, and the tests
# then run as the application's role, which row-level security binds (tests run as a superuser
# would prove nothing about it).
#
# Cross-agency statements run as the crossing role (agency.rls), which the application's role cannot
# become. The tests' own rows are uncommitted (each test is a transaction), so the suite cannot read
# them from the crossing role's own connection: it logs in instead as a role of its own that is a
# member of the application's role (whose rights it has) and may switch to the crossing role (through
# a NOINHERIT go-between, so that it never has the crossing role's rights without switching); its
# connection acts as the application's role (``SET ROLE``) and switches, per statement, exactly as a
# tables' owner's connection would (``agency.db.postgresql``). The proof that the application's own
# role cannot cross (tests/agency/test_crossing_role.py) connects as that role itself, and a real
# Celery worker runs as in production: the application's role, and the crossing role's connection.
APP_CREDENTIALS: dict = {}
OWNER_CREDENTIALS: dict = {}  # the tables' owner (who may make databases): server_as_owner()
CROSSING_SETTINGS: dict = {}  # the crossing role's own connection, when CROSSING_DATABASE_URL is set


def suite_role() -> str:
    return f"{settings.DATABASE_APP_ROLE}_suite"


def pytest_configure(config):
    # A fast hasher: the suite signs many people in; production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The answer cache on, as in production with Redis (with the embedded memory cache the suite's
    # one process shares it): every test that writes and then reads shows that no answer is stale.
    settings.ANSWER_CACHE = True
    if settings.DATABASE_APP_ROLE:
        import dj_database_url

        default = settings.DATABASES["default"]
        owner = dj_database_url.parse(settings.MIGRATION_DATABASE_URL)
        APP_CREDENTIALS.update(USER=default["USER"], PASSWORD=default["PASSWORD"])
        OWNER_CREDENTIALS.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
        default.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
    if settings.USING_POSTGRES:
        from agency.db.routers import CROSSING

        CROSSING_SETTINGS.update(settings.DATABASES.pop(CROSSING, {}))
        settings.DATABASES["default"]["CROSSING_ROLE"] = settings.DATABASE_CROSSING_ROLE


# --- the test databases: migrated once for the run, copied for each xdist worker ---------------------


@contextmanager
def server_as_owner():
    """A connection to the server's ``postgres`` database as the tables' owner (who may make
    databases), in autocommit."""
    import psycopg
    from django.db import connections

    db = connections["default"].settings_dict
    owner = OWNER_CREDENTIALS or {"USER": db["USER"], "PASSWORD": db["PASSWORD"]}
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname="postgres",
        user=owner["USER"],
        password=owner["PASSWORD"] or None,
        autocommit=True,
    ) as server:
        yield server


MIGRATED_DATABASE = os.environ.get("TEST_DATABASE_TEMPLATE", "")  # migrated just before the run (CI)


def copy_migrated(server, source: str, name: str) -> None:
    """Database ``name`` made a copy of database ``source`` of the same server, which must hold
    every migration of the code: its tables are then those that migrating anew would make."""
    import psycopg
    from django.db.migrations.loader import MigrationLoader
    from psycopg import sql

    info = server.info
    with psycopg.connect(
        host=info.host, port=info.port, dbname=source, user=info.user, password=info.password or None
    ) as migrated:
        found = migrated.execute("SELECT to_regclass('django_migrations') IS NOT NULL").fetchone()[0]
        applied = set(migrated.execute("SELECT app, name FROM django_migrations").fetchall() if found else [])
    missing = sorted(set(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()) - applied)
    if missing:
        raise RuntimeError(
            f"TEST_DATABASE_TEMPLATE={source} lacks migrations of the code ("
            + ", ".join(f"{app}.{migration}" for app, migration in missing)
            + "): migrate it first, or unset TEST_DATABASE_TEMPLATE to migrate the test database"
        )
    server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    server.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(source)))


class RunTemplate:
    """A template database of one test run (``name``), shared by the run's processes: made by the
    first that needs it under an advisory lock on the server, and marked with the run's id
    (``COMMENT ON DATABASE``), so that one left by another run is made anew."""

    name = ""
    run = ""

    def _locked(self, server) -> None:
        server.execute("SELECT pg_advisory_lock(hashtext(%s))", [self.name])  # until unlocked or closed

    def _unlocked(self, server) -> None:
        server.execute("SELECT pg_advisory_unlock(hashtext(%s))", [self.name])

    def _run_of_template(self, server) -> str | None:
        row = server.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [self.name]
        ).fetchone()
        return row[0] if row else None

    def _mark(self, server) -> None:
        from psycopg import sql

        server.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(self.name), sql.Literal(self.run)))


class MigratedTemplate(RunTemplate):
    """The migrated test database of an xdist run, made once and copied for each worker.

    Migrating the test database takes minutes of the server's and Python's time (every migration,
    then row-level security and the audit triggers on every table); each xdist worker used to do it
    for its own database. Now the first worker to need one migrates ``test_<name>`` (the name a run
    without xdist uses), marked with the run's id, and every worker's ``test_<name>_gwN`` is made
    from it (``CREATE DATABASE ... TEMPLATE``: a file copy, as Django's own parallel runner does).
    An advisory lock on the server orders the workers; a template left by another run (another id)
    is migrated anew. Each worker drops the template when it is done: a worker that starts later
    migrates it again (slower, never wrong).

    With ``TEST_DATABASE_TEMPLATE`` naming a database that ``manage.py migrate`` has just migrated
    (CI's own, ``.ci/run``), the template is a copy of it instead of migrated again, once that
    database is found to hold every migration of the code (one behind the code is refused, named)."""

    def __init__(self, creation, worker: str, run: str):
        self.creation = creation
        self.migrate_and_create = creation.create_test_db
        self.worker = worker
        self.run = run
        self.name = ""

    def _use(self, name: str) -> None:
        settings.DATABASES[self.creation.connection.alias]["NAME"] = name
        self.creation.connection.settings_dict["NAME"] = name

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        """Django's ``create_test_db`` for this worker's database: a copy of the template."""
        from django.db import connections

        connection = self.creation.connection
        test = connection.settings_dict["TEST"]
        if keepdb or test.get("MIGRATE") is False:  # --reuse-db, --nomigrations: as pytest-django does
            return self.migrate_and_create(verbosity, autoclobber, serialize, keepdb)
        own = self.creation._get_test_db_name()  # pytest-django's test_<name>_gwN
        self.name = own.removesuffix(f"_{self.worker}")
        with server_as_owner() as server:
            self._locked(server)
            if self._run_of_template(server) == self.run:
                self._use(self.name)
            elif MIGRATED_DATABASE:
                copy_migrated(server, MIGRATED_DATABASE, self.name)
                self._mark(server)
                self._use(self.name)
            else:
                test["NAME"] = self.name
                try:
                    self.migrate_and_create(verbosity, autoclobber=True, serialize=False)
                finally:
                    test["NAME"] = own
                self._mark(server)
            connections.close_all()  # no session may be on a template while it is copied
            self.creation.clone_test_db(suffix=self.worker, verbosity=verbosity, autoclobber=True)
        self._use(own)
        if serialize:
            connection._test_serialized_contents = self.creation.serialize_db_to_string()
        connection.ensure_connection()
        return own

    def drop(self) -> None:
        from psycopg import sql

        if not self.name:
            return
        with server_as_owner() as server:
            self._locked(server)
            if self._run_of_template(server) == self.run:
                server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.name)))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's, and on PostgreSQL under xdist: each worker's test database is a copy of the
    run's migrated template (``MigratedTemplate``) instead of migrated on its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not (worker and run and settings.USING_POSTGRES):
        yield
        return
    from django.db import connections

    creation = connections["default"].creation
    template = MigratedTemplate(creation, worker, run)
    creation.create_test_db = template.create_test_db  # what pytest-django's setup_databases calls
    try:
        yield
    finally:
        del creation.create_test_db
        template.drop()


@pytest.fixture(scope="session")
def demo_template(django_db_setup, django_db_blocker, tmp_path_factory):
    """The run's demo template (``tests.demo_database``), on PostgreSQL; None on the embedded SQLite
    default, where a test seeds the demo itself. Its media files are in a folder of the run: beside
    the xdist workers' own temporary folders (in this session's without xdist)."""
    from django.db import connections

    if connections["default"].vendor != "postgresql":
        yield None
        return
    import uuid

    from tests.demo_database import DemoTemplate

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
    root = tmp_path_factory.getbasetemp()
    media = (root.parent if worker else root) / "demo-media"
    with django_db_blocker.unblock():
        template = DemoTemplate(connections["default"].settings_dict["NAME"], worker, run, media)
        template.make()
    yield template
    with django_db_blocker.unblock():
        connections.close_all()
        template.drop()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the test database is made (as the owner), continue as the application's role."""
    if not APP_CREDENTIALS:
        yield
        return
    from django.db import connections

    connection = connections["default"]
    owner = {"USER": connection.settings_dict["USER"], "PASSWORD": connection.settings_dict["PASSWORD"]}
    with django_db_blocker.unblock():
        quote = connection.ops.quote_name
        role = quote(settings.DATABASE_APP_ROLE)
        suite, go_between = suite_role(), f"{suite_role()}_may_cross"
        with connection.cursor() as cursor:
            # Only the tests empty tables between transactional tests.
            cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")
            for name, attributes in ((go_between, "NOLOGIN NOINHERIT"), (suite, "LOGIN INHERIT")):
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE ROLE {quote(name)} {attributes} NOSUPERUSER NOBYPASSRLS")
            if APP_CREDENTIALS["PASSWORD"]:
                cursor.execute(f"ALTER ROLE {quote(suite)} PASSWORD %s", [APP_CREDENTIALS["PASSWORD"]])
            # Granted only when missing: xdist's workers start together, and CI made them already.
            for member, granted in (
                (go_between, settings.DATABASE_CROSSING_ROLE),
                (suite, go_between),
                (suite, settings.DATABASE_APP_ROLE),
            ):
                cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [member, granted])
                if not cursor.fetchone()[0]:
                    cursor.execute(f"GRANT {quote(granted)} TO {quote(member)}")
        connection.close()
        connection.settings_dict.update(APP_CREDENTIALS, USER=suite, ROLE=settings.DATABASE_APP_ROLE)
    yield
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.pop("ROLE", None)
        connection.settings_dict.update(owner)  # the owner drops the test database


def rls_available() -> tuple[bool, str]:
    if not settings.USING_POSTGRES:
        return False, "DATABASE_URL is not a PostgreSQL URL"
    if not settings.DATABASE_APP_ROLE:
        return False, "no application role: set MIGRATION_DATABASE_URL to the owner and DATABASE_URL to the app role"
    return True, ""


def browser_available() -> tuple[bool, str]:
    # Playwright itself is a pinned test requirement; the browser is a Debian package.
    if not os.access(CHROMIUM_PATH, os.X_OK):
        return False, f"{CHROMIUM_PATH} is missing (apt-get install chromium)"
    return True, ""


@pytest.hookimpl(trylast=True)  # after -m/-k deselection: only the tests that will run count
def pytest_collection_modifyitems(config, items):
    services_ok, services_reason = services_available()
    rls_ok, rls_reason = rls_available()
    browser_ok, browser_reason = browser_available()
    for item in items:
        if "services" in item.keywords and not services_ok:
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL + Redis + a Celery worker: {services_reason}"))
        if "rls" in item.keywords and not rls_ok:
            item.add_marker(pytest.mark.skip(reason=f"needs row-level security as the app role: {rls_reason}"))
        if "browser" in item.keywords and not browser_ok:
            if SERVICES_REQUIRED:
                raise pytest.UsageError(f"REQUIRE_SERVICES=1 but {browser_reason}: refusing to skip the browser tests.")
            item.add_marker(pytest.mark.skip(reason=f"needs Chromium: {browser_reason}"))


# The garbage collector of a test process: a full collection walks every object the process holds,
# and pytest, Django and the collected tests are a million of them (0.2-0.4 s a collection, dozens
# of times in a module). Once the tests are collected, what is loaded is frozen out of its sight
# (as the web workers do: project/gunicorn.py) and the first generation collected less often.
TESTS_GC_THRESHOLD = (50_000, 20, 20)


def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()
    gc.set_threshold(*TESTS_GC_THRESHOLD)


def pytest_sessionstart(session):
    """CI sets REQUIRE_SERVICES=1 and REQUIRE_RLS=1: then a missing service or a test run that
    row-level security does not bind is a failure, never a skip."""
    ok, reason = services_available()
    if SERVICES_REQUIRED and not ok:
        raise pytest.UsageError(f"REQUIRE_SERVICES=1 but {reason}: refusing to fall back.")
    ok, reason = rls_available()
    if RLS_REQUIRED and not ok:
        raise pytest.UsageError(f"REQUIRE_RLS=1 but {reason}: refusing to fall back.")


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process in tests, except in tests marked ``services`` (real worker)."""
    eager = "services" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def commits_as_in_production(monkeypatch):
    """``transaction.on_commit`` callbacks in a test that runs inside the test case's transaction
    (``django_db``, not ``transaction=True``) run when they would in production: at the end,
    without error, of the code's own outermost ``atomic`` block (its commit there), or at once
    when the code is in none (autocommit). A block rolled back drops its callbacks, as Django does.

    A transactional test sees real commits, but each costs the emptying of every table afterwards
    (a TRUNCATE of 140 tables and 1,100 indexes: about 0.7 s); the connectors' tests, which need
    only the callbacks, use this instead (``pytestmark``)."""
    from django.db import transaction
    from django.db.backends.base.base import BaseDatabaseWrapper

    def only_the_tests_blocks(connection) -> bool:
        return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)

    def run(callbacks) -> None:
        for _, func, robust in callbacks:
            if not robust:
                func()
                continue
            try:
                func()
            except Exception:  # as Django's robust callbacks: logged, never raised
                logging.getLogger("django.db.backends.base").exception("Error calling %s in on_commit()", func)

    def on_commit(connection, func, robust=False):
        if connection.in_atomic_block and only_the_tests_blocks(connection):
            run([(set(), func, robust)])  # the code is in no block of its own: autocommit
        else:
            original_on_commit(connection, func, robust)

    def exit_block(block, exc_type, exc_value, traceback):
        connection = transaction.get_connection(block.using)
        outcome = original_exit(block, exc_type, exc_value, traceback)
        if exc_type is None and connection.run_on_commit and only_the_tests_blocks(connection):
            pending, connection.run_on_commit = connection.run_on_commit, []
            run(pending)  # the code's outermost block ended: its commit
        return outcome

    original_on_commit, original_exit = BaseDatabaseWrapper.on_commit, transaction.Atomic.__exit__
    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_block)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code called directly by a test speaks English (the source language), so assertions read the
    messages as written; requests still choose their language (Chinese by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def passed_second_step(user) -> TOTPDevice | None:
    """For a person who must sign in with two steps: their authenticator, made (confirmed) when they
    have none. None for everyone else."""
    if user is None or not twofactor.two_step_required(user):
        return None
    return twofactor.totp_device(user) or TOTPDevice.objects.create(
        user=user, name=twofactor.DEVICE_NAME, confirmed=True
    )


@pytest.fixture(autouse=True)
def _forced_sign_ins_pass_the_second_step(request, monkeypatch):
    """``Client.force_login`` and ``APIClient.force_authenticate`` skip the sign-in pages, so they
    skip their second step too: a person who must sign in with two steps
    (``agency.twofactor.two_step_required``: agency admins, the platform admin...) is given a confirmed
    authenticator, and a forced session is marked as having passed the code step (django-otp's
    session key), as after a real sign-in. Everything else (the password pages, the token endpoint,
    tokens) is left as it is. Tests of the second step itself are marked ``two_step``: there forced
    sign-ins are plain, and a person who must use it is sent to the set-up."""
    if "two_step" in request.keywords:
        yield
        return
    force_login, force_authenticate = DjangoClient.force_login, APIClient.force_authenticate

    def force_login_passed(self, user, backend=None):
        force_login(self, user, backend)
        device = passed_second_step(user)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    def force_authenticate_passed(self, user=None, token=None):
        force_authenticate(self, user, token)
        passed_second_step(user)

    monkeypatch.setattr(DjangoClient, "force_login", force_login_passed)
    monkeypatch.setattr(APIClient, "force_authenticate", force_authenticate_passed)
    yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    """Agency A with two clients (a1 is the client people's own), agency B with one."""

    agency_a: Agency
    agency_b: Agency
    client_a1: Client
    client_a2: Client
    client_b: Client
    staff_a: object
    staff_b: object
    viewer_a1: object
    approver_a1: object

    def people(self):
        return {
            "staff_a": self.staff_a,
            "staff_b": self.staff_b,
            "viewer_a1": self.viewer_a1,
            "approver_a1": self.approver_a1,
        }

    def fresh(self) -> World:
        """The same rows read anew from the database, as new instances (a test may change the ones
        it is given): for worlds made once for several tests (tests/isolation.py)."""
        from django.contrib.auth import get_user_model

        from agency.tenancy import dangerously_all_agencies

        agencies = Agency.objects.in_bulk([self.agency_a.pk, self.agency_b.pk])
        with dangerously_all_agencies():
            clients = Client.dangerously_all_agencies.in_bulk([self.client_a1.pk, self.client_a2.pk, self.client_b.pk])
        users = get_user_model().objects.in_bulk([person.pk for person in self.people().values()])
        return World(
            agencies[self.agency_a.pk],
            agencies[self.agency_b.pk],
            clients[self.client_a1.pk],
            clients[self.client_a2.pk],
            clients[self.client_b.pk],
            *(users[person.pk] for person in self.people().values()),
        )


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    agency_a = AgencyFactory(name="Agency A", slug="agency-a")
    agency_b = AgencyFactory(name="Agency B", slug="agency-b")
    client_a1 = ClientFactory(agency=agency_a, name="A1 hotpot")
    client_a2 = ClientFactory(agency=agency_a, name="A2 tea")
    client_b = ClientFactory(agency=agency_b, name="B1 coffee")
    staff_a = MembershipFactory(agency=agency_a, role="agency_admin", user=UserFactory(username="staff_a")).user
    staff_b = MembershipFactory(agency=agency_b, role="agency_admin", user=UserFactory(username="staff_b")).user
    viewer_a1 = MembershipFactory(
        agency=agency_a, role="client_viewer", client=client_a1, user=UserFactory(username="viewer_a1")
    ).user
    approver_a1 = MembershipFactory(
        agency=agency_a, role="client_approver", client=client_a1, user=UserFactory(username="approver_a1")
    ).user
    return World(agency_a, agency_b, client_a1, client_a2, client_b, staff_a, staff_b, viewer_a1, approver_a1)


@pytest.fixture
def api():
    """``api(user)`` → an APIClient signed in as ``user`` (anonymous with None)."""

    def make(user=None, agency_slug: str | None = None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_authenticate(user=user)
        if agency_slug:
            client.credentials(HTTP_X_AGENCY=agency_slug)
        return client

    return make


# --- a real Celery worker (tests marked ``services``) ------------------------------------------------


@pytest.fixture
def real_worker(transactional_db, settings, tmp_path):
    """A Celery worker process on a queue of its own, reading this xdist worker's test database (as
    the application's role), its Redis database (tests/xdist_workers.py) and the test's media
    folder. Tasks this process sends go to that queue while the fixture lives; its name is what the
    fixture gives (``apply_async(queue=real_worker)``). A test that uses it is ``slow``."""
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    with running_worker(tmp_path / "worker.log", DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT)) as queue:
        previous = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = queue
        try:
            yield queue
        finally:
            celery_app.conf.task_default_queue = previous


@pytest.hookimpl(tryfirst=True)  # before -m selects: ``-m "not slow"`` leaves these out
def pytest_itemcollected(item):
    if "real_worker" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.slow)


# --- the API's OpenAPI schema, generated once for the session ---------------------------------------


@dataclass
class GeneratedSchema:
    """The schema as ``/api/schema/`` serves it as JSON (rendered and read back), and what
    drf-spectacular warned about while generating it (``spectacular --fail-on-warn``)."""

    document: dict
    warnings: list[str] = field(default_factory=list)


def generate_schema(language: str) -> GeneratedSchema:
    """What ``manage.py spectacular`` generates (the same generator, request and settings), in
    ``language``: the labels that differ from a field's name become titles, so the Chinese schema
    also differs in shape (a reference with a title is wrapped in ``allOf``)."""
    from django.utils import translation
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.renderers import OpenApiJsonRenderer
    from drf_spectacular.settings import spectacular_settings

    GENERATOR_STATS.reset()
    GENERATOR_STATS.enable_trace_lineno()
    with translation.override(language):
        schema = spectacular_settings.DEFAULT_GENERATOR_CLASS().get_schema(request=None, public=True)
    warnings = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]  # each message, with its severity
    GENERATOR_STATS.reset()
    rendered = OpenApiJsonRenderer().render(schema, renderer_context={})
    return GeneratedSchema(json.loads(rendered), warnings)


@pytest.fixture(scope="session")
def schema_in():
    """``schema_in(language)``: the API's OpenAPI schema in ``language``, generated once for the
    session (generating takes seconds; the schema tests of every app and the API fuzzer read it)."""
    made: dict[str, GeneratedSchema] = {}

    def schema(language: str) -> GeneratedSchema:
        if language not in made:
            made[language] = generate_schema(language)
        return made[language]

    return schema


@pytest.fixture(scope="session")
def generated_schema(schema_in) -> GeneratedSchema:
    """The schema in English, the source language, as the schema tests read it."""
    return schema_in("en")


@pytest.fixture(scope="session")
def served_schema(schema_in) -> GeneratedSchema:
    """The schema exactly as ``/api/schema/?format=json`` answers a request that names no language
    (in ``LANGUAGE_CODE``)."""
    return schema_in(settings.LANGUAGE_CODE)


@pytest.fixture
def openapi(generated_schema) -> dict:
    """The API's OpenAPI schema (read only: the whole session shares it)."""
    return generated_schema.document
