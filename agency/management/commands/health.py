"""The health report of ``GET /api/v1/health/`` on the command line, for container health checks,
systemd timers and people: exits 0 when every component asked for is ok, 1 otherwise, printing
each component's state and reason."""

from __future__ import annotations

import json as jsonlib
import socket

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agency.background import COMPONENTS, WORKER_STALE, Check, health_report

THIS_WORKER = "worker"  # a live worker on this host (a worker container's own check)


def this_host_worker() -> Check:
    from agency.models import Heartbeat

    host = socket.gethostname()
    seen = Heartbeat.objects.filter(
        role=Heartbeat.Role.WORKER,
        name__endswith=f"@{host}",
        stopped_at__isnull=True,
        seen_at__gte=timezone.now() - WORKER_STALE,
    ).values_list("name", flat=True)
    names = list(seen)
    if not names:
        return Check(False, f"no worker on {host} has shown a heartbeat for {int(WORKER_STALE.total_seconds())} s")
    return Check(True, details={"workers": names})


class Command(BaseCommand):
    requires_system_checks: list = []  # a health check runs often: only what it reports
    help = (
        "Check the database, the broker, the workers, the scheduler and the outbox; exit 1 when one "
        "is down or stalled. --only names some of them (comma-separated), or 'worker' for a live "
        "worker on this host."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", default="", help=f"components: {', '.join(COMPONENTS)}, or {THIS_WORKER}")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, only: str, **options):
        names = [name.strip() for name in only.split(",") if name.strip()] or list(COMPONENTS)
        unknown = sorted(set(names) - {*COMPONENTS, THIS_WORKER})
        if unknown:
            raise CommandError(
                f"Unknown component(s) {', '.join(unknown)}: choose from {', '.join(COMPONENTS)}, {THIS_WORKER}."
            )
        report = health_report(tuple(name for name in names if name != THIS_WORKER))
        if THIS_WORKER in names:
            report[THIS_WORKER] = this_host_worker().as_dict()
            if report[THIS_WORKER]["status"] != "ok":
                report["status"] = "unavailable"
        if options["json"]:
            self.stdout.write(_dumps(report))
        else:
            for name, part in report.items():
                if name != "status":
                    self.stdout.write(
                        f"{name}: {part['status']}{' (' + part['reason'] + ')' if part['reason'] else ''}"
                    )
        if report["status"] != "ok":
            raise SystemExit(1)


def _dumps(report: dict) -> str:
    return jsonlib.dumps(report, ensure_ascii=False, indent=2, default=str)
