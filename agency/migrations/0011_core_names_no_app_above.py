# The tenant core holds no relation to an app above it (issue 25). The database does not change:
# - a client person's client is kept by its id (the column client_id, with its index, its check
#   constraint and the foreign key constraint to the client table that 0001 made, all as they were);
#   the clients app registers its model and deletes a client's people with the client;
# - the conformance snapshots and reports belong to the reports app now (reports 0001), in the
#   tables they have always had.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agency", "0010_search_extensions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="membership",
                    name="membership_client_iff_client_role",
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="client",
                ),
                migrations.AddField(
                    model_name="membership",
                    name="client_id",
                    field=models.BigIntegerField(
                        blank=True,
                        db_index=True,
                        help_text="Only for client people: the client whose data they see.",
                        null=True,
                        verbose_name="client",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="membership",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("client_id__isnull", False), ("role__in", ["client_approver", "client_viewer"])),
                            models.Q(
                                models.Q(("role__in", ["client_approver", "client_viewer"]), _negated=True),
                                ("client_id__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="membership_client_iff_client_role",
                        violation_error_code="membership_client_iff_client_role",
                        violation_error_message="Client people are linked to one client, and staff to none.",
                    ),
                ),
                migrations.DeleteModel(name="ConformanceReport"),
                migrations.DeleteModel(name="ConformanceSnapshot"),
            ],
            database_operations=[],
        ),
    ]
