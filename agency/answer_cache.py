"""Computed answers kept in the shared cache (Redis) until a table they read is written.

**Write versions.** Every statement sent through Django's database connections passes
``track_statement`` (an execute wrapper, installed on every connection). A statement that writes a
table (``INSERT INTO``, ``UPDATE``, ``DELETE FROM``, ``TRUNCATE``, wherever they stand in the SQL, so
an upsert inside ``WITH`` counts too) gives that table a new *write version* in the cache: one per
(agency, table) for a tenant table written inside an agency's context, one per table (scope
``*``) for every other write (tables that are not the tenant's, and writes outside a context or
through the escape hatch, which may touch any agency). A version is a random number, never reused.
It is renewed when the transaction commits (at once for a statement outside one), and a rolled-back
transaction or savepoint renews nothing, as it changed nothing. A transaction that has written
reads its own uncommitted rows: inside it answers are computed, never served from the cache nor
kept in it.

**Cached answers.** ``cached(name, parts, compute)`` runs ``compute()`` once and keeps its result
with the tables it read (every ``FROM``/``JOIN`` of its statements, captured the same way) and
their write versions as they were **before** it ran (so that a write committed while it ran leaves
it stale at once). A later call returns the kept result only while every one of those versions is
unchanged (one round trip: the answer and the versions are read together); otherwise it computes
again. Nothing lists keys to delete, and an
answer is never served after a table under it was written through Django. The versions of the
tables a name reads are learnt: the first computation of a name records them, and an answer is
kept only when the versions read before it cover every table it read.

What is never kept: an answer whose computation wrote anything, read a tenant table outside an
agency's context, or read a table that the database itself writes from triggers
(``written_by_database``, e.g. the audit trail), which no statement of ours names. Writes made
outside Django's connections (``psql``, another program) are not seen: ``ANSWER_CACHE_SECONDS``
bounds any answer's life. (The bulk paths COPY into temporary staging tables only, and move the
rows with an ``INSERT ... SELECT`` that is seen.) With a read replica, answers computed there live
``ANSWER_CACHE_REPLICA_SECONDS`` at most (the replica may lag the versions).

On only with a cache that every process shares (``ANSWER_CACHE``, on by default with Redis): with a
per-process memory cache a write in one process could not reach another's answers.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction

from agency.tenancy import ALL_AGENCIES_MARK, all_agencies_active, current_agency

log = logging.getLogger(__name__)

GLOBAL = "*"
# A statement writes a table: the table named after these words (quoted or not), and every table of
# a TRUNCATE's list. ("FOR UPDATE", "FOR NO KEY UPDATE" and "DO UPDATE" are not writes.)
_NAME = r'"?([A-Za-z_][\w$]*)"?'
WRITES = re.compile(r"\b(?:INSERT\s+INTO|(?<!FOR )(?<!KEY )(?<!DO )UPDATE|DELETE\s+FROM)\s+" + _NAME, re.I)
TRUNCATES = re.compile(r'\bTRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?\s+((?:"?[\w$]+"?\s*,\s*)*"?[\w$]+"?)', re.I)
# The tables a statement reads, as Django writes statements (FROM and JOIN; not a comma list).
READS = re.compile(r"\b(?:FROM|JOIN)\s+" + _NAME, re.I)


REMEMBERED_SQL_CHARS = 8192  # statements up to this long have their tables remembered (bulk ones are longer)


def written_tables(sql: str) -> list[str]:
    """The tables a statement writes. Remembered per statement text (Django sends the same texts
    over and over, their values apart): every statement passes here twice (the answer cache's
    versions, the kept conformance results), and the search through a long SELECT costs more
    than the statement's own round trip."""
    return list(_remembered_written(sql) if len(sql) <= REMEMBERED_SQL_CHARS else _written(sql))


@functools.lru_cache(maxsize=1024)
def _remembered_written(sql: str) -> tuple[str, ...]:
    return _written(sql)


def _written(sql: str) -> tuple[str, ...]:
    written = WRITES.findall(sql)
    for names in TRUNCATES.findall(sql):
        written += [name.strip().strip('"') for name in names.split(",")]
    return tuple(written)


VERSION_PREFIX = "wv"
ANSWER_PREFIX = "answer"

# Tables the database writes by itself (triggers): an answer that reads one is never kept.
written_by_database: set[str] = set()

_capture: ContextVar[Capture | None] = ContextVar("answer_cache_capture", default=None)
# The tables each cached name has been seen to read, learnt per process.
_learnt: dict[str, set[str]] = {}
# Per process unless RELEASE names the code: an answer is never served by another release's code.
_process_release = secrets.token_hex(8)


@dataclass
class Capture:
    tables: set[str] = field(default_factory=set)
    wrote: bool = False


def enabled() -> bool:
    return bool(getattr(settings, "ANSWER_CACHE", False))


# --- which tables belong to the tenant -----------------------------------------------------------

_tenant_tables: frozenset[str] | None = None


def tenant_tables() -> frozenset[str]:
    global _tenant_tables
    if _tenant_tables is None:
        from agency.rls import tenant_tables as tables

        _tenant_tables = frozenset(table for table, _client in tables())
    return _tenant_tables


def agency_scope(agency) -> str:
    # Keyed by id and creation time: a restored database that reuses an id never meets another
    # agency's versions.
    return f"{agency.pk}.{int(agency.created_at.timestamp() * 1_000_000)}"


def version_key(scope: str, table: str) -> str:
    return f"{VERSION_PREFIX}:{scope}:{table}"


def version_keys(table: str, agency) -> list[str]:
    """The versions an answer that read ``table`` depends on."""
    if table in tenant_tables():
        return [version_key(agency_scope(agency), table), version_key(GLOBAL, table)]
    return [version_key(GLOBAL, table)]


# --- write versions ------------------------------------------------------------------------------


def _write_scope(table: str, sql: str) -> str:
    agency = current_agency()
    if (
        agency is None
        or table not in tenant_tables()
        or all_agencies_active()
        or (isinstance(sql, str) and sql.startswith(ALL_AGENCIES_MARK))
    ):
        return GLOBAL
    return agency_scope(agency)


def _renew(keys: Iterable[str]) -> None:
    keys = list(keys)
    if not keys:
        return
    try:
        cache.set_many({key: secrets.randbits(62) for key in keys}, timeout=None)
    except Exception:  # the cache is down: log it; ANSWER_CACHE_SECONDS bounds what it keeps
        log.exception("answer cache: could not renew the write versions %s", keys)


def track_statement(execute, sql, params, many, context):
    """Execute wrapper: note what a statement writes (and, inside ``cached``, what it reads)."""
    capture = _capture.get()
    text = sql if isinstance(sql, str) else str(sql)
    written = written_tables(text)
    if capture is not None:
        capture.tables.update(READS.findall(text))
        capture.wrote = capture.wrote or bool(written)
    if not written or not enabled():
        return execute(sql, params, many, context)
    connection = context["connection"]
    keys = {version_key(_write_scope(table, text), table) for table in written}
    if connection.get_autocommit() or not connection.in_atomic_block:
        result = execute(sql, params, many, context)
        _renew(keys)  # committed already (or under manual transactions, which nothing here uses)
        return result
    renewal = _renewal_here(connection)
    if renewal is None:
        renewal = Renewal()
        transaction.on_commit(renewal, using=connection.alias)
        _renewals(connection)[tuple(connection.savepoint_ids)] = [renewal, connection.run_on_commit]
    renewal.keys |= keys
    return execute(sql, params, many, context)


class Renewal:
    """The renewal of the versions a transaction (or one savepoint of it) wrote, when it commits;
    registered once per savepoint nesting, its keys grow with each write there."""

    def __init__(self):
        self.keys: set[str] = set()

    def __call__(self) -> None:
        _renew(self.keys)


# Each connection remembers its renewals per savepoint nesting, with the list of pending on-commit
# callbacks it last saw them in. Django only appends to that list, or replaces it (at a commit, a
# rollback, a savepoint rolled back): while the list is the same object a renewal is still pending,
# and the list is searched again only after it was replaced. (Searching it on every write would
# cost as many steps as the transaction has callbacks, for each write.)


def _renewals(connection) -> dict:
    wrapper = connections[connection.alias]  # (not django.db.connection, a proxy with its own __dict__)
    return wrapper.__dict__.setdefault("_answer_cache_renewals", {})


def _pending(connection, nesting: tuple) -> Renewal | None:
    entry = _renewals(connection).get(nesting)
    if entry is None:
        return None
    renewal, seen_in = entry
    if seen_in is not connection.run_on_commit:
        if not any(callback is renewal for _sids, callback, *_rest in connection.run_on_commit):
            del _renewals(connection)[nesting]  # committed, or rolled back with its savepoint
            return None
        entry[1] = connection.run_on_commit
    return renewal


def _renewal_here(connection) -> Renewal | None:
    """The pending renewal registered at the current savepoint nesting, if any."""
    return _pending(connection, tuple(connection.savepoint_ids))


def wrote_in_transaction(connection) -> bool:
    """Whether the connection's open transaction has written (its versions renew at commit)."""
    if not connection.in_atomic_block:
        return False
    # (Every nesting: a write in a savepoint released since counts too.)
    return any(_pending(connection, nesting) is not None for nesting in list(_renewals(connection)))


def install(connection, **kwargs) -> None:
    """``connection_created``: track the statements of every connection (once per wrapper)."""
    if track_statement not in connection.execute_wrappers:
        connection.execute_wrappers.append(track_statement)


# --- cached answers -------------------------------------------------------------------------------


def _keys_for(table: str, agency) -> list[str]:
    return version_keys(table, agency) if agency is not None else [version_key(GLOBAL, table)]


def _fill_versions(found: dict, keys: list[str]) -> dict:
    """``found`` with a version for every one of ``keys``: a key never written yet gets one."""
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, secrets.randbits(62), timeout=None)
        found.update(cache.get_many(missing))
    return found


def answer_key(parts: Iterable[object]) -> str:
    release = getattr(settings, "RELEASE", "") or _process_release
    digest = hashlib.sha256("\x1f".join(map(str, (release, *parts))).encode()).hexdigest()
    return f"{ANSWER_PREFIX}:{digest}"


STATS_PREFIX = "answer-stats"


def _count(outcome: str) -> None:
    """With ``ANSWER_CACHE_STATS`` on (the benchmarks), count the outermost answers served from the
    cache (``served``) and computed (``computed``) across every process, in the cache itself."""
    if not getattr(settings, "ANSWER_CACHE_STATS", False):
        return
    key = f"{STATS_PREFIX}:{outcome}"
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 0, timeout=None)
        cache.incr(key)


def stats(reset: bool = False) -> dict[str, int]:
    """The counts kept by ``_count`` (and, with ``reset``, start them again)."""
    keys = {outcome: f"{STATS_PREFIX}:{outcome}" for outcome in ("served", "computed")}
    found = cache.get_many(list(keys.values()))
    if reset:
        cache.delete_many(list(keys.values()))
    return {outcome: int(found.get(key) or 0) for outcome, key in keys.items()}


def cached(name: str, parts: Iterable[object], compute: Callable[[], object]):
    """``compute()``, or the result kept for (``name``, ``parts``) while nothing it read was
    written. ``parts`` must name everything the result depends on besides the database (whose
    view it is, the parameters, the language)."""
    if not enabled() or wrote_in_transaction(connections["default"]):
        # (A transaction that wrote reads its own uncommitted rows: neither served nor kept.)
        return compute()
    agency = current_agency()
    key = answer_key((name, agency_scope(agency) if agency is not None else "", *parts))
    outer = _capture.get()
    learnt = _learnt.setdefault(name, set())
    expected = [k for table in sorted(learnt) for k in _keys_for(table, agency)]
    try:
        # One round trip: the kept answer with the versions of the tables this name reads.
        found = cache.get_many([key, *expected])
        entry = found.pop(key, None)
        if entry is not None:
            tables, versions, value = entry
            learnt.update(tables)  # (a process that has not computed this name yet)
            now = _fill_versions(found, list(versions)) if not versions.keys() <= found.keys() else found
            if all(now.get(k) == v for k, v in versions.items()):
                if outer is not None:
                    outer.tables.update(tables)
                else:
                    _count("served")
                return value
        before = _fill_versions(found, expected)  # read before computing: see the module's docstring
    except Exception:  # the cache is down: answer from the database
        log.exception("answer cache: unavailable, computing %s", name)
        return compute()
    capture = Capture()
    token = _capture.set(capture)
    try:
        value = compute()
    finally:
        _capture.reset(token)
    if outer is None:
        _count("computed")
    if outer is not None:
        outer.tables.update(capture.tables)
        outer.wrote = outer.wrote or capture.wrote
    learnt.update(capture.tables)
    if capture.wrote or capture.tables & written_by_database:
        return value
    if agency is None and capture.tables & tenant_tables():
        return value
    needed = [k for table in sorted(capture.tables) for k in _keys_for(table, agency)]
    if not set(needed) <= before.keys():
        return value  # a table not foreseen: kept from the next computation on
    from agency.db.routers import replica_configured

    seconds = settings.ANSWER_CACHE_REPLICA_SECONDS if replica_configured() else settings.ANSWER_CACHE_SECONDS
    try:
        cache.set(key, (sorted(capture.tables), {k: before[k] for k in needed}, value), seconds)
    except Exception:
        log.exception("answer cache: could not keep %s", name)
    return value
