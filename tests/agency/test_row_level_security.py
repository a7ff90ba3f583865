"""The second wall: PostgreSQL row-level security binds the application's own database role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts_ops.models import AccountDailyMetric
from agency.models import Membership, TenantModel
from agency.partitions import partitioned_models
from agency.rls import CROSSING_POLICY, POLICY, tenant_tables
from agency.tenancy import dangerously_all_agencies, tenant_context
from clients.models import Client, ClientRequirement
from tests.factories import ClientRequirementFactory, PlatformAccountFactory
from tests.records.factories import AssetCheckoutFactory, AssetFactory

pytestmark = pytest.mark.rls


def fetch(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_every_tenant_table_has_row_level_security_enabled_forced_and_a_policy(db):
    tables = [table for table, _client in tenant_tables()]
    assert len(tables) == len([m for m in apps.get_models() if issubclass(m, TenantModel)])
    rows = fetch(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = %s) "
        "FROM pg_class c WHERE c.relname = ANY(%s)",
        [POLICY, tables],
    )
    assert {row[0] for row in rows} == set(tables)
    assert [row[0] for row in rows if not (row[1] and row[2] and row[3])] == []


def test_the_application_role_is_bound(db):
    user, superuser, bypass = fetch(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )[0]
    assert user == settings.DATABASE_APP_ROLE and not superuser and not bypass
    owners = {
        owner
        for (owner,) in fetch(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE tablename = ANY(%s)", [[t for t, _ in tenant_tables()]]
        )
    }
    assert user not in owners


def test_with_the_application_scoping_bypassed_only_the_current_agencys_rows_come_back(world):
    with tenant_context(world.agency_a):
        names = {name for (name,) in fetch("SELECT name FROM clients_client")}
    assert names == {"A1 hotpot", "A2 tea"}
    with tenant_context(world.agency_b):
        assert {name for (name,) in fetch("SELECT name FROM clients_client")} == {"B1 coffee"}


def test_with_no_agency_every_tenant_table_reads_empty(world):
    PlatformAccountFactory(client=world.client_a1)
    ClientRequirementFactory(client=world.client_b)
    with transaction.atomic():
        for table, _client in tenant_tables():
            assert fetch(f'SELECT count(*) FROM "{table}"') == [(0,)], table


def test_with_no_agency_an_insert_is_refused(world):
    with pytest.raises(Exception, match="row-level security"), transaction.atomic():
        fetch(
            "INSERT INTO clients_client (agency_id, name, kind, industry, city, contact_name, contact_phone, "
            "contact_email, status, services, notes, created_at, updated_at) VALUES "
            "(%s, 'Ghost', 'brand', '', '', '', '', '', 'active', '[]', '', now(), now())",
            [world.agency_a.pk],
        )


def test_an_insert_into_another_agency_is_refused(world):
    with pytest.raises(Exception, match="row-level security"), tenant_context(world.agency_a), transaction.atomic():
        fetch(
            "INSERT INTO clients_client (agency_id, name, kind, industry, city, contact_name, contact_phone, "
            "contact_email, status, services, notes, created_at, updated_at) VALUES "
            "(%s, 'Intruder', 'brand', '', '', '', '', '', 'active', '[]', '', now(), now())",
            [world.agency_b.pk],
        )


def test_client_people_see_only_their_client_at_the_database(world):
    ClientRequirementFactory(client=world.client_a1, title="mine")
    ClientRequirementFactory(client=world.client_a2, title="theirs")
    actor = Membership.objects.get(user=world.viewer_a1).as_actor()
    with tenant_context(world.agency_a, actor):
        assert {t for (t,) in fetch("SELECT title FROM clients_clientrequirement")} == {"mine"}
        assert {n for (n,) in fetch("SELECT name FROM clients_client")} == {"A1 hotpot"}


def test_the_named_escape_hatch_reads_across_agencies(world):
    assert Client.dangerously_all_agencies.count() == 3
    with dangerously_all_agencies():
        assert len(fetch("SELECT id FROM clients_client")) == 3
    ClientRequirementFactory(client=world.client_b)
    assert ClientRequirement.dangerously_all_agencies.filter(agency=world.agency_b).count() == 1


def test_the_platform_admin_works_across_agencies(world):
    from django.contrib.auth import get_user_model
    from django.test import Client as Browser

    admin = get_user_model().objects.create_superuser("platform", "p@example.com", "x-long-password-1")
    browser = Browser()
    browser.force_login(admin)
    page = browser.get("/admin/clients/client/").content.decode()
    assert "A1 hotpot" in page and "B1 coffee" in page
    assert browser.get(f"/admin/clients/client/{world.client_b.pk}/change/").status_code == 200


def test_client_people_see_only_their_clients_rows_reached_through_a_parent(world):
    """A check-out's client is its asset's (``tenant_client_path = "asset__client_id"``): the
    policy follows the parent, so a forgotten filter shows a client person no other client's."""
    mine = AssetCheckoutFactory(asset=AssetFactory(client=world.client_a1, name="mine"), purpose="mine")
    AssetCheckoutFactory(asset=AssetFactory(client=world.client_a2, name="theirs"), purpose="theirs")
    AssetCheckoutFactory(asset=AssetFactory(agency=world.agency_a, name="the agency's"), purpose="the agency's")
    actor = Membership.objects.get(user=world.viewer_a1).as_actor()
    with tenant_context(world.agency_a, actor):
        assert {p for (p,) in fetch("SELECT purpose FROM records_assetcheckout")} == {"mine"}
    with tenant_context(world.agency_a):
        assert len(fetch("SELECT purpose FROM records_assetcheckout")) == 3
    assert mine.asset.client_id == world.client_a1.pk


def test_every_client_condition_reads_a_client_column():
    """No tenant table's policy leaves its client to the application alone."""
    assert [table for table, client in tenant_tables() if client == "true"] == []


# --- Tables partitioned by month (agency.partitions): the parent and every partition -----------------


def test_every_partition_of_a_tenant_table_has_the_tables_policies_forced(db):
    """A partition read by name is bound by its own policies, not its parent's."""
    rows = fetch(
        "SELECT p.relname, c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "(SELECT array_agg(policyname::text ORDER BY policyname) FROM pg_policies WHERE tablename = c.relname) "
        "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
        "WHERE p.relname = ANY(%s)",
        [[table for table, _client in tenant_tables()]],
    )
    assert {parent for parent, *_rest in rows} == {table for table, _column in partitioned_models()}
    assert [row[1] for row in rows if row[2:] != (True, True, [CROSSING_POLICY, POLICY])] == []


def test_the_partitioned_metric_table_isolates_agencies_through_the_table_and_each_partition(world):
    from tests.accounts_ops.factories import AccountDailyMetricFactory

    today = timezone.localdate()
    days = [today.replace(day=1), today.replace(day=1) - dt.timedelta(days=1)]  # this month's, last month's
    for day in days:
        AccountDailyMetricFactory(account=PlatformAccountFactory(client=world.client_a1), date=day, plays=1)
        AccountDailyMetricFactory(account=PlatformAccountFactory(client=world.client_b), date=day, plays=2)
    table = AccountDailyMetric._meta.db_table
    with tenant_context(world.agency_a):
        placed = fetch(f'SELECT tableoid::regclass::text, plays FROM "{table}" ORDER BY date')
        partitions = {name for name, _plays in placed}
        assert [plays for _name, plays in placed] == [1, 1]
        assert len(partitions) == 2  # this month's partition, and last month's (or the lower edge)
        for name in partitions:
            assert fetch(f'SELECT agency_id FROM "{name}"') == [(world.agency_a.pk,)]
        with pytest.raises(Exception, match="row-level security"), transaction.atomic():
            fetch(  # into this month's partition, by name
                f'INSERT INTO "{placed[-1][0]}" (agency_id, client_id, account_id, date, created_at, '
                "updated_at) VALUES (%s, %s, 1, %s, now(), now())",
                [world.agency_b.pk, world.client_b.pk, days[0]],
            )
    with transaction.atomic():
        for name in partitions:
            assert fetch(f'SELECT count(*) FROM "{name}"') == [(0,)]
    with tenant_context(world.agency_b):
        assert [plays for (plays,) in fetch(f'SELECT plays FROM "{table}"')] == [2, 2]
