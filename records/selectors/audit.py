"""Reads of the audit trail (4.2): rows as they stood at a moment."""

from __future__ import annotations

import datetime as dt

from records.models.audit import AuditAction, AuditEvent


def values_as_they_stood(rows, fields: tuple[str, ...], moment: dt.datetime) -> dict[int, dict]:
    """Each row's ``fields`` as they stood at ``moment``, read back from the audit trail (4.2): a
    field keeps today's value unless a change recorded after ``moment`` replaced it, and then it
    held the value that the first such change replaced. Used by checks that judge a period by
    what was true at its end (a POI unlinked, a deal paused after the period). Only changes are
    undone; whether a row existed then is judged by its own creation time."""
    rows = list(rows)
    if not rows:
        return {}
    model = type(rows[0])
    columns = {model._meta.get_field(name).column: name for name in fields}
    stood = {row.pk: {name: getattr(row, name) for name in fields} for row in rows}
    undone: set[tuple[int, str]] = set()
    later = AuditEvent.objects.filter(
        model_label=model._meta.label_lower,
        object_pk__in=[str(pk) for pk in stood],
        action=AuditAction.UPDATE,
        occurred_at__gt=moment,
    ).order_by("occurred_at", "pk")
    for event in later:
        pk = int(event.object_pk)
        for column, name in columns.items():
            if column in (event.changes or {}) and (pk, name) not in undone:
                undone.add((pk, name))
                stood[pk][name] = model._meta.get_field(name).to_python(event.changes[column][0])
    return stood
