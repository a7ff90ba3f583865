"""What partitioning the daily metric tables by month changes (docs/scaling.md, "Partitioning"), on
a database filled by ``manage.py seed_scale`` and migrated (its metric tables partitioned), beside
a scratch copy of it whose tables are made plain again (the migration's reverse), in the same run.

    DATABASE_URL=postgres://agency_app@127.0.0.1:5432/<seeded> \
    MIGRATION_DATABASE_URL=postgres://root@127.0.0.1:5432/<seeded> \
    CROSSING_DATABASE_URL=postgres://agency_crossing@127.0.0.1:5432/<seeded> \
        .venv/bin/python bench/partitions.py [--agency scale-0001] [--runs 5] [--json out.json]

The scratch copy (``<seeded>_plain_<pid>``, ``CREATE DATABASE … TEMPLATE``: nobody may be connected
to the seeded database meanwhile) is dropped at the end, also on failure. Each database is measured
in a process of its own (its metric table vacuumed and analyzed first), as the application's role
under row-level security, in one agency's context, each figure the best of ``--runs``, every write
rolled back:

- the ingest upsert through the service (``account_metrics_ingest``): 150 accounts' rows of a new
  day (one partition), and 10,000 corrections of stored rows over 67 days (three partitions);
- the metrics list's first page: the query the list sends (newest first by date and id, one page
  and one row more), and its buffers;
- dropping the oldest whole month of the account metrics, as the tables' owner: ``DETACH
  PARTITION`` + ``DROP TABLE`` on the partitioned table, ``DELETE`` of the month's rows on the plain one.

Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

TABLE = "accounts_ops_accountdailymetric"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def best(runs: int, timed) -> float:
    return min(timed() for _run in range(runs))


def measure(args) -> dict:
    """In this process's database (``DATABASE_URL``): every figure, in milliseconds."""
    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.db import connection, transaction

    from accounts_ops.models import AccountDailyMetric
    from accounts_ops.services.metrics import account_metrics_ingest
    from agency.models import Agency
    from agency.partitions import add_months, is_partitioned, partitions
    from agency.tenancy import tenant_context
    from clients.models import PlatformAccount

    owner_url = settings.MIGRATION_DATABASE_URL
    with psycopg.connect(owner_url, autocommit=True) as owner:
        # Both databases start clean: the rolled-back writes of earlier runs leave dead rows behind.
        owner.execute(f"VACUUM ANALYZE {TABLE}")
    agency = Agency.objects.get(slug=args.agency)
    with tenant_context(agency), transaction.atomic():
        accounts = list(PlatformAccount.objects.order_by("pk").values_list("pk", flat=True)[:150])
        last_day = AccountDailyMetric.objects.order_by("-date").values_list("date", flat=True).first()
    new_day = last_day + dt.timedelta(days=1)
    requests = {
        "150 rows of a new day": [{"account": a, "date": new_day.isoformat(), "new_play": 7} for a in accounts],
        "10,000 corrections over 67 days": [
            {"account": a, "date": (last_day - dt.timedelta(days=d)).isoformat(), "new_play": 7}
            for a in accounts
            for d in range(67)
        ][:10_000],
    }

    def ingest(rows) -> float:
        with tenant_context(agency, channel="api"), transaction.atomic():
            started = time.perf_counter()
            account_metrics_ingest(actor=None, rows=rows)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed * 1000

    from accounts_ops.api.metrics import MetricCursorPagination

    page = MetricCursorPagination.page_size

    def first_page() -> float:
        with tenant_context(agency), transaction.atomic():
            started = time.perf_counter()
            rows = list(AccountDailyMetric.objects.order_by("-date", "-id")[: page + 1])
            elapsed = time.perf_counter() - started
        assert len(rows) == page + 1
        return elapsed * 1000

    with tenant_context(agency), transaction.atomic(), connection.cursor() as cursor:
        sql, params = AccountDailyMetric.objects.order_by("-date", "-id")[: page + 1].query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    page_buffers = plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get("Shared Read Blocks", 0)

    figures = {"ingest_ms": {}, "partitioned": False}
    first_page()  # before the ingest's rolled-back writes, which leave dead rows in the newest days
    figures["first_page_ms"] = best(args.runs, first_page)
    figures["first_page_buffers"] = page_buffers
    figures["page_size"] = page
    for label, rows in requests.items():
        ingest(rows)  # the first run loads the code and warms the cache
        figures["ingest_ms"][label] = best(args.runs, lambda rows=rows: ingest(rows))

    # Dropping the oldest whole month, as the owner, rolled back.
    with psycopg.connect(owner_url) as owner, owner.cursor() as cursor:
        cursor.execute(f"SELECT min(date) FROM {TABLE}")
        first = cursor.fetchone()[0]
        month = add_months(first.replace(day=1), 1 if first.day > 1 else 0)  # the first whole month
        following = add_months(month, 1)
        cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE date >= %s AND date < %s", [month, following])
        figures["month_rows"] = cursor.fetchone()[0]
        figures["month"] = month.isoformat()
        figures["partitioned"] = is_partitioned(cursor, TABLE)
        owner.rollback()

        def drop_month() -> float:
            with owner.transaction(force_rollback=True):
                started = time.perf_counter()
                if figures["partitioned"]:
                    name = next(n for n, bounds in partitions(cursor, TABLE).items() if bounds and bounds[0] == month)
                    cursor.execute(f'ALTER TABLE {TABLE} DETACH PARTITION "{name}"')
                    cursor.execute(f'DROP TABLE "{name}"')
                else:
                    cursor.execute(f"DELETE FROM {TABLE} WHERE date >= %s AND date < %s", [month, following])
                return (time.perf_counter() - started) * 1000

        figures["drop_month_ms"] = best(args.runs, drop_month)
    return figures


def run_in(url: str, owner_url: str, crossing_url: str, args) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        target = handle.name
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MIGRATION_DATABASE_URL": owner_url,
        "CROSSING_DATABASE_URL": crossing_url,
    }
    command = [sys.executable, __file__, "--measure", "--agency", args.agency, "--runs", str(args.runs)]
    subprocess.run([*command, "--json", target], cwd=ROOT, env=env, check=True)
    figures = json.loads(Path(target).read_text())
    os.unlink(target)
    return figures


def make_plain_copy(url: str, owner_url: str, crossing_url: str, name: str) -> None:
    """The scratch copy of the seeded database, its metric tables made plain (the migration's reverse)."""
    import psycopg

    seeded = database_of(owner_url)
    with psycopg.connect(with_database(owner_url, "postgres"), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded}"')
    code = (
        "import django; django.setup()\n"
        "from django.db import transaction\n"
        "from agency.partitions import convert_to_plain, owner_connection, partitioned_models\n"
        "with owner_connection() as owner, transaction.atomic(using=owner.alias):\n"
        "    for table, _column in partitioned_models():\n"
        "        convert_to_plain(owner, table)\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": with_database(url, name),
        "MIGRATION_DATABASE_URL": with_database(owner_url, name),
        "CROSSING_DATABASE_URL": with_database(crossing_url, name),
    }
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agency", default="scale-0001", help="the agency (slug) whose rows are read and written")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        Path(args.json).write_text(json.dumps(measure(args)))
        return

    url = os.environ.get("DATABASE_URL", "")
    owner_url = os.environ.get("MIGRATION_DATABASE_URL", "")
    crossing_url = os.environ.get("CROSSING_DATABASE_URL", "")
    if not (url.startswith(("postgres://", "postgresql://")) and owner_url and crossing_url):
        sys.exit("Set DATABASE_URL, MIGRATION_DATABASE_URL and CROSSING_DATABASE_URL to a seeded PostgreSQL database.")
    plain = f"{database_of(url)}_plain_{os.getpid()}"
    import psycopg

    try:
        started = time.perf_counter()
        make_plain_copy(url, owner_url, crossing_url, plain)
        print(f"scratch copy {plain}, its metric tables made plain, in {time.perf_counter() - started:.1f} s")
        after = run_in(url, owner_url, crossing_url, args)
        before = run_in(
            with_database(url, plain), with_database(owner_url, plain), with_database(crossing_url, plain), args
        )
    finally:
        with psycopg.connect(with_database(owner_url, "postgres"), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{plain}" WITH (FORCE)')
        print(f"scratch database {plain} removed")
    if not after["partitioned"] or before["partitioned"]:
        sys.exit("The seeded database's metric tables are not partitioned: run `manage.py migrate` on it first.")

    print(f"\nagency {args.agency}; best of {args.runs}; milliseconds   plain table   by month   ratio")
    for label in after["ingest_ms"]:
        plain_ms, month_ms = before["ingest_ms"][label], after["ingest_ms"][label]
        print(f"  ingest, {label:<34} {plain_ms:9.1f} {month_ms:10.1f}   {month_ms / plain_ms:5.2f}")
    print(
        f"  the list's first page ({after['page_size']} rows)       {before['first_page_ms']:9.2f} "
        f"{after['first_page_ms']:10.2f}   {after['first_page_ms'] / before['first_page_ms']:5.2f}"
        f"   (buffers {before['first_page_buffers']} / {after['first_page_buffers']})"
    )
    print(
        f"  dropping {after['month']} ({after['month_rows']:,} rows)   {before['drop_month_ms']:9.1f} "
        f"{after['drop_month_ms']:10.1f}   {after['drop_month_ms'] / before['drop_month_ms']:5.2f}"
        "   (DELETE / DETACH + DROP)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"plain": before, "by_month": after}))


if __name__ == "__main__":
    main()
