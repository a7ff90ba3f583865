"""The daily metric tables partitioned by month on PostgreSQL (``agency.partitions``, migrations
``accounts_ops/0010`` and ``0011``; docs/scaling.md, "Partitioning"): an unbroken run of months from
the current one to the months ahead between two open-ended edges, with the keys the distribution
needs; the bulk upsert works across months; a row far in the past or the future lands in an edge;
the upkeep splits the upper edge, moving its rows of the new months, which get the table's keys,
policies and grants, and the monthly task does it as the tables' owner; old months retire by
extending the lower edge; the layout of ``0010`` (DEFAULT) converts to the edges and back; and the
metrics list's newest-first page reads the partitions in order."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts_ops.api.metrics import MetricCursorPagination
from accounts_ops.models import AccountDailyMetric, VideoDailyMetric
from accounts_ops.services.metrics import account_metrics_ingest, video_metrics_ingest
from agency import rls
from agency.partitions import (
    MONTHS_AHEAD,
    add_months,
    convert_to_default,
    convert_to_edges,
    default_partition,
    is_partitioned,
    layout,
    lower_edge,
    maintain,
    month_of,
    months_ahead,
    owner_connection,
    partition_name,
    partitioned_models,
    partitions,
    retire_months,
    upper_edge,
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
PAST = dt.date(1999, 5, 10)  # before any month partition: the lower edge
FAR = dt.date(2041, 3, 1)  # beyond the months ahead: the upper edge


def fetch(cursor, sql: str, params=()):
    cursor.execute(sql, params)
    return cursor.fetchall()


def where_rows_are(table: str, agency) -> dict[dt.date, str]:
    """date → the partition holding the agency's row of that date."""
    with tenant_context(agency), connection.cursor() as cursor:
        return dict(fetch(cursor, f'SELECT date, tableoid::regclass::text FROM "{table}"'))


def test_the_daily_metric_tables_are_partitioned_by_month_between_two_edges(db):
    assert partitioned_models() == [(ACCOUNTS, "date"), (VIDEOS, "date")]
    ahead = months_ahead(dt.date.today())
    assert len(ahead) == MONTHS_AHEAD + 1
    with connection.cursor() as cursor:
        for table, unique in ((ACCOUNTS, "account_id"), (VIDEOS, "video_id")):
            assert is_partitioned(cursor, table)
            made = partitions(cursor, table)
            assert default_partition(table) not in made and None not in made.values()
            first, after = made[lower_edge(table)][1], made[upper_edge(table)][0]
            assert made[lower_edge(table)] == (None, first) and made[upper_edge(table)] == (after, None)
            # Contiguous bounds: every month from the lower edge's end to the upper edge's start.
            assert first <= ahead[0] and after == add_months(ahead[-1], 1)
            months = sorted(bounds for name, bounds in made.items() if None not in bounds)
            assert months[0][0] == first and months[-1][1] == after
            assert all(earlier[1] == later[0] for earlier, later in zip(months, months[1:], strict=False))
            for month in ahead:
                assert made[partition_name(table, month)] == (month, add_months(month, 1))
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


def test_the_bulk_upsert_works_across_months_and_the_lower_edge(world):
    """Rows of last month (no partition on a new database: the lower edge) and of this month go in
    one request, and again corrected: ON CONFLICT finds each in its partition."""
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
    last_months_place = partition_name(ACCOUNTS, last_month) if covered else lower_edge(ACCOUNTS)
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


NEXT = add_months(months_ahead(dt.date.today())[-1], 1)  # the month after the last made ahead


def insert_rows(owner, world, days, account=424242) -> None:
    columns = "agency_id, client_id, account_id, date, plays, created_at, updated_at"
    with tenant_context(world.agency_a), owner.cursor() as cursor:
        for day in days:
            cursor.execute(
                f"INSERT INTO {ACCOUNTS} ({columns}) VALUES (%s, %s, %s, %s, 5, now(), now())",
                [world.agency_a.pk, world.client_a1.pk, account, day],
            )


def placed(owner, world, account=424242) -> dict[dt.date, str]:
    """date → the partition holding the row of ``account`` of that date."""
    with tenant_context(world.agency_a), owner.cursor() as cursor:
        return dict(
            fetch(cursor, f"SELECT date, tableoid::regclass::text FROM {ACCOUNTS} WHERE account_id = %s", [account])
        )


def security_of(cursor, name: str):
    """Row-level security enabled and forced, the policies, and the application role's grants."""
    return fetch(
        cursor,
        "SELECT relrowsecurity, relforcerowsecurity, "
        "(SELECT array_agg(policyname::text ORDER BY policyname) FROM pg_policies WHERE tablename = %s), "
        "has_table_privilege(%s, oid, 'SELECT, INSERT, UPDATE, DELETE') FROM pg_class WHERE oid = %s::regclass",
        [name, settings.DATABASE_APP_ROLE or "PUBLIC", name],
    )


SECURED = [(True, True, [rls.CROSSING_POLICY, rls.POLICY], True)]


def test_a_row_far_in_the_past_or_the_future_is_taken_by_an_edge(world, owner):
    insert_rows(owner, world, [PAST, NEXT + dt.timedelta(days=3), FAR])
    assert placed(owner, world) == {
        PAST: lower_edge(ACCOUNTS),
        NEXT + dt.timedelta(days=3): upper_edge(ACCOUNTS),
        FAR: upper_edge(ACCOUNTS),
    }


def test_the_upkeep_splits_the_upper_edge_and_moves_its_rows_of_the_new_month(world, owner):
    day = NEXT + dt.timedelta(days=3)
    insert_rows(owner, world, [PAST, day, FAR])
    notices = []
    owner.connection.add_notice_handler(lambda diagnostic: notices.append(diagnostic.message_primary))
    with owner.cursor() as cursor:
        cursor.execute("SET LOCAL client_min_messages = debug1")
    next_month = partition_name(ACCOUNTS, NEXT)
    # A month later, the month after the last ahead is made from the upper edge, with its row.
    made = maintain(owner, today=add_months(month_of(dt.date.today()), 1))
    assert made == [next_month, partition_name(VIDEOS, NEXT)]
    assert maintain(owner, today=add_months(month_of(dt.date.today()), 1)) == []  # a second run changes nothing
    # The edge was attached again without a scan: its CHECK matched the new bound.
    assert f'partition constraint for table "{upper_edge(ACCOUNTS)}" is implied by existing constraints' in notices
    assert placed(owner, world) == {PAST: lower_edge(ACCOUNTS), day: next_month, FAR: upper_edge(ACCOUNTS)}
    with owner.cursor() as cursor:
        cursor.execute("SET LOCAL client_min_messages = notice")
        assert partitions(cursor, ACCOUNTS)[next_month] == (NEXT, add_months(NEXT, 1))
        assert partitions(cursor, ACCOUNTS)[upper_edge(ACCOUNTS)] == (add_months(NEXT, 1), None)
        # The new partition has the table's keys (attached to the table's), its policies, forced, and grants.
        indexes = fetch(
            cursor,
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1",
            [next_month],
        )
        assert security_of(cursor, next_month) == SECURED
        assert security_of(cursor, upper_edge(ACCOUNTS)) == SECURED  # forced again after the move
        edge_checks = fetch(
            cursor,
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c' AND conislocal",
            [next_month],
        )
        edge_checks += fetch(
            cursor,
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c' AND conislocal",
            [upper_edge(ACCOUNTS)],
        )
    assert sorted(definition.split(" USING ")[1] for (definition,) in indexes) == [
        "btree (agency_id, account_id, date)",
        "btree (agency_id, client_id, date)",
        "btree (agency_id, date, id)",
        "btree (agency_id, id, date)",
        "btree (id)",
    ]
    assert edge_checks == []  # the CHECK that spared the scan is gone (the bound says the same): only the table's


def test_the_partitioned_table_still_refuses_a_second_row_of_an_account_and_day(world, owner):
    insert_rows(owner, world, [FAR])
    # Reported by the upper edge's index, which carries the table's key.
    unique = pytest.raises(Exception, match=r"Key \(agency_id, account_id, date\)=\(.*\) already exists")
    with unique, tenant_context(world.agency_a), owner.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ACCOUNTS} (agency_id, client_id, account_id, date, created_at, updated_at) "
            "VALUES (%s, %s, 424242, %s, now(), now())",
            [world.agency_a.pk, world.client_a1.pk, FAR],
        )


def test_retired_months_leave_and_a_later_row_of_theirs_lands_in_the_lower_edge(world, owner):
    """Three months on, the current month and the next retire: their partitions are detached and
    dropped (or kept detached, for an archive), the lower edge reaches over them."""
    this, following = month_of(dt.date.today()), add_months(month_of(dt.date.today()), 1)
    later = add_months(this, 3)
    insert_rows(owner, world, [this, following])
    with pytest.raises(ValueError, match="not past"):
        retire_months(add_months(later, 1), owner, today=later)
    gone = retire_months(add_months(this, 1), owner, today=later)
    assert gone == [partition_name(ACCOUNTS, this), partition_name(VIDEOS, this)]
    gone = retire_months(add_months(this, 2), owner, today=later, drop=False)
    assert gone == [partition_name(ACCOUNTS, following), partition_name(VIDEOS, following)]
    assert retire_months(add_months(this, 2), owner, today=later) == []  # nothing left before it
    with owner.cursor() as cursor:
        assert partitions(cursor, ACCOUNTS)[lower_edge(ACCOUNTS)] == (None, add_months(this, 2))
        assert partition_name(ACCOUNTS, this) not in partitions(cursor, ACCOUNTS)
        assert fetch(cursor, "SELECT to_regclass(%s) IS NULL", [partition_name(ACCOUNTS, this)]) == [(True,)]
        kept = fetch(  # the detached month, a table of its own, keeps its rows and policies
            cursor,
            "SELECT relispartition, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass",
            [partition_name(ACCOUNTS, following)],
        )
        edge_checks = fetch(
            cursor,
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c' AND conislocal",
            [lower_edge(ACCOUNTS)],
        )
    assert kept == [(False, True)] and edge_checks == []
    assert placed(owner, world) == {}  # the retired months' rows left with them
    insert_rows(owner, world, [this + dt.timedelta(days=2)])  # a late row of a retired month: not refused
    assert placed(owner, world) == {this + dt.timedelta(days=2): lower_edge(ACCOUNTS)}


def test_the_default_layout_of_0010_converts_to_the_edges_and_back(world, owner):
    this = month_of(dt.date.today())
    hole = add_months(this, 2)
    insert_rows(owner, world, [PAST, this, NEXT])
    convert_to_default(owner, ACCOUNTS)
    with owner.cursor() as cursor:
        shape = layout(cursor, ACCOUNTS)
        assert (shape.default, shape.lower, shape.upper) == (default_partition(ACCOUNTS), None, None)
        assert security_of(cursor, default_partition(ACCOUNTS)) == SECURED
    assert placed(owner, world) == {
        PAST: default_partition(ACCOUNTS),
        this: partition_name(ACCOUNTS, this),
        NEXT: default_partition(ACCOUNTS),
    }
    assert maintain(owner) == []  # the upkeep leaves a table without edges as it is
    # A month far ahead, made by the former upkeep for a stray row, and a month dropped (a hole).
    with owner.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {partition_name(ACCOUNTS, FAR)} PARTITION OF {ACCOUNTS} FOR VALUES FROM (%s) TO (%s)",
            [FAR, add_months(FAR, 1)],
        )
        cursor.execute(f"DROP TABLE {partition_name(ACCOUNTS, hole)}")
    insert_rows(owner, world, [FAR, hole])
    assert placed(owner, world)[FAR] == partition_name(ACCOUNTS, FAR)

    convert_to_edges(owner, ACCOUNTS, "date")
    with owner.cursor() as cursor:
        shape = layout(cursor, ACCOUNTS)
        assert shape.default is None
        assert shape.lower == (lower_edge(ACCOUNTS), this) and shape.upper == (upper_edge(ACCOUNTS), NEXT)
        assert sorted(shape.months) == months_ahead(dt.date.today())  # the hole filled, the far month folded
        assert [name for name in partitions(cursor, ACCOUNTS) if security_of(cursor, name) != SECURED] == []
        assert fetch(cursor, "SELECT to_regclass(%s)", [default_partition(ACCOUNTS)]) == [(None,)]
    assert placed(owner, world) == {
        PAST: lower_edge(ACCOUNTS),
        this: partition_name(ACCOUNTS, this),
        hole: partition_name(ACCOUNTS, hole),
        NEXT: upper_edge(ACCOUNTS),
        FAR: upper_edge(ACCOUNTS),
    }


def first_page_plan(owner, agency) -> list[str]:
    """The node types of the plan of the metrics list's first page (newest first by date and id,
    one page and one row more), under the agency's policies, index paths only (so that the plan
    does not hang on the few rows of a test database)."""
    page = MetricCursorPagination.page_size
    with tenant_context(agency), owner.cursor() as cursor:
        sql, params = AccountDailyMetric.objects.order_by("-date", "-id")[: page + 1].query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
    types, nodes = [], [plan]
    while nodes:
        node = nodes.pop(0)
        types.append(node["Node Type"])
        nodes += node.get("Plans", [])
    return types


def test_the_metrics_lists_first_page_reads_the_partitions_in_order(world, owner):
    """With the edges, PostgreSQL reads the partitions one after the other, newest first (an
    ``Append`` under the ``Limit``, stopping at the page's end); with a DEFAULT partition it had
    to merge every partition (``Merge Append``) or sort them all."""
    insert_rows(owner, world, [PAST, month_of(dt.date.today()), FAR])
    types = first_page_plan(owner, world.agency_a)
    assert types[:2] == ["Limit", "Append"]
    assert "Sort" not in types and "Merge Append" not in types
    convert_to_default(owner, ACCOUNTS)
    types = first_page_plan(owner, world.agency_a)
    assert "Merge Append" in types or "Sort" in types


def test_the_monthly_task_makes_a_missing_month_ahead_as_the_tables_owner(db):
    """The worker connects as the application's role, which may not make tables: the task works on
    the owner's connection. A month ahead dropped (a hole between the months and the upper edge)
    is made again, with its policies."""
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
