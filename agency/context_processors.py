from agency.selectors import memberships_of


def tenant(request):
    """The actor, the person's agencies (for the switcher) and the navigation for every page."""
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    memberships = list(memberships_of(user)) if user is not None and user.is_authenticated else []
    return {"actor": actor, "my_memberships": memberships}
