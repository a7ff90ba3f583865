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

An import of an agency (``manage.py import_agency``, ``agency.portability``) carries the agency's
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

On SQLite (the embedded default) the trail is kept by the application, from model signals
(``pre_save``/``post_save``/``post_delete``): ``QuerySet.update``, ``bulk_create`` and raw SQL are
NOT recorded there. Bulk writes are covered on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid

from django.apps import apps as global_apps
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.utils import timezone

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
LANGUAGE plpgsql AS $fn$
-- TG_ARGV: [0] model label, [1] primary-key column, then the path to the row's client: [2] a
-- column of this row, followed by (table, key column, key type, column) hops to follow.
DECLARE
    old_row jsonb;
    new_row jsonb;
    this_row jsonb;
    changes jsonb;
    client_value text;
    hop integer;
    escape_hatch text;
    has_trail boolean;
    who text := nullif(current_setting('app.user_id', true), '');
    via text := coalesce(nullif(current_setting('app.channel', true), ''), 'system');
BEGIN
    -- An agency's import (agency.portability) brings its own trail along: the rows it inserts are
    -- not recorded a second time. Only inserts, only through the 'import' channel, and only while
    -- the agency has no trail at all, so that no row that existed before can change unseen; the
    -- import ends by recording itself, which closes the window.
    IF TG_OP = 'INSERT' AND via = 'import' THEN
        escape_hatch := current_setting('app.all_agencies', true);
        PERFORM set_config('app.all_agencies', 'on', true);
        has_trail := EXISTS (SELECT 1 FROM {AUDIT_TABLE} WHERE agency_id = (to_jsonb(NEW) ->> 'agency_id')::bigint);
        PERFORM set_config('app.all_agencies', coalesce(escape_hatch, ''), true);
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
    -- binds the application's role): the client lookup and the insert run with the escape hatch
    -- on, which is put back as it was right after.
    escape_hatch := current_setting('app.all_agencies', true);
    PERFORM set_config('app.all_agencies', 'on', true);
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
    PERFORM set_config('app.all_agencies', coalesce(escape_hatch, ''), true);
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
    """True where the database writes the trail itself (PostgreSQL), bulk writes included."""
    return connections[using].vendor == "postgresql"


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


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def install_audit_triggers(using: str = "default", app_registry=None, **kwargs) -> int:
    """Create or refresh the trail's functions and triggers. Returns the number of tables covered.
    Runs after every ``migrate`` (``post_migrate``); does nothing on other databases than PostgreSQL."""
    from agency.rls import is_owner

    connection = connections[using]
    if connection.vendor != "postgresql" or not is_owner(connection):
        return 0  # the owner installs them at migrate time; the application's role cannot
    existing = set(connection.introspection.table_names())
    if AUDIT_TABLE not in existing:
        return 0
    covered = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(AUDIT_FUNCTION_SQL)
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


def on_post_migrate(sender, using="default", **kwargs) -> None:
    install_audit_triggers(using=using)


# --- the application-level trail (SQLite and other databases without the triggers) -----------


def _records_at_app_level(sender, using) -> bool:
    if connections[using].vendor == "postgresql":
        return False
    if not isinstance(sender, type) or not issubclass(sender, TenantModel) or sender._meta.proxy:
        return False
    return sender._meta.db_table != AUDIT_TABLE


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time, decimal.Decimal, uuid.UUID)):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def _row_values(instance) -> dict:
    return {field.column: _plain(field.value_from_object(instance)) for field in instance._meta.concrete_fields}


def _client_of(instance):
    path = type(instance).tenant_client_path
    if path is None:
        return None
    value = instance
    parts = path.split("__")
    try:
        for part in parts:
            value = value.pk if part == "pk" else getattr(value, part)
            if value is None:
                return None
    except ObjectDoesNotExist:
        return None
    return value.pk if isinstance(value, models.Model) else value


def _append(instance, action: str, changes: dict) -> None:
    from agency.tenancy import current_channel, current_user_id
    from records.models import AuditEvent

    changes = {
        column: [REDACTED, REDACTED] if re.search(REDACTED_COLUMNS, column, re.IGNORECASE) else pair
        for column, pair in changes.items()
    }
    AuditEvent(
        agency_id=instance.agency_id,
        occurred_at=timezone.now(),
        table_name=instance._meta.db_table,
        model_label=instance._meta.label_lower,
        object_pk=str(instance.pk),
        action=action,
        changes=changes,
        user_id=current_user_id(),
        channel=current_channel() or "system",
        client_id=_client_of(instance),
    ).save()


def on_pre_save(sender, instance, raw=False, using="default", **kwargs) -> None:
    if not _records_at_app_level(sender, using):
        return
    before = None
    if not instance._state.adding and instance.pk is not None:
        row = sender._base_manager.using(using).filter(pk=instance.pk).first()
        before = _row_values(row) if row is not None else None
    instance._audit_before = before


def on_post_save(sender, instance, created, raw=False, using="default", **kwargs) -> None:
    if not _records_at_app_level(sender, using):
        return
    after = _row_values(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        _append(instance, "insert", {column: [None, value] for column, value in after.items()})
        return
    changes = {
        column: [before.get(column), value]
        for column, value in after.items()
        if column not in IGNORED_COLUMNS and before.get(column) != value
    }
    if changes:
        _append(instance, "update", changes)


def on_post_delete(sender, instance, using="default", **kwargs) -> None:
    if not _records_at_app_level(sender, using):
        return
    _append(instance, "delete", {column: [value, None] for column, value in _row_values(instance).items()})
