"""PostgreSQL row-level security: the second wall behind the application's scoping.

Every tenant table gets one policy, enabled and forced (so the table's owner is bound too):

    rows are visible and writable only where agency_id equals the transaction-local setting
    app.agency_id (and, for client people, where the row's client is app.client_id, or, for a row
    whose client is its parent's, where the parent row's client is);
    with no agency set, nothing is visible and nothing can be written.

``NULLIF(current_setting(...), '')`` matters: a custom setting that was set locally once reads as
an empty string afterwards, not NULL. The one exception is app.all_agencies = 'on', which the
database backend sets only for statements made through the named escape hatch.

The policies are (re)installed after every ``migrate`` (post_migrate), so tables added by later
migrations are covered without anyone remembering to. When the application connects as its own
role (``DATABASE_URL``'s user differs from ``MIGRATION_DATABASE_URL``'s), that role is granted
data access, never ownership.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connections

POLICY = "tenant_isolation"

AGENCY = "agency_id = NULLIF(current_setting('app.agency_id', true), '')::bigint"
ALL_AGENCIES = "coalesce(current_setting('app.all_agencies', true), '') = 'on'"
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
    return f"({ALL_AGENCIES}) OR (({AGENCY}) AND {client_condition})"


def is_owner(connection) -> bool:
    """False when connected as the application's role (``flush`` re-sends post_migrate in
    tests): the policies were installed by the owner at migrate time."""
    return not settings.DATABASE_APP_ROLE or connection.settings_dict["USER"] != settings.DATABASE_APP_ROLE


def install(using: str = "default") -> int:
    connection = connections[using]
    if connection.vendor != "postgresql" or not is_owner(connection):
        return 0
    tables = tenant_tables()
    app_role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        for table, client in tables:
            quoted = connection.ops.quote_name(table)
            expression = policy_expression(client)
            cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quoted}")
            cursor.execute(f"CREATE POLICY {POLICY} ON {quoted} USING ({expression}) WITH CHECK ({expression})")
        if app_role:
            role = connection.ops.quote_name(app_role)
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return len(tables)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    install(using)
