from functools import cached_property

from agency.selectors import memberships_of
from agency.today import waiting_for_client


def tenant(request):
    """The actor, the person's agencies (for the switcher) and the navigation for every page."""
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    memberships = list(memberships_of(user)) if user is not None and user.is_authenticated else []
    return {
        "actor": actor,
        "my_memberships": memberships,
        "background_stalled": _background_stalled(actor, user),
        "client_waiting": ClientWaiting(actor) if actor is not None and actor.is_client_person else None,
    }


class ClientWaiting:
    """What waits for a client person (``agency.today.waiting_for_client``), read when a page
    shows it (the client area's navigation badge and dashboard) and once per page."""

    def __init__(self, actor):
        self.actor = actor

    @cached_property
    def sections(self):
        return waiting_for_client(self.actor)

    @cached_property
    def total(self) -> int:
        return sum(section.count for section in self.sections)


def _background_stalled(actor, user) -> dict[str, str]:
    """For agency admins and the platform admin: the background work that is down or stalled
    (``agency.background``), shown as a banner on every page until it runs again."""
    from agency.background import background_stalled
    from agency.roles import Role

    is_admin = (actor is not None and actor.role == Role.AGENCY_ADMIN) or (user is not None and user.is_superuser)
    return background_stalled() if is_admin else {}
