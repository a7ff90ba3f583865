"""Benchmark of the 7.3 persona job: the time to build the period's persona reports of 15,000
accounts, beside the bare aggregation SQL that finds each account's latest snapshot and previous
report (the floor: reading what the job must read), in the same run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/persona.py [--accounts 15000]

It needs PostgreSQL. It makes its own scratch database (``bench_persona_<pid>``), migrates it,
creates an agency with clients, accounts and two periods of audience snapshots (plus the previous
period's reports, so every new report computes its shift), and drops the database when it ends,
also on failure. The job runs as the beat task runs it: one batch of ``PERSONA_BATCH`` accounts
per transaction, inside the agency's context, serially (one worker). Timings are printed, never
asserted. Target (issue 5): 15,000 accounts in under 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from bench.ingest import admin_execute, with_database  # noqa: E402

TARGET_SECONDS = 60  # issue 5: 15,000 accounts in under a minute
ACCOUNTS_PER_CLIENT = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=15_000)
    parser.add_argument("--json", default="", help="also write the figures to this file (for python -m bench)")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database on it; a scratch one is made).")
    scratch = f"{os.environ.get('BENCH_SCRATCH_PREFIX', 'bench')}_persona_{os.getpid()}"
    admin_execute(base_url, f'CREATE DATABASE "{scratch}"')
    try:
        os.environ["DATABASE_URL"] = with_database(base_url, scratch)
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(base_url, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        print(f"scratch database {scratch} dropped")


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts_ops.models import AudiencePersonaReport, AudienceSnapshot
    from accounts_ops.services.audience import PERSONA_BATCH, active_account_ids, persona_period, persona_reports_build
    from agency.models import Agency
    from agency.tenancy import tenant_context
    from clients.models import Client, PlatformAccount
    from demo.services.scale import portrait

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(name="Bench agency", slug="bench-agency")
    rng = random.Random(3)
    today = agency.today()
    start, end = persona_period(agency, today)
    days = (end - start).days + 1
    before = (start - dt.timedelta(days=days), start - dt.timedelta(days=1))
    with tenant_context(agency), transaction.atomic():
        clients = Client.objects.bulk_create(
            [
                Client(agency=agency, name=f"Client {n}", kind="retail")
                for n in range((args.accounts + ACCOUNTS_PER_CLIENT - 1) // ACCOUNTS_PER_CLIENT)
            ]
        )
        PlatformAccount.objects.bulk_create(
            [
                PlatformAccount(
                    agency=agency, client=clients[n // ACCOUNTS_PER_CLIENT], platform="douyin", handle=f"b{n}"
                )
                for n in range(args.accounts)
            ],
            batch_size=5_000,
        )
        accounts = list(PlatformAccount.objects.values_list("pk", "client_id"))
        snapshots = [
            AudienceSnapshot(
                agency=agency, client_id=client_id, account_id=pk, date=day, fans_total=10_000, **portrait(rng)
            )
            for pk, client_id in accounts
            for day in (before[1], end)
        ]
        AudienceSnapshot.objects.bulk_create(snapshots, batch_size=5_000)
    ids = None
    with tenant_context(agency):
        ids = active_account_ids()
        for i in range(0, len(ids), PERSONA_BATCH):  # the previous period, untimed
            persona_reports_build(account_ids=ids[i : i + PERSONA_BATCH], period_start=before[0], period_end=before[1])
    print(
        f"{len(ids):,} active accounts, {len(snapshots):,} snapshots; period {start}..{end}, batches of {PERSONA_BATCH}"
    )

    started = time.perf_counter()
    built = 0
    with tenant_context(agency):
        for i in range(0, len(ids), PERSONA_BATCH):
            built += persona_reports_build(account_ids=ids[i : i + PERSONA_BATCH], period_start=start, period_end=end)
    job = time.perf_counter() - started
    print(f"  persona job: {built:,} reports in {job:6.2f} s ({built / job:,.0f} accounts/s)")

    again = time.perf_counter()
    with tenant_context(agency):
        for i in range(0, len(ids), PERSONA_BATCH):
            persona_reports_build(account_ids=ids[i : i + PERSONA_BATCH], period_start=start, period_end=end)
    print(f"  the same period again (nothing to do): {time.perf_counter() - again:6.2f} s")

    sql = """
        SELECT count(*), count(r.id) FROM (
            SELECT DISTINCT ON (s.account_id) s.account_id, s.gender, s.age, s.provinces, s.cities, s.devices,
                   s.interests, s.active_days, s.active_hours
              FROM accounts_ops_audiencesnapshot s
             WHERE s.date BETWEEN %(start)s AND %(end)s
             ORDER BY s.account_id, s.date DESC
        ) latest
        LEFT JOIN LATERAL (
            SELECT p.id FROM accounts_ops_audiencepersonareport p
             WHERE p.account_id = latest.account_id AND p.period_end < %(start)s
             ORDER BY p.period_end DESC LIMIT 1
        ) r ON true
    """
    with tenant_context(agency), transaction.atomic(), connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(sql, {"start": start, "end": end})
        found, with_previous = cursor.fetchone()
        bare = time.perf_counter() - t0
    print(f"  bare aggregation SQL: {found:,} latest snapshots, {with_previous:,} previous reports in {bare:6.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"accounts": built, "job_s": job, "bare_sql_s": bare}))
    print(
        f"job / bare SQL = {job / bare:.1f}; target {TARGET_SECONDS} s for 15,000 accounts: "
        f"{'met' if job < TARGET_SECONDS else 'NOT met'} ({AudiencePersonaReport.dangerously_all_agencies.count():,} "
        "reports in all)"
    )


if __name__ == "__main__":
    main()
