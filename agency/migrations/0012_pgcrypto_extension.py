# Row-level security accepts the agency a transaction names only with its HMAC (agency.rls), which
# the policies' definer functions check with pgcrypto's hmac(): a trusted extension of PostgreSQL's
# contrib, created by the owner role that runs migrations; nothing is done on SQLite.

from django.contrib.postgres.operations import CryptoExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agency", "0011_core_names_no_app_above"),
    ]

    operations = [
        CryptoExtension(),
    ]
