"""Write one agency's data and files to a zip archive (``portability.services``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agency.models import Agency
from portability.services.common import PortabilityError
from portability.services.exports import agency_export


class Command(BaseCommand):
    help = "Export all of one agency's data and files as a zip of JSON (import it with import_agency)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The agency's slug.")
        parser.add_argument("--output", required=True, help="The zip file to write.")

    def handle(self, *args, **options):
        agency = Agency.objects.filter(slug=options["slug"]).first()
        if agency is None:
            raise CommandError(f"No agency with the slug {options['slug']!r}.")
        try:
            result = agency_export(agency=agency, output=options["output"])
        except PortabilityError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc.strerror or exc}.") from exc
        manifest = result.manifest
        rows = sum(entry["rows"] for entry in manifest["models"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {agency.name} ({agency.slug}) to {result.path}: {rows} rows in "
                f"{len(manifest['models'])} tables, {manifest['users']} people, {manifest['files']} files."
            )
        )
