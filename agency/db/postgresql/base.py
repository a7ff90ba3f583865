"""PostgreSQL, with the tenant context passed to the database.

At the first statement of every transaction (and again whenever the context changes inside one)
the backend sets three transaction-local settings from ``agency.tenancy``:

- ``app.agency_id``  the current agency ('' when none): row-level security compares with it;
- ``app.user_id``    who acts ('' when nobody): the audit trail records it;
- ``app.channel``    ui, api, task, admin, command or system: the audit trail records it.

They are set with ``set_config(..., true)``, so they end with the transaction and are safe behind
a transaction-pooling PgBouncer. Statements outside a transaction (autocommit) carry no context:
requests, tenant tasks and commands that write run in transactions.
"""

from __future__ import annotations

from django.db.backends.postgresql import base

from agency.tenancy import current_agency, current_channel, current_user_id

SET_CONTEXT = (
    "SELECT set_config('app.agency_id', %s, true), set_config('app.user_id', %s, true), "
    "set_config('app.channel', %s, true)"
)


def wanted_context() -> tuple[str, str, str]:
    agency = current_agency()
    user_id = current_user_id()
    return (str(agency.pk) if agency else "", str(user_id) if user_id else "", current_channel())


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._context_in_transaction: tuple[str, str, str] | None = None
        self.execute_wrappers.append(self._with_tenant_context)

    def _with_tenant_context(self, execute, sql, params, many, context):
        if not self.get_autocommit():
            wanted = wanted_context()
            if wanted != self._context_in_transaction:
                self._context_in_transaction = wanted  # first, so the statement below is not wrapped again
                with self.cursor() as cursor:
                    cursor.execute(SET_CONTEXT, wanted)
        return execute(sql, params, many, context)

    # A new transaction, or a rolled-back savepoint (which undoes set_config), forgets the context.
    def _set_autocommit(self, autocommit):
        self._context_in_transaction = None
        super()._set_autocommit(autocommit)

    def _savepoint_rollback(self, sid):
        self._context_in_transaction = None
        super()._savepoint_rollback(sid)

    def _rollback(self):
        self._context_in_transaction = None
        super()._rollback()

    def _commit(self):
        self._context_in_transaction = None
        super()._commit()
