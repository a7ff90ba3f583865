"""The agency a transaction names is taken only with its MAC (issue 24, item 5).

app.agency_id and app.client_id are settings any role may set; the policies read them through
definer functions that return them only when app.tenant_mac is their HMAC under the key
``migrate`` stored where the web role cannot read it (``agency.rls``). These tests commit their rows
(``transaction=True``) and read them from a connection of their own as the web role itself
(``DATABASE_URL``'s user), sending what a session with SQL of its own could send."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections

from agency.db.postgresql import base as postgresql_base
from agency.rls import (
    KEY_CHECK_FUNCTION,
    POLICY,
    WALL_SCHEMA,
    TenantContextKeyMismatch,
    check_context_key,
    context_key_check,
    key_fingerprint,
    sign,
    tenant_tables,
)
from tests.agency.test_crossing_role import connect, refused
from tests.conftest import APP_CREDENTIALS

pytestmark = [pytest.mark.rls, pytest.mark.django_db(transaction=True)]


def seen(web: psycopg.Connection, agency: str, client: str, mac: str) -> set[tuple[int, int]]:
    """The (agency, client) pairs of the clients ``web`` reads in one transaction naming ``agency``
    and ``client`` with ``mac``."""
    with web.transaction(), web.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.agency_id', %s, true), set_config('app.client_id', %s, true), "
            "set_config('app.tenant_mac', %s, true)",
            [agency, client, mac],
        )
        cursor.execute("SELECT agency_id, id FROM clients_client")
        return set(cursor.fetchall())


@pytest.fixture
def web():
    with connect(APP_CREDENTIALS["USER"], APP_CREDENTIALS["PASSWORD"]) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == settings.DATABASE_APP_ROLE
        yield conn


def test_another_agency_named_without_its_own_mac_reads_nothing(world, web):
    a, b = str(world.agency_a.pk), str(world.agency_b.pk)
    a_clients = {(world.agency_a.pk, world.client_a1.pk), (world.agency_a.pk, world.client_a2.pk)}
    assert seen(web, a, "", sign(a, "")) == a_clients  # as the application names it
    assert seen(web, b, "", sign(b, "")) == {(world.agency_b.pk, world.client_b.pk)}
    # Another agency named with no MAC, a made-up one, or agency A's replayed: nothing.
    assert seen(web, b, "", "") == set()
    assert seen(web, b, "", "0" * 64) == set()
    assert seen(web, b, "", sign(a, "")) == set()
    # The same id spelled otherwise, or the MAC of the pair shifted across the separator.
    assert seen(web, f" {a}", "", sign(a, "")) == set()
    assert seen(web, f"{a}|", "", sign(a, "")) == set()
    # Signed with a key other than the stored one.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "TENANT_CONTEXT_KEY", "a key of the attacker's choosing")
        assert seen(web, b, "", sign(b, "")) == set()
    # Plain SET, for the session, with A's MAC left in place: nothing.
    web.execute(f"SET app.agency_id = '{b}'")
    web.execute(f"SET app.tenant_mac = '{sign(a, '')}'")
    with web.transaction():
        assert web.execute("SELECT count(*) FROM clients_client").fetchone()[0] == 0


def test_a_client_person_cannot_drop_or_change_the_client_its_mac_binds(world, web):
    a, a1, a2 = str(world.agency_a.pk), str(world.client_a1.pk), str(world.client_a2.pk)
    assert seen(web, a, a1, sign(a, a1)) == {(world.agency_a.pk, world.client_a1.pk)}
    assert seen(web, a, "", sign(a, a1)) == set()  # staff's view of the agency, with a client's MAC
    assert seen(web, a, a2, sign(a, a1)) == set()  # another client of the agency


def test_the_key_and_the_functions_are_out_of_the_web_roles_reach(world, web):
    for statement in (
        f"SELECT key FROM {WALL_SCHEMA}.context_key",
        f"UPDATE {WALL_SCHEMA}.context_key SET key = 'mine'",
        f"SELECT {WALL_SCHEMA}.app_agency()",
        f"SELECT {WALL_SCHEMA}.app_client()",
        f"CREATE OR REPLACE FUNCTION {WALL_SCHEMA}.app_agency() RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint'",
        f"CREATE TABLE {WALL_SCHEMA}.mine (id int)",
        f"ALTER FUNCTION {WALL_SCHEMA}.app_agency() OWNER TO CURRENT_USER",
    ):
        assert "permission denied" in refused(web, statement)
    # It may ask whether a fingerprint of a key is the stored one, and learns nothing else.
    check = f"SELECT public.{KEY_CHECK_FUNCTION}(%s)"
    assert web.execute(check, [key_fingerprint()]).fetchone()[0] is True
    assert web.execute(check, [sign(str(world.agency_a.pk), "")]).fetchone()[0] is False
    functions = web.execute(
        "SELECT p.proname, p.prosecdef, p.provolatile, p.proconfig, pg_get_userbyid(p.proowner) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s ORDER BY p.proname",
        [WALL_SCHEMA],
    ).fetchall()
    assert [f[0] for f in functions] == ["app_agency", "app_client"]
    for _name, definer, volatility, config, owner in functions:
        assert definer and volatility == "s" and config == ["search_path=pg_catalog, pg_temp"]
        assert owner not in (settings.DATABASE_APP_ROLE, APP_CREDENTIALS["USER"])


def test_every_tenant_policy_reads_the_signed_agency_once_per_statement(world, web):
    quals = dict(web.execute("SELECT tablename, qual FROM pg_policies WHERE policyname = %s", [POLICY]).fetchall())
    for table, _client in tenant_tables():
        assert f"( SELECT {WALL_SCHEMA}.app_agency() AS app_agency)" in quals[table], table
        assert "current_setting" not in quals[table], table
    a = str(world.agency_a.pk)
    with web.transaction():
        web.execute(
            "SELECT set_config('app.agency_id', %s, true), set_config('app.tenant_mac', %s, true)", [a, sign(a, "")]
        )
        plan = [row[0] for row in web.execute("EXPLAIN VERBOSE SELECT * FROM clients_client").fetchall()]
    # Called in an init plan (once per statement), never in the scan's filter (once per row).
    assert any("InitPlan" in line for line in plan), plan
    assert any(f"{WALL_SCHEMA}.app_agency()" in line for line in plan), plan
    assert not any("Filter:" in line and "app_" in line for line in plan), plan


def test_a_process_holding_another_key_refuses_to_start(settings):
    connection.ensure_connection()
    check_context_key(connection)  # the suite holds the key migrate stored
    assert context_key_check(databases=["default"]) == []
    settings.TENANT_CONTEXT_KEY = "another key"
    assert [error.id for error in context_key_check(databases=["default"])] == ["agency.E001"]
    with pytest.raises(TenantContextKeyMismatch, match="TENANT_CONTEXT_KEY .* `manage.py migrate`"):
        check_context_key(connection)
    # The backend checks at a process's first connection, before any statement of the application.
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(postgresql_base, "_key_checked", set())
    fresh = connections.create_connection("default")
    try:
        for _attempt in range(2):  # and again at the next use: the refused connection is not kept
            with pytest.raises(TenantContextKeyMismatch):
                fresh.ensure_connection()
            assert fresh.connection is None
    finally:
        fresh.close()
        monkeypatch.undo()
