"""PostgreSQL row-level security: the second wall behind the application's scoping.

Every tenant table gets two policies, enabled and forced (so the table's owner is bound too):

- ``tenant_isolation`` (every role): rows are visible and writable only where agency_id equals
  the transaction-local setting app.agency_id (and, for client people, where the row's client is
  app.client_id, or, for a row whose client is its parent's, where the parent row's client is);
  with no agency set, nothing is visible and nothing can be written;
- ``all_agencies`` (the crossing role only, ``DATABASE_CROSSING_ROLE``): every row.

``NULLIF(current_setting(...), '')`` matters: a custom setting that was set locally once reads as
an empty string afterwards, not NULL. No setting opens the wall to every agency: a role that may
set any setting (the web role may: custom settings are anyone's) still reads one agency at a time
(which one, app.agency_id names, unsigned: docs/security.md). Only the crossing role crosses,
and the web role is not a member of it (``install`` refuses to go on if it is), so nothing the web
role sends (``SET ROLE``, ``set_config``, ``RESET``) makes it the crossing role.

The policies are (re)installed after every ``migrate`` (post_migrate), so tables added by later
migrations are covered without anyone remembering to. Before ``migrate`` (pre_migrate) the crossing
role is made if it is missing, and given data access to the tables the owner makes from then on,
so that data migrations can cross. When the application connects as its own role
(``DATABASE_URL``'s user differs from ``MIGRATION_DATABASE_URL``'s), that role and the crossing role
are granted data access, never ownership.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connections

POLICY = "tenant_isolation"
CROSSING_POLICY = "all_agencies"

AGENCY = "agency_id = NULLIF(current_setting('app.agency_id', true), '')::bigint"
NO_CLIENT_PERSON = "NULLIF(current_setting('app.client_id', true), '') IS NULL"
CLIENT = "{column} = NULLIF(current_setting('app.client_id', true), '')::bigint"


def tenant_tables() -> list[tuple[str, str]]:
    """(table, client condition) for every concrete tenant model."""
    from agency.models import TenantModel

    tables = []
    for model in apps.get_models():
        if not issubclass(model, TenantModel) or model._meta.abstract or model._meta.proxy:
            continue
        path = model.tenant_client_path
        columns = {f.column for f in model._meta.concrete_fields}
        if path is None:
            client = NO_CLIENT_PERSON  # agency-internal rows: client people see none
        elif path == "pk":
            client = f"({NO_CLIENT_PERSON} OR {CLIENT.format(column=model._meta.pk.column)})"
        elif path in columns:
            client = f"({NO_CLIENT_PERSON} OR {CLIENT.format(column=path)})"
        else:
            client = f"({NO_CLIENT_PERSON} OR {_client_through(model, path)})"
        tables.append((model._meta.db_table, client))
    return tables


def _client_through(model, path: str) -> str:
    """The client condition of a row whose client is its parent's (``asset__client_id``): the
    parent row, itself bound by its own policy, belongs to the client person's client."""
    relation, _sep, column = path.partition("__")
    field = model._meta.get_field(relation)
    parent = field.related_model._meta
    if "__" in column or column not in {f.column for f in parent.concrete_fields}:
        raise ValueError(f"{model.__name__}.tenant_client_path {path!r}: one relation, then the parent's client column")
    return (
        f'EXISTS (SELECT 1 FROM "{parent.db_table}" parent WHERE parent."{parent.pk.column}" = "{field.column}" '
        f"AND {CLIENT.format(column='parent.' + column)})"
    )


def policy_expression(client_condition: str) -> str:
    return f"({AGENCY}) AND {client_condition}"


def is_owner(connection) -> bool:
    """False when connected as a role other than the tables' owner (``flush`` re-sends
    post_migrate in tests): the policies were installed by the owner at migrate time."""
    if not settings.DATABASE_APP_ROLE:
        return True
    import dj_database_url

    return connection.settings_dict["USER"] == dj_database_url.parse(settings.MIGRATION_DATABASE_URL)["USER"]


class CrossingRoleMisconfigured(RuntimeError):
    """The web role could become the crossing role, or the crossing role is missing."""


def ensure_crossing_role(cursor, connection) -> str:
    """Make the crossing role if it is missing (a login with no password: the deployer gives it
    one), and refuse a web role that could become it. Returns the role, quoted."""
    crossing = settings.DATABASE_CROSSING_ROLE
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [crossing])
    if cursor.fetchone() is None:
        cursor.execute(
            f"CREATE ROLE {connection.ops.quote_name(crossing)} "
            "LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
        )
    app_role = settings.DATABASE_APP_ROLE
    if app_role:
        cursor.execute(
            "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(r.oid, c.oid, 'MEMBER') "
            "FROM pg_roles r, pg_roles c WHERE r.rolname = %s AND c.rolname = %s",
            [app_role, crossing],
        )
        row = cursor.fetchone()
        if row is not None and row[0]:
            raise CrossingRoleMisconfigured(
                f"The application's role {app_role} can become the crossing role {crossing} (or is a superuser, "
                f"or bypasses row-level security): revoke that, so that nothing the web role sends reads another "
                f"agency (docs/security.md)."
            )
    return connection.ops.quote_name(crossing)


def prepare(using: str = "default") -> None:
    """Before ``migrate``: the crossing role exists, and may read and write the tables the owner
    makes from now on (a data migration crosses agencies as it)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not is_owner(connection):
        return
    with connection.cursor() as cursor:
        crossing = ensure_crossing_role(cursor, connection)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {crossing}")
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {crossing}"
        )
        cursor.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {crossing}")


def install(using: str = "default") -> int:
    connection = connections[using]
    if connection.vendor != "postgresql" or not is_owner(connection):
        return 0
    tables = tenant_tables()
    with connection.cursor() as cursor:
        crossing = ensure_crossing_role(cursor, connection)
        for table, client in tables:
            quoted = connection.ops.quote_name(table)
            expression = policy_expression(client)
            cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quoted}")
            cursor.execute(f"CREATE POLICY {POLICY} ON {quoted} USING ({expression}) WITH CHECK ({expression})")
            cursor.execute(f"DROP POLICY IF EXISTS {CROSSING_POLICY} ON {quoted}")
            cursor.execute(f"CREATE POLICY {CROSSING_POLICY} ON {quoted} TO {crossing} USING (true) WITH CHECK (true)")
        roles = [crossing]
        if settings.DATABASE_APP_ROLE:
            roles.append(connection.ops.quote_name(settings.DATABASE_APP_ROLE))
        for role in roles:
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return len(tables)


def on_pre_migrate(sender, using="default", **kwargs) -> None:
    prepare(using)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    install(using)
