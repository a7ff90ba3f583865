"""The current agency, as a ContextVar, and the person acting in it.

Every request, task and command that touches tenant rows runs inside ``tenant_context(...)``.
Nothing falls back to "the user's agency" by itself: with no agency in context, a query on a
tenant model raises ``TenantContextMissing`` (see ``agency.models.TenantManager``); only a
``.none()``, which reads nothing, runs without one (the placeholder of a form or a serializer).

The one escape hatch is ``dangerously_all_agencies``: a manager on every tenant model (for the
platform admin, migrations and fan-out jobs) and a context manager for code that must read
across agencies through ordinary managers. Both names are meant to stop a reviewer. What they
run, the database runs as the crossing role, on its own connection in production
(``agency.db.routers``): the application's own role cannot read across agencies at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from django.contrib.auth.models import AbstractBaseUser

    from agency.models import Agency, Membership


class TenantContextMissing(RuntimeError):
    """A tenant model was queried with no agency in context."""


class TenantMismatch(RuntimeError):
    """A row of one agency was about to be written inside another agency's context."""


@dataclass(frozen=True)
class Actor:
    """Who acts, in which agency, with which role, and (for client people) for which client."""

    user: AbstractBaseUser
    agency: Agency
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def client_id(self) -> int | None:
        return self.membership.client_id

    @property
    def is_client_person(self) -> bool:
        return self.membership.client_id is not None

    def can(self, action: str, resource: str) -> bool:
        from agency.roles import role_can

        return role_can(self.role, resource, action)


_current_agency: ContextVar[Agency | None] = ContextVar("current_agency", default=None)
_current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)
_all_agencies: ContextVar[bool] = ContextVar("all_agencies", default=False)
# Who and through what changes are made: read by the database backend into the transaction-local
# settings app.user_id and app.channel, which the audit trail records.
_current_user_id: ContextVar[int | None] = ContextVar("current_user_id", default=None)
_current_channel: ContextVar[str] = ContextVar("current_channel", default="system")

CHANNELS = ("ui", "api", "task", "admin", "command", "import", "system")

# Starts the SQL of a query made through the ``dangerously_all_agencies`` manager, so that the
# database backend runs that one statement as the crossing role (agency.db.postgresql) when the
# crossing role has no connection of its own.
ALL_AGENCIES_MARK = "/* all agencies */ "


def current_agency() -> Agency | None:
    return _current_agency.get()


def current_actor() -> Actor | None:
    return _current_actor.get()


def current_user_id() -> int | None:
    return _current_user_id.get()


def current_channel() -> str:
    return _current_channel.get()


def require_agency() -> Agency:
    agency = _current_agency.get()
    if agency is None:
        raise TenantContextMissing("No agency in context: wrap the work in tenant_context(agency).")
    return agency


def all_agencies_active() -> bool:
    return _all_agencies.get()


@contextmanager
def tenant_boundary() -> Iterator[None]:
    """Restore whatever scope was current before the block, whatever the block activated."""
    variables = (_current_agency, _current_actor, _all_agencies, _current_user_id, _current_channel)
    tokens = [(var, var.set(var.get())) for var in variables]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


@contextmanager
def tenant_context(agency: Agency, actor: Actor | None = None, channel: str | None = None) -> Iterator[Agency]:
    """Run the block inside ``agency`` (as ``actor``, through ``channel``), restoring the previous
    scope after."""
    if actor is not None and actor.agency.pk != agency.pk:
        raise TenantMismatch("The actor belongs to another agency than the context.")
    with tenant_boundary():
        _current_agency.set(agency)
        _current_actor.set(actor)
        _all_agencies.set(False)
        if actor is not None:
            _current_user_id.set(actor.user.pk)
        if channel is not None:
            _current_channel.set(channel)
        yield agency


def activate(actor: Actor | None, *, channel: str, user_id: int | None = None) -> None:
    """Enter ``actor``'s agency (if any) for the rest of the enclosing ``tenant_boundary``, and
    record who acts (``user_id`` for a signed-in person with no actor, such as the platform
    admin) and through which channel."""
    if actor is not None:
        _current_agency.set(actor.agency)
        _current_actor.set(actor)
        user_id = actor.user.pk
    _current_user_id.set(user_id)
    _current_channel.set(channel)


@contextmanager
def dangerously_all_agencies() -> Iterator[None]:
    """Let ordinary managers read every agency's rows, as the crossing role (on its own connection
    when it has one: not in the caller's open transaction). For the platform admin and fan-out jobs."""
    token = _all_agencies.set(True)
    try:
        yield
    finally:
        _all_agencies.reset(token)
