"""The rollups of the account daily metrics (``accounts_ops.models.metrics_rollups``), kept in step
with the daily rows in the same transaction.

Every write of daily account metrics goes through ``rollups_held`` and ``refresh_rollups``: the bulk
API, the file imports and the platforms' syncs (``store_account_metrics``), the seeds and the
platform admin's corrections and deletions. ``refresh_rollups`` recomputes, from the rows they sum,
exactly the rollup rows whose periods contain a written (account, day): the client's day from
the daily rows, the client's week and month from its days, the agency's day from its clients'
days, the agency's week and month from its days, the account's week and month from its daily rows.
After an upsert on PostgreSQL (``refresh_stored_rollups``) the database does the same in two
statements whatever the number of rows, over the rows the upsert inserted or changed.
Recomputing (rather than adding differences) keeps every path right, corrections, figures left
out (``None`` keeps the stored one) and deletions included, and a rollup always equals the
recomputation from scratch (``rebuild_metric_rollups``; ``tests/accounts_ops/test_metrics_rollups.py``
checks it after random sequences of writes).

Two transactions writing the same agency's metrics at once would each recompute from rows the
other has not committed yet, so on PostgreSQL a writer holds a transaction-level advisory lock
on its agency's rollups (``rollups_held``) from before its first daily row until it commits:
metric writes of one agency follow one another, those of different agencies run side by side.
(SQLite has one writer at a time anyway.)
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from functools import reduce

from django.db import connection, transaction
from django.db.models import Count, Q, Sum, signals

from accounts_ops.models.metrics import AccountDailyMetric
from accounts_ops.models.metrics_rollups import (
    ROLLUP_COUNTS,
    AccountMetricRollup,
    AgencyMetricRollup,
    ClientMetricRollup,
    Grain,
)
from agency.models import Agency
from agency.tenancy import current_agency, require_agency, tenant_context

# The advisory lock class of the rollups (the second key is the agency's id).
ROLLUP_LOCK = 0x524F4C4C  # "ROLL"
FIGURES = ("days", "plays_reported", *ROLLUP_COUNTS)
BATCH = 2000


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The ISO week (Monday to Sunday) of ``day``."""
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


SPANS = {Grain.WEEK: week_of, Grain.MONTH: month_of}


def rollups_held(agency_id: int) -> None:
    """Hold the agency's rollups until the transaction ends (PostgreSQL; see the module). The
    same round trip turns just-in-time compilation off for the rest of the transaction: the
    refresh's estimated cost (a sub-select per rollup row) passes ``jit_above_cost`` on a large
    request, and compiling its expressions took longer (about 200 ms) than running them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Metric rollups are written inside a transaction.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s), set_config('jit', 'off', true)", [ROLLUP_LOCK, agency_id]
            )


def refresh_stored_rollups(keys: Iterable[tuple[int, int, dt.date]]) -> None:
    """``refresh_rollups`` after an upsert, which adds and changes daily rows but never removes
    one nor moves one to another client. ``keys``: the (account, client, day) of the rows it
    inserted or changed, with the client each is stored under (``UpsertResult.written``). On
    PostgreSQL two statements whatever the number of rows (``_refresh_postgresql``), elsewhere
    ``refresh_rollups``."""
    if connection.vendor != "postgresql":
        refresh_rollups(keys)
        return
    keys = set(keys)
    if keys:
        agency_id = require_agency().pk
        rollups_held(agency_id)
        _refresh_postgresql(agency_id, keys)


def refresh_rollups(keys: Iterable[tuple[int, int, dt.date]]) -> None:
    """Recompute the rollups over the (account, client, day) keys whose daily rows were just
    written or deleted, in the current agency's context and transaction (after ``rollups_held``).
    The client of a key is the one the daily row was stored under; the clients stored for the
    accounts and days given are read too, so a row kept under an account's earlier client counts
    where it was stored. A rollup left without daily rows is deleted."""
    agency_id = require_agency().pk
    keys = set(keys)
    if not keys:
        return
    rollups_held(agency_id)
    by_day: dict[dt.date, set[int]] = defaultdict(set)
    for account, _client, day in keys:
        by_day[day].add(account)
    stored = (
        AccountDailyMetric.objects.filter(agency_id=agency_id)
        .filter(_any(Q(date=day, account_id__in=accounts) for day, accounts in by_day.items()))
        .values_list("account_id", "client_id", "date")
    )
    keys.update(stored)
    _refresh(agency_id, keys)


def _columns(rows: Iterable[tuple]) -> list[list]:
    """Rows as one list per column (``unnest``'s arrays); empty lists for no rows."""
    rows = list(rows)
    return [list(column) for column in zip(*rows, strict=True)] if rows else []


def _refresh_postgresql(agency_id: int, keys: set[tuple[int, int, dt.date]]) -> None:
    """The rollups over the stored daily rows of (account, client, day) keys, recomputed by the
    database in two statements, the second reading the clients' days the first wrote: the
    clients' days and the accounts' weeks and months from the daily rows; the clients' weeks and
    months and the agency's days, weeks and months from the clients' days (an agency's period sums
    the same figures as its days in it). Python hands over the distinct rollup rows to compute,
    each found through an index (a lateral sub-select per row); a rollup whose figures are the
    same is not written again. No rollup row can lose all its daily rows here (see
    ``refresh_stored_rollups``). An account's period is asked for as a range of (account, date), which
    only the (account, date) index serves, its agency checked as a filter (``IS TRUE``, which no
    index serves): on a table just loaded, without statistics yet, the planner took the (agency,
    date) index for ``date BETWEEN`` and read every account's rows of the period for each account
    (8 s for 150 accounts' new day after a first load)."""
    daily = AccountDailyMetric._meta.db_table
    client = ClientMetricRollup._meta.db_table
    agency = AgencyMetricRollup._meta.db_table
    account = AccountMetricRollup._meta.db_table
    # The rollup rows over the keys, each once.
    client_days, account_periods, client_periods, days, agency_periods = set(), set(), set(), set(), set()
    for _account_id, client_id, day in keys:
        client_days.add((client_id, day))
        days.add(day)
    for grain, span in SPANS.items():
        for account_id, _client_id, day in keys:
            account_periods.add((account_id, grain, *span(day)))
        for client_id, day in client_days:
            client_periods.add((client_id, grain, *span(day)))
        for day in days:
            agency_periods.add((grain, *span(day)))
    params = {"agency": agency_id}
    for name, rows in (
        ("cd", client_days),
        ("ap", account_periods),
        ("cp", client_periods),
        ("ad", ((day,) for day in days)),
        ("gp", agency_periods),
    ):
        for index, column in enumerate(_columns(rows)):
            params[f"{name}{index}"] = column
    figures = ", ".join(FIGURES)
    from_daily = "count(*) AS days, count(m.plays) AS plays_reported, " + ", ".join(
        f"coalesce(sum(m.{name}), 0) AS {name}" for name in ROLLUP_COUNTS
    )
    from_days = ", ".join(f"sum(r.{name}) AS {name}" for name in FIGURES)
    summed = ", ".join(f"s.{name}" for name in FIGURES)
    columns = f"grain, starts_on, {figures}, created_at, updated_at"
    update = ", ".join(f"{name} = EXCLUDED.{name}" for name in (*FIGURES, "updated_at"))
    stored, fresh = (", ".join(f"{table}.{name}" for name in FIGURES) for table in ("t", "EXCLUDED"))
    changed = f"WHERE ({stored}) IS DISTINCT FROM ({fresh})"
    periods = (
        "unnest(%({0}0)s::bigint[], %({0}1)s::text[], %({0}2)s::date[], %({0}3)s::date[]) AS k(id, grain, first, last)"
    )
    client_period_days = (
        f"FROM {client} r WHERE r.agency_id = %(agency)s AND r.grain = 'd' AND r.starts_on BETWEEN k.first AND k.last"
    )
    statements = [
        (
            f"WITH client_days AS (INSERT INTO {client} AS t (agency_id, client_id, {columns}) "
            f"SELECT %(agency)s, k.client_id, 'd', k.day, {summed}, now(), now() "
            "FROM unnest(%(cd0)s::bigint[], %(cd1)s::date[]) AS k(client_id, day) "
            f"CROSS JOIN LATERAL (SELECT {from_daily} FROM {daily} m WHERE m.agency_id = %(agency)s "
            "AND m.client_id = k.client_id AND m.date = k.day HAVING count(*) > 0) s "
            f"ON CONFLICT (agency_id, client_id, grain, starts_on) DO UPDATE SET {update} {changed} RETURNING 1), "
            f"account_periods AS (INSERT INTO {account} AS t (agency_id, account_id, client_id, {columns}) "
            f"SELECT %(agency)s, k.id, s.client_id, k.grain, k.first, {summed}, now(), now() "
            f"FROM {periods.format('ap')} CROSS JOIN LATERAL (SELECT m.client_id, {from_daily} FROM {daily} m "
            "WHERE m.account_id = k.id AND (m.account_id, m.date) BETWEEN (k.id, k.first) AND (k.id, k.last) "
            # The same range on the date alone: the partitions of other months are left out (pruned).
            "AND m.date BETWEEN k.first AND k.last "
            "AND (m.agency_id = %(agency)s) IS TRUE "
            "GROUP BY m.client_id) s "
            f"ON CONFLICT (agency_id, account_id, client_id, grain, starts_on) DO UPDATE SET {update} {changed} "
            "RETURNING 1) SELECT (SELECT count(*) FROM client_days), (SELECT count(*) FROM account_periods)"
        ),
        (
            f"WITH client_periods AS (INSERT INTO {client} AS t (agency_id, client_id, {columns}) "
            f"SELECT %(agency)s, k.id, k.grain, k.first, {summed}, now(), now() FROM {periods.format('cp')} "
            f"CROSS JOIN LATERAL (SELECT {from_days} {client_period_days} AND r.client_id = k.id "
            "HAVING count(*) > 0) s "
            f"ON CONFLICT (agency_id, client_id, grain, starts_on) DO UPDATE SET {update} {changed} RETURNING 1), "
            f"agency_days AS (INSERT INTO {agency} AS t (agency_id, {columns}) "
            f"SELECT %(agency)s, 'd', k.day, {summed}, now(), now() FROM unnest(%(ad0)s::date[]) AS k(day) "
            f"CROSS JOIN LATERAL (SELECT {from_days} FROM {client} r WHERE r.agency_id = %(agency)s "
            "AND r.grain = 'd' AND r.starts_on = k.day HAVING count(*) > 0) s "
            f"ON CONFLICT (agency_id, grain, starts_on) DO UPDATE SET {update} {changed} RETURNING 1), "
            f"agency_periods AS (INSERT INTO {agency} AS t (agency_id, {columns}) "
            f"SELECT %(agency)s, k.grain, k.first, {summed}, now(), now() "
            "FROM unnest(%(gp0)s::text[], %(gp1)s::date[], %(gp2)s::date[]) AS k(grain, first, last) "
            f"CROSS JOIN LATERAL (SELECT {from_days} {client_period_days} HAVING count(*) > 0) s "
            f"ON CONFLICT (agency_id, grain, starts_on) DO UPDATE SET {update} {changed} RETURNING 1) "
            "SELECT (SELECT count(*) FROM client_periods), (SELECT count(*) FROM agency_days), "
            "(SELECT count(*) FROM agency_periods)"
        ),
    ]
    with connection.cursor() as cursor:
        # Row-level security's agency condition is one more index condition the planner may AND
        # into a bitmap with the (account, date) range; on a table without statistics it did, and
        # read the agency's whole index for each period (8 s for 2,000 periods): plain index scans
        # for these two statements, the setting given back by the second.
        cursor.execute("SELECT current_setting('enable_bitmapscan'), set_config('enable_bitmapscan', 'off', true)")
        params["bitmapscan"] = cursor.fetchone()[0]
        cursor.execute(statements[0], params)
        cursor.execute(statements[1] + ", set_config('enable_bitmapscan', %(bitmapscan)s, true)", params)


# --- one daily row saved or deleted through the ORM (the platform admin, fixtures) ---------------


def _stored_key(sender, instance, **kwargs) -> None:
    """Before a daily row is saved: the key it is stored under, which the save may change."""
    instance._rollup_key_before = None
    if instance.pk is not None:
        with _context_of(instance):
            instance._rollup_key_before = (
                AccountDailyMetric.objects.filter(pk=instance.pk).values_list("account_id", "client_id", "date").first()
            )


def _row_written(sender, instance, **kwargs) -> None:
    """After a daily row is saved or deleted: the rollups over it (and over where it was stored)."""
    keys = {(instance.account_id, instance.client_id, instance.date)}
    before = getattr(instance, "_rollup_key_before", None)
    if before is not None:
        keys.add(before)
    with _context_of(instance), transaction.atomic():
        refresh_rollups(keys)


def _context_of(row):
    current = current_agency()
    if current is not None and current.pk == row.agency_id:
        return nullcontext()
    return tenant_context(Agency.objects.get(pk=row.agency_id))


def connect_rollups() -> None:
    """Keep the rollups in step with daily rows saved or deleted one by one (``AppConfig.ready``);
    the bulk paths call ``refresh_rollups`` themselves."""
    signals.pre_save.connect(_stored_key, sender=AccountDailyMetric, dispatch_uid="metric_rollups_before")
    signals.post_save.connect(_row_written, sender=AccountDailyMetric, dispatch_uid="metric_rollups_saved")
    signals.post_delete.connect(_row_written, sender=AccountDailyMetric, dispatch_uid="metric_rollups_deleted")


def rebuild_metric_rollups() -> int:
    """Recompute every rollup of the current agency from its daily rows (after a bulk load that
    bypassed the service, or to check them). Returns the rollup rows written."""
    agency = require_agency()
    with transaction.atomic():
        rollups_held(agency.pk)
        for model in (AccountMetricRollup, ClientMetricRollup, AgencyMetricRollup):
            model.objects.filter(agency_id=agency.pk).delete()
        if connection.vendor == "postgresql":
            return _rebuild_postgresql(agency.pk)
        return _refresh(agency.pk, None)


def _rebuild_postgresql(agency_id: int) -> int:
    """``rebuild_metric_rollups`` as seven ``INSERT ... SELECT`` (the same sums as ``_refresh``,
    grouped by the database: a seeded agency's year of daily rows in a few seconds)."""
    daily = AccountDailyMetric._meta.db_table
    tables = {
        "account": AccountMetricRollup._meta.db_table,
        "client": ClientMetricRollup._meta.db_table,
        "agency": AgencyMetricRollup._meta.db_table,
    }
    figures = ", ".join(FIGURES)
    from_daily = "count(*), count(plays), " + ", ".join(f"coalesce(sum({name}), 0)" for name in ROLLUP_COUNTS)
    from_days = ", ".join(f"sum({name})" for name in FIGURES)
    columns = f"grain, starts_on, {figures}, created_at, updated_at"
    statements = [
        (
            f"INSERT INTO {tables['client']} (agency_id, client_id, {columns}) SELECT agency_id, client_id, 'd', date, "
            f"{from_daily}, now(), now() FROM {daily} WHERE agency_id = %(agency)s GROUP BY agency_id, client_id, date"
        ),
        *(
            f"INSERT INTO {tables['client']} (agency_id, client_id, {columns}) SELECT agency_id, client_id, "
            f"'{grain}', date_trunc('{unit}', starts_on)::date AS period, {from_days}, now(), now() "
            f"FROM {tables['client']} WHERE agency_id = %(agency)s AND grain = 'd' "
            "GROUP BY agency_id, client_id, period"
            for grain, unit in (("w", "week"), ("m", "month"))
        ),
        (
            f"INSERT INTO {tables['agency']} (agency_id, {columns}) SELECT agency_id, 'd', starts_on, {from_days}, "
            f"now(), now() FROM {tables['client']} WHERE agency_id = %(agency)s AND grain = 'd' "
            "GROUP BY agency_id, starts_on"
        ),
        *(
            f"INSERT INTO {tables['agency']} (agency_id, {columns}) SELECT agency_id, '{grain}', "
            f"date_trunc('{unit}', starts_on)::date AS period, {from_days}, now(), now() FROM {tables['agency']} "
            "WHERE agency_id = %(agency)s AND grain = 'd' GROUP BY agency_id, period"
            for grain, unit in (("w", "week"), ("m", "month"))
        ),
        *(
            f"INSERT INTO {tables['account']} (agency_id, account_id, client_id, {columns}) SELECT agency_id, "
            f"account_id, client_id, '{grain}', date_trunc('{unit}', date)::date AS period, {from_daily}, now(), now() "
            f"FROM {daily} WHERE agency_id = %(agency)s GROUP BY agency_id, account_id, client_id, period"
            for grain, unit in (("w", "week"), ("m", "month"))
        ),
    ]
    written = 0
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, {"agency": agency_id})
            written += cursor.rowcount
    return written


def _refresh(agency_id: int, keys: set[tuple[int, int, dt.date]] | None) -> int:
    """The rollups over ``keys`` (``None``: every daily row of the agency)."""
    written = 0
    # The clients' days, from the daily rows.
    client_days = None if keys is None else {(client, day) for _account, client, day in keys}
    daily = AccountDailyMetric.objects.filter(agency_id=agency_id)
    if client_days is not None:
        daily = daily.filter(_by_day("date", "client_id", client_days))
    fresh = {
        (row["client_id"], row["date"]): row
        for row in daily.values("client_id", "date").annotate(**_sums()).order_by().iterator(chunk_size=BATCH)
    }
    written += _store(ClientMetricRollup, agency_id, Grain.DAY, ("client_id",), fresh, client_days)
    # The clients' weeks and months, from their days.
    for grain, span in SPANS.items():
        periods = None if client_days is None else {(client, span(day)) for client, day in client_days}
        days = ClientMetricRollup.objects.filter(agency_id=agency_id, grain=Grain.DAY)
        if periods is not None:
            days = days.filter(_by_period("starts_on", "client_id", periods))
        fresh = _summed(days.values_list("client_id", "starts_on", *FIGURES), span)
        expected = None if periods is None else {(client, start) for client, (start, _end) in periods}
        written += _store(ClientMetricRollup, agency_id, grain, ("client_id",), fresh, expected)
    # The agency's days, from its clients' days; its weeks and months from its days.
    dates = None if keys is None else {day for _account, _client, day in keys}
    days = ClientMetricRollup.objects.filter(agency_id=agency_id, grain=Grain.DAY)
    if dates is not None:
        days = days.filter(starts_on__in=dates)
    fresh = {
        (row["starts_on"],): row
        for row in days.values("starts_on").annotate(**{name: Sum(name) for name in FIGURES}).order_by()
    }
    written += _store(AgencyMetricRollup, agency_id, Grain.DAY, (), fresh, None if dates is None else _keyed(dates))
    for grain, span in SPANS.items():
        periods = None if dates is None else {span(day) for day in dates}
        days = AgencyMetricRollup.objects.filter(agency_id=agency_id, grain=Grain.DAY)
        if periods is not None:
            days = days.filter(_any(Q(starts_on__range=period) for period in periods))
        fresh = _summed(days.values_list("starts_on", *FIGURES), span, keyed=0)
        expected = None if periods is None else _keyed(start for start, _end in periods)
        written += _store(AgencyMetricRollup, agency_id, grain, (), fresh, expected)
    # The accounts' weeks and months, from their daily rows (per client stored under).
    for grain, span in SPANS.items():
        periods = None if keys is None else {(account, span(day)) for account, _client, day in keys}
        daily = AccountDailyMetric.objects.filter(agency_id=agency_id)
        if periods is not None:
            daily = daily.filter(_by_period("date", "account_id", periods))
        columns = ("account_id", "client_id", "date", *ROLLUP_COUNTS)
        fresh = _summed_daily(daily.values_list(*columns).order_by().iterator(chunk_size=BATCH), span)
        expected = None
        if periods is not None:
            clients = defaultdict(set)
            for account, client, day in keys:
                clients[account, span(day)[0]].add(client)
            expected = {
                (account, client, start) for account, (start, _end) in periods for client in clients[account, start]
            }
        written += _store(AccountMetricRollup, agency_id, grain, ("account_id", "client_id"), fresh, expected)
    return written


def _sums() -> dict:
    """The rollup figures of a group of daily rows."""
    return {"days": Count("id"), "plays_reported": Count("plays"), **{name: Sum(name) for name in ROLLUP_COUNTS}}


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions, Q(pk__in=[]))


def _by_day(date_field: str, group_field: str, pairs: set[tuple[int, dt.date]]) -> Q:
    """Rows of any (group, day) of ``pairs``, one condition per day."""
    groups: dict[dt.date, set[int]] = defaultdict(set)
    for group, day in pairs:
        groups[day].add(group)
    return _any(Q(**{date_field: day, f"{group_field}__in": ids}) for day, ids in groups.items())


def _by_period(date_field: str, group_field: str, pairs: set[tuple[int, tuple[dt.date, dt.date]]]) -> Q:
    """Rows of any (group, period) of ``pairs``, one condition per period."""
    groups: dict[tuple[dt.date, dt.date], set[int]] = defaultdict(set)
    for group, period in pairs:
        groups[period].add(group)
    return _any(Q(**{f"{date_field}__range": period, f"{group_field}__in": ids}) for period, ids in groups.items())


def _keyed(dates: Iterable[dt.date]) -> set[tuple[dt.date]]:
    return {(day,) for day in dates}


def _summed(rows: Iterable[tuple], span, keyed: int = 1) -> dict[tuple, dict]:
    """Day rollup rows ``(group..., starts_on, *FIGURES)`` summed per group and period of ``span``;
    ``keyed`` is how many group columns lead the row."""
    out: dict[tuple, dict] = {}
    for row in rows:
        start = span(row[keyed])[0]
        key = (*row[:keyed], start)
        total = out.setdefault(key, dict.fromkeys(FIGURES, 0))
        for name, value in zip(FIGURES, row[keyed + 1 :], strict=True):
            total[name] += value
    return out


def _summed_daily(rows: Iterable[tuple], span) -> dict[tuple, dict]:
    """Daily rows ``(account, client, date, *ROLLUP_COUNTS)`` summed per account, client and
    period of ``span``."""
    plays_at = ROLLUP_COUNTS.index("plays")
    out: dict[tuple, dict] = {}
    for account, client, day, *counts in rows:
        key = (account, client, span(day)[0])
        total = out.setdefault(key, dict.fromkeys(FIGURES, 0))
        total["days"] += 1
        if counts[plays_at] is not None:
            total["plays_reported"] += 1
        for name, value in zip(ROLLUP_COUNTS, counts, strict=True):
            if value is not None:
                total[name] += value
    return out


def _store(model, agency_id: int, grain: str, group: tuple[str, ...], fresh: dict, expected: set | None) -> int:
    """Upsert the ``fresh`` rollups (key: the ``group`` values and the period's start) and delete
    the ``expected`` ones that have no daily row left."""
    objects = [
        model(
            agency_id=agency_id,
            grain=grain,
            starts_on=key[-1],
            **dict(zip(group, key[:-1], strict=True)),
            **{name: row[name] or 0 for name in FIGURES},
        )
        for key, row in fresh.items()
    ]
    unique = ["agency", *(name.removesuffix("_id") for name in group), "grain", "starts_on"]
    for start in range(0, len(objects), BATCH):
        model.objects.bulk_create(
            objects[start : start + BATCH],
            update_conflicts=True,
            unique_fields=unique,
            update_fields=[*FIGURES, "updated_at"],
        )
    gone = set(expected or ()) - set(fresh)
    if gone:
        model.objects.filter(agency_id=agency_id, grain=grain).filter(
            _any(Q(**dict(zip((*group, "starts_on"), key, strict=True))) for key in gone)
        ).delete()
    return len(objects)
