"""SQLite (the embedded default), with the tenant context readable by the database.

SQLite has no session settings. What the PostgreSQL backend sends as transaction-local settings
(``agency.db.postgresql``), this backend offers as one SQL function registered on every
connection, ``app_setting(name)``, which answers from ``agency.tenancy`` at the moment a statement
(or a trigger it fires) runs, in the thread that runs it:

- ``app.user_id``  who acts ('' when nobody);
- ``app.channel``  ui, api, task, admin, command or system;
- ``app.reset``    'on' while the whole database is being emptied (``manage.py flush``, the test
  suite between tests), '' otherwise.

The audit trail's triggers (``records.audit``) read them, and ``app_clock()``, the time of the
write (what ``clock_timestamp()`` is on PostgreSQL), in the form Django stores date-times in.
A connection made without this backend (the ``sqlite3`` shell) lacks both functions, so its
writes to audited tables fail rather than go unrecorded.
"""

from __future__ import annotations

from django.db.backends.sqlite3 import base, operations
from django.utils import timezone

from agency.tenancy import current_channel, current_user_id

RESET = "app.reset"


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list):
        # Emptying every table is a reset of the whole database, not a deletion to record (on
        # PostgreSQL it is a TRUNCATE, which fires no row trigger either).
        self.connection.resetting = True
        try:
            super().execute_sql_flush(sql_list)
        finally:
            self.connection.resetting = False


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resetting = False

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        conn.create_function("app_setting", 1, self.app_setting)
        conn.create_function("app_clock", 0, app_clock)
        # Triggers may call the functions above (the default, stated in case a build differs).
        conn.execute("PRAGMA trusted_schema = ON")
        return conn

    def app_setting(self, name: str) -> str:
        if name == "app.user_id":
            user_id = current_user_id()
            return str(user_id) if user_id else ""
        if name == "app.channel":
            return current_channel()
        if name == RESET:
            return "on" if self.resetting else ""
        return ""


def app_clock() -> str:
    return str(timezone.now().replace(tzinfo=None))
