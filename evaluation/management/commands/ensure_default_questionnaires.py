"""Give every active agency the product's default questionnaire (clause 10.1). Idempotent: an
agency that has a default keeps it; running it again changes nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from agency.models import Agency
from agency.tenancy import tenant_context
from evaluation.services.questionnaires import questionnaire_ensure_default


class Command(BaseCommand):
    help = "Create and publish the default evaluation questionnaire for every agency that has none."

    def handle(self, *args, **options):
        for agency in Agency.objects.filter(is_active=True).order_by("pk"):
            with tenant_context(agency):
                try:
                    template = questionnaire_ensure_default()
                except ValidationError as exc:
                    self.stderr.write(f"{agency.slug}: {' '.join(exc.messages)}")
                    continue
            self.stdout.write(f"{agency.slug}: {template} (v{template.version})")
