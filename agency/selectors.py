"""Reads of the tenant core: which agencies a person belongs to, and who acts in a request."""

from __future__ import annotations

from django.db.models import QuerySet

from agency import answer_cache
from agency.models import Membership
from agency.tenancy import Actor

AGENCY_HEADER = "HTTP_X_AGENCY"
SESSION_AGENCY_KEY = "agency_id"


def memberships_of(user) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency")
        .order_by("agency__name")
    )


def agency_choice(request) -> tuple[str, int | None]:
    """The agency a request asks for: the ``X-Agency`` header's slug, and the switcher's choice."""
    session = getattr(request, "session", None)
    return request.META.get(AGENCY_HEADER, ""), session.get(SESSION_AGENCY_KEY) if session is not None else None


def actor_for(user, slug: str, chosen_agency_id: int | None) -> Actor | None:
    """Who ``user`` acts as, in the agency chosen explicitly: by the ``X-Agency`` header (slug),
    else in the switcher (session), else the person's only agency. A person with several agencies
    and no choice gets no actor, and the UI asks them to pick one."""
    # Not joined to the client: before the agency is in context, row-level security hides it (the
    # membership's client is read, in context, when something needs it).
    memberships = memberships_of(user).select_related(None).select_related("agency")
    if slug:
        return _actor(memberships.filter(agency__slug=slug).first(), user)
    if chosen_agency_id:
        membership = memberships.filter(agency_id=chosen_agency_id).first()
        if membership:
            return _actor(membership, user)
    found = list(memberships[:2])
    if len(found) == 1:
        return _actor(found[0], user)
    return None


def cached_actor(user, slug: str, chosen_agency_id: int | None) -> Actor | None:
    """``actor_for``, kept in the answer cache (``agency.answer_cache``) until a membership, agency
    or person is written."""
    actor = answer_cache.cached(
        "actor", (user.pk, slug, chosen_agency_id), lambda: actor_for(user, slug, chosen_agency_id)
    )
    return _actor(actor.membership, user) if actor is not None else None


def _actor(membership: Membership | None, user) -> Actor | None:
    if membership is None:
        return None
    membership.user = user  # the request's own user: no second query for it
    return membership.as_actor()
