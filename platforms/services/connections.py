"""Connecting a platform account through the platform's OAuth 2 authorisation-code flow, keeping
the connection's tokens fresh, and disconnecting it.

The ``state`` sent to the platform is a random token whose sha256 alone is stored, in an
``AuthorisationRequest`` bound to the person who may finish it, the agency and the account; the
callback is accepted once, before it expires, from that person, in that agency. Staff may instead
send a client person of the account's client a link to a page of ours that starts the flow as them.

Platform calls (exchanging the code, refreshing, revoking) run outside any transaction: a platform
that answers has already changed its side, so what it answered is stored in a transaction of its
own right after (see ``platforms.services.calls``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Membership
from agency.roles import ADD, CHANGE, DELETE
from agency.tenancy import Actor, current_agency, require_agency, tenant_context
from clients.models import PlatformAccount
from platforms import crypto
from platforms.adapters import adapter_for, has_adapter
from platforms.adapters.base import Adapter, PlatformError
from platforms.models import AuthorisationRequest, Connection, ConnectionSecret, ConnectionStatus
from platforms.rules import AUTHORISATION_LINK_TTL, AUTHORISATION_TTL, REFRESH_AHEAD, RENEW_AHEAD
from platforms.services import calls

logger = logging.getLogger(__name__)

RESOURCE = "platform_connection"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require(actor: Actor, action: str) -> None:
    if actor.is_client_person or not actor.can(action, RESOURCE):
        raise PermissionDenied(_("Your role does not allow this."))


def _agency_internal():
    """The current agency as staff see it. Authorisation requests and tokens are agency-internal
    rows, which row-level security hides from client people; a client person who finishes an
    authorisation (bound to them by its state) has them read and written on the agency's side."""
    return tenant_context(require_agency())


def needed_scopes(adapter: Adapter) -> tuple[str, ...]:
    """Every scope the platform's capabilities need: what a connection asks for."""
    return adapter.scopes_for(adapter.capabilities)


def live_connection(account: PlatformAccount) -> Connection | None:
    return (
        Connection.objects.filter(account=account).exclude(status=ConnectionStatus.DISCONNECTED).order_by("-id").first()
    )


def _check_connectable(account: PlatformAccount) -> Connection | None:
    """The account's connection waiting to be reconnected, if any; refuses an account whose
    platform has no connector, or which is already connected."""
    if not has_adapter(account.platform):
        raise ValidationError(
            _("No connector is configured for %(platform)s: keep importing its data from files.")
            % {"platform": account.get_platform_display()},
            code="no_connector",
        )
    live = live_connection(account)
    if live is not None and live.status == ConnectionStatus.CONNECTED:
        raise ValidationError(_("This account is already connected."), code="already_connected")
    return live


def _new_request(*, account: PlatformAccount, person, requested_by, ttl: dt.timedelta, link_hash: str = "") -> str:
    state = secrets.token_urlsafe(32)
    with _agency_internal(), transaction.atomic():
        AuthorisationRequest.objects.create(
            client_id=account.client_id,
            account=account,
            state_hash=_digest(state),
            person=person,
            link_hash=link_hash,
            requested_by=requested_by,
            expires_at=timezone.now() + ttl,
        )
    return state


def authorisation_start(*, actor: Actor, account: PlatformAccount, redirect_uri: str) -> str:
    """The platform's page where the account's owner authorises us, for ``actor`` to open. Only
    staff whose role may connect accounts (account managers, agency admins) start it."""
    _require(actor, ADD)
    account = get_object_or_404(PlatformAccount.objects.visible_to(actor), pk=account.pk)
    _check_connectable(account)
    adapter = adapter_for(account.platform)
    state = _new_request(account=account, person=actor.user, requested_by=actor.user, ttl=AUTHORISATION_TTL)
    return adapter.authorize_url(state=state, redirect_uri=redirect_uri, scopes=needed_scopes(adapter))


def _client_person(account: PlatformAccount, person) -> Membership:
    membership = Membership.objects.filter(
        user=person, agency_id=account.agency_id, client_id=account.client_id, is_active=True
    ).first()
    if membership is None or not membership.is_client_person:
        raise ValidationError(
            {"person": _("Choose a person of this account's client.")},
            code="not_client_person",
        )
    return membership


def client_people(account: PlatformAccount):
    """The client people who may be sent an authorisation link for ``account``."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__agency_id=account.agency_id,
            memberships__client_id=account.client_id,
            memberships__is_active=True,
            is_active=True,
        )
        .order_by("username")
        .distinct()
    )


def authorisation_link(*, actor: Actor, account: PlatformAccount, person) -> str:
    """A token for a link to our own page (``platforms:link``) that a client person of the
    account's client opens to authorise the account themselves; valid ``AUTHORISATION_LINK_TTL``.
    Only that person, signed in, can use it."""
    _require(actor, ADD)
    account = get_object_or_404(PlatformAccount.objects.visible_to(actor), pk=account.pk)
    _check_connectable(account)
    _client_person(account, person)
    token = secrets.token_urlsafe(32)
    # The link's own row holds a state nobody knows: opening the link starts a fresh flow.
    _new_request(
        account=account, person=person, requested_by=actor.user, ttl=AUTHORISATION_LINK_TTL, link_hash=_digest(token)
    )
    return token


def link_request(*, user, token: str) -> AuthorisationRequest:
    """The link's request, for ``user`` in the current agency; refused (with the reason) when it
    is unknown, expired, used, or sent to someone else."""
    with _agency_internal():
        request = (
            AuthorisationRequest.objects.filter(link_hash=_digest(token))
            .exclude(link_hash="")
            .select_related("account", "client")
            .first()
        )
        if request is None:
            raise ValidationError(_("This authorisation link is not valid in this agency."), code="unknown")
        if request.person_id != user.pk:
            raise ValidationError(_("This authorisation link was sent to someone else."), code="other_person")
        if request.used_at is not None:
            raise ValidationError(_("This authorisation link has already been used."), code="used")
        if request.expires_at <= timezone.now():
            raise ValidationError(_("This authorisation link has expired: ask for a new one."), code="expired")
    return request


def authorisation_start_from_link(*, user, token: str, redirect_uri: str) -> str:
    """The platform's authorisation page for the client person a link was sent to."""
    link = link_request(user=user, token=token)
    _check_connectable(link.account)
    adapter = adapter_for(link.account.platform)
    state = _new_request(account=link.account, person=user, requested_by=link.requested_by, ttl=AUTHORISATION_TTL)
    return adapter.authorize_url(state=state, redirect_uri=redirect_uri, scopes=needed_scopes(adapter))


def _claim(*, user, state: str) -> AuthorisationRequest:
    """The request ``state`` names, marked used; refuses (writing nothing) one that is unknown,
    of another agency, for another person, used or expired."""
    digest = _digest(state or "")
    with _agency_internal(), transaction.atomic():
        request = (
            AuthorisationRequest.objects.select_for_update()
            .filter(state_hash=digest, link_hash="")
            .select_related("account")
            .first()
        )
        if request is None:
            if AuthorisationRequest.dangerously_all_agencies.filter(state_hash=digest).exists():
                raise ValidationError(
                    _("This authorisation was started in another agency: switch to it and connect again."),
                    code="other_agency",
                )
            raise ValidationError(_("This authorisation is not known: start connecting again."), code="unknown")
        if request.person_id != user.pk:
            raise ValidationError(_("This authorisation was started by someone else."), code="other_person")
        if request.used_at is not None:
            raise ValidationError(_("This authorisation has already been used."), code="used")
        if request.expires_at <= timezone.now():
            raise ValidationError(_("This authorisation has expired: start connecting again."), code="expired")
        request.used_at = timezone.now()
        request.save(update_fields=["used_at", "updated_at", "updated_by"])
    return request


def authorisation_complete(
    *, user, state: str, code: str | None = None, error: str | None = None, redirect_uri: str
) -> Connection:
    """Finish the flow the platform sent ``user`` back from: exchange ``code`` for tokens, read
    the profile, and keep the connection and its (encrypted) tokens together. Anything wrong is a
    ``ValidationError`` whose message says what, and leaves no connection behind."""
    calls.require_outside_transaction("authorisation_complete()")
    request = _claim(user=user, state=state)
    account = request.account
    if error or not code:
        raise ValidationError(
            _("The platform did not authorise the account: %(error)s")
            % {"error": error or _("no authorisation code came back")},
            code="denied",
        )
    reconnecting = _check_connectable(account)
    adapter = adapter_for(account.platform)
    try:
        tokens = adapter.exchange_code(code=code, redirect_uri=redirect_uri)
        profile = adapter.profile(tokens)
    except PlatformError as exc:
        logger.warning("Authorising account %s failed: %s (code %s)", account.pk, exc.message, exc.code)
        raise ValidationError(
            _("The platform refused the authorisation: %(message)s") % {"message": exc.message}, code="platform"
        ) from exc
    open_id = profile.open_id or tokens.open_id
    needed = needed_scopes(adapter)
    granted = list(tokens.scopes)
    missing = [scope for scope in needed if scope not in granted] if granted else []
    now = timezone.now()
    with _agency_internal(), transaction.atomic():
        account = PlatformAccount.objects.select_for_update().get(pk=account.pk)
        elsewhere = (
            Connection.objects.filter(platform=account.platform, open_id=open_id)
            .exclude(status=ConnectionStatus.DISCONNECTED)
            .exclude(account=account)
            .select_related("account")
            .first()
        )
        if elsewhere is not None:
            raise ValidationError(
                _("This platform account is already connected as %(account)s.") % {"account": elsewhere.account},
                code="open_id_taken",
            )
        connection = live_connection(account)
        if connection is not None and connection.status == ConnectionStatus.CONNECTED:
            raise ValidationError(_("This account is already connected."), code="already_connected")
        if connection is not None and connection.open_id != open_id:
            raise ValidationError(
                _("A different platform account was authorised than the one connected before; disconnect it first."),
                code="other_open_id",
            )
        if connection is None:
            connection = Connection(client_id=account.client_id, account=account, platform=account.platform)
        connection.open_id = open_id
        connection.status = ConnectionStatus.CONNECTED
        connection.scopes = granted
        connection.missing_scopes = missing
        connection.connected_by = user
        connection.connected_at = now
        connection.problem = ""
        connection.disconnected_at = None
        connection.not_before = None
        connection.expires_at = tokens.expires_at
        connection.refresh_expires_at = tokens.refresh_expires_at
        connection.save()
        calls.store_tokens(connection, tokens, refreshed=False)
        changed = []
        if not account.platform_uid:
            account.platform_uid = open_id[: PlatformAccount._meta.get_field("platform_uid").max_length]
            changed.append("platform_uid")
        if not account.nickname and profile.nickname:
            account.nickname = profile.nickname[: PlatformAccount._meta.get_field("nickname").max_length]
            changed.append("nickname")
        if changed:
            account.save(update_fields=[*changed, "updated_at", "updated_by"])
        # Links still waiting for this account are done with.
        AuthorisationRequest.objects.filter(account=account, used_at__isnull=True).exclude(link_hash="").update(
            used_at=now
        )
    logger.info(
        "Account %s %s (connection %s).", account.pk, "reconnected" if reconnecting else "connected", connection.pk
    )
    return connection


def connection_disconnect(*, actor: Actor, connection: Connection) -> Connection:
    """Give the authorisation back to the platform (best effort: a failure is recorded as the
    connection's problem), then forget the tokens. The connection stays as history."""
    _require(actor, DELETE)
    connection = get_object_or_404(Connection.objects.visible_to(actor), pk=connection.pk)
    if connection.status == ConnectionStatus.DISCONNECTED:
        raise ValidationError(_("This connection is already disconnected."), code="disconnected")
    problem = ""
    if has_adapter(connection.platform):
        try:
            adapter_for(connection.platform).revoke(calls.tokens_of(connection))
        except (PlatformError, crypto.TokenUnreadable, ConnectionSecret.DoesNotExist) as exc:
            problem = _("The platform did not confirm the revocation: %(message)s") % {
                "message": getattr(exc, "message", None) or type(exc).__name__
            }
            logger.warning("Revoking connection %s failed: %s", connection.pk, type(exc).__name__)
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        row.status = ConnectionStatus.DISCONNECTED
        row.disconnected_at = timezone.now()
        row.problem = problem[:500]
        row.save()
        ConnectionSecret.objects.filter(connection=row).delete()
    return row


def connections_refresh_due(*, now: dt.datetime | None = None) -> int:
    """For the current agency: refresh every access token that expires within ``REFRESH_AHEAD``
    and renew every refresh token that expires within ``RENEW_AHEAD``, each connection on its own
    (one failing stops no other). A connection whose authorisation is gone becomes "reconnect
    needed". Returns how many connections got new tokens."""
    if current_agency() is None:
        raise RuntimeError("connections_refresh_due runs inside tenant_context(agency).")
    now = now or timezone.now()
    # A connection with no tokens (imported from another installation's archive, which never
    # carries them) can only be authorised again.
    Connection.objects.filter(status=ConnectionStatus.CONNECTED, secret__isnull=True).update(
        status=ConnectionStatus.RECONNECT, problem=_("No tokens are stored here: authorise again."), updated_at=now
    )
    due = list(
        Connection.objects.filter(status=ConnectionStatus.CONNECTED)
        .filter(Q(expires_at__lte=now + REFRESH_AHEAD) | Q(refresh_expires_at__lte=now + RENEW_AHEAD))
        .order_by("expires_at", "id")
    )
    refreshed = 0
    for connection in due:
        renew = connection.refresh_expires_at is not None and connection.refresh_expires_at <= now + RENEW_AHEAD
        try:
            row = calls.refresh_tokens(connection, renew=renew)
        except calls.NotConnected:
            continue
        except (PlatformError, crypto.TokenUnreadable, LookupError) as exc:
            logger.warning(
                "Refreshing connection %s failed: %s", connection.pk, getattr(exc, "message", type(exc).__name__)
            )
            continue
        if row.status == ConnectionStatus.CONNECTED:
            refreshed += 1
        else:
            logger.info("Connection %s needs reconnecting: %s", row.pk, row.problem)
    return refreshed


def connection_for_change(*, actor: Actor, connection: Connection) -> Connection:
    """``connection`` when ``actor`` may act on it (sync now)."""
    _require(actor, CHANGE)
    return get_object_or_404(Connection.objects.visible_to(actor), pk=connection.pk)
