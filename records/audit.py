"""The audit trail (4.2 no concealment; clause 9 "nothing is deleted silently").

On PostgreSQL the database writes it. One generic PL/pgSQL function, ``records_audit_row()``, runs
AFTER INSERT, UPDATE and DELETE FOR EACH ROW on every tenant table (every concrete
``TenantModel`` but the audit table itself). It compares ``to_jsonb(OLD)`` with ``to_jsonb(NEW)``
and appends one ``records_auditevent`` row naming the columns that changed, from what to what,
who made the change and through which channel (``app.user_id`` and ``app.channel``, which the
database backend sets for each transaction from ``agency.tenancy``; both may be empty, for work
done outside a transaction, and then read as nobody / ``system``). Bulk writes (``bulk_create``,
``QuerySet.update``), raw SQL and cascades are recorded like any other write. An update that
changes nothing but ``updated_at`` is not an event.

An import of an agency (``manage.py import_agency``, ``portability``) carries the agency's
trail with it, so the rows it inserts are not recorded again: the trigger skips an INSERT made
through the ``import`` channel into an agency that has no trail yet. Updates and deletes are always
recorded, and an agency with any recorded event can never again be written without a trail, so no
row that existed before can change unseen; the import's last write is its own event.

The triggers are installed by ``install_audit_triggers``, a ``post_migrate`` handler, so tables
that other apps add later are covered the next time migrations run. It is idempotent.

The audit table itself is append-only at the database: UPDATE and DELETE on it raise (row
triggers), and so does TRUNCATE (a statement trigger), except as part of a reset of the whole
database (a TRUNCATE that empties the agencies themselves, as ``manage.py flush`` and the test
suite do), which leaves no tenant data whose history could be hidden.

On SQLite (the embedded default) the database writes the same trail, from triggers made per table
out of the same list of tables and the same rules (see the SQLite section below); a test makes the
same writes on both and compares the trails (``tests/records/test_audit_trail_parity.py``).
"""

from __future__ import annotations

import re

from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, models, transaction

from agency.models import TenantModel

AUDIT_TABLE = "records_auditevent"
TRIGGER_NAME = "records_audit"
GUARD_ROW_TRIGGER = "records_audit_append_only"
GUARD_TRUNCATE_TRIGGER = "records_audit_no_truncate"
# Columns whose change alone is not an event: every save touches them.
IGNORED_COLUMNS = ("updated_at",)
# Columns whose values never enter the trail (credentials): that they changed is recorded, not to what.
REDACTED_COLUMNS = r"(secret|password|token|api_key|private_key|signing_key)"
REDACTED = "***"

AUDIT_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION records_audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
-- TG_ARGV: [0] model label, [1] primary-key column, then the path to the row's client: [2] a
-- column of this row, followed by (table, key column, key type, column) hops to follow.
DECLARE
    old_row jsonb;
    new_row jsonb;
    this_row jsonb;
    changes jsonb;
    client_value text;
    hop integer;
    has_trail boolean;
    who text := nullif(current_setting('app.user_id', true), '');
    via text := coalesce(nullif(current_setting('app.channel', true), ''), 'system');
BEGIN
    -- An agency's import (portability) brings its own trail along: the rows it inserts are
    -- not recorded a second time. Only inserts, only through the 'import' channel, and only while
    -- the agency has no trail at all, so that no row that existed before can change unseen; the
    -- import ends by recording itself, which closes the window.
    IF TG_OP = 'INSERT' AND via = 'import' THEN
        has_trail := EXISTS (SELECT 1 FROM {AUDIT_TABLE} WHERE agency_id = (to_jsonb(NEW) ->> 'agency_id')::bigint);
        IF NOT has_trail THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    this_row := coalesce(new_row, old_row);
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(n.key, jsonb_build_array(old_row -> n.key, n.value)) INTO changes
          FROM jsonb_each(new_row) AS n
         WHERE n.key NOT IN ({", ".join(f"'{c}'" for c in IGNORED_COLUMNS)})
           AND (old_row -> n.key) IS DISTINCT FROM n.value;
        IF changes IS NULL THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT jsonb_object_agg(n.key, jsonb_build_array(NULL, n.value)) INTO changes FROM jsonb_each(new_row) AS n;
    ELSE
        SELECT jsonb_object_agg(o.key, jsonb_build_array(o.value, NULL)) INTO changes FROM jsonb_each(old_row) AS o;
    END IF;
    -- The trail is written whoever writes the row and whatever they may read (row-level security
    -- binds the application's role): the function runs as the crossing role, its owner (SECURITY
    -- DEFINER), for the client lookup and the insert.
    SELECT jsonb_object_agg(c.key, CASE WHEN c.key ~* '{REDACTED_COLUMNS}'
                                        THEN jsonb_build_array('{REDACTED}', '{REDACTED}') ELSE c.value END)
      INTO changes FROM jsonb_each(changes) AS c;
    IF TG_NARGS > 2 THEN
        client_value := this_row ->> TG_ARGV[2];
        hop := 3;
        WHILE client_value IS NOT NULL AND hop + 3 < TG_NARGS LOOP
            EXECUTE format('SELECT (%I)::text FROM %I WHERE %I = ($1)::%s',
                           TG_ARGV[hop + 3], TG_ARGV[hop], TG_ARGV[hop + 1], TG_ARGV[hop + 2])
               INTO client_value USING client_value;
            hop := hop + 4;
        END LOOP;
    END IF;
    INSERT INTO {AUDIT_TABLE} (agency_id, occurred_at, table_name, model_label, object_pk, action, changes,
                               user_id, channel, client_id, transaction_id)
    VALUES ((this_row ->> 'agency_id')::bigint, clock_timestamp(), TG_TABLE_NAME, TG_ARGV[0],
            this_row ->> TG_ARGV[1], lower(TG_OP), coalesce(changes, '{{}}'::jsonb),
            CASE WHEN who ~ '^[0-9]+$' THEN who::bigint END, via,
            CASE WHEN client_value ~ '^[0-9]+$' THEN client_value::bigint END, txid_current());
    RETURN NULL;
END
$fn$;
"""

GUARD_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION records_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    -- The one exception: a reset of the whole database, which empties the agencies themselves
    -- in the same statement (manage.py flush, the test suite between tests).
    IF TG_OP = 'TRUNCATE' AND current_query() ~* '^\\s*truncate\\s.*"agency_agency"' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % on {AUDIT_TABLE} is refused.', TG_OP;
END
$fn$;
"""


def database_keeps_trail(using: str = "default") -> bool:
    """True where the database writes the trail itself (PostgreSQL and SQLite), bulk writes included."""
    return connections[using].vendor in ("postgresql", "sqlite")


def audited_models(app_registry=None) -> list[type[models.Model]]:
    """Every concrete tenant model whose table the trail covers: all but the trail itself and the
    platform's own figures (models with ``audit_trail = False``, the daily metrics: millions of
    rows re-delivered by the platform, whose import is itself recorded as a DataImport)."""
    registry = app_registry or global_apps
    out = []
    for model in registry.get_models():
        if not issubclass(model, TenantModel) or model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.db_table == AUDIT_TABLE or getattr(model, "audit_trail", True) is False:
            continue
        out.append(model)
    return out


def client_path_arguments(model, connection) -> list[str]:
    """The trigger arguments that lead from a row of ``model`` to its client's id, following
    ``tenant_client_path`` (``client_id``, ``pk``, ``account__client_id``…): a column of the row,
    then one (table, key column, key type, column) hop per relation; none for rows that belong
    to no client."""
    path = model.tenant_client_path
    if path is None:
        return []
    parts = path.split("__")
    current = model
    arguments: list[str] = []
    for index, part in enumerate(parts):
        field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        arguments.append(field.column)
        if index == len(parts) - 1:
            break
        if not (field.many_to_one or field.one_to_one):
            return []  # only forward single-valued relations lead to one client
        target = field.related_model
        arguments.extend([target._meta.db_table, target._meta.pk.column, target._meta.pk.db_type(connection)])
        current = target
    return arguments


def client_of(instance) -> int | None:
    """The client id of a saved row, along ``tenant_client_path`` (what the triggers record)."""
    path = type(instance).tenant_client_path
    if path is None:
        return None
    value = instance
    try:
        for part in path.split("__"):
            value = value.pk if part == "pk" else getattr(value, part)
            if value is None:
                return None
    except ObjectDoesNotExist:
        return None
    return value.pk if isinstance(value, models.Model) else value


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def install_audit_triggers(using: str = "default", app_registry=None, **kwargs) -> int:
    """Create or refresh the trail's functions and triggers. Returns the number of tables covered.
    Runs after every ``migrate`` (``post_migrate``), on PostgreSQL and on SQLite."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        return _install_sqlite(connection, app_registry)
    if connection.vendor != "postgresql":
        return 0
    return _install_postgresql(connection, app_registry)


def _install_postgresql(connection, app_registry) -> int:
    from agency.rls import is_owner

    using = connection.alias
    if not is_owner(connection):
        return 0  # the owner installs them at migrate time; the application's role cannot
    existing = set(connection.introspection.table_names())
    if AUDIT_TABLE not in existing:
        return 0
    covered = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(AUDIT_FUNCTION_SQL)
        # Owned by the crossing role (agency.rls), which row-level security lets write every
        # agency's trail; a trigger function cannot be called but by its trigger. Its search path
        # names the tables' schema, and a session's temporary tables last, so that no temporary
        # table of the writer's stands in for the trail.
        crossing = connection.ops.quote_name(settings.DATABASE_CROSSING_ROLE)
        cursor.execute(f"ALTER FUNCTION records_audit_row() OWNER TO {crossing}")
        cursor.execute(GUARD_FUNCTION_SQL)
        for model in audited_models(app_registry):
            table = model._meta.db_table
            if table not in existing:
                continue
            arguments = [model._meta.label_lower, model._meta.pk.column, *client_path_arguments(model, connection)]
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {quoted}")
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER_NAME} AFTER INSERT OR UPDATE OR DELETE ON {quoted} "
                f"FOR EACH ROW EXECUTE FUNCTION records_audit_row({', '.join(map(_quote_literal, arguments))})"
            )
            covered += 1
        audit = connection.ops.quote_name(AUDIT_TABLE)
        cursor.execute(f"DROP TRIGGER IF EXISTS {GUARD_ROW_TRIGGER} ON {audit}")
        cursor.execute(
            f"CREATE TRIGGER {GUARD_ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {audit} "
            "FOR EACH ROW EXECUTE FUNCTION records_audit_refuse_change()"
        )
        cursor.execute(f"DROP TRIGGER IF EXISTS {GUARD_TRUNCATE_TRIGGER} ON {audit}")
        cursor.execute(
            f"CREATE TRIGGER {GUARD_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {audit} "
            "FOR EACH STATEMENT EXECUTE FUNCTION records_audit_refuse_change()"
        )
    return covered


def on_pre_migrate(sender, using="default", **kwargs) -> None:
    remove_sqlite_triggers(using=using)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    install_audit_triggers(using=using)


# --- SQLite (the embedded default): the same trail, from triggers made per table ---------------
#
# SQLite has no row-to-JSON conversion and no procedural language, so each audited table gets its
# own three triggers (AFTER INSERT, UPDATE, DELETE), written out column by column from the same
# list of tables (``audited_models``) and the same rules as ``records_audit_row()``: the columns
# that changed from what to what (``updated_at`` alone is no event), credentials redacted, the
# client found along ``tenant_client_path``, the import channel's inserts into an agency without a
# trail skipped. Who and through which channel come from ``app_setting()``, the SQL function the
# SQLite backend (``agency.db.sqlite3``) registers on each connection, the time of the write from
# its ``app_clock()``. Values take the JSON form PostgreSQL's ``to_jsonb`` gives them: booleans as
# true/false, date-times as ISO 8601 in UTC with their offset, decimals as numbers, JSON columns
# nested. SQLite keeps no transaction ids: ``transaction_id`` is empty there. The audit table
# refuses UPDATE and DELETE (BEFORE triggers; SQLite has no TRUNCATE) except while the whole
# database is emptied (``app.reset``: ``manage.py flush``, the test suite between tests).
#
# A table that a migration rebuilds loses its triggers with it, and a trigger that names a table
# being rebuilt would stop the rebuild: they are all dropped before ``migrate`` and made again after.

SQLITE_ACTIONS = ("insert", "update", "delete")
NOT_RESETTING = "app_setting('app.reset') <> 'on'"


def _sqlite_trigger_name(table: str, action: str) -> str:
    return f"{TRIGGER_NAME}__{table}__{action}"


def _sqlite_json(field, row: str, quote) -> str:
    """The column of ``row`` (NEW or OLD) as the JSON value PostgreSQL's ``to_jsonb`` gives it."""
    column = f"{row}.{quote(field.column)}"
    if isinstance(field, models.BooleanField):
        return f"json(CASE WHEN {column} IS NULL THEN 'null' WHEN {column} THEN 'true' ELSE 'false' END)"
    if isinstance(field, models.JSONField):
        return f"json({column})"
    if isinstance(field, models.DateTimeField):
        # Stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC; PostgreSQL writes a 'T', drops trailing
        # zeros of the fraction and states the offset.
        trimmed = f"CASE WHEN instr({column}, '.') THEN rtrim(rtrim({column}, '0'), '.') ELSE {column} END"
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE replace({trimmed}, ' ', 'T') || '+00:00' END"
    if isinstance(field, models.DecimalField):
        return f"CAST({column} AS REAL)"
    return column


def _sqlite_changes(model, action: str, quote) -> str:
    """The ``changes`` object: one ``[old, new]`` pair per column (per changed column for updates)."""
    rows = []
    for field in model._meta.concrete_fields:
        column = field.column
        if action == "update" and column in IGNORED_COLUMNS:
            continue
        if re.search(REDACTED_COLUMNS, column, re.IGNORECASE):
            pair = f"json_array({_quote_literal(REDACTED)}, {_quote_literal(REDACTED)})"
        else:
            old = "NULL" if action == "insert" else _sqlite_json(field, "OLD", quote)
            new = "NULL" if action == "delete" else _sqlite_json(field, "NEW", quote)
            pair = f"json_array({old}, {new})"
        changed = f" WHERE OLD.{quote(column)} IS NOT NEW.{quote(column)}" if action == "update" else ""
        rows.append(f"SELECT {_quote_literal(column)} AS k, {pair} AS v{changed}")
    return f"(SELECT json_group_object(k, json(v)) FROM ({' UNION ALL '.join(rows)}))"


def _sqlite_client(model, row: str, connection) -> str:
    """The row's client id, following the same hops as the PostgreSQL trigger's arguments."""
    arguments = client_path_arguments(model, connection)
    if not arguments:
        return "NULL"
    quote = connection.ops.quote_name
    value = f"{row}.{quote(arguments[0])}"
    for hop in range(1, len(arguments) - 3, 4):
        table, key, _type, column = arguments[hop : hop + 4]
        value = f"(SELECT {quote(column)} FROM {quote(table)} WHERE {quote(key)} = {value})"
    return value


def sqlite_trigger_sql(model, action: str, connection) -> str:
    """The CREATE TRIGGER statement that records ``action`` on ``model``'s table."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    row = "OLD" if action == "delete" else "NEW"
    when = [NOT_RESETTING]
    if action == "insert":
        when.append(
            f"NOT (app_setting('app.channel') = 'import' AND NOT EXISTS "
            f"(SELECT 1 FROM {quote(AUDIT_TABLE)} WHERE agency_id = NEW.agency_id))"
        )
    elif action == "update":
        compared = [
            f"OLD.{quote(f.column)} IS NOT NEW.{quote(f.column)}"
            for f in model._meta.concrete_fields
            if f.column not in IGNORED_COLUMNS
        ]
        when.append(f"({' OR '.join(compared)})")
    return (
        f"CREATE TRIGGER {quote(_sqlite_trigger_name(table, action))} AFTER {action.upper()} ON {quote(table)} "
        f"FOR EACH ROW WHEN {' AND '.join(when)} BEGIN "
        f"INSERT INTO {quote(AUDIT_TABLE)} (agency_id, occurred_at, table_name, model_label, object_pk, action, "
        "changes, user_id, channel, client_id, transaction_id) VALUES ("
        f"{row}.agency_id, app_clock(), {_quote_literal(table)}, {_quote_literal(model._meta.label_lower)}, "
        f"CAST({row}.{quote(model._meta.pk.column)} AS TEXT), {_quote_literal(action)}, "
        f"{_sqlite_changes(model, action, quote)}, "
        "CAST(nullif(app_setting('app.user_id'), '') AS INTEGER), "
        "coalesce(nullif(app_setting('app.channel'), ''), 'system'), "
        f"{_sqlite_client(model, row, connection)}, NULL); END"
    )


def _sqlite_guard_sql(statement: str, quote) -> str:
    return (
        f"CREATE TRIGGER {quote(f'{GUARD_ROW_TRIGGER}__{statement.lower()}')} BEFORE {statement} "
        f"ON {quote(AUDIT_TABLE)} FOR EACH ROW WHEN {NOT_RESETTING} BEGIN SELECT RAISE(ABORT, "
        f"{_quote_literal(f'The audit trail is append-only: {statement} on {AUDIT_TABLE} is refused.')}); END"
    )


def remove_sqlite_triggers(using: str = "default") -> int:
    """Drop every trigger of the trail on SQLite (before ``migrate``). Returns how many."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name GLOB %s OR name GLOB %s)",
            [f"{TRIGGER_NAME}__*", f"{GUARD_ROW_TRIGGER}__*"],
        )
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            cursor.execute(f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(name)}")
    return len(names)


def _install_sqlite(connection, app_registry) -> int:
    existing = set(connection.introspection.table_names())
    if AUDIT_TABLE not in existing:
        return 0
    remove_sqlite_triggers(connection.alias)
    quote = connection.ops.quote_name
    covered = 0
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for model in audited_models(app_registry):
            if model._meta.db_table not in existing:
                continue
            for action in SQLITE_ACTIONS:
                cursor.execute(sqlite_trigger_sql(model, action, connection))
            covered += 1
        cursor.execute(_sqlite_guard_sql("UPDATE", quote))
        cursor.execute(_sqlite_guard_sql("DELETE", quote))
    return covered


def tables_with_trail(using: str = "default") -> set[str]:
    """The tables whose every insert, update and delete the database records (for checks and tests)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
                [TRIGGER_NAME],
            )
            return {table for (table,) in cursor.fetchall()}
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
            found: dict[str, set[str]] = {}
            for name, table in cursor.fetchall():
                found.setdefault(table, set()).add(name)
            return {
                table
                for table, names in found.items()
                if {_sqlite_trigger_name(table, action) for action in SQLITE_ACTIONS} <= names
            }
    return set()
