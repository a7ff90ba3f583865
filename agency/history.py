"""A row's fields as they stood at a moment, for the checks that judge a past period by what was
true at its end.

The audit trail (4.2) answers it, and the trail belongs to the records app (``records.audit``),
above the apps whose checks need it: it registers its reader at start-up (``AppConfig.ready``), and
a check of a lower app (4.1 in ``clients``) asks here. Apps above records may read the trail
directly (``records.selectors.audit``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

Reader = Callable[[Iterable, tuple[str, ...], dt.datetime], dict[int, dict]]

_reader: Reader | None = None


def register_reader(reader: Reader) -> None:
    global _reader
    _reader = reader


def values_as_they_stood(rows: Iterable, fields: tuple[str, ...], moment: dt.datetime) -> dict[int, dict]:
    """Each row's ``fields`` as they stood at ``moment`` (by pk), read by the registered reader."""
    if _reader is None:
        raise LookupError("No app registered a reader of the audit trail (agency.history.register_reader).")
    return _reader(rows, fields, moment)
