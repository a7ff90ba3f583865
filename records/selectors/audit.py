"""Reads of the audit trail (4.2): rows as they stood at a moment, and events as people read them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

from agency.models import TenantModel
from agency.names import named
from agency.templatetags.agency_tags import NOT_COUNTS, is_money_field, moment, money, number, person
from records.audit import REDACTED
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


# --- the trail as people read it ------------------------------------------------------------------

# The channels a change came through (``agency.tenancy``'s ``app.channel``), as people name them.
CHANNEL_LABELS = {
    "ui": gettext_lazy("web page"),
    "api": gettext_lazy("API"),
    "task": gettext_lazy("background task"),
    "admin": gettext_lazy("admin site"),
    "command": gettext_lazy("command"),
    "import": gettext_lazy("import"),
    "system": gettext_lazy("system"),
}


# Labels of the columns whose fields have no verbose name of their own (Django made one from the
# field's name, which no catalogue translates): the base columns of every tenant row and a few more.
UNNAMED_FIELD_LABELS = {
    "agency": gettext_lazy("agency"),
    "client": gettext_lazy("client"),
    "created_by": gettext_lazy("created by"),
    "updated_by": gettext_lazy("updated by"),
    "access_token": gettext_lazy("access token"),
    "refresh_token": gettext_lazy("refresh token"),
    "applied_by": gettext_lazy("applied by"),
    "approved_by": gettext_lazy("approved by"),
    "attempts": gettext_lazy("attempts"),
    "author": gettext_lazy("author"),
    "channels": gettext_lazy("channels"),
    "connected_by": gettext_lazy("connected by"),
    "connection": gettext_lazy("connection"),
    "decided_by": gettext_lazy("decided by"),
    "digest_sent_on": gettext_lazy("digest sent on"),
    "email_error": gettext_lazy("e-mail error"),
    "handled_by": gettext_lazy("handled by"),
    "in_app": gettext_lazy("in the app"),
    "key": gettext_lazy("key"),
    "kind": gettext_lazy("kind"),
    "last_error": gettext_lazy("last error"),
    "link_hash": gettext_lazy("link hash"),
    "message": gettext_lazy("message"),
    "next_attempt_at": gettext_lazy("next attempt at"),
    "params": gettext_lazy("parameters"),
    "requested_by": gettext_lazy("requested by"),
    "rule": gettext_lazy("rule"),
    "secret_sealed": gettext_lazy("secret (sealed)"),
    "sent_at": gettext_lazy("sent at"),
    "snapshot": gettext_lazy("snapshot"),
    "state_hash": gettext_lazy("state hash"),
    "status": gettext_lazy("status"),
    "subject_id": gettext_lazy("subject id"),
    "subject_type": gettext_lazy("subject type"),
    "text": gettext_lazy("text"),
    "url_sealed": gettext_lazy("URL (sealed)"),
    "user": gettext_lazy("user"),
    "webhook": gettext_lazy("webhook"),
}


def field_label(field) -> str:
    """A field's label: its verbose name, or for a field without one, ``UNNAMED_FIELD_LABELS``."""
    name = field.verbose_name
    if not isinstance(name, Promise):
        name = UNNAMED_FIELD_LABELS.get(field.name, name)
    return capfirst(str(name))


@dataclass(frozen=True)
class Change:
    """One field of an event: its label, and its value before and after as a page shows them
    (text, or structured data kept as it is; None for no value)."""

    label: str
    old: object
    new: object


@dataclass(frozen=True)
class ReadableEvent:
    event: AuditEvent
    record: str
    channel: str
    changes: list[Change]


def readable_events(actor, events) -> list[ReadableEvent]:
    """``events`` as people read them (4.2): the record by its type and name, each changed field by
    its label, values as every page shows them (a choice by its label, a related row by its name,
    a person by name, a moment in the agency's time, money with its currency) instead of the
    stored columns. Queries: one per type of related row named, whatever the number of events."""
    events = list(events)
    models_by_label = {event.model_label: _model(event.model_label) for event in events}
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for event in events:
        model = models_by_label[event.model_label]
        if model is None:
            continue
        if event.object_pk:
            wanted[model].add(event.object_pk)
        for column, pair in (event.changes or {}).items():
            field = _field_of(model, column)
            if field is not None and field.is_relation and field.many_to_one:
                wanted[field.related_model].update(v for v in _pair(pair) if v not in (None, "", REDACTED))
    names = {model: _names(actor, model, keys) for model, keys in wanted.items()}
    readable = []
    for event in events:
        model = models_by_label[event.model_label]
        readable.append(
            ReadableEvent(
                event=event,
                record=_record_name(model, event, names),
                channel=str(CHANNEL_LABELS.get(event.channel, event.channel)),
                changes=[_change(model, column, pair, names) for column, pair in sorted((event.changes or {}).items())],
            )
        )
    return readable


def _model(label: str):
    try:
        return global_apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field_of(model, column: str):
    if model is None:
        return None
    return next((f for f in model._meta.concrete_fields if f.column == column), None)


def _pair(pair) -> tuple:
    return tuple(pair) if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)


def _names(actor, model, keys) -> dict[str, str]:
    """The names of the rows of ``model`` with these keys that ``actor`` may see, by key as text."""
    field = model._meta.pk
    values = []
    for key in keys:
        try:
            values.append(field.to_python(key))
        except (TypeError, ValueError, ValidationError):
            continue
    if not values:
        return {}
    if issubclass(model, TenantModel):
        rows = named(model.objects.visible_to(actor))
    elif model is get_user_model():
        rows = model.objects.filter(memberships__agency=actor.agency).distinct()
    else:
        rows = model._default_manager.all()
    found = rows.filter(pk__in=values)
    if model is get_user_model():
        return {str(user.pk): person(user) for user in found}
    return {str(row.pk): str(row) for row in found}


def _record_name(model, event: AuditEvent, names) -> str:
    if model is None:
        return f"{event.model_label} #{event.object_pk}"
    kind = capfirst(str(model._meta.verbose_name))
    name = names.get(model, {}).get(str(event.object_pk))
    return f"{kind} {name}" if name else f"{kind} #{event.object_pk}"


def _change(model, column: str, pair, names) -> Change:
    old, new = _pair(pair)
    field = _field_of(model, column)
    if field is None:
        return Change(label=column, old=old, new=new)
    return Change(label=field_label(field), old=_shown(field, old, names), new=_shown(field, new, names))


def _shown(field, value, names):
    """A stored value of ``field`` as the pages show it; structured data and unknown shapes as kept."""
    if value is None or value == "" or value == REDACTED:
        return value if value != "" else None
    if field.is_relation and field.many_to_one:
        return names.get(field.related_model, {}).get(str(value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dict | list):
        return value
    try:
        value = field.to_python(value)
    except ValidationError:
        return value
    if isinstance(field, models.DateTimeField) and isinstance(value, dt.datetime):
        if timezone.is_naive(value):  # SQLite's triggers keep UTC without an offset
            value = timezone.make_aware(value, dt.UTC)
        return moment(value)
    if is_money_field(field):
        return money(value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.date):
        return moment(value)
    if isinstance(value, int | float | Decimal):
        return str(value) if field.name in NOT_COUNTS else number(value)
    return value
