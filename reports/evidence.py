"""A write to a clause's evidence marks its kept results stale, in the writer's transaction, and
asks the outbox for their refresh.

Every statement sent through Django's connections passes ``track_evidence_write`` (an execute
wrapper, installed on every connection like the answer cache's). A statement that writes a table a
clause reads (``agency.conformance.clauses_reading``: each check's declared ``reads``) marks the
agency's kept results of those clauses stale, frozen ones excepted, with one ``UPDATE`` in the same
transaction, and, when it marked any, records ``conformance_refresh_task`` in the outbox once that
transaction has committed (the write may be the agency's own removal). A rolled-back write so
marks nothing and sends nothing; a committed one never leaves a result fresh. Reading the SQL,
rather than listening to ``post_save`` and ``post_delete``, is what makes it hold for
``bulk_create``, ``QuerySet.update``, deletes with their cascades and raw SQL through Django:
signals see only ``save()`` and ``delete()``, and the ingest paths use neither.

A write to a tenant table (or to the agency's own row) inside an agency's context marks that
agency's results (row-level security could not let it reach others); a write outside any, through
the escape hatch, or to a table rows of several agencies share (a person, ``auth_user``), marks
every agency's (and the refresh every quarter of an hour computes them). Each
(agency, table) is marked once per transaction (again after a result is written in it, or a
savepoint is rolled back). The audit trail, which the database writes itself, is read by checks
only about rows of the tables they declare, whose writes mark them.

Not seen: writes made outside Django (``psql``, another program). ``RESULT_MAX_AGE`` bounds how
long any kept result of an open month is trusted, and the hourly refresh recomputes what expired.
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar

from django.core.cache import cache
from django.db import connections, transaction

from agency.answer_cache import written_tables
from agency.conformance import clauses_reading
from agency.tenancy import ALL_AGENCIES_MARK, all_agencies_active, current_agency, dangerously_all_agencies

# A refresh of an agency's kept results is asked at most this often, by its writes and by pages.
REFRESH_ASKED_EVERY = 30  # seconds

# Off while migrations run (the table of results may not exist yet), and in the marking itself.
_active = True
_marking: ContextVar[bool] = ContextVar("conformance_marking", default=False)
EVERY_AGENCY = None
# Columns no check reads, whose update alone changes no result: a sign-in stamps last_login on the
# person's row, a password change its password (people's names and roles are evidence; when they
# last signed in and their password are not).
NOT_READ_COLUMNS = {"auth_user": {"last_login", "password"}}
_SET = re.compile(r'^\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*?)\s+WHERE\b', re.I | re.S)
_ASSIGNED = re.compile(r'"?(\w+)"?\s*=')


def _changes_nothing_read(sql: str) -> bool:
    match = _SET.match(sql)
    if match is None or match.group(1) not in NOT_READ_COLUMNS:
        return False
    assigned = set(_ASSIGNED.findall(re.sub(r"\(.*?\)", "", match.group(2))))
    return bool(assigned) and assigned <= NOT_READ_COLUMNS[match.group(1)]


def track_evidence_write(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if not _active or _marking.get():
        return result
    text = sql if isinstance(sql, str) else str(sql)
    tables = [table for table in written_tables(text) if clauses_reading(table)]
    if not tables or _changes_nothing_read(text):
        return result
    agency = current_agency()
    everywhere = agency is None or all_agencies_active() or text.startswith(ALL_AGENCIES_MARK)
    marked = _marks(context["connection"])
    by_scope: dict = {}
    for table in tables:
        scope = EVERY_AGENCY if everywhere or not _one_agencys(table) else agency.pk
        if (scope, table) not in marked:
            by_scope.setdefault(scope, set()).add(table)
    for scope, new in by_scope.items():
        token = _marking.set(True)
        try:
            _mark_stale(scope, set().union(*(clauses_reading(table) for table in new)))
        finally:
            _marking.reset(token)
        marked.update((scope, table) for table in new)
    return result


def _one_agencys(table: str) -> bool:
    """Whether a row of ``table`` written in an agency's context is that agency's alone: a tenant
    table's, and the agency's own row. A person (``auth_user``) may work for several agencies."""
    from agency.answer_cache import tenant_tables

    return table == "agency_agency" or table in tenant_tables()


def _mark_stale(scope, clause_ids: set[str]) -> None:
    from reports.models import ConformanceResult

    if scope is EVERY_AGENCY:
        # Every agency's rows are written through the cross-agency connection, which is not the
        # writer's: done once the writer has committed, so that it never waits on locks the
        # writer's open transaction holds (a write of the agency's own rows marked them first).
        transaction.on_commit(functools.partial(_mark_every_agency, sorted(clause_ids)))
        return
    if _stale(ConformanceResult.objects.filter(agency_id=scope), clause_ids):
        transaction.on_commit(functools.partial(ask_refresh, scope))


def _mark_every_agency(clause_ids: list[str]) -> None:
    from reports.models import ConformanceResult

    with dangerously_all_agencies():
        _stale(ConformanceResult.dangerously_all_agencies.all(), clause_ids)


def _stale(rows, clause_ids) -> int:
    from reports.models import ResultState

    return rows.filter(
        clause_id__in=sorted(clause_ids), frozen=False, state__in=(ResultState.FRESH, ResultState.COMPUTING)
    ).update(state=ResultState.STALE)


def ask_refresh(agency_id: int) -> None:
    """Once the marking write has committed: the refresh, recorded in the outbox and sent. (Not in
    the writer's transaction: that transaction may be the agency's own removal. A refresh lost here
    is made by the one every quarter of an hour; the stale mark itself never is.)"""
    from agency.models import Agency
    from agency.tasks import enqueue

    # One refresh asked per agency and window: under a stream of writes (an ingest every second)
    # each would otherwise queue a refresh of its own. Results marked after the asked refresh
    # started stay marked (shown as such, a client's own page computes them on the spot) until
    # the next write's ask or the refresh of every quarter of an hour.
    if not cache.add(f"conformance-refresh-asked-by-writes:{agency_id}", 1, timeout=REFRESH_ASKED_EVERY):
        return
    if Agency.objects.filter(pk=agency_id).exists():
        enqueue("reports.tasks.conformance_refresh_task", agency_id=agency_id)


def _marks(connection) -> set:
    """The (agency, table) pairs marked in the connection's open transaction: forgotten when it
    ends or a savepoint rolls back (Django replaces its list of commit callbacks then)."""
    wrapper = connections[connection.alias]
    memo = wrapper.__dict__.get("_conformance_marks")
    if memo is None or memo[0] is not wrapper.run_on_commit or not wrapper.in_atomic_block:
        memo = (wrapper.run_on_commit, set())
        wrapper.__dict__["_conformance_marks"] = memo
    return memo[1]


def forget_marks(using: str = "default") -> None:
    """After results were written in the open transaction: a later write must mark them again."""
    connections[using].__dict__.pop("_conformance_marks", None)


def install(connection, **kwargs) -> None:
    """``connection_created``: watch the writes of every connection (once per wrapper)."""
    if track_evidence_write not in connection.execute_wrappers:
        connection.execute_wrappers.append(track_evidence_write)


def pause(**kwargs) -> None:
    """``pre_migrate``: no marking while the schema is being changed."""
    global _active
    _active = False


def resume(**kwargs) -> None:
    """``post_migrate``."""
    global _active
    _active = True
