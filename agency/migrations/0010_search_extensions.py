# The search (issue 22) finds text by any part of a word: pg_trgm's trigram operator classes, and
# btree_gin's for the agency id, so that one GIN index holds the agency first and then the text
# (agency.db.indexes.TrigramIndex). Both are trusted extensions of PostgreSQL's contrib, created by
# the owner role that runs migrations; nothing is done on SQLite.

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agency", "0009_api_tokens"),
    ]

    operations = [
        TrigramExtension(),
        BtreeGinExtension(),
    ]
