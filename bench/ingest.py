"""Benchmark of metrics ingest: rows per second through the bulk endpoint's service, beside a raw
COPY of the same rows into a scratch table, in the same run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/ingest.py \
        [--accounts 400] [--days 100] [--batch 10000] [--as-role agency_app]

It needs PostgreSQL (the bulk path under test is COPY + INSERT ... ON CONFLICT). It makes its own
scratch database on that server (``bench_ingest_<pid>``), migrates it, creates an agency, a client
and the accounts, and drops the database when it ends, also on failure; nothing is left behind.
``--as-role`` runs the ingest as the application's role (bound by row-level security, as in
production) after migrating as the URL's user.

The service is timed as the endpoint runs it: the rows in the platform's field names, one
transaction per request of ``--batch`` rows inside the agency's context, validation of every row
included (JSON parsing and HTTP are not). Three passes: new rows (inserts), the same rows again
(nothing changes), then every row corrected (updates); then as many video metric rows (one video
per account, the same days) inserted. Then the same requests as the endpoint
takes them with ``Prefer: respond-async`` (checked all or nothing, kept as data imports and sent
to the ingest queue through Redis, up to the commit and the send), and the queue's store of them,
timed on its own. The COPY line is the floor: the same rows, already in our columns, streamed
into an unindexed scratch table (best of three runs). Timings are printed, never asserted. Target
(issue 5): at least 50,000 rows/s through the service.

With ``REDIS_URL`` the tasks go to a queue of their own (``bench_ingest_<pid>``), emptied at the
end; without it the asynchronous pass is left out (tasks would run in-process, inside the
answer), and the script says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

TARGET_ROWS_PER_SECOND = 50_000  # issue 5


def with_database(url: str, name: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user:
        host = netloc.split("@", 1)[-1]
        netloc = f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, f"/{name}", parts.query, parts.fragment))


def admin_execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--batch", type=int, default=10_000, help="rows per request (the endpoint's maximum)")
    parser.add_argument("--as-role", default="", help="run the ingest as this (non-owner) role")
    parser.add_argument("--json", default="", help="also write the figures to this file (for python -m bench)")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database on it; a scratch one is made).")
    scratch = f"{os.environ.get('BENCH_SCRATCH_PREFIX', 'bench')}_ingest_{os.getpid()}"
    os.environ["CELERY_QUEUE"] = scratch
    media = tempfile.mkdtemp(prefix=scratch)
    os.environ["DJANGO_MEDIA_ROOT"] = media
    admin_execute(base_url, f'CREATE DATABASE "{scratch}"')
    try:
        os.environ["DATABASE_URL"] = with_database(base_url, scratch, args.as_role or None)
        if args.as_role:
            os.environ["MIGRATION_DATABASE_URL"] = with_database(base_url, scratch)
            # Cross-agency work logs in as the crossing role, which the application's role cannot
            # become (project/settings.py, DATABASE_CROSSING_ROLE).
            crossing = os.environ.get("DATABASE_CROSSING_ROLE") or "agency_crossing"
            os.environ["CROSSING_DATABASE_URL"] = with_database(base_url, scratch, crossing)
        run(args, with_database(base_url, scratch))
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(base_url, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        shutil.rmtree(media, ignore_errors=True)
        if os.environ.get("REDIS_URL"):
            import redis

            redis.Redis.from_url(os.environ["REDIS_URL"]).delete(scratch)
        print(f"scratch database {scratch}, its files and its queue removed")


def copy_into_scratch(agency, columns: list[str], plain: list[tuple]) -> float:
    """Seconds to COPY ``plain`` into an unindexed temporary table (dropped at commit)."""
    from django.db import connection, transaction

    from agency.tenancy import tenant_context

    with tenant_context(agency), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy (agency_id bigint, client_id bigint, account_id bigint, date date, "
            + ", ".join(f"{c} bigint" for c in columns[4:])
            + ") ON COMMIT DROP"
        )
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY bench_copy ({', '.join(columns)}) FROM STDIN") as copy:
            for row in plain:
                copy.write_row(row)
        return time.perf_counter() - started


def rollups_cost(agency, account_ids: list[int], last_day: dt.date, rng: random.Random) -> dict:
    """What refreshing the rollups costs the ingest service (``store_account_metrics``): requests
    as a platform's sync or a client's upload sends them, each timed with the rollups' refresh and
    with it left out, rolled back (best of three): 20 and 150 accounts' rows of a new day, and
    corrections of 10,000 stored rows (150 accounts over 67 days). Milliseconds."""
    from django.db import transaction

    from accounts_ops.services import metrics
    from agency.tenancy import tenant_context

    def row(account_id: int, day: dt.date) -> dict:
        return {
            "account": account_id,
            "date": day.isoformat(),
            "new_play": rng.randint(0, 200_000),
            "new_like": rng.randint(0, 20_000),
            "new_comment": rng.randint(0, 2_000),
            "new_fans": rng.randint(0, 800),
        }

    accounts = account_ids[:150]
    new_day = last_day + dt.timedelta(days=1)
    requests = {
        "20 rows of a new day": [row(a, new_day) for a in accounts[:20]],
        "150 rows of a new day": [row(a, new_day) for a in accounts],
        "10,000 corrections": [row(a, last_day - dt.timedelta(days=d)) for a in accounts for d in range(67)][:10_000],
    }

    def timed(rows: list[dict]) -> float:
        with tenant_context(agency, channel="api"), transaction.atomic():
            started = time.perf_counter()
            metrics.account_metrics_ingest(actor=None, rows=rows)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed * 1000

    refresh = metrics.refresh_stored_rollups
    figures = {}
    print("  the rollups' cost per request (rolled back, best of 3)")
    for label, rows in requests.items():
        try:
            metrics.refresh_stored_rollups = lambda keys: None
            without = min(timed(rows) for _run in range(3))
        finally:
            metrics.refresh_stored_rollups = refresh
        with_rollups = min(timed(rows) for _run in range(3))
        figures[label] = {"without": without, "with": with_rollups}
        print(f"    {label:<24} without the rollups {without:7.0f} ms   with them {with_rollups:7.0f} ms")
    return figures


def run(args, owner_url: str) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts_ops.services.metrics import account_metrics_ingest, video_metrics_ingest
    from agency import rls
    from agency.models import Agency, Membership
    from agency.tenancy import tenant_context
    from clients.models import Client, PlatformAccount, Video

    # Migrate as the owner (with --as-role, swap the credentials like the test suite does).
    default = settings.DATABASES["default"]
    app_user = default["USER"]
    if args.as_role:
        owner = urlsplit(owner_url).username
        default["USER"] = owner
        connection.settings_dict["USER"] = owner
    call_command("migrate", verbosity=0)
    rls.install()
    if args.as_role:
        connection.close()
        default["USER"] = app_user
        connection.settings_dict["USER"] = app_user

    from django.contrib.auth import get_user_model

    agency = Agency.objects.create(name="Bench agency", slug="bench-agency")
    user = get_user_model().objects.create(username="bench")
    membership = Membership.objects.create(user=user, agency=agency, role="agency_admin")
    actor = membership.as_actor()
    with tenant_context(agency), transaction.atomic():
        client = Client.objects.create(agency=agency, name="Bench client", kind="retail")
        PlatformAccount.objects.bulk_create(
            [
                PlatformAccount(agency=agency, client=client, platform="douyin", handle=f"bench{n}")
                for n in range(args.accounts)
            ]
        )
        account_ids = list(PlatformAccount.objects.values_list("pk", flat=True))

    rng = random.Random(7)
    start = dt.date(2026, 1, 1)
    days = [start + dt.timedelta(days=d) for d in range(args.days)]
    rows = []
    for account_id in account_ids:
        fans = rng.randint(1_000, 500_000)
        for day in days:
            gained = rng.randint(0, 800)
            fans += gained
            rows.append(
                {
                    "account": account_id,
                    "date": day.isoformat(),
                    "total_fans": fans,
                    "new_fans": gained,
                    "daily_active_fans": fans // 5,
                    "profile_uv": rng.randint(0, 5_000),
                    "new_play": rng.randint(0, 200_000),
                    "new_like": rng.randint(0, 20_000),
                    "new_comment": rng.randint(0, 2_000),
                    "new_share": rng.randint(0, 1_000),
                    "new_issue": rng.randint(0, 3),
                }
            )
    total = len(rows)
    batches = [rows[i : i + args.batch] for i in range(0, total, args.batch)]
    print(f"{total:,} account daily metric rows ({args.accounts} accounts × {args.days} days), {len(batches)} requests")

    def service_pass(label: str, data: list[list[dict]], ingest=account_metrics_ingest) -> float:
        started = time.perf_counter()
        outcome = {"created": 0, "updated": 0, "unchanged": 0}
        for batch in data:
            with tenant_context(agency, actor=actor, channel="api"), transaction.atomic():
                result = ingest(actor=actor, rows=batch)
            for key in outcome:
                outcome[key] += getattr(result, key)
        elapsed = time.perf_counter() - started
        rate = sum(map(len, data)) / elapsed
        print(f"  service, {label:<22} {elapsed:7.2f} s  {rate:>10,.0f} rows/s   {outcome}")
        return rate

    insert_rate = service_pass("new rows (insert)", batches)
    service_pass("same rows again", batches)
    corrected = [[{**row, "new_play": row["new_play"] + 1} for row in batch] for batch in batches]
    service_pass("corrected rows (update)", corrected)

    # The passes above ran on a table that had no planner statistics when they began (autovacuum
    # comes by later); a table in service has them, so analyze before timing single requests.
    import psycopg

    with psycopg.connect(owner_url, autocommit=True) as owner:
        owner.execute("ANALYZE accounts_ops_accountdailymetric")
        for rollup in ("account", "client", "agency"):
            owner.execute(f"ANALYZE accounts_ops_{rollup}metricrollup")
    rollup_figures = rollups_cost(agency, account_ids, days[-1], rng)

    # Video daily metrics (Douyin's item statistics): one video per account, the same days.
    with tenant_context(agency), transaction.atomic():
        Video.objects.bulk_create(
            [
                Video(agency=agency, client=client, account_id=account_id, platform_item_id=f"7{account_id:09d}")
                for account_id in account_ids
            ]
        )
        video_ids = list(Video.objects.values_list("pk", flat=True))
    video_rows = [
        {
            "video": video_id,
            "date": day.isoformat(),
            "play": rng.randint(0, 200_000),
            "digg": rng.randint(0, 20_000),
            "comment": rng.randint(0, 2_000),
            "share": rng.randint(0, 1_000),
            "avg_watch_seconds": rng.randint(100, 6_000) / 100,
            "completion_rate": rng.randint(0, 10_000) / 10_000,
        }
        for video_id in video_ids
        for day in days
    ]
    video_batches = [video_rows[i : i + args.batch] for i in range(0, len(video_rows), args.batch)]
    video_rate = service_pass("video metrics (insert)", video_batches, ingest=video_metrics_ingest)

    # The same requests with ``Prefer: respond-async``: checked, kept, sent to the ingest queue
    # (the body as a request brings it, already encoded); then the queue's store of them. Three
    # years earlier, so that every key is new.
    accept_rate = queue_rate = None
    if settings.CELERY_TASK_ALWAYS_EAGER:
        print("  asynchronous pass left out: set REDIS_URL (eager tasks would run inside the answer)")
    else:
        from accounts_ops.models import DataImport
        from accounts_ops.services.imports import bulk_request_accept, data_import_run

        later = [
            [{**row, "date": str(int(row["date"][:4]) - 3) + row["date"][4:]} for row in batch] for batch in batches
        ]
        bodies = [json.dumps({"rows": batch}).encode() for batch in later]
        jobs = []
        started = time.perf_counter()
        for batch, body in zip(later, bodies, strict=True):
            with tenant_context(agency, actor=actor, channel="api"), transaction.atomic():
                jobs.append(bulk_request_accept(actor=actor, kind="account_metrics", rows=batch, body=body))
        accept_rate = total / (time.perf_counter() - started)
        print(f"  service, accepted for the queue  {total / accept_rate:7.2f} s  {accept_rate:>10,.0f} rows/s")
        started = time.perf_counter()
        for job in jobs:
            with tenant_context(agency, channel="system"):
                data_import_run(import_id=job.pk)
        queue_rate = total / (time.perf_counter() - started)
        with tenant_context(agency):
            stored = DataImport.objects.filter(pk__in=[job.pk for job in jobs])
            created = sum(stored.values_list("rows_created", flat=True))
        print(
            f"  the queue's store of them        {total / queue_rate:7.2f} s  {queue_rate:>10,.0f} rows/s"
            f"   created {created:,}"
        )

    # The audit trail (records app) writes one event per inserted or changed row from a row
    # trigger; time the same insert without it, so the two costs can be told apart.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'records_audit' "
            "AND tgrelid = 'accounts_ops_accountdailymetric'::regclass"
        )
        audited = cursor.fetchone() is not None
    bare_rate = None
    if audited and not args.as_role:
        earlier = [
            [{**row, "date": str(int(row["date"][:4]) - 1) + row["date"][4:]} for row in batch] for batch in batches
        ]
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE accounts_ops_accountdailymetric DISABLE TRIGGER records_audit")
        try:
            bare_rate = service_pass("insert, no audit trigger", earlier)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE accounts_ops_accountdailymetric ENABLE TRIGGER records_audit")

    # The floor: the same rows, already in our columns, COPY-ed into an unindexed scratch table.
    columns = [
        "agency_id",
        "client_id",
        "account_id",
        "date",
        "followers_total",
        "followers_gained",
        "active_fans",
        "profile_visits",
        "plays",
        "likes",
        "comments",
        "shares",
        "videos_posted",
    ]
    plain = [
        (
            agency.pk,
            client.pk,
            r["account"],
            dt.date.fromisoformat(r["date"]),
            r["total_fans"],
            r["new_fans"],
            r["daily_active_fans"],
            r["profile_uv"],
            r["new_play"],
            r["new_like"],
            r["new_comment"],
            r["new_share"],
            r["new_issue"],
        )
        for r in rows
    ]
    copy_elapsed = min(copy_into_scratch(agency, columns, plain) for _run in range(3))
    copy_rate = total / copy_elapsed
    print(f"  raw COPY into a scratch table    {copy_elapsed:7.2f} s  {copy_rate:>10,.0f} rows/s")
    # The same rows COPY-ed into the metrics table itself (its indexes, its constraints), as the
    # owner (COPY FROM skips row-level security only for a role that bypasses it), two years
    # earlier so that every key is new, and rolled back.
    import psycopg

    shifted = [(*row[:3], row[3].replace(year=row[3].year - 2), *row[4:]) for row in plain]
    with psycopg.connect(owner_url) as owner, owner.transaction(force_rollback=True), owner.cursor() as cursor:
        started = time.perf_counter()
        table_columns = ", ".join([*columns, "created_at", "updated_at"])
        with cursor.copy(f"COPY accounts_ops_accountdailymetric ({table_columns}) FROM STDIN") as copy:
            now = dt.datetime.now(dt.UTC)
            for row in shifted:
                copy.write_row((*row, now, now))
        table_elapsed = time.perf_counter() - started
    table_rate = total / table_elapsed
    print(f"  raw COPY into the metrics table  {table_elapsed:7.2f} s  {table_rate:>10,.0f} rows/s")
    print(f"service (insert) / raw COPY into the metrics table = {insert_rate / table_rate:.2f}")
    if args.json:
        figures = {
            "rows": total,
            "insert_rows_per_s": insert_rate,
            "copy_rows_per_s": copy_rate,
            "table_copy_rows_per_s": table_rate,
            "accept_rows_per_s": accept_rate,
            "queue_rows_per_s": queue_rate,
            "video_rows_per_s": video_rate,
            "rollups_ms": rollup_figures,
        }
        Path(args.json).write_text(json.dumps(figures))
    for label, rate in (
        ("service (insert)", insert_rate),
        ("service (insert, no audit trigger)", bare_rate),
        ("service (accepted for the queue)", accept_rate),
    ):
        if rate is not None:
            verdict = "met" if rate >= TARGET_ROWS_PER_SECOND else "NOT met"
            print(f"{label} / raw COPY = {rate / copy_rate:.2f}; target {TARGET_ROWS_PER_SECOND:,} rows/s: {verdict}")


if __name__ == "__main__":
    main()
