"""Print every clause of the standard with its status for one client and period."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agency.conformance import Period, Status, evaluate
from agency.tenancy import dangerously_all_agencies, tenant_context
from clients.models import Client


class Command(BaseCommand):
    help = "Evaluate every clause of T/CASME for a client: met, not met, not applicable or not implemented."

    def add_arguments(self, parser):
        parser.add_argument("--client", type=int, required=True, help="The client's id.")
        parser.add_argument(
            "--period", default="", help="YYYY, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (default: this month)."
        )
        parser.add_argument("--evidence", action="store_true", help="List the evidence behind each status.")

    def handle(self, *args, **options):
        with dangerously_all_agencies():  # find the client's agency, then work inside it
            client = Client.dangerously_all_agencies.select_related("agency").filter(pk=options["client"]).first()
        if client is None:
            raise CommandError(f"No client with id {options['client']}.")
        try:
            if options["period"]:
                period = Period.parse(options["period"])
            else:
                today = client.agency.today()
                period = Period.month(today.year, today.month)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with tenant_context(client.agency, channel="command"):
            results = evaluate(client, period)
        self.stdout.write(f"{client.name} ({client.agency.name}) · {period}")
        styles = {
            Status.MET: self.style.SUCCESS,
            Status.NOT_MET: self.style.ERROR,
            Status.NOT_IMPLEMENTED: self.style.WARNING,
        }
        for row in results:
            style = styles.get(row.status, str)
            self.stdout.write(f"{row.clause_id:<5} {style(row.status):<16} {row.title} — {row.summary}")
            if options["evidence"]:
                for item in row.evidence:
                    self.stdout.write(f"        · {item.label}")
