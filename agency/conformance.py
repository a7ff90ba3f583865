"""The standard as code: the registry of clause checks.

An app's ``conformance.py`` declares the checks it owns::

    @clause_check("4.1")
    def requirements_adopted(client, period) -> CheckResult: ...

``evaluate(client, period)`` returns one ``ClauseStatus`` per clause of ``agency.standard.CLAUSES``,
in order: the check's result, ``not_applicable`` when the client did not buy the clause's service,
or ``not_implemented`` when no app declares a check yet. Run inside the client's agency context.

**What a check reads.** A check declares the models whose rows are its evidence
(``@clause_check("6.3", reads=(PinnedVideo, BoostRecord, ...))``; a clause id in ``reads`` stands for
every model that clause's check reads, for a check made of others; a function returning the models
for a check over every model of a kind). Every check also reads the
client and its agency (``BASE_READS``). Results are kept per client, clause and month
(``reports``) and marked stale when a table a clause reads is written, so the declaration is the
one list invalidation follows; a test runs every check and proves it reads no other table.

**What the clock changes.** A result depends on the day it is evaluated on (``agency.today()``
for an open period); a check that reads the clock finer than the day says when its result may next
change with nothing written (``CheckResult.changes_at``).

``results(client, period)`` is what pages read: the kept results when the ``reports`` app
provides them (``results_source``), else ``evaluate``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agency.standard import CLAUSES, CLAUSES_BY_ID


class Status:
    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    NOT_IMPLEMENTED = "not_implemented"

    LABELS = {
        MET: _("met"),
        NOT_MET: _("not met"),
        NOT_APPLICABLE: _("not applicable"),
        NOT_IMPLEMENTED: _("not implemented"),
    }


@dataclass(frozen=True)
class Period:
    """A closed range of dates, inclusive at both ends."""

    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026`` (a year), ``2026-11`` (a month) or ``2026-01-01..2026-03-31``."""
        try:
            if ".." in text:
                start, end = text.split("..", 1)
                period = cls(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
            elif len(text) == 4:
                period = cls.year(int(text))
            else:
                year, month = text.split("-")
                period = cls.month(int(year), int(month))
        except ValueError as exc:
            raise ValueError(f"Period {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD.") from exc
        if period.end < period.start:
            raise ValueError(f"Period {text!r} ends before it starts.")
        return period

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass
class Evidence:
    """One record a check looked at: a label, the record's model label and id, and where staff
    can open it."""

    label: str
    model: str = ""
    object_id: int | None = None
    url: str = ""


@dataclass
class CheckResult:
    status: str
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    # The next moment the result may change with no row written (a deadline the clock reaches
    # within the day); None when only the day and the evidence change it.
    changes_at: dt.datetime | None = None


@dataclass
class ClauseStatus:
    clause_id: str
    title: str
    status: str
    summary: str
    evidence: list[Evidence]
    changes_at: dt.datetime | None = None
    # Kept before its evidence last changed, shown while its refresh runs (lists of many clients)
    stale: bool = False

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def shown_title(self) -> str:
        """The clause's title in the reader's language (``title`` is kept as it was recorded)."""
        clause = CLAUSES_BY_ID.get(self.clause_id)
        return clause.title if clause is not None else self.title

    def as_dict(self) -> dict:
        return {
            "clause_id": self.clause_id,
            "title": self.title,
            "status": self.status,
            "summary": self.summary,
            "evidence": [vars(item).copy() for item in self.evidence],
        }

    def words(self) -> dict:
        """What the result says (its finding and the labels of its evidence), for a snapshot to
        keep in each language."""
        return {"summary": self.summary, "evidence": [item.label for item in self.evidence]}

    @classmethod
    def from_dict(cls, data: dict, *, evidence: bool = True, language: str | None = None) -> ClauseStatus:
        """A result as a snapshot kept it, said in the active language (or ``language``, for a
        caller reading many) when the snapshot kept that language's words (``said``), else as
        recorded; without its evidence for a page that shows none (a list of many clients)."""
        summary = data["summary"]
        said = (data.get("said") or {}).get((get_language() if language is None else language) or "")
        if not evidence:
            return cls(data["clause_id"], data["title"], data["status"], said["summary"] if said else summary, [])
        evidence = [Evidence(**item) for item in data["evidence"]]
        if said and len(said.get("evidence", [])) == len(evidence):
            summary = said["summary"]
            for item, label in zip(evidence, said["evidence"], strict=True):
                item.label = label
        return cls(data["clause_id"], data["title"], data["status"], summary, evidence)


def served_from(client) -> dt.date:
    """The first day the agency serves ``client``, by the dates the agency states: the contract's
    start when recorded, else the day the client was entered. A row entered late (an import, a
    client moved in from another system) does not make the months before it "not yet a client"."""
    if client.contract_start is not None:
        return client.contract_start
    return timezone.localtime(client.created_at, client.agency.tz).date()


Check = Callable[..., CheckResult]
CHECKS: dict[str, Check] = {}
# What each check declares it reads: model classes, "app_label.Model" labels, or clause ids.
READS: dict[str, tuple] = {}
# What every check reads: the client (its services, status and contract) and its agency (its
# time zone and the settings it adjusts).
BASE_READS = ("clients.Client", "agency.Agency")


def clause_check(clause_id: str, *, reads: tuple | Callable[[], list] = ()):
    if clause_id not in CLAUSES_BY_ID:
        raise KeyError(f"Unknown clause {clause_id!r}; the clauses are listed in agency.standard.")

    def decorator(func: Check) -> Check:
        if clause_id in CHECKS:
            raise RuntimeError(f"Clause {clause_id} has two checks: {CHECKS[clause_id]} and {func}.")
        CHECKS[clause_id] = func
        READS[clause_id] = reads if callable(reads) else tuple(reads)
        _tables_of.cache_clear()
        _readers.cache_clear()
        return func

    return decorator


def _model(item):
    from django.apps import apps

    return apps.get_model(item) if isinstance(item, str) else item


def evidence_models(clause_id: str, _seen: frozenset = frozenset()) -> set:
    """The models a clause's result is computed from: its check's declaration (with the clauses it
    names expanded) and ``BASE_READS``."""
    models = {_model(item) for item in BASE_READS}
    declared = READS.get(clause_id, ())
    for item in declared() if callable(declared) else declared:
        if isinstance(item, str) and item in CLAUSES_BY_ID:
            if item not in _seen:
                models |= evidence_models(item, _seen | {clause_id})
        else:
            models.add(_model(item))
    return models


@functools.cache
def _tables_of() -> dict[str, frozenset[str]]:
    return {clause.id: frozenset(model._meta.db_table for model in evidence_models(clause.id)) for clause in CLAUSES}


def evidence_tables(clause_id: str) -> frozenset[str]:
    """The tables whose writes can change a clause's result."""
    return _tables_of()[clause_id]


def clauses_reading(table: str) -> frozenset[str]:
    """The clauses whose results a write to ``table`` can change (none for most tables)."""
    return _readers().get(table, frozenset())


@functools.cache
def _readers() -> dict[str, frozenset[str]]:
    readers: dict[str, set[str]] = {}
    for clause_id, tables in _tables_of().items():
        for table in tables:
            readers.setdefault(table, set()).add(clause_id)
    return {table: frozenset(ids) for table, ids in readers.items()}


def autodiscover() -> None:
    autodiscover_modules("conformance")


def results(client, period: Period) -> list[ClauseStatus]:
    """A client's results for a period as pages show them: kept ones where the ``reports`` app
    keeps them (``results_source``), else evaluated now."""
    if results_source is not None:
        return results_source(client, period)
    return evaluate(client, period)


# Set by the reports app when it starts: (client, period) -> list[ClauseStatus].
results_source: Callable[..., list[ClauseStatus]] | None = None


def evaluate_clause(client, period: Period, clause_id: str) -> ClauseStatus:
    """One clause's result for ``client`` over ``period``, evaluated now (as ``evaluate`` does)."""
    clause = CLAUSES_BY_ID[clause_id]
    title = f"{clause.title_zh} / {clause.title_en}"
    if clause.service is not None and clause.service not in set(client.services or []):
        return ClauseStatus(clause.id, title, Status.NOT_APPLICABLE, str(_("The client did not buy this service.")), [])
    check = CHECKS.get(clause.id)
    if check is None:
        return ClauseStatus(
            clause.id, title, Status.NOT_IMPLEMENTED, str(_("No check is implemented for this clause yet.")), []
        )
    result = check(client, period)
    return ClauseStatus(clause.id, title, result.status, result.summary, result.evidence, result.changes_at)


def evaluate(client, period: Period) -> list[ClauseStatus]:
    return [evaluate_clause(client, period, clause.id) for clause in CLAUSES]
