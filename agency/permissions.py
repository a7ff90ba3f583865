"""The API's permission class: the role table in ``agency.roles`` decides every request."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from agency.roles import ADD, CHANGE, DELETE, VIEW

METHOD_ACTIONS = {
    "GET": VIEW,
    "HEAD": VIEW,
    "OPTIONS": VIEW,
    "POST": ADD,
    "PUT": CHANGE,
    "PATCH": CHANGE,
    "DELETE": DELETE,
}


class RolePermission(BasePermission):
    """Allows a request when the actor's role may do the view's action on its resource kind.

    A viewset names ``resource``; a custom ``@action`` names its action in ``required_action``
    (``@action(..., required_action=DECIDE)``)."""

    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        actor = getattr(view, "actor", None)
        if actor is None or not request.user.is_authenticated:
            return False
        action = getattr(view, "required_action", None) or METHOD_ACTIONS.get(request.method, CHANGE)
        return actor.can(action, view.resource)
