"""Benchmark of the signed tenant context (agency.rls): one agency's rows counted in a table of
``--rows`` rows (100 agencies), under three versions of the row-level security policy:

- ``unsigned``: ``agency_id = NULLIF(current_setting('app.agency_id', true), '')::bigint``, the
  policy before the agency was signed;
- ``signed``: ``agency_id = (SELECT tenant_wall.app_agency())``, the policy now (an init plan: the
  definer function runs once per statement);
- ``signed, per row``: ``agency_id = tenant_wall.app_agency()``, the same function called in the
  filter, to show why the policy calls it in a sub-select.

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/tenant_wall.py [--rows 100000]

It needs PostgreSQL and a role that may create databases and roles' sessions (a superuser): it makes
a scratch database (``bench_wall_<pid>``), installs the wall as ``migrate`` does
(``agency.rls.install_wall``), reads as ``--web-role`` (bound by row-level security; default
``agency_app``) and drops the database when it ends, also on failure. The figures are the median
of ``--runs`` EXPLAIN ANALYZE execution times; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from bench.ingest import admin_execute, with_database  # noqa: E402

POLICIES = {
    "unsigned": "agency_id = NULLIF(current_setting('app.agency_id', true), '')::bigint",
    "signed": "agency_id = (SELECT tenant_wall.app_agency())",
    "signed, per row": "agency_id = tenant_wall.app_agency()",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--web-role", default="agency_app")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server as a superuser (a scratch database is made).")

    import django
    import psycopg
    from psycopg import sql

    django.setup()
    from agency.rls import install_wall, sign

    scratch = f"bench_wall_{os.getpid()}"
    admin_execute(base_url, f'CREATE DATABASE "{scratch}"')
    figures: dict[str, float] = {}
    try:
        with psycopg.connect(with_database(base_url, scratch), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
            with conn.cursor() as cursor:
                install_wall(cursor)
            conn.execute("CREATE TABLE bench_rows (id bigserial PRIMARY KEY, agency_id bigint NOT NULL, note text)")
            conn.execute(
                "INSERT INTO bench_rows (agency_id, note) SELECT g %% 100 + 1, md5(g::text) "
                "FROM generate_series(1, %s) g",
                [args.rows],
            )
            conn.execute("ANALYZE bench_rows")
            conn.execute("ALTER TABLE bench_rows ENABLE ROW LEVEL SECURITY")
            conn.execute("ALTER TABLE bench_rows FORCE ROW LEVEL SECURITY")
            conn.execute(sql.SQL("GRANT SELECT ON bench_rows TO {}").format(sql.Identifier(args.web_role)))
            agency = "7"
            for name, expression in POLICIES.items():
                conn.execute("DROP POLICY IF EXISTS wall ON bench_rows")
                conn.execute(f"CREATE POLICY wall ON bench_rows USING ({expression})")
                times = []
                for _run in range(args.runs):
                    with conn.transaction():
                        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(args.web_role)))
                        conn.execute(
                            "SELECT set_config('app.agency_id', %s, true), set_config('app.client_id', '', true), "
                            "set_config('app.tenant_mac', %s, true)",
                            [agency, sign(agency, "")],
                        )
                        count = conn.execute("SELECT count(*) FROM bench_rows").fetchone()[0]
                        plan = conn.execute(
                            "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) SELECT count(*) FROM bench_rows"
                        ).fetchone()[0]
                    times.append(plan[0]["Execution Time"])
                figures[name] = round(statistics.median(times), 1)
                print(f"{name:>16}: {figures[name]:8.1f} ms  ({count} of {args.rows} rows visible)", flush=True)
    finally:
        admin_execute(base_url, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": args.rows, "median_ms": figures}))


if __name__ == "__main__":
    main()
