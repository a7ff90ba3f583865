from agency.selectors import memberships_of


def tenant(request):
    """The actor, the person's agencies (for the switcher) and the navigation for every page."""
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    memberships = list(memberships_of(user)) if user is not None and user.is_authenticated else []
    return {"actor": actor, "my_memberships": memberships, "background_stalled": _background_stalled(actor, user)}


def _background_stalled(actor, user) -> dict[str, str]:
    """For agency admins and the platform admin: the background work that is down or stalled
    (``agency.background``), shown as a banner on every page until it runs again."""
    from agency.background import background_stalled
    from agency.roles import Role

    is_admin = (actor is not None and actor.role == Role.AGENCY_ADMIN) or (user is not None and user.is_superuser)
    return background_stalled() if is_admin else {}
