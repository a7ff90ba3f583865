"""The schema is ready to be distributed by agency with Citus (issue 23, "Sharding by agency").

Read from the migrated test database's catalogue: every tenant table's primary key and unique keys
hold ``agency_id``, every foreign key between tenant tables holds it on both sides (co-located), and
every other table is named a reference or a local table, none of which points at a tenant table
(``agency.distribution``). The checks are proved to fail: tables made in a schema of their own,
in a transaction rolled back, reintroduce each violation, and the check names each one."""

from __future__ import annotations

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.models import Count

from agency.db.postgresql.base import DatabaseWrapper
from agency.distribution import (
    LOCAL_TABLES,
    REFERENCE_TABLES,
    citus_plan,
    read_catalogue,
    statements,
    tenant_table_names,
    violations,
)
from agency.models import TenantModel
from agency.partitions import partitioned_models, partitions
from agency.tenancy import tenant_context
from clients.models import Client, PlatformAccount, Video
from tests.celery_worker import connection_of_its_own
from tests.conftest import OWNER_CREDENTIALS
from tests.factories import PlatformAccountFactory

pytestmark = [
    pytest.mark.rls,
    pytest.mark.skipif(
        not settings.USING_POSTGRES, reason="the constraints are PostgreSQL's (SQLite: nothing to distribute)"
    ),
]

PROBE = "distribution_probe"


def test_the_migrated_schema_is_ready_to_be_distributed_by_agency(db):
    with connection.cursor() as cursor:
        problems = violations(cursor)
        catalogue = read_catalogue(cursor)
    assert problems == []
    # The reading found what it checks: every tenant table, its key, and foreign keys between them.
    tenant = tenant_table_names()
    assert tenant <= set(catalogue.tables)
    keys = {c.table: c.columns for c in catalogue.constraints if c.kind == "p"}
    # A table partitioned by month holds its partition key in its primary key too (agency.partitions).
    by_month = dict(partitioned_models())
    assert by_month
    assert {table: keys[table] for table in tenant} == {
        table: ("agency_id", "id", by_month[table]) if table in by_month else ("agency_id", "id") for table in tenant
    }
    # Its partitions are not tables to name or distribute: they go with their table.
    with connection.cursor() as cursor:
        for table in by_month:
            assert partitions(cursor, table)
            assert not set(partitions(cursor, table)) & set(catalogue.tables)
    between = [c for c in catalogue.constraints if c.kind == "f" and c.table in tenant and c.to_table in tenant]
    assert len(between) > 100
    assert all(c.columns[0] == c.to_columns[0] == "agency_id" for c in between)


def test_reference_and_local_tables_are_named_once_and_exist(db):
    with connection.cursor() as cursor:
        tables = set(read_catalogue(cursor).tables)
    assert sorted(REFERENCE_TABLES & LOCAL_TABLES) == []
    assert sorted((REFERENCE_TABLES | LOCAL_TABLES) & tenant_table_names()) == []
    assert sorted((REFERENCE_TABLES | LOCAL_TABLES) - tables) == []  # no stale name


def test_no_model_outside_the_tenant_tables_points_at_a_tenant_model():
    # The schema editor makes no constraint for such a field (a reference table cannot point at a
    # distributed one), so the models are checked themselves.
    pointing = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in apps.get_models(include_auto_created=True)
        if not issubclass(model, TenantModel)
        for field in model._meta.concrete_fields
        if field.is_relation and isinstance(field.related_model, type) and issubclass(field.related_model, TenantModel)
    ]
    assert pointing == []


def test_the_plan_distributes_every_table_once_in_an_order_citus_accepts(db):
    with connection.cursor() as cursor:
        plan = citus_plan(cursor)
        catalogue = read_catalogue(cursor)
    tenant = tenant_table_names()
    made = [s.split("'")[1] for s in plan if s.startswith("SELECT create_")]
    assert sorted(made) == sorted(tenant | REFERENCE_TABLES)
    # A reference table comes after the reference tables it points at.
    reference = [s.split("'")[1] for s in plan if s.startswith("SELECT create_reference_table")]
    for c in catalogue.constraints:
        if c.kind == "f" and c.table in REFERENCE_TABLES and c.to_table in REFERENCE_TABLES and c.table != c.to_table:
            assert reference.index(c.to_table) < reference.index(c.table), c.name
    # Every tenant table joins the first one's co-location group; the foreign keys between tenant
    # tables are dropped before and made again after, with their agency.
    distributed = [s for s in plan if s.startswith("SELECT create_distributed_table")]
    first = distributed[0].split("'")[1]
    assert distributed[0].endswith("colocate_with => 'none')")
    assert all(s.endswith(f"colocate_with => '{first}')") and "'agency_id'" in s for s in distributed[1:])
    drops = [i for i, s in enumerate(plan) if " DROP CONSTRAINT " in s]
    adds = [i for i, s in enumerate(plan) if " ADD CONSTRAINT " in s]
    between = [c for c in catalogue.constraints if c.kind == "f" and c.table in tenant and c.to_table in tenant]
    assert len(drops) == len(adds) == len(between)
    assert max(drops) < plan.index(distributed[0]) and plan.index(distributed[-1]) < min(adds)
    assert all("FOREIGN KEY (agency_id, " in plan[i] for i in adds)


def test_an_aggregate_groups_a_tenant_table_by_its_whole_key(world):
    # Django groups by the primary key alone, which PostgreSQL accepts only for a whole primary key:
    # (agency_id, id) for a tenant table (agency.db.postgresql.compiler).
    with tenant_context(world.agency_a):
        PlatformAccountFactory(client=world.client_a1)
        queryset = Client.objects.annotate(accounts_count=Count("accounts")).order_by("name")
        counts = {client.name: client.accounts_count for client in queryset}
        sql = str(queryset.query)
    assert counts == {"A1 hotpot": 1, "A2 tea": 0}
    assert 'GROUP BY "clients_client"."id", "clients_client"."agency_id"' in sql


# --- The check fails when a violation comes back -------------------------------------------------


def owner_connection() -> psycopg.Connection:
    db = connection.settings_dict
    owner = OWNER_CREDENTIALS or {"USER": db["USER"], "PASSWORD": db["PASSWORD"]}
    return connection_of_its_own(user=owner["USER"], password=owner["PASSWORD"])


PROBE_TABLES = [
    # A tenant table with the distributable keys, and its co-located child.
    "CREATE TABLE good_parent (agency_id bigint NOT NULL, id bigint NOT NULL, code text, PRIMARY KEY (agency_id, id), "
    "CONSTRAINT good_code UNIQUE (agency_id, code))",
    "CREATE TABLE good_child (agency_id bigint NOT NULL, id bigint NOT NULL, parent_id bigint, "
    "PRIMARY KEY (agency_id, id), CONSTRAINT good_child_parent FOREIGN KEY (agency_id, parent_id) "
    "REFERENCES good_parent (agency_id, id))",
    "CREATE TABLE reference_kind (id bigint PRIMARY KEY)",
    "CREATE TABLE local_kind (id bigint PRIMARY KEY)",
    # A tenant table partitioned by month (agency.partitions): its keys hold the date too, and its
    # partitions (with keys of their own) are neither tenant, reference nor local tables.
    "CREATE TABLE good_monthly (agency_id bigint NOT NULL, id bigint NOT NULL, day date NOT NULL, code text, "
    "PRIMARY KEY (agency_id, id, day), CONSTRAINT good_monthly_code UNIQUE (agency_id, code, day)) "
    "PARTITION BY RANGE (day)",
    "CREATE TABLE good_monthly_p202601 PARTITION OF good_monthly FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')",
    "CREATE TABLE good_monthly_default PARTITION OF good_monthly DEFAULT",
]
BAD_TABLES = [
    "CREATE TABLE bad_parent (agency_id bigint NOT NULL, id bigint PRIMARY KEY, code text, "
    "CONSTRAINT bad_code UNIQUE (code))",
    "CREATE UNIQUE INDEX bad_one_open ON bad_parent (code) WHERE id > 0",
    "CREATE TABLE bad_child (agency_id bigint NOT NULL, id bigint NOT NULL, parent_id bigint, "
    "PRIMARY KEY (agency_id, id), CONSTRAINT bad_child_parent FOREIGN KEY (parent_id) REFERENCES bad_parent (id) "
    "DEFERRABLE INITIALLY DEFERRED)",
    "CREATE TABLE bad_reference (id bigint PRIMARY KEY, child_agency bigint, child_id bigint, "
    "CONSTRAINT bad_reference_child FOREIGN KEY (child_agency, child_id) REFERENCES good_child (agency_id, id))",
    "CREATE TABLE bad_to_local (agency_id bigint NOT NULL, id bigint NOT NULL, local_id bigint, "
    "PRIMARY KEY (agency_id, id), CONSTRAINT bad_to_local_fk FOREIGN KEY (local_id) REFERENCES local_kind (id))",
    "CREATE TABLE bad_no_agency (id bigint PRIMARY KEY)",
    "CREATE TABLE stray (id bigint PRIMARY KEY)",
    "CREATE TABLE bad_monthly (agency_id bigint NOT NULL, id bigint NOT NULL, day date NOT NULL, "
    "PRIMARY KEY (id, day)) PARTITION BY RANGE (day)",
    "CREATE TABLE bad_monthly_p202601 PARTITION OF bad_monthly FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')",
]
TENANT = frozenset(
    {
        "good_parent",
        "good_child",
        "good_monthly",
        "bad_parent",
        "bad_child",
        "bad_to_local",
        "bad_no_agency",
        "bad_monthly",
    }
)
KINDS = {
    "tenant": TENANT,
    "reference": frozenset({"reference_kind", "bad_reference"}),
    "local": frozenset({"local_kind"}),
}


def probe_violations(cursor) -> list[str]:
    return violations(cursor, schema=PROBE, **KINDS)


@pytest.fixture
def probe(db):
    with owner_connection() as conn:
        cursor = conn.cursor()
        cursor.execute(f"CREATE SCHEMA {PROBE}")
        cursor.execute(f"SET LOCAL search_path = {PROBE}")
        for statement in PROBE_TABLES:
            cursor.execute(statement)
        try:
            yield cursor
        finally:
            conn.rollback()


def test_a_distributable_schema_reports_nothing(probe):
    assert probe_violations(probe) == []


def test_the_check_names_every_violation_reintroduced(probe):
    for statement in BAD_TABLES:
        probe.execute(statement)
    assert sorted(probe_violations(probe)) == sorted(
        [
            "bad_parent.bad_parent_pkey: primary key (id) without agency_id",
            "bad_parent.bad_code: unique constraint (code) without agency_id",
            "bad_parent.bad_one_open: unique index (code) without agency_id",
            "bad_child.bad_child_parent: foreign key (parent_id) -> bad_parent (id) between tenant tables without "
            "agency_id",
            "bad_reference.bad_reference_child: foreign key (child_agency, child_id) -> good_child (agency_id, id) "
            "from a non-tenant table to a tenant table",
            "bad_to_local.bad_to_local_fk: foreign key (local_id) -> local_kind (id) from a tenant table to a "
            "non-reference table",
            "bad_no_agency: a tenant table without agency_id",
            "bad_no_agency.bad_no_agency_pkey: primary key (id) without agency_id",
            "stray: not a tenant table and not named in agency.distribution.REFERENCE_TABLES or LOCAL_TABLES",
            "bad_monthly.bad_monthly_pkey: primary key (id, day) without agency_id",
        ]
    )


def test_a_foreign_key_whose_agency_is_not_its_parents_is_not_co_located(probe):
    probe.execute(
        "CREATE TABLE bad_child (agency_id bigint NOT NULL, id bigint NOT NULL, other_agency bigint, parent_id bigint, "
        "PRIMARY KEY (agency_id, id), CONSTRAINT crossed FOREIGN KEY (other_agency, parent_id) "
        "REFERENCES good_parent (agency_id, id))"
    )
    assert probe_violations(probe) == [
        "bad_child.crossed: foreign key (other_agency, parent_id) -> good_parent (agency_id, id) between tenant "
        "tables without agency_id"
    ]


def test_make_ready_widens_what_it_can_and_leaves_the_rest_named(probe):
    for statement in BAD_TABLES:
        probe.execute(statement)
    probe.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events for the ALTERs below
    probe.execute("INSERT INTO bad_parent VALUES (1, 10, 'a'), (2, 20, 'b')")
    probe.execute("INSERT INTO bad_child VALUES (1, 1, 10), (2, 2, 20)")
    for statement in statements(read_catalogue(probe, PROBE), TENANT, lambda name: f'"{name}"', schema=PROBE):
        probe.execute(statement)
    assert sorted(probe_violations(probe)) == sorted(
        [
            "bad_reference.bad_reference_child: foreign key (child_agency, child_id) -> good_child (agency_id, id) "
            "from a non-tenant table to a tenant table",
            "bad_to_local.bad_to_local_fk: foreign key (local_id) -> local_kind (id) from a tenant table to a "
            "non-reference table",
            "bad_no_agency: a tenant table without agency_id",
            "bad_no_agency.bad_no_agency_pkey: primary key (id) without agency_id",
            "stray: not a tenant table and not named in agency.distribution.REFERENCE_TABLES or LOCAL_TABLES",
        ]
    )
    # Nothing is run a second time, and the widened foreign key refuses another agency's parent.
    assert statements(read_catalogue(probe, PROBE), TENANT, lambda name: f'"{name}"', schema=PROBE) == []
    probe.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'bad_child_parent'")
    assert probe.fetchone()[0] == (
        "FOREIGN KEY (agency_id, parent_id) REFERENCES bad_parent(agency_id, id) DEFERRABLE INITIALLY DEFERRED"
    )
    # The partitioned table's key is widened with its partitions', and id keeps an index of its own.
    probe.execute(
        "SELECT c.relname::text, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'p' AND c.relname LIKE 'bad_monthly%' ORDER BY 1"
    )
    assert probe.fetchall() == [
        ("bad_monthly", "PRIMARY KEY (agency_id, id, day)"),
        ("bad_monthly_p202601", "PRIMARY KEY (agency_id, id, day)"),
    ]
    probe.execute("SELECT pg_get_indexdef(to_regclass('bad_monthly_by_id'))")
    assert probe.fetchone()[0] == f"CREATE INDEX bad_monthly_by_id ON ONLY {PROBE}.bad_monthly USING btree (id)"
    probe.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = to_regclass('bad_monthly_by_id')")
    assert probe.fetchone()[0] == 1  # the partition's index, attached
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        probe.execute("INSERT INTO bad_child VALUES (2, 3, 10)")  # agency 1's parent, from agency 2


# --- Migrations written by makemigrations get the distributable keys ----------------------------


@pytest.fixture
def probe_editor(db):
    """The PostgreSQL backend as the tables' owner, making tables in the probe schema first (the
    agency and people tables they point at stay public's), in a transaction rolled back."""
    db = connection.settings_dict
    owner = OWNER_CREDENTIALS or {"USER": db["USER"], "PASSWORD": db["PASSWORD"]}
    wrapper = DatabaseWrapper(
        {
            **{k: v for k, v in db.items() if k not in ("ROLE", "CROSSING_ROLE")},
            **owner,
            "OPTIONS": {**db.get("OPTIONS", {}), "options": f"-c search_path={PROBE},public"},
        },
        alias="distribution_probe",
    )
    try:
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {PROBE}")
        yield wrapper
    finally:
        wrapper.rollback()
        wrapper.close()


def test_tables_made_by_migrations_have_the_distributable_keys(probe_editor):
    with probe_editor.schema_editor(atomic=False) as editor:
        for model in (Client, PlatformAccount, Video):
            editor.create_model(model)
    tenant = frozenset(m._meta.db_table for m in (Client, PlatformAccount, Video))
    with probe_editor.cursor() as cursor:
        assert violations(cursor, schema=PROBE, tenant=tenant, named=False) == []
        catalogue = read_catalogue(cursor, PROBE)
    foreign = {
        c.name: (c.columns, c.to_table, c.to_columns) for c in catalogue.constraints if c.table == "clients_video"
    }
    assert (("agency_id", "account_id"), "clients_platformaccount", ("agency_id", "id")) in foreign.values()
    assert (("agency_id", "client_id"), "clients_client", ("agency_id", "id")) in foreign.values()

    # A later migration finds those constraints by the field's column: it drops the foreign key...
    old = Video._meta.get_field("account")
    new = models.ForeignKey(PlatformAccount, on_delete=models.CASCADE, db_constraint=False)
    new.set_attributes_from_name("account")
    new.model = Video
    with probe_editor.schema_editor(atomic=False) as editor:
        editor.alter_field(Video, old, new)
    with probe_editor.cursor() as cursor:
        kept = {c.columns for c in read_catalogue(cursor, PROBE).constraints if c.table == "clients_video"}
    assert ("agency_id", "account_id") not in kept
    # ...makes it again, with the agency, and removes it with its column.
    with probe_editor.schema_editor(atomic=False) as editor:
        editor.alter_field(Video, new, old)
    with probe_editor.cursor() as cursor:
        assert violations(cursor, schema=PROBE, tenant=tenant, named=False) == []
        kept = {c.columns for c in read_catalogue(cursor, PROBE).constraints if c.table == "clients_video"}
    assert ("agency_id", "account_id") in kept
    with probe_editor.schema_editor(atomic=False) as editor:
        editor.remove_field(Video, old)
    with probe_editor.cursor() as cursor:
        kept = {c.columns for c in read_catalogue(cursor, PROBE).constraints if c.table == "clients_video"}
    assert ("agency_id", "account_id") not in kept
