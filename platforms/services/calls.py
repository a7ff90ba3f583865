"""Calling a platform for a connection: its tokens decrypted just for the call, an expired access
token refreshed and the call retried once, and each refusal recorded on the connection (reconnect
needed, a missing scope, the platform's rate-limit window).

Token writes commit on their own: a platform that rotates its refresh token invalidates the old one
the moment it answers, so the new one must never be rolled back with the work that asked for it.
That is why these functions refuse to run inside a transaction (tasks of ``platforms`` set
``atomic = False``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from platforms import crypto
from platforms.adapters import adapter_for
from platforms.adapters.base import Adapter, RateLimited, ReconnectNeeded, ScopeMissing, TokenExpired, Tokens
from platforms.models import Connection, ConnectionSecret, ConnectionStatus

logger = logging.getLogger(__name__)


class NotConnected(Exception):
    """The connection cannot be used: disconnected, or waiting for its owner to reconnect."""


def require_outside_transaction(what: str) -> None:
    """Refuse to call a platform inside a transaction: what the platform did (a rotated token, an
    accepted reply) must never be rolled back with the work around it. The one transaction allowed
    is the one a test case wraps every test in (Django's ``TestCase``, marked ``_from_testcase``),
    where each commit of the code under test is a savepoint and the platform is a fake or the
    simulator; so these services are tested without paying for a real commit per test."""
    if any(not getattr(block, "_from_testcase", False) for block in db_connection.atomic_blocks):
        raise RuntimeError(f"{what} runs outside a transaction: what the platform did is never rolled back.")


def _outside_transaction() -> None:
    require_outside_transaction("A platform call")


def tokens_of(connection: Connection) -> Tokens:
    secret = ConnectionSecret.objects.get(connection=connection)
    return Tokens(
        access_token=crypto.unseal(secret.access_token),
        refresh_token=crypto.unseal(secret.refresh_token),
        expires_at=connection.expires_at,
        refresh_expires_at=connection.refresh_expires_at,
        open_id=connection.open_id,
        scopes=tuple(connection.scopes or ()),
    )


def store_tokens(connection: Connection, tokens: Tokens, *, refreshed: bool = True) -> Connection:
    """Keep ``tokens`` (encrypted) for ``connection`` and its expiry times. Call inside a transaction
    that holds the connection's row lock."""
    ConnectionSecret.objects.update_or_create(
        connection=connection,
        defaults={
            "agency_id": connection.agency_id,
            "access_token": crypto.seal(tokens.access_token),
            "refresh_token": crypto.seal(tokens.refresh_token),
        },
    )
    connection.expires_at = tokens.expires_at
    connection.refresh_expires_at = tokens.refresh_expires_at or connection.refresh_expires_at
    if tokens.scopes:
        connection.scopes = list(tokens.scopes)
    if refreshed:
        connection.refreshed_at = timezone.now()
    connection.save()
    return connection


def mark_reconnect(connection: Connection, problem: str) -> Connection:
    """The authorisation is gone: the account, the client page and Today say "reconnect needed"."""
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        if row.status == ConnectionStatus.CONNECTED:
            row.status = ConnectionStatus.RECONNECT
        row.problem = problem[:500]
        row.save()
    logger.info("Connection %s needs reconnecting: %s", connection.pk, problem)
    return row


def refresh_tokens(connection: Connection, *, adapter: Adapter | None = None, renew: bool = False) -> Connection:
    """A new access token for ``connection`` (and a renewed refresh token when ``renew``), stored
    before anything else happens. Another process that refreshed meanwhile wins: its tokens are
    used as they are."""
    _outside_transaction()
    adapter = adapter or adapter_for(connection.platform)
    seen_expiry = connection.expires_at
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        if row.status != ConnectionStatus.CONNECTED:
            raise NotConnected(row.problem or row.get_status_display())
        if row.expires_at != seen_expiry and row.expires_at > timezone.now() and not renew:
            return row  # refreshed by someone else while we waited for the lock
        tokens = tokens_of(row)
        try:
            fresh = adapter.refresh(tokens)
            if renew:
                fresh = adapter.renew_refresh_token(fresh)
        except ReconnectNeeded as exc:
            row.status = ConnectionStatus.RECONNECT
            row.problem = exc.message[:500]
            row.save()
            return row
        row.problem = ""
        return store_tokens(row, fresh)


def call(connection: Connection, method: str, /, **kwargs):
    """``adapter.<method>(tokens, **kwargs)`` for ``connection``: refreshes an expired access token
    and retries once; records reconnect-needed, a missing scope, or the platform's rate-limit window
    on the connection before re-raising."""
    _outside_transaction()
    connection.refresh_from_db()
    if connection.status != ConnectionStatus.CONNECTED:
        raise NotConnected(connection.problem or connection.get_status_display())
    now = timezone.now()
    if connection.not_before and connection.not_before > now:
        raise RateLimited(
            "Waiting for the platform's rate-limit window.", retry_after=(connection.not_before - now).total_seconds()
        )
    adapter = adapter_for(connection.platform)
    try:
        try:
            return getattr(adapter, method)(tokens_of(connection), **kwargs)
        except TokenExpired:
            connection = refresh_tokens(connection, adapter=adapter)
            if connection.status != ConnectionStatus.CONNECTED:
                raise NotConnected(connection.problem) from None
            return getattr(adapter, method)(tokens_of(connection), **kwargs)
    except ReconnectNeeded as exc:
        mark_reconnect(connection, exc.message)
        raise
    except ScopeMissing as exc:
        with transaction.atomic():
            row = Connection.objects.select_for_update().get(pk=connection.pk)
            if exc.scope and exc.scope not in row.missing_scopes:
                row.missing_scopes = [*row.missing_scopes, exc.scope]
                row.save()
        raise
    except RateLimited as exc:
        until = timezone.now() + dt.timedelta(seconds=max(exc.retry_after, 1))
        Connection.objects.filter(pk=connection.pk).update(not_before=until, updated_at=timezone.now())
        raise
