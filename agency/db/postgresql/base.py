"""PostgreSQL, with the tenant context passed to the database.

At the first statement of every transaction (and again whenever the context changes inside one)
the backend sets transaction-local settings from ``agency.tenancy``, which row-level security
(``agency.rls``) and the audit trail read:

- ``app.agency_id``     the current agency ('' when none);
- ``app.client_id``     the client of a client person ('' for staff and for no one);
- ``app.user_id``       who acts ('' when nobody);
- ``app.channel``       ui, api, task, admin, command or system;
- ``app.tenant_mac``    the HMAC of the agency and client under ``TENANT_CONTEXT_KEY``
  (``agency.rls.sign``), without which the policies take no agency as named.

The first connection of each alias in a process checks that its key is the one ``migrate``
stored (``agency.rls.check_context_key``), and refuses to go on otherwise.

No setting lets a statement past the policies: only the crossing role is let across every agency.
Cross-agency statements (inside ``dangerously_all_agencies()``, or made through the
``dangerously_all_agencies`` manager, whose SQL starts with ``ALL_AGENCIES_MARK``) run on the
crossing role's own connection when there is one (``agency.db.routers``). A connection with
``CROSSING_ROLE`` in its settings (no such connection: the tables' owner, the test suite's role)
switches to that role for them instead (``SET LOCAL ROLE``) and back after; the database refuses the
switch to a login that is not a member of the crossing role, such as the web role. A connection with
``ROLE`` in its settings acts as that role from the moment it connects (``SET ROLE``): the test
suite logs in as a member of both the web role and the crossing role and acts as the web role.

They are sent as ``SET LOCAL`` statements, all in one round trip, so they end with the transaction
and are safe behind a transaction-pooling PgBouncer; and because Citus passes ``SET LOCAL`` on to
the worker nodes a transaction touches (``citus.propagate_set_commands = 'local'``), which it does
not do for ``set_config(...)`` calls, the policies see the same context on every shard
(docs/scaling.md). Requests, tenant tasks and commands run in transactions; a single statement with
a context outside one is given a transaction of its own.
"""

from __future__ import annotations

from django.db import transaction
from django.db.backends.postgresql import base, operations
from psycopg import sql as psycopg_sql

from agency import rls
from agency.db.postgresql.schema import DatabaseSchemaEditor
from agency.tenancy import (
    ALL_AGENCIES_MARK,
    all_agencies_active,
    current_actor,
    current_agency,
    current_channel,
    current_user_id,
)

# The settings, in the order of ``wanted_context``'s first four values and then the signature.
CONTEXT_SETTINGS = ("app.agency_id", "app.client_id", "app.user_id", "app.channel", "app.tenant_mac")


NO_CONTEXT = ("", "", "", "system", "")
# The aliases whose tenant context key this process has checked against the stored one.
_key_checked: set[str] = set()


def wanted_context(sql: str) -> tuple[str, str, str, str, str]:
    """The settings a statement wants, and last whether it crosses agencies ('on' or '')."""
    agency = current_agency()
    actor = current_actor()
    user_id = current_user_id()
    client_id = actor.client_id if actor is not None and actor.is_client_person else None
    crossing = all_agencies_active() or (isinstance(sql, str) and sql.startswith(ALL_AGENCIES_MARK))
    return (
        str(agency.pk) if agency else "",
        str(client_id) if client_id else "",
        str(user_id) if user_id else "",
        current_channel(),
        "on" if crossing else "",
    )


class DatabaseOperations(operations.DatabaseOperations):
    # An aggregate groups a tenant table's rows by its whole primary key, (agency_id, id).
    compiler_module = "agency.db.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    # Tenant tables' keys and foreign keys start with agency_id (agency.distribution).
    SchemaEditorClass = DatabaseSchemaEditor
    ops_class = DatabaseOperations

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._context_in_transaction: tuple[str, ...] | None = None
        self.execute_wrappers.append(self._with_tenant_context)

    def _with_tenant_context(self, execute, sql, params, many, context):
        wanted = wanted_context(sql)
        if self.get_autocommit():
            if wanted == NO_CONTEXT:
                return execute(sql, params, many, context)
            # A statement with a context outside a transaction gets one of its own, so that the
            # settings stay transaction-local (never left on a pooled connection).
            with transaction.atomic(using=self.alias):
                return self._with_tenant_context(execute, sql, params, many, context)
        if wanted != self._context_in_transaction:
            if self._context_in_transaction is None and not wanted[0] and not wanted[4]:
                # No agency and no escape hatch at the start of a transaction: unset settings read
                # as "none" already (every policy denies), so the round trip is saved; the settings
                # are sent once an agency (or the escape hatch) is in context.
                return execute(sql, params, many, context)
            self._context_in_transaction = wanted  # first, so the statement below is not wrapped again
            with self.cursor() as cursor:
                cursor.execute(self._set_local(wanted))
        return execute(sql, params, many, context)

    def _set_local(self, wanted: tuple[str, ...]) -> str:
        """The ``SET LOCAL`` statements of a context, as one string sent without parameters (the
        simple query protocol runs several statements in one round trip); values are quoted as
        literals by the driver."""
        values = (*wanted[:4], rls.sign(wanted[0], wanted[1]))
        statements = [
            psycopg_sql.SQL("SET LOCAL {} = {}").format(psycopg_sql.SQL(name), psycopg_sql.Literal(value))
            for name, value in zip(CONTEXT_SETTINGS, values, strict=True)
        ]
        crossing_role = self.settings_dict.get("CROSSING_ROLE")
        if crossing_role:
            role = crossing_role if wanted[4] else self.settings_dict.get("ROLE")
            statements.append(
                psycopg_sql.SQL("SET LOCAL ROLE {}").format(psycopg_sql.Identifier(role))
                if role
                else psycopg_sql.SQL("SET LOCAL ROLE NONE")
            )
        return psycopg_sql.SQL("; ").join(statements).as_string(self.connection)

    def init_connection_state(self):
        super().init_connection_state()
        role = self.settings_dict.get("ROLE")
        if role:
            # Straight to the driver: the session acts as ``role`` from its first statement on.
            with self.connection.cursor() as cursor:
                cursor.execute(psycopg_sql.SQL("SET ROLE {}").format(psycopg_sql.Identifier(role)))
            if not self.get_autocommit():
                self.connection.commit()
        if self.alias not in _key_checked and not rls.is_owner(self):
            # Once per process: a key other than the stored one would make every policy read nothing.
            try:
                rls.check_context_key(self)
            except rls.TenantContextKeyMismatch:
                # Not left open: the next use connects (and checks) again, and is refused again.
                self.connection.close()
                self.connection = None
                raise
            _key_checked.add(self.alias)

    # A new transaction, or a rolled-back savepoint (which undoes set_config), forgets the context.
    def _set_autocommit(self, autocommit):
        self._context_in_transaction = None
        super()._set_autocommit(autocommit)

    def _savepoint_rollback(self, sid):
        # Roll back first: in a failed transaction nothing but the rollback may run. Straight to
        # the driver, past the execute wrappers: a context that ended inside the block would
        # otherwise send its settings ahead of the rollback, into the failed transaction.
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute(self.ops.savepoint_rollback_sql(sid))
        self._context_in_transaction = None

    def _rollback(self):
        self._context_in_transaction = None
        super()._rollback()

    def _commit(self):
        self._context_in_transaction = None
        super()._commit()
