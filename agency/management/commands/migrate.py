"""Django's ``migrate``, rendering each new model of a migration alone (agency.db.migration_state)."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from agency.db.migration_state import fast_model_creation


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        with fast_model_creation():
            return super().handle(*args, **options)
