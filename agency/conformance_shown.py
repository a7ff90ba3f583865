"""Which conformance results an agency's clients see.

The agency chooses the clauses whose results its client people read (on their dashboard, their
conformance page and through the API); its staff always see every clause. Until it chooses, its
clients see them all. Wherever results are shown, they pass through ``conformance_shown_to`` once,
whichever way they were computed or stored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agency.adjustable import adjustable
from agency.standard import CLAUSES, CLAUSES_BY_ID

ALL_CLAUSES = [clause.id for clause in CLAUSES]


def check_clause_ids(value: list) -> None:
    unknown = [item for item in value if not isinstance(item, str) or item not in CLAUSES_BY_ID]
    if unknown:
        raise ValidationError(
            {
                "client_conformance_clauses": gettext("%(ids)s: not clauses of the standard (known: %(known)s).")
                % {"ids": ", ".join(map(str, unknown)), "known": ", ".join(ALL_CLAUSES)}
            }
        )


# 4.2 (good faith, nothing concealed) is the agency's to weigh: it decides what its clients read of
# its own conformance, and the staff's matrix keeps every clause.
CLIENT_CONFORMANCE_CLAUSES = adjustable(
    "client_conformance_clauses",
    ALL_CLAUSES,
    clause="4.2",
    label=_("Clauses whose conformance results the agency's clients see"),
    check=check_clause_ids,
)

Result = TypeVar("Result")


def clauses_shown_to_clients(agency) -> list[str]:
    """The ids of the clauses whose results ``agency``'s client people see, in the standard's order."""
    chosen = set(agency.setting(CLIENT_CONFORMANCE_CLAUSES))
    return [clause_id for clause_id in ALL_CLAUSES if clause_id in chosen]


def conformance_shown_to(actor, results: Iterable[Result]) -> list[Result]:
    """``results`` (``ClauseStatus`` rows or their dicts) as ``actor`` may read them: every clause
    for staff, the clauses the agency shows its clients for a client person."""
    results = list(results)
    if actor is None or not actor.is_client_person:
        return results
    shown = set(clauses_shown_to_clients(actor.agency))
    return [row for row in results if _clause_id(row) in shown]


def _clause_id(row) -> str:
    return row["clause_id"] if isinstance(row, dict) else row.clause_id


def conformance_shown_in_report(report, results: Iterable[Result]) -> list[Result]:
    """The results a PDF report holds: a report built for the client (``report.for_client``) holds
    the clauses its agency shows its clients; one built for the staff holds every clause."""
    results = list(results)
    if not report.for_client:
        return results
    shown = set(clauses_shown_to_clients(report.agency))
    return [row for row in results if _clause_id(row) in shown]
