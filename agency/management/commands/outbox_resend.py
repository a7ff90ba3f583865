"""Send again the tasks the outbox sent since a given time (after Redis lost its queue)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agency.outbox import KEEP_SENT, outbox_resend


def parse_since(value: str) -> dt.datetime:
    """An ISO date or date and time; without a zone, in the installation's time zone."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--since {value!r} is not a date or time such as 2026-11-26T10:00.") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Mark the tasks sent since --since as unsent, so the outbox relay sends them again within a "
        "minute. For after Redis lost tasks it had queued (a restore, a crash without its append-only "
        f"file). Sent tasks are kept {KEEP_SENT.days} days. Safe: every task is idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="ISO date or time, e.g. 2026-11-26T10:00 (local time).")
        parser.add_argument("--task", default="", help="Only this task, e.g. records.tasks.report_build_task.")

    def handle(self, *args, **options):
        since = parse_since(options["since"])
        try:
            count = outbox_resend(since=since, task=options["task"])
        except ValueError as exc:
            raise CommandError(f"--since {options['since']}: {exc}") from exc
        self.stdout.write(f"{count} task(s) sent since {since.isoformat()} will be sent again by the relay.")
