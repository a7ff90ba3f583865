"""The daily metric tables' DEFAULT partition replaced by two open-ended edge partitions, on
PostgreSQL (docs/scaling.md, "Partitioning the daily metric tables by month"; ``agency.partitions``).

With DEFAULT, PostgreSQL cannot read the partitions in date order (DEFAULT may hold any date), so a
newest-first page merged every month. Instead, ``<table>_pbefore`` takes every date before the first
month partition and ``<table>_pafter`` every date after the last month ahead: the bounds are
contiguous, no row is refused, and the partitions are read in order. In this migration's one
transaction, per table (``convert_to_edges``): DEFAULT detached (and any month partition beyond the
months ahead, folded into the upper edge), every month between the first and the last ahead made,
the edges made, DEFAULT's rows moved to their month or an edge, row-level security and grants on
every new partition. A database whose ``0010`` ran with this code has the edges already: nothing is
done. Elsewhere (SQLite) nothing is done. Reversible (``convert_to_default``): the edges' rows go
to a DEFAULT partition again (or to their month's partition).
"""

from django.db import migrations

from agency.partitions import convert_to_default, convert_to_edges

TABLES = ("accounts_ops_accountdailymetric", "accounts_ops_videodailymetric")


def to_edges(apps, schema_editor):
    for table in TABLES:
        convert_to_edges(schema_editor.connection, table, "date")


def to_default(apps, schema_editor):
    for table in TABLES:
        convert_to_default(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts_ops", "0010_monthly_metric_partitions"),
    ]

    operations = [migrations.RunPython(to_edges, to_default, elidable=False)]
