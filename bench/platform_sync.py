"""Benchmark of the nightly platform sync: one day for N connected Douyin accounts, pulled from the
platform simulator over HTTP on the loopback by the real adapter and stored through the ingest
services, as ``platforms.tasks.sync_connection_task`` does it, serially (one worker process).

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/platform_sync.py [--accounts 1000]

It needs PostgreSQL. It makes its own scratch database (``bench_sync_<pid>``), migrates it, starts
the simulator in a thread on a free port (rate limits lifted: the platform's own limits are a
matter of the fleet's size, see docs/scaling.md), creates an agency with clients and accounts,
connects each account through the OAuth code flow, and drops the database when it ends, also on
failure. Printed: accounts and rows per second, and where the time goes (waiting for the platform,
the rest: reading its answers and storing the rows). Nothing is asserted. The simulator answers in
well under a millisecond, so the platform's share here is the floor; docs/scaling.md works out
the fleet for real latencies.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from bench.ingest import admin_execute, with_database  # noqa: E402

ACCOUNTS_PER_CLIENT = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--json", default="", help="also write the figures to this file (for python -m bench)")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database on it; a scratch one is made).")
    scratch = f"{os.environ.get('BENCH_SCRATCH_PREFIX', 'bench')}_sync_{os.getpid()}"
    admin_execute(base_url, f'CREATE DATABASE "{scratch}"')
    try:
        os.environ["DATABASE_URL"] = with_database(base_url, scratch)
        os.environ.pop("MIGRATION_DATABASE_URL", None)
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(base_url, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        print(f"scratch database {scratch} dropped")


def run(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from agency.models import Agency
    from agency.tenancy import tenant_context
    from clients.models import Client, PlatformAccount
    from platforms.models import Connection
    from platforms.services import calls
    from platforms.services.calls import store_tokens
    from platforms.services.syncs import sync_connection
    from platforms.simulator.server import SimulatorServer
    from tests.platforms.simulator_fixture import CLIENT_KEY, CLIENT_SECRET, SimulatorClient

    call_command("migrate", verbosity=0)
    server = SimulatorServer("127.0.0.1", 0).start()
    simulator = SimulatorClient(server.url)
    simulator.config(rate_limit=10**9, videos_per_account=12)
    settings.PLATFORMS = {
        **settings.PLATFORMS,
        "douyin": {"base_url": simulator.douyin_url, "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET},
    }
    agency = Agency.objects.create(name="Bench agency", slug="bench-agency")
    started = time.perf_counter()
    with tenant_context(agency):
        with transaction.atomic():
            clients = Client.objects.bulk_create(
                [
                    Client(agency=agency, name=f"Client {n}")
                    for n in range((args.accounts + ACCOUNTS_PER_CLIENT - 1) // ACCOUNTS_PER_CLIENT)
                ]
            )
            accounts = PlatformAccount.objects.bulk_create(
                [
                    PlatformAccount(
                        agency=agency,
                        client=clients[n // ACCOUNTS_PER_CLIENT],
                        platform="douyin",
                        handle=f"bench_{n:05d}",
                        platform_uid=f"bench-open-{n:05d}",
                    )
                    for n in range(args.accounts)
                ]
            )
        for account in accounts:
            simulator.create_account(account.platform_uid, nickname=account.handle, handle=account.handle)
            tokens = simulator.connect(account.platform_uid)
            with transaction.atomic():
                connection = Connection.objects.create(
                    agency=agency,
                    client=account.client,
                    account=account,
                    platform="douyin",
                    open_id=tokens.open_id,
                    scopes=list(tokens.scopes),
                    connected_at=timezone.now(),
                    expires_at=tokens.expires_at,
                )
                store_tokens(connection, tokens, refreshed=False)
    setup_seconds = time.perf_counter() - started
    print(f"{args.accounts} accounts created and connected in {setup_seconds:.1f} s", flush=True)

    platform_seconds = 0.0
    platform_calls = Counter()
    real_call = calls.call

    def timed_call(connection, method, /, **kwargs):
        nonlocal platform_seconds
        begun = time.perf_counter()
        try:
            return real_call(connection, method, **kwargs)
        finally:
            platform_seconds += time.perf_counter() - begun
            platform_calls[method] += 1

    calls.call = timed_call
    import platforms.services.syncs as syncs_module

    syncs_module.call = timed_call
    yesterday = agency.today() - dt.timedelta(days=1)
    created = updated = 0
    statuses = Counter()
    errors = Counter()
    started = time.perf_counter()
    with tenant_context(agency):
        for connection_id in Connection.objects.order_by("pk").values_list("pk", flat=True):
            sync_run = sync_connection(connection_id=connection_id, trigger="schedule", start=yesterday, end=yesterday)
            statuses[sync_run.status] += 1
            for error in sync_run.errors:
                errors[f"{error.get('stream')}: {error.get('code')} {error.get('message')}"[:160]] += 1
            for counts in sync_run.counts.values():
                created += counts.get("created", 0)
                updated += counts.get("updated", 0)
    seconds = time.perf_counter() - started
    server.stop()
    rows = created + updated
    figures = {
        "accounts": args.accounts,
        "seconds": round(seconds, 2),
        "accounts_per_second": round(args.accounts / seconds, 2),
        "rows": rows,
        "rows_created": created,
        "rows_per_second": round(rows / seconds, 1),
        "platform_calls": sum(platform_calls.values()),
        "calls_per_account": round(sum(platform_calls.values()) / args.accounts, 1),
        "platform_seconds": round(platform_seconds, 2),
        "platform_share": round(platform_seconds / seconds, 3),
        "statuses": dict(statuses),
        "errors": dict(errors),
        "calls_by_method": dict(platform_calls),
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print(
        f"\nOne worker: {figures['accounts_per_second']} accounts/s, {figures['rows_per_second']} rows/s; "
        f"{figures['calls_per_account']} platform calls per account; "
        f"{figures['platform_share']:.0%} of the time waiting for the (simulated) platform, the rest reading "
        "its answers and storing the rows."
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
