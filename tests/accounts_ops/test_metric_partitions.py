"""The daily metric tables partitioned by month on PostgreSQL (``agency.partitions``, migration
``accounts_ops/0010``; docs/scaling.md, "Partitioning"): the partitions ahead and DEFAULT exist with
the keys the distribution needs, the bulk upsert works across months, a row of a month with no
partition lands in DEFAULT and the upkeep moves it to a partition of its own, which gets the table's
keys, policies and grants, and the monthly task does it as the tables' owner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts_ops.models import AccountDailyMetric, VideoDailyMetric
from accounts_ops.services.metrics import account_metrics_ingest, video_metrics_ingest
from agency import rls
from agency.partitions import (
    MONTHS_AHEAD,
    add_months,
    default_partition,
    is_partitioned,
    maintain,
    month_of,
    months_ahead,
    owner_connection,
    partition_name,
    partitioned_models,
    partitions,
)
from agency.tasks import monthly_partitions_task
from agency.tenancy import tenant_context
from tests.factories import PlatformAccountFactory, VideoFactory

pytestmark = [
    pytest.mark.rls,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="partitions are PostgreSQL's (SQLite: plain tables)"),
]

ACCOUNTS = AccountDailyMetric._meta.db_table
VIDEOS = VideoDailyMetric._meta.db_table
FAR = dt.date(2041, 3, 1)  # a month no partition covers (beyond the months ahead)


def fetch(cursor, sql: str, params=()):
    cursor.execute(sql, params)
    return cursor.fetchall()


def where_rows_are(table: str, agency) -> dict[dt.date, str]:
    """date → the partition holding the agency's row of that date."""
    with tenant_context(agency), connection.cursor() as cursor:
        return dict(fetch(cursor, f'SELECT date, tableoid::regclass::text FROM "{table}"'))


def test_the_daily_metric_tables_are_partitioned_by_month_with_the_months_ahead_and_default(db):
    assert partitioned_models() == [(ACCOUNTS, "date"), (VIDEOS, "date")]
    today = dt.date.today()
    with connection.cursor() as cursor:
        for table, unique in ((ACCOUNTS, "account_id"), (VIDEOS, "video_id")):
            assert is_partitioned(cursor, table)
            made = partitions(cursor, table)
            assert made[default_partition(table)] is None
            for month in months_ahead(today):
                assert made[partition_name(table, month)] == (month, add_months(month, 1))
            assert len(months_ahead(today)) == MONTHS_AHEAD + 1
            keys = dict(
                fetch(
                    cursor,
                    "SELECT contype::text, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
                    [table],
                )
            )
            assert keys == {"p": "PRIMARY KEY (agency_id, id, date)", "u": f"UNIQUE (agency_id, {unique}, date)"}
            (key,) = fetch(cursor, "SELECT pg_get_partkeydef(%s::regclass)", [table])[0]
            assert key == "RANGE (date)"


def test_the_bulk_upsert_works_across_months_and_default(world):
    """Rows of last month (no partition on a new database: DEFAULT) and of this month go in one
    request, and again corrected: ON CONFLICT finds each in its partition."""
    account = PlatformAccountFactory(client=world.client_a1)
    video = VideoFactory(account=account)
    today = timezone.localdate(timezone=world.agency_a.tz)
    days = [month_of(today) - dt.timedelta(days=2), month_of(today) - dt.timedelta(days=1), month_of(today)]
    rows = [{"account": account.pk, "date": day.isoformat(), "new_play": 10} for day in days]
    video_rows = [{"video": video.pk, "date": day.isoformat(), "play": 10} for day in days]
    with tenant_context(world.agency_a):
        first = account_metrics_ingest(actor=None, rows=rows)
        video_first = video_metrics_ingest(actor=None, rows=video_rows)
        again = account_metrics_ingest(actor=None, rows=[{**row, "new_play": 11} for row in rows])
        video_again = video_metrics_ingest(actor=None, rows=[{**row, "play": 11} for row in video_rows])
    assert (first.created, again.updated, again.created) == (3, 3, 0)
    assert (video_first.created, video_again.updated, video_again.created) == (3, 3, 0)
    assert list(AccountDailyMetric.dangerously_all_agencies.values_list("plays", flat=True)) == [11, 11, 11]
    assert list(VideoDailyMetric.dangerously_all_agencies.values_list("plays", flat=True)) == [11, 11, 11]
    with connection.cursor() as cursor:
        last_month = month_of(days[0])
        covered = partition_name(ACCOUNTS, last_month) in partitions(cursor, ACCOUNTS)
    last_months_place = partition_name(ACCOUNTS, last_month) if covered else default_partition(ACCOUNTS)
    assert where_rows_are(ACCOUNTS, world.agency_a) == {
        days[0]: last_months_place,
        days[1]: last_months_place,
        days[2]: partition_name(ACCOUNTS, month_of(today)),
    }


@pytest.fixture
def owner():
    """The tables' owner's connection (``owner_connection``: the suite acts as the application's
    role), in a transaction rolled back at the end: DDL included, it leaves nothing."""
    with owner_connection() as wrapper:
        assert rls.is_owner(wrapper)
        wrapper.set_autocommit(False)
        try:
            yield wrapper
        finally:
            wrapper.rollback()
            wrapper.set_autocommit(True)


def insert_far_rows(owner, world) -> None:
    columns = "agency_id, client_id, account_id, date, plays, created_at, updated_at"
    with tenant_context(world.agency_a), owner.cursor() as cursor:
        for day in (FAR, FAR + dt.timedelta(days=27)):
            cursor.execute(
                f"INSERT INTO {ACCOUNTS} ({columns}) VALUES (%s, %s, %s, %s, 5, now(), now())",
                [world.agency_a.pk, world.client_a1.pk, 424242, day],
            )


def test_a_row_of_a_month_without_partition_lands_in_default_and_the_upkeep_moves_it(world, owner):
    insert_far_rows(owner, world)
    with tenant_context(world.agency_a), owner.cursor() as cursor:
        placed = fetch(cursor, f"SELECT tableoid::regclass::text FROM {ACCOUNTS} WHERE account_id = 424242")
    assert placed == [(default_partition(ACCOUNTS),)] * 2

    made = maintain(owner)
    far = partition_name(ACCOUNTS, FAR)
    assert made == [far]  # the months ahead exist already; the far month is made for its rows
    assert maintain(owner) == []  # a second run changes nothing
    with tenant_context(world.agency_a), owner.cursor() as cursor:
        placed = fetch(cursor, f"SELECT tableoid::regclass::text, plays FROM {ACCOUNTS} WHERE account_id = 424242")
        in_default = fetch(cursor, f"SELECT count(*) FROM {default_partition(ACCOUNTS)}")
        assert partitions(cursor, ACCOUNTS)[far] == (FAR, add_months(FAR, 1))
        # The new partition has the table's keys (attached to the table's), its policies, forced, and grants.
        indexes = fetch(
            cursor,
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1",
            [far],
        )
        security = fetch(
            cursor,
            "SELECT relrowsecurity, relforcerowsecurity, "
            "(SELECT array_agg(policyname::text ORDER BY policyname) FROM pg_policies WHERE tablename = %s), "
            "has_table_privilege(%s, oid, 'SELECT, INSERT, UPDATE, DELETE') FROM pg_class WHERE oid = %s::regclass",
            [far, settings.DATABASE_APP_ROLE or "PUBLIC", far],
        )
        default_forced = fetch(
            cursor, "SELECT relforcerowsecurity FROM pg_class WHERE oid = %s::regclass", [default_partition(ACCOUNTS)]
        )
    assert placed == [(far, 5), (far, 5)]
    assert in_default == [(0,)]
    assert sorted(definition.split(" USING ")[1] for (definition,) in indexes) == [
        "btree (agency_id, account_id, date)",
        "btree (agency_id, client_id, date)",
        "btree (agency_id, date, id)",
        "btree (agency_id, id, date)",
        "btree (id)",
    ]
    assert security == [(True, True, [rls.CROSSING_POLICY, rls.POLICY], True)]
    assert default_forced == [(True,)]


def test_the_partitioned_table_still_refuses_a_second_row_of_an_account_and_day(world, owner):
    insert_far_rows(owner, world)
    maintain(owner)
    # Reported by the partition's index, which carries the table's key.
    unique = pytest.raises(Exception, match=r"Key \(agency_id, account_id, date\)=\(.*\) already exists")
    with unique, tenant_context(world.agency_a), owner.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ACCOUNTS} (agency_id, client_id, account_id, date, created_at, updated_at) "
            "VALUES (%s, %s, 424242, %s, now(), now())",
            [world.agency_a.pk, world.client_a1.pk, FAR],
        )


def test_the_monthly_task_makes_a_missing_month_ahead_as_the_tables_owner(db):
    """The worker connects as the application's role, which may not make tables: the task works on
    the owner's connection. A month ahead dropped is made again, with its policies."""
    last = partition_name(VIDEOS, months_ahead(dt.date.today())[-1])
    with owner_connection() as wrapper, wrapper.cursor() as cursor:
        cursor.execute(f"DROP TABLE {last}")
    try:
        with connection.cursor() as cursor:
            assert last not in partitions(cursor, VIDEOS)
        assert monthly_partitions_task.apply().get() == [last]
        with connection.cursor() as cursor:
            assert last in partitions(cursor, VIDEOS)
            assert fetch(cursor, "SELECT relforcerowsecurity FROM pg_class WHERE relname = %s", [last]) == [(True,)]
        assert monthly_partitions_task.apply().get() == []
    finally:
        with owner_connection() as wrapper:
            maintain(wrapper)
