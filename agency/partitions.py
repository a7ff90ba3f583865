"""Monthly partitions of the largest tenant tables, on PostgreSQL (docs/scaling.md, "Partitioning").

A model opts in with ``monthly_partitions = "<date column>"`` (the daily metric tables). Its table is
then ``PARTITION BY RANGE (<date column>)`` with one partition per calendar month, named
``<table>_pYYYYMM``, and a DEFAULT partition ``<table>_default`` that takes a row of a month that has
no partition yet, so that no row is ever refused. PostgreSQL requires the primary key and every
unique key of such a table to hold the partition key: the primary key is ``(agency_id, id,
<date>)``, and the unique keys (``(agency_id, account_id, date)``) hold it already. Django's model
state is unchanged (``id`` is the model's primary key; the identity sequence keeps it unique).

- ``convert_to_monthly`` (a migration's step) makes a plain table partitioned: a new partitioned
  table with the same columns, defaults, identity and checks; a partition for every month that holds
  rows and for the months ahead; the rows copied; the old table dropped and the new one renamed in
  its place, in the migration's one transaction; then the old keys and indexes made again under
  their names (the primary key with the date added), row-level security and the grants of every
  tenant table (``agency.rls``) on the table and each partition. ``convert_to_plain`` undoes it.
- ``maintain`` (after every ``migrate`` and by the monthly beat task ``agency.tasks.
  monthly_partitions_task``, as the tables' owner: ``owner_connection``) makes the partitions of
  the next ``MONTHS_AHEAD`` months, and moves the rows that landed in DEFAULT into a partition of
  their month. A partition is made ``PARTITION OF`` the table, so it gets the table's indexes and
  keys; ``agency.rls.secure_table`` gives it the policies and grants.

Old months leave by ``ALTER TABLE … DETACH PARTITION`` and ``DROP TABLE`` (or an archive of the
detached table first), not by a ``DELETE``. SQLite (the embedded default) keeps plain tables.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

from agency import rls

MONTHS_AHEAD = 12  # partitions made ahead of the current month (docs/scaling.md, "Partitioning")
DEFAULT_SUFFIX = "default"
OWNER_ALIAS = "partitions_owner"


class PartitioningRefused(RuntimeError):
    """A table cannot be partitioned as it stands (named in the message)."""


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    years, index = divmod(month.month - 1 + count, 12)
    return dt.date(month.year + years, index + 1, 1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def default_partition(table: str) -> str:
    return f"{table}_{DEFAULT_SUFFIX}"


def months_ahead(today: dt.date) -> list[dt.date]:
    """The current month and the ``MONTHS_AHEAD`` after it."""
    first = month_of(today)
    return [add_months(first, n) for n in range(MONTHS_AHEAD + 1)]


def partitioned_models() -> list[tuple[str, str]]:
    """(table, date column) of every model that opts in with ``monthly_partitions``."""
    out = []
    for model in apps.get_models():
        column = getattr(model, "monthly_partitions", None)
        if column and not model._meta.abstract and not model._meta.proxy:
            out.append((model._meta.db_table, model._meta.get_field(column).column))
    return sorted(out)


# --- The catalogue ------------------------------------------------------------------------------

_BOUND = re.compile(r"FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(%s)", [quote(table)])
    row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partitions(cursor, table: str) -> dict[str, tuple[dt.date, dt.date] | None]:
    """The partitions of ``table``: name → (first day, day after the last), None for DEFAULT."""
    cursor.execute(
        "SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) ORDER BY 1",
        [quote(table)],
    )
    out: dict[str, tuple[dt.date, dt.date] | None] = {}
    for name, bound in cursor.fetchall():
        match = _BOUND.search(bound or "")
        out[name] = (dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2])) if match else None
    return out


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [quote(table)],
    )
    return [row[0] for row in cursor.fetchall()]


def _identity_columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attidentity <> '' "
        "AND NOT attisdropped ORDER BY attnum",
        [quote(table)],
    )
    return [row[0] for row in cursor.fetchall()]


def _keys(cursor, table: str) -> list[tuple[str, str, list[str], str]]:
    """Every index of ``table``: (name, kind: p primary key, u unique constraint, i index,
    columns, definition: the constraint's or the index's)."""
    cursor.execute(
        "SELECT i.relname::text, coalesce(con.contype::text, 'i'), "
        "(SELECT array_agg(coalesce(a.attname::text, '') ORDER BY k.n) FROM unnest(x.indkey::int2[]) "
        "WITH ORDINALITY k(attnum, n) LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum), "
        "coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.oid)) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint con ON con.conindid = i.oid AND con.conrelid = x.indrelid "
        "AND con.contype IN ('p', 'u') "
        "WHERE x.indrelid = to_regclass(%s) ORDER BY 2, 1",
        [quote(table)],
    )
    return [(name, kind, list(columns or ()), definition) for name, kind, columns, definition in cursor.fetchall()]


def _pointing_at(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT conrelid::regclass::text || '.' || conname FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = to_regclass(%s) ORDER BY 1",
        [quote(table)],
    )
    return [row[0] for row in cursor.fetchall()]


# --- Converting a table -------------------------------------------------------------------------


def _partition_key(cursor, table: str) -> str | None:
    cursor.execute(
        "SELECT a.attname::text FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid "
        "AND a.attnum = p.partattrs[0] WHERE p.partrelid = to_regclass(%s)",
        [quote(table)],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def _swap(cursor, connection, table: str, column: str | None, today: dt.date) -> None:
    """Replace ``table`` by a copy partitioned by month on ``column`` (``None``: by a plain table),
    rows, keys, identity, security and grants kept."""
    pointing = _pointing_at(cursor, table)
    if pointing:
        raise PartitioningRefused(
            f"{table}: foreign keys point at it ({', '.join(pointing)}); a key of a partitioned table must hold the "
            f"partition key, so drop or widen them first"
        )
    keys = _keys(cursor, table)
    unique = [(n, c) for n, kind, c, d in keys if kind == "u" or d.startswith("CREATE UNIQUE INDEX")]
    for name, key_columns in unique:
        if column and column not in key_columns:
            raise PartitioningRefused(
                f"{table}.{name}: a unique key ({', '.join(key_columns)}) without {column}, which PostgreSQL "
                f"refuses on a table partitioned by it"
            )
    was_key = _partition_key(cursor, table)  # None for a plain table
    columns = _columns(cursor, table)
    identities = _identity_columns(cursor, table)
    quoted = quote(table)
    new = f"{table[:50]}_swap"
    # Writers wait until the swap commits; readers go on reading the old table until it is dropped.
    cursor.execute(f"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE")
    # The owner copies every agency's rows: the policies (forced, so binding the owner) step aside
    # for this transaction, on a table dropped at its end.
    cursor.execute(f"ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY")
    for name in partitions(cursor, table):
        cursor.execute(f"ALTER TABLE {quote(name)} NO FORCE ROW LEVEL SECURITY")
    like = (
        f"(LIKE {quoted} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING GENERATED "
        "INCLUDING STORAGE INCLUDING COMMENTS)"
    )
    if column:
        cursor.execute(f"CREATE TABLE {quote(new)} {like} PARTITION BY RANGE ({quote(column)})")
        cursor.execute(f"SELECT DISTINCT date_trunc('month', {quote(column)})::date FROM {quoted}")
        months = sorted({row[0] for row in cursor.fetchall() if row[0] is not None} | set(months_ahead(today)))
        for month in months:
            _create_partition(cursor, new, partition_name(table, month), month)
        cursor.execute(f"CREATE TABLE {quote(default_partition(table))} PARTITION OF {quote(new)} DEFAULT")
    else:
        cursor.execute(f"CREATE TABLE {quote(new)} {like}")
    listed = ", ".join(quote(c) for c in columns)
    cursor.execute(f"INSERT INTO {quote(new)} ({listed}) SELECT {listed} FROM {quoted}")
    for name in identities:
        # The new identity continues where the old one stopped.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quoted, name])
        old_sequence = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), last_value, is_called) FROM {old_sequence}",
            [quote(new), name],
        )
    cursor.execute(f"DROP TABLE {quoted}")  # its partitions, if any, with it
    cursor.execute(f"ALTER TABLE {quote(new)} RENAME TO {quoted}")
    for name in identities:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quoted, name])
        cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} RENAME TO {quote(f'{table}_{name}_seq')}")
    # The keys and indexes, built once the rows are in (faster than row by row), under their names.
    for name, kind, key_columns, definition in keys:
        if kind == "p":
            wanted = [c for c in key_columns if c != was_key]
            if column and column not in wanted:
                wanted.append(column)
            cursor.execute(
                f"ALTER TABLE {quoted} ADD CONSTRAINT {quote(name)} PRIMARY KEY ({', '.join(map(quote, wanted))})"
            )
        elif kind == "u":
            cursor.execute(f"ALTER TABLE {quoted} ADD CONSTRAINT {quote(name)} {definition}")
        else:  # an index of a partitioned table reads "ON ONLY": this one is for every partition
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
    rls.secure_table(cursor, connection, table, [table, *partitions(cursor, table)])


def _create_partition(cursor, table: str, name: str, month: dt.date) -> None:
    cursor.execute(
        f"CREATE TABLE {quote(name)} PARTITION OF {quote(table)} FOR VALUES FROM (%s) TO (%s)",
        [month.isoformat(), add_months(month, 1).isoformat()],
    )


def convert_to_monthly(connection, table: str, column: str, *, today: dt.date | None = None) -> None:
    """A migration's step: ``table`` partitioned by month on ``column`` (PostgreSQL; elsewhere
    nothing). Run inside the migration's transaction, as the tables' owner."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not is_partitioned(cursor, table):
            _swap(cursor, connection, table, column, today or dt.date.today())


def convert_to_plain(connection, table: str) -> None:
    """The reverse of ``convert_to_monthly``: one plain table again, its primary key without the date."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if is_partitioned(cursor, table):
            _swap(cursor, connection, table, None, dt.date.today())


# --- Keeping the partitions ---------------------------------------------------------------------


def maintain_table(cursor, connection, table: str, column: str, today: dt.date) -> list[str]:
    """Partitions of ``table`` for the months ahead, and for every month found in DEFAULT, its rows
    moved there. Returns the partitions made. Inside one transaction, as the owner."""
    if not is_partitioned(cursor, table):
        return []
    existing = partitions(cursor, table)
    covered = {bounds[0] for bounds in existing.values() if bounds}
    default = default_partition(table)
    stranded: list[dt.date] = []
    if default in existing:
        # The owner moves every agency's rows: its policies step aside for this transaction.
        cursor.execute(f"ALTER TABLE {quote(default)} NO FORCE ROW LEVEL SECURITY")
        cursor.execute(f"SELECT DISTINCT date_trunc('month', {quote(column)})::date FROM {quote(default)}")
        stranded = sorted(row[0] for row in cursor.fetchall() if row[0] is not None)
    made = []
    for month in sorted(set(months_ahead(today)) | set(stranded)):
        if month in covered:
            continue
        name = partition_name(table, month)
        if month in stranded:
            # A partition cannot be attached while DEFAULT holds rows of its range: they are moved
            # into a table of their own first, which is then attached (and gets the table's indexes).
            columns = ", ".join(map(quote, _columns(cursor, table)))
            cursor.execute(f"CREATE TABLE {quote(name)} (LIKE {quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            cursor.execute(
                f"WITH moved AS (DELETE FROM {quote(default)} WHERE {quote(column)} >= %s AND {quote(column)} < %s "
                f"RETURNING {columns}) INSERT INTO {quote(name)} ({columns}) SELECT {columns} FROM moved",
                [month.isoformat(), add_months(month, 1).isoformat()],
            )
            cursor.execute(
                f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)} FOR VALUES FROM (%s) TO (%s)",
                [month.isoformat(), add_months(month, 1).isoformat()],
            )
        else:
            _create_partition(cursor, table, name, month)
        made.append(name)
    # The new partitions get the policies and grants; DEFAULT gets its policies forced again.
    rls.secure_table(cursor, connection, table, [*made, default] if default in existing else made)
    return made


def maintain(connection=None, today: dt.date | None = None) -> list[str]:
    """Every partitioned table's partitions kept (``maintain_table``), in one transaction on
    ``connection`` (the owner's). Returns the partitions made."""
    connection = connection or connections["default"]
    if connection.vendor != "postgresql":
        return []
    today = today or dt.date.today()
    made = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for table, column in partitioned_models():
            made += maintain_table(cursor, connection, table, column, today)
    return made


@contextmanager
def owner_connection(using: str = "default"):
    """A connection as the tables' owner, who alone may make partitions: ``using`` itself when it
    is the owner (``migrate``, a single-role deployment), otherwise one of its own to the same
    database as ``MIGRATION_DATABASE_URL``'s user (a worker connects as the application's role),
    closed after."""
    connection = connections[using]
    if rls.is_owner(connection):
        yield connection
        return
    import dj_database_url

    owner = dj_database_url.parse(settings.MIGRATION_DATABASE_URL)
    current = connection.settings_dict
    wrapper = connection.__class__(
        {
            **{k: v for k, v in current.items() if k not in ("ROLE", "CROSSING_ROLE")},
            **{k: owner[k] for k in ("USER", "PASSWORD", "HOST", "PORT") if owner.get(k)},
        },
        alias=OWNER_ALIAS,
    )
    connections[OWNER_ALIAS] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[OWNER_ALIAS]


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """After every ``migrate``: a new database has its partitions ahead too."""
    connection = connections[using]
    if connection.vendor == "postgresql" and rls.is_owner(connection):
        maintain(connection)
