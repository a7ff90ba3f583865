"""PostgreSQL row-level security: the second wall behind the application's scoping.

Every tenant table gets two policies, enabled and forced (so the table's owner is bound too):

- ``tenant_isolation`` (every role): rows are visible and writable only where agency_id is the
  agency the transaction names (and, for client people, where the row's client is the client it
  names, or, for a row whose client is its parent's, where the parent row's client is); with no
  agency named, nothing is visible and nothing can be written;
- ``all_agencies`` (the crossing role only, ``DATABASE_CROSSING_ROLE``): every row.

The transaction names its agency and client in the transaction-local settings app.agency_id and
app.client_id, which any role may set, so the policies do not read them as they are: they read
``tenant_wall.app_agency()`` and ``tenant_wall.app_client()``, which return them only when
app.tenant_mac is their HMAC-SHA256 under ``TENANT_CONTEXT_KEY`` (``sign``), and NULL otherwise
(nothing is visible). The functions run as the tables' owner (SECURITY DEFINER, search path fixed)
and read the key from ``tenant_wall.context_key``; the web role has no access to the schema
``tenant_wall`` at all (neither the table nor the functions: a policy's functions are looked up
when the owner makes it), so a session sending SQL of its own can name another agency but cannot
sign it, nor replay one agency's MAC for another. ``migrate`` writes the key there; a process
holding another key refuses to start (``check_context_key``). Each policy calls them in a sub-select
(``(SELECT tenant_wall.app_agency())``), an init plan evaluated once per statement, not per row.

``NULLIF(current_setting(...), '')`` matters: a custom setting that was set locally once reads as
an empty string afterwards, not NULL. No setting opens the wall to every agency. Only the crossing
role crosses, and the web role is not a member of it (``install`` refuses to go on if it is), so
nothing the web role sends (``SET ROLE``, ``set_config``, ``RESET``) makes it the crossing role.

The policies are (re)installed after every ``migrate`` (post_migrate), so tables added by later
migrations are covered without anyone remembering to. Before ``migrate`` (pre_migrate) the crossing
role is made if it is missing, and given data access to the tables the owner makes from then on,
so that data migrations can cross. When the application connects as its own role
(``DATABASE_URL``'s user differs from ``MIGRATION_DATABASE_URL``'s), that role and the crossing role
are granted data access, never ownership.
"""

from __future__ import annotations

import hashlib
import hmac

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

POLICY = "tenant_isolation"
CROSSING_POLICY = "all_agencies"

WALL_SCHEMA = "tenant_wall"
AGENCY = f"agency_id = (SELECT {WALL_SCHEMA}.app_agency())"
NO_CLIENT_PERSON = f"(SELECT {WALL_SCHEMA}.app_client()) IS NULL"
CLIENT = "{column} = (SELECT " + WALL_SCHEMA + ".app_client())"
# What the web role may ask of the key: whether a fingerprint of it is the stored one.
KEY_CHECK_FUNCTION = "agency_tenant_context_key_matches"
KEY_CHECK_MESSAGE = "agency.rls key check"


def context_message(agency_id: str, client_id: str) -> str:
    """What the MAC covers: the agency and the client (both '' or decimal ids), as SQL joins them."""
    return f"{agency_id}|{client_id}"


def sign(agency_id: str, client_id: str) -> str:
    """The MAC the policies want in app.tenant_mac beside ``agency_id`` and ``client_id``."""
    key = settings.TENANT_CONTEXT_KEY.encode()
    return hmac.new(key, context_message(agency_id, client_id).encode(), hashlib.sha256).hexdigest()


def key_fingerprint() -> str:
    key = settings.TENANT_CONTEXT_KEY.encode()
    return hmac.new(key, KEY_CHECK_MESSAGE.encode(), hashlib.sha256).hexdigest()


class TenantContextKeyMismatch(ImproperlyConfigured):
    """This process signs the tenant context with another key than the one ``migrate`` stored."""


def check_context_key(connection) -> None:
    """Refuse to go on when the key this process holds is not the stored one: every policy would
    read nothing. Run once per process and connection alias, as the web role."""
    try:
        with connection.connection.cursor() as cursor:
            cursor.execute(f"SELECT public.{KEY_CHECK_FUNCTION}(%s)", [key_fingerprint()])
            matches = cursor.fetchone()[0]
    except Exception as error:  # the function is missing: migrate has not run since
        raise TenantContextKeyMismatch(
            f"The database has no tenant context key ({error}): run `manage.py migrate` (as MIGRATION_DATABASE_URL's "
            f"owner), which stores TENANT_CONTEXT_KEY (docs/security.md)."
        ) from error
    finally:
        if not connection.connection.autocommit:
            connection.connection.rollback()
    if not matches:
        raise TenantContextKeyMismatch(
            "TENANT_CONTEXT_KEY (or, unset, the one derived from DJANGO_SECRET_KEY) differs from the key `migrate` "
            "stored in the database, so row-level security would show this process nothing: give every process the "
            "same key and run `manage.py migrate` with it (docs/security.md)."
        )


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


def context_key_check(app_configs=None, databases=None, **kwargs) -> list:
    """System check (``manage.py check --database default``): the key this process holds is the
    stored one. Skipped as the owner, whose ``migrate`` stores it."""
    from django.core.checks import Error

    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql" or is_owner(connection):
            continue
        try:
            connection.ensure_connection()  # the backend checks a process's first connection
            check_context_key(connection)
        except TenantContextKeyMismatch as error:
            errors.append(Error(str(error), id="agency.E001"))
    return errors


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
        install_wall(cursor)
        partitions = partitions_of(cursor)
        for table, client in tables:
            for name in (table, *partitions.get(table, ())):
                protect(cursor, quote(name), policy_expression(client), crossing)
        roles = data_roles(connection, crossing)
        for role in roles:
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return len(tables)


def quote(name: str) -> str:
    """An SQL identifier, quoted (a double quote inside doubled), for names read from the catalogue."""
    return '"' + name.replace('"', '""') + '"'


def protect(cursor, quoted: str, expression: str, crossing: str) -> None:
    """Row-level security on one table: enabled, forced (the owner is bound too), the tenant policy
    and the crossing role's."""
    cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
    cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
    cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quoted}")
    cursor.execute(f"CREATE POLICY {POLICY} ON {quoted} USING ({expression}) WITH CHECK ({expression})")
    cursor.execute(f"DROP POLICY IF EXISTS {CROSSING_POLICY} ON {quoted}")
    cursor.execute(f"CREATE POLICY {CROSSING_POLICY} ON {quoted} TO {crossing} USING (true) WITH CHECK (true)")


def data_roles(connection, crossing: str) -> list[str]:
    """The roles granted data access to every table (quoted): the crossing role, and the
    application's role when it is not the owner."""
    roles = [crossing]
    if settings.DATABASE_APP_ROLE:
        roles.append(connection.ops.quote_name(settings.DATABASE_APP_ROLE))
    return roles


def partitions_of(cursor) -> dict[str, list[str]]:
    """Every partitioned table of the schema ``public`` and its partitions (docs/scaling.md,
    "Partitioning"). A partition read directly is not bound by its parent's policies, only by its
    own, so each partition of a tenant table gets the same policies as the table (through the
    parent, the parent's apply and the partition's are not read)."""
    cursor.execute(
        "SELECT p.relname::text, c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace "
        "WHERE n.nspname = 'public' AND p.relkind = 'p' ORDER BY 1, 2"
    )
    out: dict[str, list[str]] = {}
    for parent, child in cursor.fetchall():
        out.setdefault(parent, []).append(child)
    return out


def secure_table(cursor, connection, table: str, names: list[str]) -> None:
    """What ``install`` does for every tenant table, for the tables ``names`` that hold ``table``'s
    rows (the table itself, or partitions made between two ``migrate``: the monthly partitions'
    upkeep, ``agency.partitions``): its policies and the data roles' grants. ``table`` must be a
    tenant table. Nothing before the first ``install`` (no wall yet): it covers every table."""
    cursor.execute("SELECT to_regnamespace(%s) IS NOT NULL", [WALL_SCHEMA])
    if not cursor.fetchone()[0]:
        return  # a new database, whose first ``migrate`` ends with ``install`` on every table
    client = dict(tenant_tables()).get(table)
    if client is None:
        raise ValueError(f"{table} is not a tenant table: its rows have no policy to follow")
    crossing = ensure_crossing_role(cursor, connection)
    roles = ", ".join(data_roles(connection, crossing))
    for name in names:
        protect(cursor, quote(name), policy_expression(client), crossing)
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quote(name)} TO {roles}")


def install_wall(cursor) -> None:
    """The schema only the owner reaches: the key (written afresh at every ``migrate``) and the
    functions that return the agency and client a transaction names when their MAC verifies."""
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pgcrypto'"
    )
    row = cursor.fetchone()
    if row is None:
        raise ImproperlyConfigured("The pgcrypto extension is missing: the agency migrations create it (0011).")
    pgcrypto = quote(row[0])
    wall = WALL_SCHEMA
    cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {wall}")
    cursor.execute(f"REVOKE ALL ON SCHEMA {wall} FROM PUBLIC")
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {wall}.context_key (id integer PRIMARY KEY CHECK (id = 1), key text NOT NULL)"
    )
    cursor.execute(f"REVOKE ALL ON {wall}.context_key FROM PUBLIC")
    cursor.execute(
        f"INSERT INTO {wall}.context_key (id, key) VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET key = EXCLUDED.key",
        [settings.TENANT_CONTEXT_KEY],
    )
    verified = (
        "SELECT CASE WHEN current_setting('app.tenant_mac', true) = encode({pgcrypto}.hmac("
        "coalesce(current_setting('app.agency_id', true), '') || '|' "
        "|| coalesce(current_setting('app.client_id', true), ''), "
        "k.key, 'sha256'), 'hex') THEN NULLIF(current_setting('app.{name}_id', true), '')::bigint END "
        "FROM {wall}.context_key k WHERE k.id = 1"
    )
    for name in ("agency", "client"):
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {wall}.app_{name}() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER "
            f"SET search_path = pg_catalog, pg_temp AS $wall$ "
            + verified.format(pgcrypto=pgcrypto, name=name, wall=wall)
            + " $wall$"
        )
    cursor.execute(
        f"CREATE OR REPLACE FUNCTION public.{KEY_CHECK_FUNCTION}(fingerprint text) RETURNS boolean LANGUAGE sql STABLE "
        f"SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $wall$ "
        f"SELECT coalesce((SELECT fingerprint = encode({pgcrypto}.hmac('{KEY_CHECK_MESSAGE}', k.key, 'sha256'), 'hex') "
        f"FROM {wall}.context_key k WHERE k.id = 1), false) $wall$"
    )


def on_pre_migrate(sender, using="default", **kwargs) -> None:
    prepare(using)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    install(using)
