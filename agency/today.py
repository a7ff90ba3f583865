"""Today's work: what each app contributes to the staff home page.

An app's ``today.py`` declares its sections::

    @today_section(resource="requirement", order=10)
    def requirements_to_decide(actor, today) -> WorkSection | None: ...

The home page shows, for the signed-in person, every section whose resource their role may view
(or, for a section declared with ``action=``, act on: work only some roles do), in order, each with
a count, a link to where the work is done and its first rows. A section returns None when it has
nothing to show. Each section runs a fixed number of queries.

The client area has its own list, "waiting for you": what a client person is asked to do or to
read (a script or a cut to approve, an answer to a requirement, a survey), declared the same way
with ``@client_waiting(resource=..., action=..., order=...)``; ``waiting_for_client`` gives the
sections with something in them (their counts head the client's dashboard and badge its
navigation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Window
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from agency.roles import VIEW
from agency.tenancy import Actor

ROWS_SHOWN = 5


@dataclass
class WorkRow:
    text: str
    url: str = ""
    note: str = ""
    overdue: bool = False


@dataclass
class WorkSection:
    title: str
    count: int
    url: str
    rows: list[WorkRow] = field(default_factory=list)


@dataclass(frozen=True)
class SectionSpec:
    func: Callable[[Actor, dt.date], WorkSection | None]
    resource: str
    order: int
    action: str = VIEW


SECTIONS: list[SectionSpec] = []


def today_section(*, resource: str, order: int, action: str = VIEW):
    def decorator(func):
        SECTIONS.append(SectionSpec(func, resource, order, action))
        SECTIONS.sort(key=lambda spec: spec.order)
        return func

    return decorator


CLIENT_SECTIONS: list[SectionSpec] = []


def client_waiting(*, resource: str, order: int, action: str = VIEW):
    """Declare a section of what waits for a client person (their rows only: ``visible_to``)."""

    def decorator(func):
        CLIENT_SECTIONS.append(SectionSpec(func, resource, order, action))
        CLIENT_SECTIONS.sort(key=lambda spec: spec.order)
        return func

    return decorator


def autodiscover() -> None:
    autodiscover_modules("today")


def sections_for(actor: Actor) -> list[WorkSection]:
    today = actor.agency.today()
    out = []
    for spec in SECTIONS:
        if actor.can(spec.action, spec.resource):
            section = spec.func(actor, today)
            if section is not None and section.count:
                out.append(section)
    return out


def waiting_for_client(actor: Actor | None) -> list[WorkSection]:
    """What waits for a client person, section by section (those with a count); nothing for staff."""
    if actor is None or not actor.is_client_person:
        return []
    today = timezone.localdate(timezone=actor.agency.tz)
    out = []
    for spec in CLIENT_SECTIONS:
        if actor.can(spec.action, spec.resource):
            section = spec.func(actor, today)
            if section is not None and section.count:
                out.append(section)
    return out


def first_rows(queryset, make_row: Callable[[object], WorkRow]) -> tuple[int, list[WorkRow]]:
    """The count of a queryset and its first rows, in one query: the count is a window over every
    row the filter keeps, taken before the limit (two queries for a DISTINCT one, which a window
    would count before removing its duplicates)."""
    if queryset.query.distinct or queryset.query.combinator:
        return queryset.count(), [make_row(obj) for obj in queryset[:ROWS_SHOWN]]
    rows = list(queryset.annotate(_rows_in_all=Window(Count("pk")))[:ROWS_SHOWN])
    return (rows[0]._rows_in_all if rows else 0), [make_row(obj) for obj in rows]


def local(moment: dt.datetime, actor: Actor) -> dt.datetime:
    """A moment in the agency's time zone, as a row's note shows it."""
    return timezone.localtime(moment, actor.agency.tz)
