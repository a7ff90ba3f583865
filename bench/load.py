"""Load benchmark: the client dashboard, the agency overview and the account metrics list under
load, beside the trivial health endpoint of the same server under the same load, in one run, in
three modes side by side: the answer cache off (every answer computed: the cold path), on, and on
while the agency is written to every second (``mixed``: ``bench/mixed.py`` ingests today's figures,
a sync's video figures, a reply and a handled comment), with the share of answers the cache served.

    DATABASE_URL=postgres://agency_app@127.0.0.1:5432/<seeded> .venv/bin/python bench/load.py \
        [--connections 16] [--duration 10] [--workers 2] [--agency scale-0001] [--modes off,on,mixed] \
        [--tool auto|wrk|python]

It needs a database filled by ``manage.py seed_scale``, Redis, and ``wrk`` (Debian: ``apt-get
install wrk``) or, without it, the Python load generator ``bench/loadgen.py`` (the same figures;
it costs more CPU per request, on the same machine, for the reference as for the endpoints). It
gathers the planner's statistics first (``ANALYZE``, as ``bench/cold_pages.py`` does). Per
mode it starts gunicorn (``--workers`` sync workers, DEBUG off, ``ANSWER_CACHE`` as the mode
says) on a free local port, signs in with API tokens of the seeded agency's admin (with a two-step
device set up, as an agency admin must have) and client viewer, warms every endpoint up, then
loads each endpoint in turn with the same connections and duration. The reference (the health
endpoint: gunicorn, Django, DRF and one database round trip) runs before and after every
endpoint, and each endpoint is compared with the mean of its two neighbours, so that a shared
machine that gets busier or quieter during the run favours neither side. The answers served and
computed are counted by the answer cache (``ANSWER_CACHE_STATS``). Afterwards it reads the peak
resident memory (VmHWM) of every web worker and stops the server. Timings are printed, never
asserted.

Targets (issues 11 and 23): a dashboard serves at least 0.30 × the reference's requests/s, with a
p95 latency under 50 ms at 16 connections, with the cache off, and in the mixed workload.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cold_pages import gather_statistics  # noqa: E402 (after the project's folder is on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

TARGET_RATIO = 0.30  # of the trivial endpoint's requests/s
TARGET_P95_MS = 50  # at 16 connections

WRK_SCRIPT = """
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, \\"non2xx\\": %d, " ..
    "\\"p50_us\\": %d, \\"p95_us\\": %d, \\"p99_us\\": %d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def get(url: str, auth: str = "") -> int:
    request = urllib.request.Request(url, headers={"Authorization": auth} if auth else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status


def drain(health_url: str) -> None:
    """Wait until the workers have answered what the last run left queued (a slow endpoint leaves
    up to one request per connection behind), so that it does not count against the next run."""
    for _ in range(100):
        started = time.perf_counter()
        get(health_url)
        if time.perf_counter() - started < 0.05:
            return
        time.sleep(0.2)


def wrk(url: str, auth: str, *, connections: int, duration: int, threads: int, script: str) -> dict:
    env = {**os.environ, "BENCH_AUTH": auth}
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        script,
        url,
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def setup_people(agency_slug: str) -> dict:
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agency.models import Agency, Membership
    from agency.roles import Role
    from agency.tokens import issue_personal

    agency = Agency.objects.filter(slug=agency_slug).first()
    if agency is None:
        sys.exit(f"No agency {agency_slug!r}: fill the database with `manage.py seed_scale` first.")
    admin = Membership.objects.select_related("user").get(agency=agency, role=Role.AGENCY_ADMIN)
    viewer = Membership.objects.select_related("user").get(agency=agency, role=Role.CLIENT_VIEWER)
    # An agency admin signs in with two steps: the admin's API token answers once a device is set up.
    TOTPDevice.objects.get_or_create(user=admin.user, confirmed=True, defaults={"name": "load test"})
    return {
        "agency": agency.slug,
        "admin": "Token " + issue_personal(user=admin.user, name="load test")[1],
        "viewer": "Token " + issue_personal(user=viewer.user, name="load test")[1],
        "client": viewer.client_id,
    }


def database_size() -> dict:
    """Rows of the big tables, from the planner's statistics (a count would scan them)."""
    import psycopg

    url = os.environ.get("MIGRATION_DATABASE_URL") or os.environ["DATABASE_URL"]
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname IN "
            "('accounts_ops_accountdailymetric', 'accounts_ops_videodailymetric', 'clients_platformaccount', "
            "'agency_agency')"
        ).fetchall()
    return dict(rows)


MODES = {
    "off": "answer cache off (every answer computed)",
    "on": "answer cache on",
    "mixed": "answer cache on, with writes into the agency every second",
}


def measure(mode: str, args, people: dict, script: str | None) -> dict:
    """One server (answer cache on or off), the endpoints each between two reference runs; for
    ``mixed``, the writes of ``bench/mixed.py`` into the same agency all along."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    endpoints = {
        "health (reference)": (f"{base}/api/v1/health/node/", ""),
        "client dashboard": (f"{base}/api/v1/clients/{people['client']}/dashboard/", people["viewer"]),
        "agency overview": (f"{base}/api/v1/clients/overview/", people["admin"]),
        "account metrics list": (f"{base}/api/v1/account-daily-metrics/", people["admin"]),
    }
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DATABASE_CONN_MAX_AGE": "600",
        "DJANGO_LOG_LEVEL": "WARNING",
        "ANSWER_CACHE": "false" if mode == "off" else "true",
        "ANSWER_CACHE_STATS": "true",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:project.gunicorn",  # as in production: what the workers load is frozen
            "project.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    writer = None
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        writes_file = handle.name
    results: dict = {"mode": mode, "describe": MODES[mode]}
    try:
        for _ in range(300):
            try:
                if get(endpoints["health (reference)"][0]) == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not answer within a minute")
        for url, auth in endpoints.values():  # warm every worker's connections and caches
            for _ in range(4 * args.workers):
                status = get(url, auth)
                if status != 200:
                    sys.exit(f"{url} answered {status}")
        if mode == "mixed":
            writer = subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "mixed.py"), "--agency", people["agency"], "--json", writes_file],
                cwd=ROOT,
                env={**env, "ANSWER_CACHE": "true"},
            )
            time.sleep(2)  # its first writes
        answer_stats(reset=True)
        # The reference runs before and after every endpoint; each endpoint is compared with the
        # mean of its two neighbours, so a machine that gets busier or quieter favours neither.
        reference_name = "health (reference)"
        order = [reference_name]
        for name in endpoints:
            if name != reference_name:
                order += [name, reference_name]
        runs = []
        hits = {}
        for name in order:
            url, auth = endpoints[name]
            answer_stats(reset=True)
            figures = run_load(url, auth, args=args, script=script)
            if name != reference_name:
                hits[name] = answer_stats(reset=True)
            runs.append((name, figures))
            drain(endpoints[reference_name][0])
            print(
                f"  [{mode}] {name:<22} {figures['rps']:8.1f} req/s   p50 {figures['p50_us'] / 1000:7.1f} ms   "
                f"p95 {figures['p95_us'] / 1000:7.1f} ms   p99 {figures['p99_us'] / 1000:7.1f} ms   "
                f"errors {figures['errors']}   non-2xx {figures['non2xx']}",
                flush=True,
            )
        workers = children(server.pid)
        results["web_worker_peak_rss_mib"] = max(peak_rss_kib(pid) for pid in workers) / 1024
    finally:
        if writer is not None:
            writer.send_signal(signal.SIGTERM)
            writer.wait(timeout=60)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if writer is not None and Path(writes_file).stat().st_size:
        results["writes"] = json.loads(Path(writes_file).read_text())
    os.unlink(writes_file)

    results["reference_runs_rps"] = [figures["rps"] for name, figures in runs if name == reference_name]
    results["endpoints"] = {}
    for index in range(1, len(runs), 2):
        name, figures = runs[index]
        reference_rps = (runs[index - 1][1]["rps"] + runs[index + 1][1]["rps"]) / 2
        ratio = figures["rps"] / reference_rps
        p95_ms = figures["p95_us"] / 1000
        met = ratio >= TARGET_RATIO and p95_ms < TARGET_P95_MS and not figures["non2xx"]
        counted = hits.get(name, {})
        total = counted.get("served", 0) + counted.get("computed", 0)
        hit_rate = counted.get("served", 0) / total if total and mode != "off" else None
        results["endpoints"][name] = {
            **figures,
            "reference_rps": reference_rps,
            "ratio": ratio,
            "met": met,
            "hit_rate": hit_rate,
        }
    return results


def answer_stats(reset: bool = False) -> dict:
    from agency import answer_cache

    return answer_cache.stats(reset=reset)


def run_load(url: str, auth: str, *, args, script: str | None) -> dict:
    if script is not None:
        return wrk(url, auth, connections=args.connections, duration=args.duration, threads=args.threads, script=script)
    from bench.loadgen import load

    figures = load(url, auth, connections=args.connections, duration=args.duration, threads=args.threads)
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def side_by_side(modes: dict) -> list[str]:
    """The endpoints' figures of every mode in one table (markdown)."""
    names = list(next(iter(modes.values()))["endpoints"])
    head = "| endpoint | " + " | ".join(MODES[mode] for mode in modes) + " |"
    lines = [head, "|---|" + "---|" * len(modes)]
    for name in names:
        cells = []
        for result in modes.values():
            figures = result["endpoints"][name]
            cell = (
                f"{figures['rps']:.0f} req/s = {figures['ratio']:.2f} × health ({figures['reference_rps']:.0f}), "
                f"p95 {figures['p95_us'] / 1000:.1f} ms, {'met' if figures['met'] else 'NOT met'}"
            )
            if figures.get("hit_rate") is not None:
                cell += f", hit rate {figures['hit_rate']:.0%}"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (load generator processes)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--agency", default="scale-0001", help="the seeded agency whose people sign in")
    parser.add_argument("--modes", default="off,on,mixed", help="answer cache off, on, on with writes (mixed)")
    parser.add_argument(
        "--tool", choices=("auto", "wrk", "python"), default="auto", help="wrk, or the Python load generator"
    )
    parser.add_argument("--json", default="", help="also write the figures to this file (for python -m bench)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the seeded PostgreSQL database (the application's role).")
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        sys.exit(f"Unknown modes {unknown}: choose among {', '.join(MODES)}.")
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")

    people = setup_people(args.agency)
    if gather_statistics():  # a freshly seeded database has none, and its queries are planned for empty tables
        print("planner statistics gathered (ANALYZE)", flush=True)
    script = None
    if tool == "wrk":
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(WRK_SCRIPT)
            script = handle.name
    results: dict = {
        "agency": people["agency"],
        "connections": args.connections,
        "duration_s": args.duration,
        "tool": tool,
        "workers": args.workers,
        "modes": {},
    }
    try:
        for mode in modes:
            print(f"{MODES[mode]} ({tool}, {args.connections} connections, {args.duration} s per run):", flush=True)
            results["modes"][mode] = measure(mode, args, people, script)
    finally:
        if script:
            os.unlink(script)
    first = results["modes"][modes[0]]
    results["endpoints"] = first["endpoints"]  # the first mode's (cache off by default): the targets' figures
    results["web_worker_peak_rss_mib"] = max(result["web_worker_peak_rss_mib"] for result in results["modes"].values())
    for mode, result in results["modes"].items():
        for name, figures in result["endpoints"].items():
            p95_ms = figures["p95_us"] / 1000
            print(
                f"[{mode}] {name}: {figures['rps']:.1f} req/s = {figures['ratio']:.2f} × the reference's "
                f"{figures['reference_rps']:.1f} (target ≥ {TARGET_RATIO}), p95 {p95_ms:.1f} ms (target < "
                f"{TARGET_P95_MS} ms): {'met' if figures['met'] else 'NOT met'}"
                + (f", hit rate {figures['hit_rate']:.0%}" if figures.get("hit_rate") is not None else "")
            )
        if "writes" in result:
            print(f"[{mode}] writes during the run: {json.dumps(result['writes'])}")
    results["table"] = side_by_side(results["modes"])
    print("\n".join(results["table"]))
    print(f"web worker peak RSS after the load: {results['web_worker_peak_rss_mib']:.0f} MiB")
    results["table_rows"] = database_size()
    if args.json:
        Path(args.json).write_text(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
