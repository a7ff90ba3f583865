"""Monthly partitions of the largest tenant tables, on PostgreSQL (docs/scaling.md, "Partitioning").

A model opts in with ``monthly_partitions = "<date column>"`` (the daily metric tables). Its table is
then ``PARTITION BY RANGE (<date column>)`` with one partition per calendar month, named
``<table>_pYYYYMM``, over an unbroken run of months, and two open-ended edge partitions around the
run that take a row of any other date, so that no row is ever refused:

- the lower edge ``<table>_pbefore``, ``FROM (MINVALUE) TO (<first month>)``: rows older than the
  first month (a back-fill of older history, a late row of a retired month);
- the upper edge ``<table>_pafter``, ``FROM (<month after the last one>) TO (MAXVALUE)``: rows
  beyond the months made ahead.

There is no DEFAULT partition: the bounds are contiguous and ordered, so PostgreSQL reads the
partitions one after the other in date order (an ``Append``, not a ``Merge Append`` of every month)
and a newest-first page stops at the newest month holding rows. PostgreSQL requires the primary key
and every unique key of such a table to hold the partition key: the primary key is ``(agency_id, id,
<date>)``, and the unique keys (``(agency_id, account_id, date)``) hold it already. Django's model
state is unchanged (``id`` is the model's primary key; the identity sequence keeps it unique).

- ``convert_to_monthly`` (a migration's step) makes a plain table partitioned: a new partitioned
  table with the same columns, defaults, identity and checks; a partition for every month from the
  first that holds rows (or the current one) to the last of the months ahead, and the two edges;
  the rows copied; the old table dropped and the new one renamed in its place, in the migration's
  one transaction; then the old keys and indexes made again under their names (the primary key with
  the date added), row-level security and the grants of every tenant table (``agency.rls``) on the
  table and each partition. ``convert_to_plain`` undoes it.
- ``convert_to_edges`` (migration ``accounts_ops/0011``) turns the layout of ``0010``, months and a
  DEFAULT partition ``<table>_default``, into this one; ``convert_to_default`` undoes it.
- ``maintain`` (after every ``migrate`` and by the monthly beat task ``agency.tasks.
  monthly_partitions_task``, as the tables' owner: ``owner_connection``) makes the partitions of
  the current month and the ``MONTHS_AHEAD`` after it by splitting the upper edge, in one
  transaction: the edge detached, the new months made ``PARTITION OF`` the table (so they get its
  indexes and keys), the edge's rows of those months moved into them, and the edge attached again
  from the month after the new last one. A ``CHECK`` matching the new bound is added to the edge
  before it is attached, so ``ATTACH`` does not scan it again, and dropped after. The edge is
  normally empty: then it is a few catalogue changes. ``agency.rls.secure_table`` gives the new
  partitions the policies and grants, and the edge its policies forced again.
- ``retire_months`` is how old months leave: their partitions detached and dropped (or kept
  detached, for an archive first), and the lower edge extended over them, so that a row of a
  retired month that comes later is not refused: it lands in the lower edge, which is not emptied
  (delete from it by date if wanted). Dropping a month's partition by hand would leave a hole in
  the bounds, whose rows PostgreSQL refuses.

SQLite (the embedded default) keeps plain tables.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

from agency import rls
from agency.rls import quote

MONTHS_AHEAD = 12  # partitions made ahead of the current month (docs/scaling.md, "Partitioning")
LOWER_SUFFIX = "pbefore"  # the lower edge: FROM (MINVALUE) TO (the first month)
UPPER_SUFFIX = "pafter"  # the upper edge: FROM (the month after the last) TO (MAXVALUE)
DEFAULT_SUFFIX = "default"  # the DEFAULT partition of migration accounts_ops/0010's layout
OWNER_ALIAS = "partitions_owner"


class PartitioningRefused(RuntimeError):
    """A table cannot be partitioned as it stands (named in the message)."""


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    years, index = divmod(month.month - 1 + count, 12)
    return dt.date(month.year + years, index + 1, 1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def lower_edge(table: str) -> str:
    return f"{table}_{LOWER_SUFFIX}"


def upper_edge(table: str) -> str:
    return f"{table}_{UPPER_SUFFIX}"


def default_partition(table: str) -> str:
    return f"{table}_{DEFAULT_SUFFIX}"


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last``, both included."""
    out = []
    while first <= last:
        out.append(first)
        first = add_months(first, 1)
    return out


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

_DAY = r"'(\d{4}-\d{2}-\d{2})'"
_BOUND = re.compile(rf"FROM \((?:MINVALUE|{_DAY})\) TO \((?:MAXVALUE|{_DAY})\)")

Bounds = tuple[dt.date | None, dt.date | None]


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(%s)", [quote(table)])
    row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partitions(cursor, table: str) -> dict[str, Bounds | None]:
    """The partitions of ``table``: name → (first day, day after the last), either None for
    MINVALUE or MAXVALUE (an edge); None for a DEFAULT partition."""
    cursor.execute(
        "SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) ORDER BY 1",
        [quote(table)],
    )
    out: dict[str, Bounds | None] = {}
    for name, bound in cursor.fetchall():
        match = _BOUND.search(bound or "")
        out[name] = tuple(day and dt.date.fromisoformat(day) for day in match.groups()) if match else None
    return out


@dataclass
class Layout:
    """A partitioned table's partitions, read from the catalogue by their bounds."""

    months: dict[dt.date, str] = field(default_factory=dict)  # first day → partition
    lower: tuple[str, dt.date] | None = None  # the lower edge, and the first day it does not take
    upper: tuple[str, dt.date] | None = None  # the upper edge, and the first day it takes
    default: str | None = None


def layout(cursor, table: str) -> Layout:
    out = Layout()
    for name, bounds in partitions(cursor, table).items():
        if bounds is None:
            out.default = name
        elif bounds[0] is None:
            out.lower = (name, bounds[1])
        elif bounds[1] is None:
            out.upper = (name, bounds[0])
        elif bounds[0].day == 1 and bounds[1] == add_months(bounds[0], 1):
            out.months[bounds[0]] = name
        else:
            raise PartitioningRefused(f"{table}: the partition {name} does not hold one calendar month")
    return out


def partitioned_layout(cursor, table: str) -> Layout | None:
    """``table``'s partitions (``layout``) when it is partitioned; None for a plain table."""
    return layout(cursor, table) if is_partitioned(cursor, table) else None


def _columns(cursor, table: str, *, identity_only: bool = False) -> list[str]:
    """The columns of ``table`` in order (only its identity columns with ``identity_only``)."""
    which = "attidentity <> ''" if identity_only else "attnum > 0"
    cursor.execute(
        f"SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass(%s) AND {which} "
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
    identities = _columns(cursor, table, identity_only=True)
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
        cursor.execute(f"SELECT min({quote(column)}) FROM {quoted}")
        earliest = cursor.fetchone()[0]
        ahead = months_ahead(today)
        first = min(month_of(earliest), ahead[0]) if earliest else ahead[0]
        _make_months_and_edges(cursor, new, table, month_range(first, ahead[-1]))
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


def _bound(start: dt.date | None, end: dt.date | None) -> tuple[str, list[str]]:
    """``FOR VALUES FROM … TO …`` of a range, None for MINVALUE or MAXVALUE, and its parameters."""
    sql = f"FOR VALUES FROM ({'%s' if start else 'MINVALUE'}) TO ({'%s' if end else 'MAXVALUE'})"
    return sql, [day.isoformat() for day in (start, end) if day]


def _create_partition(cursor, table: str, name: str, start: dt.date | None, end: dt.date | None) -> None:
    bound, params = _bound(start, end)
    cursor.execute(f"CREATE TABLE {quote(name)} PARTITION OF {quote(table)} {bound}", params)


def _create_month(cursor, table: str, month: dt.date, *, named_for: str | None = None) -> str:
    name = partition_name(named_for or table, month)
    _create_partition(cursor, table, name, month, add_months(month, 1))
    return name


def _make_months_and_edges(cursor, table: str, named_for: str, months: list[dt.date]) -> None:
    """A partition for each of ``months`` (an unbroken run) and the two edges around them."""
    for month in months:
        _create_month(cursor, table, month, named_for=named_for)
    _create_partition(cursor, table, lower_edge(named_for), None, months[0])
    _create_partition(cursor, table, upper_edge(named_for), add_months(months[-1], 1), None)


def _no_force(cursor, names) -> None:
    """The owner reads and moves every agency's rows: the policies (forced, so binding the owner)
    step aside for this transaction; ``agency.rls.secure_table`` forces them again after."""
    for name in names:
        cursor.execute(f"ALTER TABLE {quote(name)} NO FORCE ROW LEVEL SECURITY")


def _move_rows(cursor, table: str, source: str, target: str, where: str = "", params=()) -> None:
    """The rows of ``source`` (those ``where`` picks) deleted from it and inserted into ``target``
    (the table, which routes each to its partition, or one partition)."""
    columns = ", ".join(map(quote, _columns(cursor, table)))
    cursor.execute(
        f"WITH moved AS (DELETE FROM {quote(source)} {where} RETURNING {columns}) "
        f"INSERT INTO {quote(target)} ({columns}) SELECT {columns} FROM moved",
        list(params),
    )


def _attach_with_check(cursor, table: str, column: str, name: str, start: dt.date | None, end: dt.date | None):
    """``name`` attached to ``table`` for the range [start, end) (None: unbounded). A CHECK that
    implies the range is added first (its validation reads the detached table, which no query of the
    table reaches), so that ``ATTACH`` does not scan it again under its lock, and dropped after:
    the partition's bound says the same."""
    check = f"{name[:50]}_range"
    terms = [f"{quote(column)} IS NOT NULL"]
    terms += [f"{quote(column)} >= %s"] if start else []
    terms += [f"{quote(column)} < %s"] if end else []
    params = [day.isoformat() for day in (start, end) if day]
    cursor.execute(f"ALTER TABLE {quote(name)} ADD CONSTRAINT {quote(check)} CHECK ({' AND '.join(terms)})", params)
    bound, params = _bound(start, end)
    cursor.execute(f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)} {bound}", params)
    cursor.execute(f"ALTER TABLE {quote(name)} DROP CONSTRAINT {quote(check)}")


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


def convert_to_edges(connection, table: str, column: str, *, today: dt.date | None = None) -> None:
    """Migration ``accounts_ops/0011``: ``table``'s DEFAULT partition (the layout of ``0010``)
    replaced by the two edges. Every month between the first month partition (or the current month)
    and the last month ahead is made (a hole filled); a month partition beyond the last month ahead
    (made by the former upkeep for a stray row) is folded into the upper edge; the rows of DEFAULT
    go to their month, or to an edge. Nothing for a table without DEFAULT (a database whose ``0010``
    already made the edges), nor elsewhere than PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        shape = partitioned_layout(cursor, table)
        if shape is None:
            return
        if shape.default is None:
            return
        ahead = months_ahead(today or dt.date.today())
        staging = [shape.default, *(name for month, name in shape.months.items() if month > ahead[-1])]
        _no_force(cursor, [table, *staging])
        for name in staging:
            cursor.execute(f"ALTER TABLE {quote(table)} DETACH PARTITION {quote(name)}")
        first = min([*(month for month in shape.months if month <= ahead[-1]), ahead[0]])
        for month in month_range(first, ahead[-1]):
            if month not in shape.months:
                _create_month(cursor, table, month)
        _create_partition(cursor, table, lower_edge(table), None, first)
        _create_partition(cursor, table, upper_edge(table), add_months(ahead[-1], 1), None)
        for name in staging:
            _move_rows(cursor, table, name, table)
            cursor.execute(f"DROP TABLE {quote(name)}")
        rls.secure_table(cursor, connection, table, [table, *partitions(cursor, table)])


def convert_to_default(connection, table: str) -> None:
    """The reverse of ``convert_to_edges``: the edges' rows moved to a DEFAULT partition (or a month
    partition of theirs, if there is one), the edges dropped."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        shape = partitioned_layout(cursor, table)
        if shape is None:
            return
        edges = [edge for edge, _day in (shape.lower, shape.upper) if edge]
        if shape.default or not edges:
            return
        _no_force(cursor, [table, *edges])
        for name in edges:
            cursor.execute(f"ALTER TABLE {quote(table)} DETACH PARTITION {quote(name)}")
        cursor.execute(f"CREATE TABLE {quote(default_partition(table))} PARTITION OF {quote(table)} DEFAULT")
        for name in edges:
            _move_rows(cursor, table, name, table)
            cursor.execute(f"DROP TABLE {quote(name)}")
        rls.secure_table(cursor, connection, table, [table, default_partition(table)])


# --- Keeping the partitions ---------------------------------------------------------------------


def maintain_table(cursor, connection, table: str, column: str, today: dt.date) -> list[str]:
    """Partitions of ``table`` for the current month and the ``MONTHS_AHEAD`` after it, split from
    the upper edge (with the edge's rows of those months), or made in a hole left by a month dropped
    by hand. Returns the partitions made. Inside one transaction, as the owner. A table without an
    upper edge (the layout of ``0010``, before ``0011`` or after its reverse) is left as it is."""
    shape = partitioned_layout(cursor, table)
    if shape is None:
        return []
    if shape.upper is None:
        return []
    ahead = months_ahead(today)
    edge, start = shape.upper
    made = [_create_month(cursor, table, m) for m in ahead if m < start and m not in shape.months]
    if start <= ahead[-1]:
        made += _split_upper_edge(cursor, table, column, edge, month_range(start, ahead[-1]))
    # The new partitions get the policies and grants; the edge gets its policies forced again.
    rls.secure_table(cursor, connection, table, [*made, edge] if start <= ahead[-1] else made)
    return made


def _split_upper_edge(cursor, table: str, column: str, edge: str, months: list[dt.date]) -> list[str]:
    """``months`` (the first is the edge's first) taken from the upper edge: the edge detached, the
    months made, the edge's rows of those months moved into them (none, normally), the edge
    attached again from the month after the last. The table is locked (ACCESS EXCLUSIVE, by the
    detach) until the transaction ends."""
    cursor.execute(f"ALTER TABLE {quote(table)} DETACH PARTITION {quote(edge)}")
    made = [_create_month(cursor, table, month) for month in months]
    _no_force(cursor, [edge])
    for month, name in zip(months, made, strict=True):
        # Into the new partition by its name: it has no policies yet (secure_table gives them after).
        _move_rows(
            cursor,
            table,
            edge,
            name,
            f"WHERE {quote(column)} >= %s AND {quote(column)} < %s",
            [month.isoformat(), add_months(month, 1).isoformat()],
        )
    _attach_with_check(cursor, table, column, edge, add_months(months[-1], 1), None)
    return made


def _one_at_a_time(cursor) -> None:
    """The upkeep reads the partitions, then changes them: a second run (``migrate`` while the beat
    task runs) waits for the first to commit, then reads what it left."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["agency.partitions"])


def maintain(connection=None, today: dt.date | None = None) -> list[str]:
    """Every partitioned table's partitions kept (``maintain_table``), in one transaction on
    ``connection`` (the owner's). Returns the partitions made."""
    connection = connection or connections["default"]
    if connection.vendor != "postgresql":
        return []
    today = today or dt.date.today()
    made = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _one_at_a_time(cursor)
        for table, column in partitioned_models():
            made += maintain_table(cursor, connection, table, column, today)
    return made


def retire_table(cursor, table: str, column: str, before: dt.date, *, drop: bool = True) -> list[str]:
    """The month partitions of ``table`` before the month ``before`` detached (and dropped unless
    ``drop`` is false: then they stay as tables of their own, for an archive, to drop after), and
    the lower edge extended to ``before``, so that a later row of a retired month lands in it.
    Returns the partitions detached. Inside one transaction, as the owner."""
    shape = partitioned_layout(cursor, table)
    if shape is None:
        return []
    if shape.lower is None or before <= shape.lower[1]:
        return []
    edge = shape.lower[0]
    gone = [name for month, name in sorted(shape.months.items()) if month < before]
    for name in [edge, *gone]:
        cursor.execute(f"ALTER TABLE {quote(table)} DETACH PARTITION {quote(name)}")
    for name in gone if drop else ():
        cursor.execute(f"DROP TABLE {quote(name)}")
    # The edge keeps its rows (all before its old bound) and its policies.
    _attach_with_check(cursor, table, column, edge, None, before)
    return gone


def retire_months(before: dt.date, connection=None, *, drop: bool = True, today: dt.date | None = None) -> list[str]:
    """Every partitioned table's months before the month of ``before`` retired (``retire_table``),
    in one transaction on ``connection`` (the owner's). The current month and those ahead cannot be
    retired. Returns the partitions detached."""
    connection = connection or connections["default"]
    if connection.vendor != "postgresql":
        return []
    before = month_of(before)
    if before > month_of(today or dt.date.today()):
        raise ValueError(f"{before:%Y-%m} is not past: only months before the current one are retired")
    gone = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _one_at_a_time(cursor)
        for table, column in partitioned_models():
            gone += retire_table(cursor, table, column, before, drop=drop)
    return gone


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
