"""Import an agency from an archive made by export_agency (``portability.services``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from portability.services.common import PortabilityError
from portability.services.imports import agency_import


class Command(BaseCommand):
    help = (
        "Import an agency from a zip made by export_agency, in one transaction: into an empty "
        "installation or beside other agencies (rows get new ids). Nothing is written if any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The zip file made by export_agency.")
        parser.add_argument("--slug", default=None, help="Import under this slug instead of the archive's.")

    def handle(self, *args, **options):
        try:
            result = agency_import(archive=options["archive"], slug=options["slug"])
        except PortabilityError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.agency.name} as {result.agency.slug!r}: {sum(result.rows.values())} rows, "
                f"{len(result.users_created)} people created, {len(result.users_matched)} matched to existing "
                f"logins, {result.files} files."
            )
        )
