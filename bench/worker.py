"""Memory of a Celery worker after the 7.3 persona job, on the seeded database.

    DATABASE_URL=postgres://agency_app@127.0.0.1:5432/<seeded> REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/worker.py [--prefix scale]

It starts one Celery worker (solo pool: the process that runs the tasks is the one measured),
forgets the persona reports of the latest period of the seeded agencies (so the job has its full
work to do), queues ``persona_reports_task`` for every seeded agency as beat would, waits until
every report is built, and prints the time it took and the worker's peak resident memory (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from bench.load import peak_rss_kib  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prefix", default="scale", help="the seeded agencies' slug prefix")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds to wait for the job")
    parser.add_argument("--json", default="", help="also write the figures to this file (for python -m bench)")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the job runs in a real worker.")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

    import django

    django.setup()
    from django.db import transaction

    from accounts_ops.models import AudiencePersonaReport
    from accounts_ops.services.audience import active_account_ids, persona_period
    from accounts_ops.tasks import persona_reports_task
    from agency.celery import app
    from agency.tenancy import tenant_context
    from demo.services.scale import all_scale_agencies

    agencies = all_scale_agencies(args.prefix)
    if not agencies:
        sys.exit(f"No agencies {args.prefix}-NNNN: fill the database with `manage.py seed_scale` first.")
    expected = 0
    periods = {}
    for agency in agencies:
        start, end = persona_period(agency, agency.today())
        periods[agency.pk] = (start, end)
        with tenant_context(agency, channel="command"), transaction.atomic():
            AudiencePersonaReport.objects.filter(period_start=start, period_end=end).delete()
            expected += len(active_account_ids())
    app.control.purge()

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "agency", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "false"},
    )
    try:
        time.sleep(3)
        started = time.perf_counter()
        for agency in agencies:
            persona_reports_task.delay(agency_id=agency.pk)
        built = 0
        while time.perf_counter() - started < args.timeout:
            built = 0
            for agency in agencies:
                start, end = periods[agency.pk]
                with tenant_context(agency), transaction.atomic():
                    built += AudiencePersonaReport.objects.filter(period_start=start, period_end=end).count()
            if built >= expected:
                break
            time.sleep(1)
        elapsed = time.perf_counter() - started
        peak = peak_rss_kib(worker.pid) / 1024
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    print(
        f"  persona job in one worker: {built:,} of {expected:,} reports of {len(agencies)} agencies "
        f"in {elapsed:.1f} s; worker peak RSS {peak:.0f} MiB"
    )
    if args.json:
        figures = {"agencies": len(agencies), "reports": built, "expected": expected, "seconds": elapsed}
        Path(args.json).write_text(json.dumps({**figures, "worker_peak_rss_mib": peak}))


if __name__ == "__main__":
    main()
