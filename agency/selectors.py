"""Reads of the tenant core: which agencies a person belongs to, and who acts in a request."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.models import Membership
from agency.tenancy import Actor

AGENCY_HEADER = "HTTP_X_AGENCY"
SESSION_AGENCY_KEY = "agency_id"


def memberships_of(user) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency", "client")
        .order_by("agency__name")
    )


def resolve_actor(request) -> Actor | None:
    """The actor of a request, chosen explicitly: the ``X-Agency`` header (slug), else the agency
    picked in the switcher (session), else the person's only agency. A person with several
    agencies and no choice gets no actor, and the UI asks them to pick one."""
    user = getattr(request, "user", None)
    memberships = memberships_of(user)
    slug = request.META.get(AGENCY_HEADER)
    if slug:
        return _actor(memberships.filter(agency__slug=slug).first(), user)
    session = getattr(request, "session", None)
    agency_id = session.get(SESSION_AGENCY_KEY) if session is not None else None
    if agency_id:
        membership = memberships.filter(agency_id=agency_id).first()
        if membership:
            return _actor(membership, user)
    found = list(memberships[:2])
    if len(found) == 1:
        return _actor(found[0], user)
    return None


def _actor(membership: Membership | None, user) -> Actor | None:
    if membership is None:
        return None
    membership.user = user  # the request's own user: no second query for it
    return membership.as_actor()
