"""How API requests prove who sends them (DRF authentication classes)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from agency import answer_cache, tokens
from agency.models import ApiToken
from agency.selectors import actor_for, agency_choice


class TokenRefusedError(exceptions.AuthenticationFailed):
    """401 with the reason as the error's code (``token_expired``, ``token_revoked``, ``token_invalid``)."""


class CachedTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``) with a key of ``agency.tokens``: a
    person's token acts as the person (``agency.selectors.actor_for`` with the request's choice of
    agency); an integration's acts as its ``IntegrationActor``, in its own agency only (a request
    that names another agency gets no actor, and is refused).

    The token and its actor are found together and kept in the answer cache
    (``agency.answer_cache``) until a token, person, membership or agency is written; whether the
    token expired is checked on every request, and a revoked one (a write) is refused at its next."""

    keywords = ("token", "bearer")
    actor = None
    token = None

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower().decode() not in self.keywords:
            return None
        if len(parts) != 2:
            raise TokenRefusedError("Invalid token header: send 'Token <key>'.", code=tokens.INVALID)
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise TokenRefusedError(tokens.REFUSALS[tokens.INVALID], code=tokens.INVALID) from None
        self.choice = agency_choice(request)
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key):
        choice = self.choice

        def compute():
            token = tokens.find(key)
            if token.kind == ApiToken.Kind.INTEGRATION:
                slug = choice[0]
                actor = None if slug and slug != token.agency.slug else tokens.integration_actor(token)
            else:
                actor = actor_for(token.user, *choice)
            return token, actor

        try:
            token, actor = answer_cache.cached("api-token", (tokens.digest(key), *choice), compute)
            tokens.check(token)
        except tokens.TokenRefused as refused:
            raise TokenRefusedError(str(refused), code=refused.reason) from None
        tokens.touch(token)
        if actor is not None and not isinstance(actor, tokens.IntegrationActor):
            actor.membership.user = token.user  # one object for the request's user
            actor = actor.membership.as_actor()
        self.actor = actor
        self.token = token
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's description of ``CachedTokenAuthentication`` (as DRF's token scheme is described)."""

    target_class = CachedTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
