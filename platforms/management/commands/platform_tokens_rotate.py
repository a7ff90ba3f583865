"""Re-encrypt every platform token with the first key of ``PLATFORM_TOKEN_KEYS``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agency.db.routers import crossing_alias
from agency.tenancy import dangerously_all_agencies
from platforms import crypto
from platforms.models import ConnectionSecret

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored platform token with the first key of PLATFORM_TOKEN_KEYS (every agency). "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys."
    )

    def handle(self, *args, **options):
        done = 0
        unreadable = []
        # Every agency's tokens: the named escape hatch, for this platform-wide key rotation only.
        with dangerously_all_agencies():
            ids = list(ConnectionSecret.dangerously_all_agencies.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                with transaction.atomic(using=crossing_alias()):  # the crossing role's connection
                    rows = ConnectionSecret.dangerously_all_agencies.select_for_update().filter(
                        pk__in=ids[start : start + BATCH]
                    )
                    for secret in rows:
                        try:
                            access, refresh = crypto.reseal(secret.access_token), crypto.reseal(secret.refresh_token)
                        except crypto.TokenUnreadable:
                            unreadable.append(secret.connection_id)
                            continue
                        ConnectionSecret.dangerously_all_agencies.filter(pk=secret.pk).update(
                            access_token=access, refresh_token=refresh
                        )
                        done += 1
        self.stdout.write(f"Re-encrypted the tokens of {done} connection(s) with the first key.")
        if unreadable:
            raise CommandError(
                "No configured key decrypts the tokens of connection(s) "
                f"{', '.join(map(str, unreadable))}: keep the key that wrote them in PLATFORM_TOKEN_KEYS."
            )
