"""Run every benchmark and write a results table (markdown).

    DATABASE_URL=postgres://agency_app@127.0.0.1:5432/<seeded> \
    MIGRATION_DATABASE_URL=postgres://root@127.0.0.1:5432/<seeded> \
    REDIS_URL=redis://127.0.0.1:6379/4 \
    .venv/bin/python -m bench [--out bench/results.md] [--scratch-url postgres://root@127.0.0.1:5432/postgres]

The database of ``DATABASE_URL`` must have been filled with ``manage.py seed_scale``. The ingest and
persona benchmarks make (and drop) scratch databases on the server of ``--scratch-url`` (a role
that may create databases; default: ``MIGRATION_DATABASE_URL``'s server and user). Each benchmark
runs in its own process (each needs its own settings) and hands its figures back as JSON; the
table gives the project's figure, the reference measured in the same run, the ratio and the
issue's target. Queries per page are a test (``tests/agency/test_query_counts.py``), run here too
unless ``--skip-tests``. Nothing is asserted on time; the table says met or not met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

INGEST_RATIO = 0.15  # of raw COPY rows/s
PERSONA_SECONDS = 60  # for 15,000 accounts
CRAWL_SHOWN = 15  # the slowest pages of the crawl listed


def run(script: str, *args: str, env: dict | None = None) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        target = handle.name
    command = [sys.executable, str(ROOT / "bench" / script), *args, "--json", target]
    print(f"\n$ {' '.join(command[1:])}", flush=True)
    subprocess.run(command, cwd=ROOT, env={**os.environ, **(env or {})}, check=True)
    figures = json.loads(Path(target).read_text())
    os.unlink(target)
    return figures


def verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def cold_page_rows(cold: dict, warm: dict) -> list[tuple]:
    """A row per page of ``cold_pages.py``: its median with the answer cache off and the queries
    it sends, beside the favicon of the same run (the middleware and the signed-in person, no
    page), and with the answer cache on."""
    reference = cold["pages"]["favicon (reference)"]["median_ms"]
    rows = []
    for name, figures in cold["pages"].items():
        if name == "favicon (reference)":
            continue
        target = cold["targets_ms"][name]
        cached = warm["pages"].get(name, {}).get("median_ms")
        beside = f"; cache on {cached:,.0f} ms" if cached is not None else ""
        rows.append(
            (
                f"{name}, cold (answer cache off; {cold['agency']})",
                f"{figures['median_ms']:,.0f} ms (p95 {figures['p95_ms']:,.0f}), {figures['queries']} queries{beside}",
                f"favicon {reference:,.1f} ms",
                f"{figures['median_ms'] / reference:.1f}",
                f"< {target} ms",
                verdict(figures["p95_ms"] < target),
            )
        )
    return rows


def crawl_lines(cold: dict) -> list[str]:
    """The slowest pages of the crawl of every page (staff, then the client area), cache off."""
    lines = []
    for area, pages in cold.get("crawl", {}).items():
        answered = sorted((p for p in pages if p["status"] == 200), key=lambda p: -p["median_ms"])
        over = sum(p["median_ms"] >= cold["page_target_ms"] for p in answered)
        lines += [
            f"Crawl of the {area} pages, cold: {len(answered)} pages, {over} at or over {cold['page_target_ms']} ms "
            f"(median of {cold['crawl_runs']}); the slowest {min(CRAWL_SHOWN, len(answered))}:",
            "",
            "| page | median ms | queries | KiB |",
            "|---|---|---|---|",
            *(
                f"| `{p['url']}` ({p['name']}) | {p['median_ms']:,.0f} | {p['queries']} | {p['kib']} |"
                for p in answered[:CRAWL_SHOWN]
            ),
            "",
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--scratch-url", default="", help="server and role for scratch databases")
    parser.add_argument("--duration", default="10", help="seconds of load per endpoint")
    parser.add_argument("--persona-accounts", default="15000")
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--scratch-prefix", default="bench", help="scratch databases are <prefix>_ingest_<pid>, ...")
    args = parser.parse_args()
    seeded = os.environ.get("DATABASE_URL", "")
    if not seeded.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (the seeded PostgreSQL database) and REDIS_URL.")
    scratch = args.scratch_url or os.environ.get("MIGRATION_DATABASE_URL") or seeded
    scratch_env = {
        "DATABASE_URL": scratch,
        "MIGRATION_DATABASE_URL": "",
        "REDIS_URL": "",
        "BENCH_SCRATCH_PREFIX": args.scratch_prefix,
    }

    autoreply = run("autoreply.py", env={"DATABASE_URL": "", "MIGRATION_DATABASE_URL": "", "REDIS_URL": ""})
    sentiment = run("sentiment.py", env={"DATABASE_URL": "", "MIGRATION_DATABASE_URL": "", "REDIS_URL": ""})
    # The ingest sends the tasks of its asynchronous pass through Redis (to a queue of its own).
    ingest = run("ingest.py", env={**scratch_env, "REDIS_URL": os.environ["REDIS_URL"]})
    persona = run("persona.py", "--accounts", args.persona_accounts, env=scratch_env)
    load = run("load.py", "--duration", args.duration)
    worker = run("worker.py")
    # The staff pages served cold (the answer cache off), with every page crawled; then with the
    # answer cache on, beside them.
    cold = run("cold_pages.py", "--crawl", str(CRAWL_SHOWN))
    warm = run("cold_pages.py", "--cache", "--no-refresh")
    tests = None
    if not args.skip_tests:
        print("\n$ pytest tests/agency/test_query_counts.py", flush=True)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/agency/test_query_counts.py"],
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MIGRATION_DATABASE_URL")},
        )
        tests = done.returncode == 0

    rows = []
    for result in load["modes"].values():
        for name, figures in result["endpoints"].items():
            hit = f", hit rate {figures['hit_rate']:.0%}" if figures.get("hit_rate") is not None else ""
            rows.append(
                (
                    f"{name} (API, {load['connections']} connections, {result['describe']})",
                    f"{figures['rps']:.0f} req/s, p95 {figures['p95_us'] / 1000:.0f} ms{hit}",
                    f"health endpoint {figures['reference_rps']:.0f} req/s",
                    f"{figures['ratio']:.2f}",
                    "≥ 0.30 and p95 < 50 ms",
                    verdict(figures["met"]),
                )
            )
    copy_rate = ingest["copy_rows_per_s"]
    accept_ratio = ingest["accept_rows_per_s"] / copy_rate
    stored_ratio = ingest["insert_rows_per_s"] / copy_rate
    rows.append(
        (
            f"metrics ingest, bulk endpoint answered at once (`Prefer: respond-async`; {ingest['rows']:,} rows)",
            f"{ingest['accept_rows_per_s']:,.0f} rows/s",
            f"raw COPY {copy_rate:,.0f} rows/s",
            f"{accept_ratio:.2f}",
            f"≥ {INGEST_RATIO}",
            verdict(accept_ratio >= INGEST_RATIO),
        )
    )
    rows.append(
        (
            "metrics ingest, the ingest queue's store of those requests",
            f"{ingest['queue_rows_per_s']:,.0f} rows/s",
            f"raw COPY {copy_rate:,.0f} rows/s",
            f"{ingest['queue_rows_per_s'] / copy_rate:.2f}",
            "—",
            "—",
        )
    )
    rows.append(
        (
            "metrics ingest, bulk endpoint storing the rows before it answers",
            f"{ingest['insert_rows_per_s']:,.0f} rows/s",
            f"raw COPY {copy_rate:,.0f} rows/s",
            f"{stored_ratio:.2f}",
            f"≥ {INGEST_RATIO}",
            "met" if stored_ratio >= INGEST_RATIO else "not met in this mode",
        )
    )
    rows.append(
        (
            "video metrics ingest, bulk endpoint storing the rows before it answers",
            f"{ingest['video_rows_per_s']:,.0f} rows/s",
            f"raw COPY {copy_rate:,.0f} rows/s",
            f"{ingest['video_rows_per_s'] / copy_rate:.2f}",
            "—",
            "—",
        )
    )
    rows.append(
        (
            "metrics ingest (rows stored before the answer), beside a COPY into the metrics table itself",
            f"{ingest['insert_rows_per_s']:,.0f} rows/s",
            f"raw COPY into the table {ingest['table_copy_rows_per_s']:,.0f} rows/s",
            f"{ingest['insert_rows_per_s'] / ingest['table_copy_rows_per_s']:.2f}",
            "—",
            "—",
        )
    )
    persona_met = persona["job_s"] < PERSONA_SECONDS * persona["accounts"] / 15_000
    rows.append(
        (
            f"persona job ({persona['accounts']:,} accounts)",
            f"{persona['job_s']:.1f} s",
            f"bare aggregation SQL {persona['bare_sql_s']:.2f} s",
            f"{persona['job_s'] / persona['bare_sql_s']:.0f}",
            f"< {PERSONA_SECONDS} s for 15,000",
            verdict(persona_met),
        )
    )
    rows.append(
        (
            f"auto-reply decision ({autoreply['rules']:,} rules)",
            f"{autoreply['engine']['mean_us']:.1f} µs/message (p99 {autoreply['engine']['p99_us']:.1f})",
            f"dict lookup {autoreply['dict']['mean_us']:.2f} µs",
            f"{autoreply['engine']['mean_us'] / autoreply['dict']['mean_us']:.0f}",
            "—",
            "—",
        )
    )
    held_out, tuning_cv = sentiment.get("heldout"), sentiment.get("tuning_cv")
    reference = f"tuning set, fallback cross-validated: {tuning_cv['macro_f1']:.3f}" if tuning_cv else "—"
    if held_out:
        per_class = ", ".join(
            f"{label} P {c['precision']:.2f} R {c['recall']:.2f}" for label, c in held_out["per_class"].items()
        )
        rows.append(
            (
                f"comment sentiment (7.1), held-out set ({held_out['rows']} comments): {per_class}",
                f"macro-F1 {held_out['macro_f1']:.3f}",
                reference,
                "—",
                f"≥ {sentiment['target']}",
                verdict(held_out["met"]),
            )
        )
    else:
        rows.append(
            ("comment sentiment (7.1): held-out set missing", "—", reference, "—", f"≥ {sentiment['target']}", "—")
        )
    rows.append(
        (
            "queries per page, every list and dashboard at 3/30/300 rows",
            "test_query_counts.py",
            "—",
            "—",
            "equal",
            "—" if tests is None else verdict(tests),
        )
    )
    rows.append(
        (
            "peak RSS of a web worker after the load",
            f"{load['web_worker_peak_rss_mib']:.0f} MiB",
            "—",
            "—",
            "—",
            "—",
        )
    )
    rows.append(
        (
            f"peak RSS of the worker after the persona job ({worker['reports']:,} reports, {worker['seconds']:.1f} s)",
            f"{worker['worker_peak_rss_mib']:.0f} MiB",
            "—",
            "—",
            "—",
            "—",
        )
    )
    rows += cold_page_rows(cold, warm)
    sizes = load.get("table_rows", {})
    lines = [
        f"Run of {dt.datetime.now().isoformat(timespec='minutes')} on {platform.node()} "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()}); seeded database: "
        + ", ".join(f"{name} ≈ {count:,}" for name, count in sorted(sizes.items())),
        "",
        "| benchmark | project | reference (same run) | ratio | target | |",
        "|---|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        f"The three load modes side by side ({load['tool']}, {load['workers']} gunicorn workers):",
        "",
        *load["table"],
        "",
        *crawl_lines(cold),
    ]
    Path(args.out).write_text("\n".join(lines))
    print("\n" + "\n".join(lines))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
