"""The schema made ready to be distributed by agency (Citus), and the catalogue check that proves it.

Citus spreads a distributed table's rows over worker nodes by one column, here ``agency_id``, and
enforces uniqueness and foreign keys only inside one shard. So, on PostgreSQL (docs/scaling.md,
"Citus"):

- every tenant table's primary key is ``(agency_id, id)``, and every unique constraint and unique
  index on it starts with ``agency_id`` (``(agency_id, account_id, date)`` for the model's
  ``(account, date)``); ``id`` keeps a plain index of its own (``id_index_name``) for the look-ups
  by id alone of the crossing role (the platform admin, webhooks, public links), and a unique key
  of one column keeps one too (a public link's token is looked up before its agency is known);
- every foreign key between tenant tables is ``(agency_id, x_id) → parent (agency_id, id)``: a row
  and its parent are on the same node (co-located), and a row cannot name another agency's parent;
- the other tables are reference tables (a copy on every node: tenant rows may point at them) or
  local tables (on the coordinator only), named in ``REFERENCE_TABLES`` and ``LOCAL_TABLES``; no
  table of either kind points at a tenant table, and no tenant table at a local one.

Django's model state is unchanged: ``id`` stays each model's primary key and its foreign keys stay
one column, which is what the ORM needs (it cannot point a foreign key at a composite key). The
database's constraints are what change, in two places that share this module:

- the PostgreSQL schema editor (``agency.db.postgresql.schema``) makes them so when a migration
  creates a tenant table or a foreign key between tenant tables, and finds them again when a later
  migration alters or removes the field they were made for: ``makemigrations`` output keeps working;
- ``make_ready``, after every ``migrate`` (post_migrate, before row-level security is installed),
  brings whatever is not yet so (a database made before, a unique constraint a migration added in
  its one-column form, a table that became a tenant table) to that form, then checks the catalogue
  (``violations``) and stops ``migrate`` naming whatever it cannot fix itself.

SQLite (the embedded default) keeps the one-column forms: there is nothing to distribute.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

from agency.rls import is_owner, tenant_tables

AGENCY_COLUMN = "agency_id"
SCHEMA = "public"

# Copied to every node: tenant rows point at them (the agency, people, content types), and they are
# read by every node's joins. Written rarely, each write goes to every node.
REFERENCE_TABLES = frozenset(
    {
        "agency_agency",  # small, written rarely; every tenant table points at it
        "agency_membership",  # a person's agencies are read at sign-in, before any agency is chosen
        "agency_apitoken",  # a key is looked up before its agency is known
        "agency_personpreferences",
        "auth_user",
        "auth_group",
        "auth_group_permissions",
        "auth_permission",
        "auth_user_groups",
        "auth_user_user_permissions",
        "django_content_type",
        "otp_static_staticdevice",
        "otp_static_statictoken",
        "otp_totp_totpdevice",
    }
)

# On the coordinator only: platform machinery written often and read by one process at a time
# (the outbox relay, health, sign-in throttling, sessions), which no tenant row points at.
LOCAL_TABLES = frozenset(
    {
        "agency_taskoutbox",
        "agency_heartbeat",
        "django_session",
        "django_admin_log",
        "django_migrations",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
    }
)


@cache
def tenant_table_names() -> frozenset[str]:
    """The tables of the concrete tenant models (``agency.models.TenantModel``), the tables
    distributed by ``agency_id``."""
    return frozenset(table for table, _client in tenant_tables())


def is_tenant_model(model) -> bool:
    """A model (or a migration's historical model) whose table is a tenant table and has its
    agency column."""
    return model._meta.db_table in tenant_table_names() and any(
        field.column == AGENCY_COLUMN for field in model._meta.local_concrete_fields
    )


def _short(name: str, suffix: str) -> str:
    """An identifier within PostgreSQL's 63 characters, unique per ``name``."""
    if len(name) + len(suffix) + 1 <= 63:
        return f"{name}_{suffix}"
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{name[: 63 - len(suffix) - 10]}_{digest}_{suffix}"


def id_index_name(table: str) -> str:
    return _short(table, "by_id")


def lookup_index_name(constraint: str) -> str:
    return _short(constraint, "lookup")


# --- The catalogue ----------------------------------------------------------------------------

_COLUMNS = (
    "(SELECT array_agg(a.attname::text ORDER BY k.i) FROM unnest({keys}) WITH ORDINALITY k(n, i) "
    "JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n)"
)
CONSTRAINTS = (
    "SELECT r.relname::text, con.conname::text, con.contype::text, "
    + _COLUMNS.format(keys="con.conkey", rel="con.conrelid")
    + ", f.relname::text, fn.nspname::text, "
    + _COLUMNS.format(keys="con.confkey", rel="con.confrelid")
    + ", pg_get_constraintdef(con.oid) "
    "FROM pg_constraint con JOIN pg_class r ON r.oid = con.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
    "LEFT JOIN pg_class f ON f.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace "
    "WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'f') ORDER BY r.relname, con.conname"
)
# Unique indexes that no constraint owns (a UniqueConstraint with a condition or an expression).
UNIQUE_INDEXES = (
    "SELECT t.relname::text, i.relname::text, "
    "(SELECT array_agg(coalesce(a.attname::text, '(expression)') ORDER BY k.i) "
    "FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, i) "
    "LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n), pg_get_indexdef(i.oid) "
    "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace "
    "WHERE n.nspname = %s AND x.indisunique AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid "
    "AND c.contype IN ('p', 'u', 'x')) ORDER BY t.relname, i.relname"
)
TABLES = (
    "SELECT c.relname::text, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = %s "
    "AND NOT a.attisdropped) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname"
)


@dataclass(frozen=True)
class Constraint:
    table: str
    name: str
    kind: str  # p, u or f
    columns: tuple[str, ...]
    to_table: str | None
    to_schema: str | None
    to_columns: tuple[str, ...]
    definition: str


@dataclass(frozen=True)
class UniqueIndex:
    table: str
    name: str
    columns: tuple[str, ...]
    definition: str


@dataclass(frozen=True)
class Catalogue:
    tables: dict[str, bool]  # table: whether it has agency_id
    constraints: tuple[Constraint, ...]
    unique_indexes: tuple[UniqueIndex, ...]


def read_catalogue(cursor, schema: str = SCHEMA) -> Catalogue:
    """What the checks and ``make_ready`` read: any DB-API cursor (Django's or psycopg's)."""
    cursor.execute(TABLES, [AGENCY_COLUMN, schema])
    tables = dict(cursor.fetchall())
    cursor.execute(CONSTRAINTS, [schema])
    constraints = tuple(
        Constraint(t, name, kind, tuple(cols or ()), to_t, to_s, tuple(to_cols or ()), definition)
        for t, name, kind, cols, to_t, to_s, to_cols, definition in cursor.fetchall()
    )
    cursor.execute(UNIQUE_INDEXES, [schema])
    indexes = tuple(UniqueIndex(t, name, tuple(cols or ()), d) for t, name, cols, d in cursor.fetchall())
    return Catalogue(tables, constraints, indexes)


def _colocated(constraint: Constraint) -> bool:
    """A foreign key whose agency column points at its parent's agency column."""
    if AGENCY_COLUMN not in constraint.columns or AGENCY_COLUMN not in constraint.to_columns:
        return False
    return constraint.columns.index(AGENCY_COLUMN) == constraint.to_columns.index(AGENCY_COLUMN)


def violations(
    cursor,
    *,
    tenant: frozenset[str] | None = None,
    reference: frozenset[str] = REFERENCE_TABLES,
    local: frozenset[str] = LOCAL_TABLES,
    schema: str = SCHEMA,
    named: bool = True,
) -> list[str]:
    """Every way the schema in ``schema`` is not ready to be distributed by ``agency_id``, each
    naming its table and constraint; empty when it is ready. ``named``: also every table that is
    neither a tenant table nor named as a reference or local table."""
    tenant = tenant_table_names() if tenant is None else tenant
    catalogue = read_catalogue(cursor, schema)
    problems = []
    for table, has_agency in catalogue.tables.items():
        kinds = [
            kind for kind, names in (("tenant", tenant), ("reference", reference), ("local", local)) if table in names
        ]
        if not kinds and named:
            problems.append(
                f"{table}: not a tenant table and not named in agency.distribution.REFERENCE_TABLES or LOCAL_TABLES"
            )
        elif len(kinds) > 1:
            problems.append(f"{table}: named as {' and '.join(kinds)} at once")
        if table in tenant and not has_agency:
            problems.append(f"{table}: a tenant table without {AGENCY_COLUMN}")
    primary = {c.table for c in catalogue.constraints if c.kind == "p"}
    for table in sorted(tenant & set(catalogue.tables) - primary):
        problems.append(f"{table}: a tenant table without a primary key")
    for c in catalogue.constraints:
        if c.table in tenant and c.kind in "pu" and AGENCY_COLUMN not in c.columns:
            what = "primary key" if c.kind == "p" else "unique constraint"
            problems.append(f"{c.table}.{c.name}: {what} ({', '.join(c.columns)}) without {AGENCY_COLUMN}")
        if c.kind != "f":
            continue
        to = c.to_table if c.to_schema == schema else f"{c.to_schema}.{c.to_table}"
        arrow = f"({', '.join(c.columns)}) -> {to} ({', '.join(c.to_columns)})"
        if c.to_schema == schema and c.to_table in tenant:
            if c.table not in tenant:
                problems.append(f"{c.table}.{c.name}: foreign key {arrow} from a non-tenant table to a tenant table")
            elif not _colocated(c):
                problems.append(
                    f"{c.table}.{c.name}: foreign key {arrow} between tenant tables without {AGENCY_COLUMN}"
                )
        elif c.table in tenant and c.to_table not in reference:
            problems.append(f"{c.table}.{c.name}: foreign key {arrow} from a tenant table to a non-reference table")
    for index in catalogue.unique_indexes:
        if index.table in tenant and AGENCY_COLUMN not in index.columns:
            problems.append(
                f"{index.table}.{index.name}: unique index ({', '.join(index.columns)}) without {AGENCY_COLUMN}"
            )
    return problems


# --- Bringing a database to that form ---------------------------------------------------------


class NotReadyToDistribute(ImproperlyConfigured):
    """The schema has what ``make_ready`` cannot fix by itself (docs/scaling.md, "Citus")."""


_FOREIGN_KEY = re.compile(r"^FOREIGN KEY \((?P<columns>[^)]*)\) REFERENCES (?P<to>[^(]+)\((?P<to_columns>[^)]*)\)")


def widened_foreign_key(definition: str) -> str:
    """``FOREIGN KEY (x_id) REFERENCES t(id) …`` → ``FOREIGN KEY (agency_id, x_id) REFERENCES t(agency_id, id) …``."""
    match = _FOREIGN_KEY.match(definition)
    if match is None:
        raise NotReadyToDistribute(f"Unexpected foreign key definition: {definition}")
    rest = definition[match.end() :]
    return (
        f"FOREIGN KEY ({AGENCY_COLUMN}, {match['columns']}) REFERENCES {match['to']}"
        f"({AGENCY_COLUMN}, {match['to_columns']}){rest}"
    )


def widened_unique(definition: str) -> str:
    """``UNIQUE [NULLS NOT DISTINCT] (a, b) …`` → the same with ``agency_id`` first."""
    head, sep, tail = definition.partition("(")
    if not sep or not head.startswith("UNIQUE"):
        raise NotReadyToDistribute(f"Unexpected unique constraint definition: {definition}")
    return f"{head}({AGENCY_COLUMN}, {tail}"


def widened_index(definition: str) -> str:
    """``CREATE UNIQUE INDEX n ON t USING btree (a) WHERE …`` → the same with ``agency_id`` first."""
    match = re.search(r" USING \w+ \(", definition)
    if match is None:
        raise NotReadyToDistribute(f"Unexpected unique index definition: {definition}")
    return f"{definition[: match.end()]}{AGENCY_COLUMN}, {definition[match.end() :]}"


def statements(catalogue: Catalogue, tenant: frozenset[str], quote, schema: str = SCHEMA) -> list[str]:
    """The DDL that brings ``catalogue`` to the distributable form, in an order PostgreSQL accepts:
    the foreign keys between tenant tables are dropped, the keys they reference widened, then they
    are made again with ``agency_id`` (NOT VALID, then validated: no long lock on a large table)."""
    tenant = {t for t in tenant if catalogue.tables.get(t)}  # the tenant tables there, with their agency
    drop, keys, add = [], [], []
    for c in catalogue.constraints:
        if c.table not in tenant:
            continue
        table = quote(c.table)
        if c.kind == "f" and c.to_schema == schema and c.to_table in tenant and not _colocated(c):
            if AGENCY_COLUMN in c.columns or AGENCY_COLUMN in c.to_columns:
                continue  # left for the check to name: not a shape this knows how to widen
            drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {quote(c.name)}")
            add.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {quote(c.name)} {widened_foreign_key(c.definition)} NOT VALID"
            )
            add.append(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote(c.name)}")
        elif c.kind == "p" and AGENCY_COLUMN not in c.columns:
            keys.append(
                f"ALTER TABLE {table} DROP CONSTRAINT {quote(c.name)}, ADD CONSTRAINT {quote(c.name)} "
                f"PRIMARY KEY ({AGENCY_COLUMN}, {', '.join(quote(col) for col in c.columns)})"
            )
            if c.columns[:1] == ("id",):  # (id), or (id, date) of a table partitioned by month
                keys.append(f"CREATE INDEX IF NOT EXISTS {quote(id_index_name(c.table))} ON {table} (id)")
        elif c.kind == "u" and AGENCY_COLUMN not in c.columns:
            keys.append(
                f"ALTER TABLE {table} DROP CONSTRAINT {quote(c.name)}, ADD CONSTRAINT {quote(c.name)} "
                f"{widened_unique(c.definition)}"
            )
            if len(c.columns) == 1:
                keys.append(
                    f"CREATE INDEX IF NOT EXISTS {quote(lookup_index_name(c.name))} ON {table} ({quote(c.columns[0])})"
                )
    for index in catalogue.unique_indexes:
        if index.table in tenant and AGENCY_COLUMN not in index.columns:
            keys.append(f"DROP INDEX {quote(index.name)}")
            keys.append(widened_index(index.definition))
    return drop + keys + add


def make_ready(using: str = "default") -> int:
    """After ``migrate`` (as the tables' owner, on PostgreSQL): bring the schema to the distributable
    form, then refuse to go on if anything is left. Returns the number of statements run."""

    connection = connections[using]
    if connection.vendor != "postgresql" or not is_owner(connection):
        return 0
    tenant = tenant_table_names()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        todo = statements(read_catalogue(cursor), tenant, connection.ops.quote_name)
        for statement in todo:
            cursor.execute(statement)
        problems = violations(cursor, tenant=tenant, named=False)
    if problems:
        raise NotReadyToDistribute(
            "The schema cannot be distributed by agency_id (docs/scaling.md, Citus):\n  " + "\n  ".join(problems)
        )
    return len(todo)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    make_ready(using)


# --- The steps to distribute (docs/scaling.md, "Citus") ---------------------------------------


def _parents_first(tables: set[str], edges: set[tuple[str, str]]) -> list[str]:
    """``tables`` ordered so that a table comes after every table it points at (``edges``: child,
    parent); a cycle is refused, naming its tables."""
    ordered, placed = [], set()
    waiting = sorted(tables)
    while waiting:
        ready = [t for t in waiting if all(p in placed or p == t for c, p in edges if c == t and p in tables)]
        if not ready:
            raise NotReadyToDistribute(f"Foreign keys in a cycle among: {', '.join(waiting)}")
        ordered.extend(ready)
        placed.update(ready)
        waiting = [t for t in waiting if t not in placed]
    return ordered


def citus_plan(cursor, *, tenant: frozenset[str] | None = None, schema: str = SCHEMA) -> list[str]:
    """The statements that distribute this schema, in an order Citus accepts: the reference tables
    (parents first), the local tables added to Citus' metadata (so they may point at reference
    tables), then the tenant tables: their foreign keys between one another are dropped (some form
    cycles, such as a campaign and its improvement cycle), every tenant table is distributed by
    ``agency_id`` co-located with the first, and the foreign keys are made again, checked shard by
    shard. What ``docs/scaling.md`` runs on the coordinator, after ``CREATE EXTENSION citus`` and
    adding the workers; it needs a schema without ``violations``."""
    tenant = tenant_table_names() if tenant is None else tenant
    catalogue = read_catalogue(cursor, schema)
    present = set(catalogue.tables)
    edges = {(c.table, c.to_table) for c in catalogue.constraints if c.kind == "f" and c.to_schema == schema}
    plan = [f"SELECT create_reference_table('{t}')" for t in _parents_first(REFERENCE_TABLES & present, edges)]
    plan += [f"SELECT citus_add_local_table_to_metadata('{t}')" for t in sorted(LOCAL_TABLES & present)]
    between = [
        c
        for c in catalogue.constraints
        if c.kind == "f" and c.table in tenant and c.to_schema == schema and c.to_table in tenant
    ]
    plan += [f'ALTER TABLE "{c.table}" DROP CONSTRAINT "{c.name}"' for c in between]
    distributed = sorted(set(tenant) & present)
    for index, table in enumerate(distributed):
        colocate = "'none'" if index == 0 else f"'{distributed[0]}'"
        plan.append(f"SELECT create_distributed_table('{table}', '{AGENCY_COLUMN}', colocate_with => {colocate})")
    plan += [f'ALTER TABLE "{c.table}" ADD CONSTRAINT "{c.name}" {c.definition}' for c in between]
    return plan
