"""API tokens: keys that expire, for people and for an agency's integrations.

- **Personal tokens** act as their person, with the person's roles, in whichever of their agencies a
  request chooses. The token endpoint (``agency.api.auth``) gives one, valid ``API_TOKEN_DAYS``; a
  valid one is exchanged for a new one (``refresh``: the old one stops working at once). People see
  and revoke their own on their page and through the API.
- **Integration tokens** belong to one agency, not to a person: made and revoked by an agency admin,
  with an expiry (required, at most ``INTEGRATION_TOKEN_MAX_DAYS`` away) and scopes, read or write
  per area (``AREAS``). Each acts as its own account (an inactive user that can never sign in, named
  after the token), in its agency only, with ``INTEGRATION_ROLE``'s rights narrowed to its scopes
  (``IntegrationActor``). Each request that writes and succeeds leaves an ``IntegrationWrite``, which
  the audit trail records in turn.
- Only the SHA-256 of a key is stored, beside its first characters (``prefix``) to recognise it. An
  expired or revoked key answers 401 with the reason (``token_expired``, ``token_revoked``); when a
  token was last used is noted at most once every ``TOKEN_LAST_USED_EVERY`` seconds.

Which area each resource of the permission table (``agency.roles.PERMISSIONS``) belongs to is
``RESOURCE_AREAS``, the one table; a resource missing from it is refused to every integration, and
``tests/agency/test_api_tokens.py`` fails until it is given its area.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agency.models import Agency, ApiToken, IntegrationWrite, Membership
from agency.roles import PERMISSIONS, VIEW, Role
from agency.tenancy import Actor, tenant_context

PERSONAL_TAG = "svp_"  # personal keys start with this
INTEGRATION_TAG = "svi_"  # integration keys start with this
PREFIX_LENGTH = 12  # the tag and the first characters of the key: what lists show
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The areas scopes are given for, and the two levels (write includes read).
PRODUCTION, OPERATIONS, RECORDS, DATA_INGEST = "production", "operations", "records", "data_ingest"
AREAS = {
    PRODUCTION: _("Production"),
    OPERATIONS: _("Operations"),
    RECORDS: _("Records"),
    DATA_INGEST: _("Data ingest"),
}
READ, WRITE = "read", "write"
SCOPES = tuple(f"{area}:{level}" for area in AREAS for level in (READ, WRITE))

# Every resource of agency.roles.PERMISSIONS, in its area.
RESOURCE_AREAS: dict[str, str] = {
    # Chapter 5, video production, and the client's review of it.
    "video": PRODUCTION,
    "video_project": PRODUCTION,
    "script": PRODUCTION,
    "shoot": PRODUCTION,
    "post_production": PRODUCTION,
    "review": PRODUCTION,
    # Clients, chapters 6 to 8 (account operations, live and extensions) and 10 (evaluation).
    "client": OPERATIONS,
    "platform_account": OPERATIONS,
    "requirement": OPERATIONS,
    "account_direction": OPERATIONS,
    "profile_change": OPERATIONS,
    "pinned_video": OPERATIONS,
    "boost": OPERATIONS,
    "auto_reply": OPERATIONS,
    "inbox": OPERATIONS,
    "conversation": OPERATIONS,
    "saved_reply": OPERATIONS,
    "local_life": OPERATIONS,
    "promotion": OPERATIONS,
    "ad_campaign": OPERATIONS,
    "ad_budget_approval": OPERATIONS,
    "comment": OPERATIONS,
    "opinion_alert": OPERATIONS,
    "hot_topic": OPERATIONS,
    "content_plan": OPERATIONS,
    "audience": OPERATIONS,
    "ip_persona": OPERATIONS,
    "live_session": OPERATIONS,
    "influencer": OPERATIONS,
    "store_visit": OPERATIONS,
    "adverse_event": OPERATIONS,
    "valuation": OPERATIONS,
    "questionnaire": OPERATIONS,
    "evaluation_campaign": OPERATIONS,
    "survey_invitation": OPERATIONS,
    "survey_response": OPERATIONS,
    "service_guarantee": OPERATIONS,
    "complaint": OPERATIONS,
    "improvement": OPERATIONS,
    # Chapter 9, operation records, the trail, exports and the standard's conformance.
    "asset": RECORDS,
    "inspection": RECORDS,
    "usage_record": RECORDS,
    "statistics_report": RECORDS,
    "assessment_report": RECORDS,
    "image_record": RECORDS,
    "audit_event": RECORDS,
    "export_job": RECORDS,
    "conformance": RECORDS,
    # Notifications (issue 22): a person's own, and the agency's group-bot webhooks.
    "notification": OPERATIONS,
    "notification_webhook": OPERATIONS,
    # Platform data coming in: daily figures, file imports, platform connections and their syncs.
    "platform_metrics": DATA_INGEST,
    "data_import": DATA_INGEST,
    "platform_connection": DATA_INGEST,
}


def unmapped_resources() -> set[str]:
    """Resources of the permission table with no area, and areas named for no such resource."""
    return set(PERMISSIONS) ^ set(RESOURCE_AREAS)


# An integration acts with this role's rights at most (never an agency admin's decisions), narrowed
# to its scopes; only this role makes and revokes integration tokens.
INTEGRATION_ROLE = Role.ACCOUNT_MANAGER
INTEGRATION_MANAGER_ROLE = Role.AGENCY_ADMIN


def scope_allows(scopes, resource: str, action: str) -> bool:
    """Whether ``scopes`` cover ``action`` on ``resource``: reading needs the area's read or write
    scope, any other action its write scope."""
    area = RESOURCE_AREAS.get(resource)
    if area is None:
        return False
    if action == VIEW:
        return f"{area}:{READ}" in scopes or f"{area}:{WRITE}" in scopes
    return f"{area}:{WRITE}" in scopes


@dataclass(frozen=True)
class IntegrationActor(Actor):
    """An integration token acting in its agency: ``INTEGRATION_ROLE``'s rights, within its scopes."""

    token: ApiToken | None = None
    scopes: frozenset[str] = frozenset()

    def can(self, action: str, resource: str) -> bool:
        return scope_allows(self.scopes, resource, action) and super().can(action, resource)


def integration_actor(token: ApiToken) -> IntegrationActor:
    membership = Membership(user=token.user, agency=token.agency, role=INTEGRATION_ROLE, is_active=True)
    return IntegrationActor(
        user=token.user, agency=token.agency, membership=membership, token=token, scopes=frozenset(token.scopes)
    )


# --- keys ---------------------------------------------------------------------------------------


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key(tag: str) -> str:
    return tag + secrets.token_urlsafe(32)


def _stored(key: str, **fields) -> ApiToken:
    return ApiToken.objects.create(prefix=key[:PREFIX_LENGTH], token_hash=digest(key), **fields)


# --- personal tokens ----------------------------------------------------------------------------


def personal_lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def issue_personal(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new personal token for ``user``, valid ``API_TOKEN_DAYS``; the key is returned only here."""
    key = _new_key(PERSONAL_TAG)
    token = _stored(
        key,
        kind=ApiToken.Kind.PERSONAL,
        user=user,
        name=name.strip()[:100],
        created_by=user,
        expires_at=timezone.now() + personal_lifetime(),
    )
    return token, key


@transaction.atomic
def refresh(token: ApiToken) -> tuple[ApiToken, str] | None:
    """A valid personal token exchanged for a new one with a new expiry; the old one is revoked.
    ``None`` when the token was revoked meanwhile (of two refreshes of one token, one wins)."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True, expires_at__gt=now).update(revoked_at=now)
    if not revoked:
        return None
    return issue_personal(user=token.user, name=token.name)


def personal_tokens(user):
    """The person's own tokens, newest first."""
    return ApiToken.objects.filter(user=user, kind=ApiToken.Kind.PERSONAL)


def revoke_personal(*, user, pk) -> ApiToken | None:
    """Revoke one of ``user``'s own tokens; ``None`` when they have no token ``pk``."""
    token = personal_tokens(user).filter(pk=pk).first()
    if token is not None:
        _revoke(token)
    return token


def revoke_all_personal(*, user) -> int:
    """Revoke every token of the person that still works (signing out everywhere)."""
    return (
        personal_tokens(user)
        .filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        .update(revoked_at=timezone.now())
    )


def _revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)


# --- integration tokens -------------------------------------------------------------------------


def integration_tokens(agency: Agency):
    return ApiToken.objects.filter(agency=agency, kind=ApiToken.Kind.INTEGRATION).select_related("created_by")


def may_manage_integrations(actor: Actor | None) -> bool:
    return (
        actor is not None
        and not isinstance(actor, IntegrationActor)
        and actor.membership.pk is not None
        and actor.role == INTEGRATION_MANAGER_ROLE
    )


def validate_integration(*, name: str, scopes, expires_at: datetime | None) -> list[str]:
    """The checked scopes, in ``SCOPES`` order; a ValidationError naming each wrong field."""
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Give the integration a name.")]
    elif len(name.strip()) > 100:
        errors["name"] = [_("At most 100 characters.")]
    scopes = list(scopes or [])
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        errors["scopes"] = [
            _("Unknown scope %(scope)s; the scopes are: %(known)s.") % {"scope": unknown[0], "known": ", ".join(SCOPES)}
        ]
    elif not scopes:
        errors["scopes"] = [_("Choose at least one scope.")]
    now = timezone.now()
    longest = timedelta(days=settings.INTEGRATION_TOKEN_MAX_DAYS)
    if expires_at is None:
        errors["expires_at"] = [_("An integration token needs an expiry.")]
    elif expires_at <= now:
        errors["expires_at"] = [_("The expiry must be in the future.")]
    elif expires_at > now + longest:
        errors["expires_at"] = [
            _("The expiry may be at most %(days)s days away.") % {"days": settings.INTEGRATION_TOKEN_MAX_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    return [scope for scope in SCOPES if scope in scopes]


@transaction.atomic
def issue_integration(*, actor: Actor, name: str, scopes, expires_at: datetime | None) -> tuple[ApiToken, str]:
    """A new integration token of ``actor``'s agency (``actor`` an agency admin), with its own
    account; the key is returned only here."""
    if not may_manage_integrations(actor):
        raise ValidationError(_("Only an agency admin makes integration tokens."))
    scopes = validate_integration(name=name, scopes=scopes, expires_at=expires_at)
    key = _new_key(INTEGRATION_TAG)
    account = get_user_model()(
        username=f"integration-{uuid.uuid4().hex[:16]}", first_name=name.strip()[:150], is_active=False
    )
    account.set_unusable_password()
    account.save()
    token = _stored(
        key,
        kind=ApiToken.Kind.INTEGRATION,
        user=account,
        agency=actor.agency,
        name=name.strip(),
        scopes=scopes,
        created_by=actor.user,
        expires_at=expires_at,
    )
    return token, key


def revoke_integration(*, actor: Actor, pk) -> ApiToken | None:
    """Revoke one of the agency's integration tokens; ``None`` when the agency has no token ``pk``."""
    if not may_manage_integrations(actor):
        raise ValidationError(_("Only an agency admin revokes integration tokens."))
    token = integration_tokens(actor.agency).filter(pk=pk).first()
    if token is not None:
        _revoke(token)
    return token


def recent_writes(agency: Agency, limit: int = 50):
    with tenant_context(agency):
        return list(IntegrationWrite.objects.order_by("-created_at", "-id")[:limit])


def record_write(actor: IntegrationActor, request, status: int) -> IntegrationWrite:
    """The line left by a request of an integration token that wrote and succeeded."""
    token = actor.token
    return IntegrationWrite.objects.create(
        integration_ref=token.pk,
        integration_prefix=token.prefix,
        integration_name=token.name,
        method=request.method,
        path=request.get_full_path()[:255],
        status=status,
    )


# --- using a key --------------------------------------------------------------------------------

# Why a key is refused: unknown (or its person or agency no longer active), expired, revoked.
INVALID, EXPIRED, REVOKED = "token_invalid", "token_expired", "token_revoked"
REFUSALS = {
    INVALID: "Invalid token.",
    EXPIRED: "Token expired: ask the token endpoint for a new one.",
    REVOKED: "Token revoked: ask the token endpoint for a new one.",
}


class TokenRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(REFUSALS[reason])
        self.reason = reason


def find(key: str) -> ApiToken:
    """The token of ``key``, with its person (or account) and agency; ``TokenRefused(INVALID)``."""
    token = ApiToken.objects.select_related("user", "agency").filter(token_hash=digest(key)).first()
    if token is None:
        raise TokenRefused(INVALID)
    return token


def check(token: ApiToken, now: datetime | None = None) -> None:
    """Refuse a revoked or expired token, an integration of an inactive agency, a person made inactive."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(REVOKED)
    if token.expires_at <= now:
        raise TokenRefused(EXPIRED)
    if token.kind == ApiToken.Kind.INTEGRATION:
        if not token.agency.is_active:
            raise TokenRefused(INVALID)
    elif not token.user.is_active:
        raise TokenRefused(INVALID)


def touch(token: ApiToken, now: datetime | None = None) -> bool:
    """Note that the token was used, unless that was noted less than ``TOKEN_LAST_USED_EVERY``
    seconds ago (one write a minute at most, not one per request). Returns whether it wrote."""
    now = now or timezone.now()
    every = timedelta(seconds=settings.TOKEN_LAST_USED_EVERY)
    if token.last_used_at is not None and now - token.last_used_at < every:
        return False
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - every)
    written = ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return bool(written)
