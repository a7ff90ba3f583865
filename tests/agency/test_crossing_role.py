"""The database wall cannot be lowered by the application's own role (issue 24, item 5).

Only the crossing role (``DATABASE_CROSSING_ROLE``) reads across agencies, and the web role is not a
member of it. These tests commit their rows (``transaction=True``) and read them from connections of
their own: one as the web role itself (``DATABASE_URL``'s user), which tries everything it could send
to see another agency's rows; one as the crossing role, which the ORM uses for the escape hatch when
``CROSSING_DATABASE_URL`` gives it a connection of its own (``agency.db.routers``)."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext

from agency.db.routers import CROSSING, crossing_alias, crossing_configured
from agency.rls import CROSSING_POLICY, partitions_of, sign, tenant_tables
from agency.tenancy import dangerously_all_agencies, tenant_context
from clients.models import Client
from tests.celery_worker import connection_of_its_own
from tests.conftest import APP_CREDENTIALS, CROSSING_SETTINGS, suite_role

pytestmark = [pytest.mark.rls, pytest.mark.django_db(transaction=True)]

CROSSING_ROLE = settings.DATABASE_CROSSING_ROLE


def connect(user: str, password: str | None) -> psycopg.Connection:
    return connection_of_its_own(user=user, password=password, autocommit=True)


def agencies_seen(conn: psycopg.Connection, *setup: str, agency_id: int | None = None) -> set[int]:
    """The agencies whose clients ``conn`` reads in one transaction, after the ``setup`` statements
    (and inside agency ``agency_id``, set the way the application sets it)."""
    with conn.transaction(), conn.cursor() as cursor:
        if agency_id is not None:
            cursor.execute(
                "SELECT set_config('app.agency_id', %s, true), set_config('app.tenant_mac', %s, true)",
                [str(agency_id), sign(str(agency_id), "")],
            )
        for statement in setup:
            cursor.execute(statement)
        cursor.execute("SELECT DISTINCT agency_id FROM clients_client")
        return {row[0] for row in cursor.fetchall()}


def refused(conn: psycopg.Connection, statement: str) -> str:
    """The database's refusal of ``statement`` (the test fails if it is accepted)."""
    with pytest.raises(psycopg.Error) as refusal, conn.transaction():
        conn.execute(statement)
    return str(refusal.value)


def test_nothing_the_web_role_sends_reads_another_agency(world):
    a, b = world.agency_a.pk, world.agency_b.pk
    assert Client.dangerously_all_agencies.filter(agency_id=b).exists()  # committed, there to be found
    with connect(APP_CREDENTIALS["USER"], APP_CREDENTIALS["PASSWORD"]) as web:
        assert web.execute("SELECT current_user").fetchone()[0] == settings.DATABASE_APP_ROLE
        assert agencies_seen(web, agency_id=a) == {a}  # its own agency, as the application sets it
        assert agencies_seen(web) == set()  # no agency: nothing
        # The settings the policies once trusted, and any other a role may set, open nothing.
        assert agencies_seen(web, "SET LOCAL app.all_agencies = 'on'", agency_id=a) == {a}
        assert agencies_seen(web, "SELECT set_config('app.all_agencies', 'on', true)") == set()
        web.execute("SET app.all_agencies = 'on'")  # for the whole session
        assert agencies_seen(web, agency_id=a) == {a}
        assert agencies_seen(web, "RESET ROLE", "SET ROLE NONE", agency_id=a) == {a}
        # It cannot become the crossing role, nor the suite's role that may, nor anyone else.
        for role in (CROSSING_ROLE, suite_role(), f"{suite_role()}_may_cross"):
            assert "permission denied to set role" in refused(web, f'SET ROLE "{role}"')
            assert "permission denied to set role" in refused(web, f"SELECT set_config('role', '{role}', false)")
            assert "permission denied to set role" in refused(web, f'SET LOCAL ROLE "{role}"')
        assert "permission denied" in refused(web, f'SET SESSION AUTHORIZATION "{CROSSING_ROLE}"')
        # Nor lower the wall itself: the tables, their policies and the roles are not its own.
        for statement in (
            "ALTER TABLE clients_client DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE clients_client NO FORCE ROW LEVEL SECURITY",
            f"DROP POLICY {CROSSING_POLICY} ON clients_client",
            "CREATE POLICY open ON clients_client USING (true)",
            f'GRANT "{CROSSING_ROLE}" TO "{settings.DATABASE_APP_ROLE}"',
            f'ALTER ROLE "{settings.DATABASE_APP_ROLE}" BYPASSRLS',
            "SELECT records_audit_row()",
        ):
            assert refused(web, statement)
        assert agencies_seen(web, agency_id=a) == {a}
        member = web.execute(
            "SELECT pg_has_role(current_user, %s, 'MEMBER'), rolbypassrls, rolsuper FROM pg_roles "
            "WHERE rolname = current_user",
            [CROSSING_ROLE],
        ).fetchone()
        assert member == (False, False, False)


def test_the_suites_own_role_crosses_only_by_switching_to_the_crossing_role(world):
    a, b = world.agency_a.pk, world.agency_b.pk
    with connect(suite_role(), APP_CREDENTIALS["PASSWORD"]) as suite:
        # The suite's own role acts as the web role, and crosses only by switching (and so, in the
        # application, only for the escape hatch's statements).
        suite.execute(f'SET ROLE "{settings.DATABASE_APP_ROLE}"')
        assert agencies_seen(suite, agency_id=a) == {a}
        assert agencies_seen(suite, f'SET LOCAL ROLE "{CROSSING_ROLE}"') == {a, b}
        assert agencies_seen(suite) == set()
        suite.execute("RESET ROLE")
        assert agencies_seen(suite) == set()  # its own rights: the web role's, not the crossing role's


def test_every_tenant_table_lets_the_crossing_role_alone_past(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, roles::text[], qual, with_check FROM pg_policies WHERE policyname = %s",
            [CROSSING_POLICY],
        )
        policies = {row[0]: row[1:] for row in cursor.fetchall()}
        partitions = partitions_of(cursor)  # a partition read by its own name has its own policies
    tables = {name for table, _client in tenant_tables() for name in (table, *partitions.get(table, ()))}
    assert set(policies) == tables
    assert {(tuple(roles), qual, check) for roles, qual, check in policies.values()} == {
        ((CROSSING_ROLE,), "true", "true")
    }


def test_the_audit_trigger_writes_as_the_crossing_role_and_reads_no_temporary_table_first(db):
    """Every write leaves its trail line whoever makes it: the trigger function runs as its owner,
    the crossing role, and a temporary table of the writer's cannot stand in for the trail."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolname, p.prosecdef, p.proconfig FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner "
            "WHERE p.proname = 'records_audit_row'"
        )
        owner, definer, config = cursor.fetchone()
    assert (owner, definer) == (CROSSING_ROLE, True)
    assert [c.replace(" ", "") for c in config] == ["search_path=public,pg_temp"]


# The tests below read through the crossing role's own connection.
CROSSING_DB = pytest.mark.django_db(transaction=True, databases=["default", CROSSING])


@pytest.fixture(scope="module")
def crossing_alias_settings(django_db_setup, django_db_blocker):
    """The crossing role's own connection, the ``all_agencies`` alias, as CROSSING_DATABASE_URL
    gives it in production (the suite otherwise switches roles on its one connection). It exists
    before each test's database helper runs (module scope comes first); a test mirror of default,
    so that the suite empties the tables once, as default."""
    default = connections["default"].settings_dict
    connections.settings[CROSSING] = {
        **{k: v for k, v in default.items() if k not in ("ROLE", "CROSSING_ROLE")},
        "USER": CROSSING_ROLE,
        "PASSWORD": CROSSING_SETTINGS.get("PASSWORD", ""),
        "ATOMIC_REQUESTS": False,
        "TEST": {**default.get("TEST", {}), "MIRROR": "default"},
    }
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            connections[CROSSING].close()
        del connections[CROSSING]
        del connections.settings[CROSSING]


@pytest.fixture
def crossing_connection(crossing_alias_settings, world):
    return connections[CROSSING]


@CROSSING_DB
def test_with_a_crossing_connection_the_escape_hatch_reads_there_and_nothing_else_does(world, crossing_connection):
    assert crossing_configured() and crossing_alias() == CROSSING
    with CaptureQueriesContext(crossing_connection) as crossing, CaptureQueriesContext(connection) as web:
        assert Client.dangerously_all_agencies.count() == 3
        with dangerously_all_agencies():
            assert {c.agency_id for c in Client.objects.all()} == {world.agency_a.pk, world.agency_b.pk}
            client = Client.objects.get(pk=world.client_b.pk)
            client.notes = "seen by the platform"
            client.save()
    assert len(crossing.captured_queries) >= 4
    assert not [q for q in web.captured_queries if "clients_client" in q["sql"]]
    with crossing_connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == CROSSING_ROLE
    # Outside the block the row read there goes back to the web role's connection, in its agency.
    with CaptureQueriesContext(crossing_connection) as crossing, tenant_context(world.agency_b):
        client.refresh_from_db()
        assert client.notes == "seen by the platform"
        assert Client.objects.count() == 1
    assert crossing.captured_queries == []


@CROSSING_DB
def test_with_a_crossing_connection_the_platform_admin_works_across_agencies(world, crossing_connection):
    admin = get_user_model().objects.create_superuser("platform", "p@example.com", "x-long-password-1")
    browser = Browser()
    browser.force_login(admin)
    with CaptureQueriesContext(crossing_connection) as crossing:
        page = browser.get("/admin/clients/client/").content.decode()
        assert "A1 hotpot" in page and "B1 coffee" in page
        assert browser.get(f"/admin/clients/client/{world.client_b.pk}/change/").status_code == 200
    assert any("clients_client" in q["sql"] for q in crossing.captured_queries)
