"""How API requests prove who sends them (DRF authentication classes)."""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication

from agency import answer_cache
from agency.selectors import actor_for, agency_choice


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, and the actor the token acts as (``agency.selectors.actor_for``
    with the request's choice of agency), found together and kept in the answer cache
    (``agency.answer_cache``) until a token, person, membership or agency is written: a token
    deleted or a person or membership deactivated is refused at its next request."""

    actor = None

    def authenticate(self, request):
        self.choice = agency_choice(request)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        authenticate = super().authenticate_credentials

        def compute():
            user, token = authenticate(key)
            return user, token, actor_for(user, *self.choice)

        user, token, actor = answer_cache.cached("api-token", (key, *self.choice), compute)
        if actor is not None:
            actor.membership.user = user  # one object for the request's user
            self.actor = actor.membership.as_actor()
        return user, token
