"""Recompute the rollups of the account daily metrics from the daily rows, for every agency or the
named ones (``--agency slug``): after a bulk load that bypassed the ingest service, or to check
them. Each agency in its own transaction, inside its own context.

    python manage.py rebuild_metric_rollups [--agency scale-0001 ...]
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from accounts_ops.services.metrics_rollups import rebuild_metric_rollups
from agency.models import Agency
from agency.tenancy import tenant_context


class Command(BaseCommand):
    help = "Recompute the account metric rollups from the daily rows (every agency, or --agency slug ...)."

    def add_arguments(self, parser):
        parser.add_argument("--agency", action="append", default=[], help="an agency's slug (repeatable)")

    def handle(self, *args, **options):
        agencies = Agency.objects.order_by("pk")
        if options["agency"]:
            agencies = agencies.filter(slug__in=options["agency"])
            missing = set(options["agency"]) - set(agencies.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No agency with the slug {', '.join(sorted(missing))}.")
        for agency in agencies:
            started = time.perf_counter()
            with tenant_context(agency):
                written = rebuild_metric_rollups()
            self.stdout.write(f"{agency.slug}: {written:,} rollup rows in {time.perf_counter() - started:.1f} s")
