"""The daily metric tables partitioned by month of their date, on PostgreSQL (docs/scaling.md,
"Partitioning the daily metric tables by month"; ``agency.partitions``).

Each table is rebuilt as ``PARTITION BY RANGE (date)``: a partition for every month that holds rows
and for the twelve ahead, a DEFAULT partition, the rows copied, the old table dropped and the new
one renamed in its place, its keys and indexes made again under their names (the primary key
``(agency_id, id, date)``), row-level security and grants as on every
tenant table. All in this migration's one transaction: writers wait for it, readers read the old
table until it commits. Django's model state is unchanged (the models stay managed: a later
``AddField``, ``AddIndex`` or ``AlterField`` on these tables works on a partitioned table too).
Elsewhere (SQLite) nothing is done. Reversible: the tables become plain again.
"""

from django.db import migrations

from agency.partitions import convert_to_monthly, convert_to_plain

TABLES = ("accounts_ops_accountdailymetric", "accounts_ops_videodailymetric")


def partition(apps, schema_editor):
    for table in TABLES:
        convert_to_monthly(schema_editor.connection, table, "date")


def unpartition(apps, schema_editor):
    for table in TABLES:
        convert_to_plain(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts_ops", "0009_one_inbox_conversations"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
