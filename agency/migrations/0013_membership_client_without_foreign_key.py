# A membership is a reference table once the database is distributed by agency (agency.distribution):
# a copy on every node, read at sign-in before an agency is chosen. A reference table cannot point
# at a distributed (tenant) table, so on PostgreSQL the foreign key constraint from
# agency_membership.client_id to the client table, which 0001 made and 0011 kept, is dropped. The
# client stays checked where it is written (Membership.clean: a client of the membership's agency)
# and the clients app deletes a client's people with the client. SQLite keeps it: nothing is
# distributed there.

from django.db import migrations

FOREIGN_KEYS = (
    "SELECT con.conname FROM pg_constraint con JOIN pg_class r ON r.oid = con.conrelid "
    "JOIN pg_namespace n ON n.oid = r.relnamespace "
    "WHERE n.nspname = current_schema() AND r.relname = 'agency_membership' AND con.contype = 'f' "
    "AND con.conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = r.oid AND attname = 'client_id')]"
)


def drop_client_foreign_key(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(FOREIGN_KEYS)
        for (name,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE agency_membership DROP CONSTRAINT {connection.ops.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("agency", "0012_pgcrypto_extension"),
    ]

    operations = [
        migrations.RunPython(drop_client_foreign_key, migrations.RunPython.noop, elidable=False),
    ]
