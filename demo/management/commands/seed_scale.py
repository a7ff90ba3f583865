"""Fill the database at agency-network scale through the bulk paths (``demo.services.scale``).

    python manage.py seed_scale                   # the planned network: 100 agencies, 15,000 accounts
    python manage.py seed_scale --agencies 10     # a tenth of it, same shape per agency

Prints the rows made and the time spent per part. Refuses to run when agencies with the same
slugs exist (seed into a fresh database, or choose another --prefix)."""

from __future__ import annotations

from dataclasses import fields

from django.core.management.base import BaseCommand, CommandError

from demo.services.scale import Sizes, seed


class Command(BaseCommand):
    help = "Fill the database at agency-network scale (bulk paths, inside each agency's context)."

    def add_arguments(self, parser):
        for item in fields(Sizes):
            parser.add_argument(
                f"--{item.name.replace('_', '-')}",
                type=int,
                default=item.default,
                help=f"default {item.default}",
            )
        parser.add_argument("--prefix", default="scale", help="agency slugs are <prefix>-0001, ...")
        parser.add_argument("--seed", type=int, default=11, help="random seed (the same seed makes the same rows)")

    def handle(self, *args, **options):
        try:
            sizes = Sizes(**{item.name: options[item.name] for item in fields(Sizes)})
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Seeding {sizes.agencies} agencies × {sizes.clients_per_agency} clients × "
            f"{sizes.accounts_per_client} accounts = {sizes.accounts:,} accounts"
        )
        try:
            report = seed(sizes, prefix=options["prefix"], seed_value=options["seed"], progress=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        width = max(len(name) for name in report.parts)
        self.stdout.write(f"{'part':<{width}}  {'rows':>12}  {'seconds':>8}  {'rows/s':>10}")
        for name, part in report.parts.items():
            rate = part.rows / part.seconds if part.seconds else 0
            self.stdout.write(f"{name:<{width}}  {part.rows:>12,}  {part.seconds:>8.1f}  {rate:>10,.0f}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.rows:,} rows in {len(report.agencies)} agencies in {report.seconds:,.1f} s "
                f"(people: {options['prefix']}-NNNN-admin and {options['prefix']}-NNNN-viewer, API tokens only)"
            )
        )
