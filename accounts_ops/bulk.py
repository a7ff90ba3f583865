"""Idempotent bulk upserts of platform data, through each database's bulk path.

PostgreSQL: the rows are streamed with COPY into a temporary staging table, then merged with one
``INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE``. Elsewhere (the embedded SQLite default):
``bulk_create(update_conflicts=True)``. Never one ORM save per row.

Both paths give the same result:

- a row whose key is new is created;
- a row whose key exists replaces the stored values it gives; a value it leaves out (``None``)
  keeps the stored one (a platform reports its figures in separate calls);
- a row that would change nothing is not touched at all (not even ``updated_at``), so sending the
  same data twice changes nothing.

Callers validate first and pass rows whose tenant columns (``agency_id``, ``client_id``) are
set; this runs inside the agency's ``tenant_context`` and a transaction (on PostgreSQL the staging
table lives as long as the transaction, and row-level security checks every merged row against
the agency of the context).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import operator
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from psycopg.types.json import Jsonb

from agency.distribution import AGENCY_COLUMN, is_tenant_model

SQLITE_BATCH = 500
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass
class UpsertResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    # The ``written`` columns of each row inserted or changed, as stored (``upsert(written=...)``).
    written: list[tuple] | None = None

    @property
    def unchanged(self) -> int:
        return self.received - self.created - self.updated

    def add(self, other: UpsertResult) -> None:
        self.received += other.received
        self.created += other.created
        self.updated += other.updated

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class Columns(Sequence):
    """Rows held column by column (``{attname: values}``, every list as long): what a check that
    reads a request by columns hands to ``upsert``, which streams them as they are instead of
    making, then taking apart, a dict per row. Read as a sequence it gives each row as a dict,
    like the rows a row-by-row check hands over."""

    def __init__(self, data: dict[str, Sequence]):
        self.data = data
        self.length = len(next(iter(data.values()))) if data else 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Columns({name: values[index] for name, values in self.data.items()})
        return {name: values[index] for name, values in self.data.items()}

    def tuples(self, names: Sequence[str]) -> Iterator[tuple]:
        return zip(*(self.data[name] for name in names), strict=True)


def as_tuples(rows: Sequence[dict] | Columns, names: Sequence[str]) -> Iterator[tuple]:
    """Each row's values of ``names``, in that order (``None`` for a value a dict leaves out)."""
    if isinstance(rows, Columns):
        yield from rows.tuples(names)
        return
    take = operator.itemgetter(*names)
    for row in rows:
        try:
            yield take(row)
        except KeyError:
            yield tuple(row.get(name) for name in names)


_collector = threading.Lock()
_collector_holds = 0
_collector_was_on = False


@contextmanager
def collector_paused():
    """Hold off Python's cyclic garbage collector while a bulk request is checked and stored. It
    makes and drops tens of thousands of small objects (rows as dicts and tuples, no reference
    cycles among them), and each of the collections that this sets off walks every live object:
    a quarter of a 10,000-row ingest's time (``BENCHMARKS.md``). Reference counting still frees
    each object when it is dropped; a cycle made meanwhile waits for the collections that follow
    the last bulk request of the process. Nested and concurrent (threaded) uses are counted."""
    global _collector_holds, _collector_was_on
    with _collector:
        if _collector_holds == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _collector_holds += 1
    try:
        yield
    finally:
        with _collector:
            _collector_holds -= 1
            if _collector_holds == 0 and _collector_was_on:
                gc.enable()


def upsert(
    model: type[Model],
    rows: Sequence[dict] | Columns,
    *,
    key: tuple[str, ...],
    fixed: tuple[str, ...],
    values: tuple[str, ...],
    user_id: int | None,
    defaults: dict | None = None,
    written: tuple[str, ...] = (),
) -> UpsertResult:
    """Upsert ``rows`` (dicts of column attnames, or ``Columns``) into ``model``'s table.

    ``key``: the unique columns; ``fixed``: columns written on insert only (tenant and parent
    columns); ``values``: the columns a row may change (``None`` = keep the stored value);
    ``defaults``: what a new row gets for a value column left out (for NOT NULL columns);
    ``written``: on PostgreSQL, columns whose stored values the result gives for each row inserted
    or changed (``UpsertResult.written``; a ``fixed`` column as stored, not as given), read back
    by the statement that writes them; elsewhere the result has none."""
    if not rows:
        return UpsertResult(written=[] if written and connection.vendor == "postgresql" else None)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("upsert() runs inside a transaction (and the agency's tenant_context).")
    if connection.vendor == "postgresql":
        return _upsert_postgresql(
            model, rows, key=key, fixed=fixed, values=values, user_id=user_id, defaults=defaults or {}, written=written
        )
    return _upsert_orm(model, rows, key=key, fixed=fixed, values=values, user_id=user_id, defaults=defaults or {})


# --- PostgreSQL: COPY into staging, then one merge ---------------------------------------------


def _column_types(model: type[Model], columns: Sequence[str]) -> list[str]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    types = []
    for column in columns:
        field = by_attname[column]
        target = field.target_field if field.is_relation else field
        db_type = target.rel_db_type(connection) if field.is_relation else target.db_type(connection)
        types.append(db_type)
    return types


def _upsert_postgresql(model, rows, *, key, fixed, values, user_id, defaults, written=()) -> UpsertResult:
    table = model._meta.db_table
    quote = connection.ops.quote_name
    columns = [*key, *fixed, *values]
    staging = f"ingest_{table}"
    types = _column_types(model, columns)
    column_list = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        # The first statement through Django's cursor also hands the tenant context to the database.
        cursor.execute(f"DROP TABLE IF EXISTS {quote(staging)}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote(staging)} ("
            + ", ".join(f"{quote(c)} {t}" for c, t in zip(columns, types, strict=True))
            + ") ON COMMIT DROP"
        )
        # psycopg writes each row in COPY's format (in C); JSON values go as jsonb.
        json_columns = [index for index, t in enumerate(types) if t in ("jsonb", "json")]
        with cursor.cursor.copy(f"COPY {quote(staging)} ({column_list}) FROM STDIN") as copy:
            for line in as_tuples(rows, columns):
                if json_columns:
                    line = list(line)
                    for index in json_columns:
                        if line[index] is not None:
                            line[index] = Jsonb(line[index])
                copy.write_row(line)
        params = {"now": timezone.now(), "user": user_id}
        selected = []
        for index, c in enumerate(columns):
            if c in defaults:
                params[f"default{index}"] = _text(defaults[c])
                selected.append(f"COALESCE({quote(c)}, %(default{index})s::{types[index]})")
            else:
                selected.append(quote(c))
        # On PostgreSQL a tenant table's unique keys start with agency_id (agency.distribution).
        conflict = key if AGENCY_COLUMN in key or not is_tenant_model(model) else (AGENCY_COLUMN, *key)
        keys = ", ".join(quote(c) for c in conflict)
        returned = "".join(f", t.{quote(c)}" for c in written)
        read_back = [] if written else None
        insert = (
            f"INSERT INTO {quote(table)} AS t ({column_list}, created_at, updated_at, created_by_id, updated_by_id) "
            f"SELECT {', '.join(selected)}, %(now)s, %(now)s, %(user)s, %(user)s FROM {quote(staging)} "
            f"ON CONFLICT ({keys}) "
        )
        if not defaults:
            # One statement: insert the new keys, update the changed ones, leave the rest alone. A row
            # it inserted has this call's created_at, a row it updated keeps its own (``xmax = 0``, the
            # usual test of an inserted row, is refused on a partitioned table: docs/scaling.md,
            # "Partitioning"; two calls in one microsecond would count an update of each other's row
            # as created, nothing else).
            merged = ", ".join(f"COALESCE(EXCLUDED.{quote(c)}, t.{quote(c)})" for c in values)
            stored = ", ".join(f"t.{quote(c)}" for c in values)
            updates = ", ".join(f"{quote(c)} = COALESCE(EXCLUDED.{quote(c)}, t.{quote(c)})" for c in values)
            merge = (
                f"WITH merged AS ({insert} DO UPDATE "
                f"SET {updates}, updated_at = EXCLUDED.updated_at, updated_by_id = EXCLUDED.updated_by_id "
                f"WHERE ROW({merged}) IS DISTINCT FROM ROW({stored}) "
                f"RETURNING (t.created_at = %(now)s) AS inserted{returned}) "
            )
            if written:
                cursor.execute(merge + "SELECT * FROM merged", params)
                created = updated = 0
                for inserted, *values_read in cursor.fetchall():
                    if inserted:
                        created += 1
                    else:
                        updated += 1
                    read_back.append(tuple(values_read))
            else:
                cursor.execute(
                    merge + "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged",
                    params,
                )
                created, updated = cursor.fetchone()
        else:
            # A default fills a new row's missing value, and EXCLUDED would carry it into the update
            # of an existing row: insert the new keys first, then update from the staging rows.
            cursor.execute(insert + "DO NOTHING" + (f" RETURNING {returned[2:]}" if written else ""), params)
            created = cursor.rowcount
            if written:
                read_back.extend(map(tuple, cursor.fetchall()))
            merged = ", ".join(f"COALESCE(s.{quote(c)}, t.{quote(c)})" for c in values)
            stored = ", ".join(f"t.{quote(c)}" for c in values)
            updates = ", ".join(f"{quote(c)} = COALESCE(s.{quote(c)}, t.{quote(c)})" for c in values)
            matched = " AND ".join(f"t.{quote(c)} = s.{quote(c)}" for c in key)
            cursor.execute(
                f"UPDATE {quote(table)} AS t SET {updates}, updated_at = %(now)s, updated_by_id = %(user)s "
                f"FROM {quote(staging)} AS s WHERE {matched} AND ROW({merged}) IS DISTINCT FROM ROW({stored})"
                + (f" RETURNING {returned[2:]}" if written else ""),
                params,
            )
            updated = cursor.rowcount
            if written:
                read_back.extend(map(tuple, cursor.fetchall()))
        cursor.execute(f"DROP TABLE {quote(staging)}")
    return UpsertResult(received=len(rows), created=created, updated=updated, written=read_back)


def update_rows(model: type[Model], changes: dict[int, dict], fields: Sequence[str]) -> int:
    """Set ``fields`` of the rows whose primary keys ``changes`` holds, each to its own values
    (``{pk: {field: value}}``), in one statement: on PostgreSQL an ``UPDATE ... FROM unnest(...)``
    of one array per field, elsewhere ``bulk_update``. Inside the agency's context."""
    if not changes:
        return 0
    if connection.vendor != "postgresql":
        objects = []
        for pk, values in changes.items():
            obj = model(pk=pk)
            for name, value in values.items():
                setattr(obj, name, value)
            objects.append(obj)
        return model.objects.bulk_update(objects, fields)
    quote = connection.ops.quote_name
    by_name = {field.name: field for field in model._meta.concrete_fields}
    columns = [by_name[name].column for name in fields]
    types = [by_name[name].db_type(connection) for name in fields]
    pk = model._meta.pk
    arrays = [list(changes)] + [[values[name] for values in changes.values()] for name in fields]
    unnest = ", ".join(f"%s::{db_type}[]" for db_type in [pk.db_type(connection), *types])
    sets = ", ".join(f"{quote(column)} = v.{quote(column)}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} AS t SET {sets} "
            f"FROM unnest({unnest}) AS v({quote(pk.column)}, {', '.join(quote(c) for c in columns)}) "
            f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}",
            arrays,
        )
        return cursor.rowcount


def _text(value) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is int:
        return str(value)
    if value is None:
        return "\\N"
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if kind is dict or kind is list:
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).translate(_ESCAPES)  # Decimal, float


# --- elsewhere: bulk_create with conflict handling ----------------------------------------------


def _upsert_orm(model, rows, *, key, fixed, values, user_id, defaults) -> UpsertResult:
    result = UpsertResult(received=len(rows))
    now = timezone.now()
    for start in range(0, len(rows), SQLITE_BATCH):
        batch = rows[start : start + SQLITE_BATCH]
        # Each key column within the batch's values: a superset, matched exactly below.
        within = {f"{c}__in": {row[c] for row in batch} for c in key}
        stored = {
            tuple(existing[c] for c in key): existing
            for existing in model.objects.filter(**within).values(*key, *values)
        }
        changed: dict[tuple, list[Model]] = {}
        for row in batch:
            old = stored.get(tuple(row[c] for c in key))
            given = tuple(c for c in values if row.get(c) is not None)
            if old is not None:
                if all(_same(row[c], old[c]) for c in given):
                    continue
                result.updated += 1
            else:
                result.created += 1
            obj = model(**{c: row.get(c) for c in (*key, *fixed, *values)})
            # The insert half of the statement must be a whole row even where only the update runs.
            fill = defaults if old is None else {c: old[c] for c in values}
            for c, value in fill.items():
                if getattr(obj, c) is None:
                    setattr(obj, c, value)
            obj.created_at = obj.updated_at = now
            obj.created_by_id = obj.updated_by_id = user_id
            changed.setdefault(given, []).append(obj)
        # One statement per set of given values, so that values left out keep what is stored.
        for given, objs in changed.items():
            model.objects.bulk_create(
                objs,
                update_conflicts=True,
                unique_fields=[_field_name(model, c) for c in key],
                update_fields=[_field_name(model, c) for c in (*given, "updated_at", "updated_by_id")],
            )
    return result


def _same(new, old) -> bool:
    if new == old:
        return True
    try:
        return float(new) == float(old)
    except (TypeError, ValueError):
        return False


def _field_name(model, attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field.name
    raise KeyError(attname)


def chunks(items: Sequence, size: int):
    """``items`` in slices of ``size`` (``Columns`` in ``Columns``)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
