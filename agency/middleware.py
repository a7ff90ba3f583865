"""Request middleware: the tenant context for every web request."""

from __future__ import annotations

from agency.selectors import resolve_actor
from agency.tenancy import activate, tenant_boundary


class TenantMiddleware:
    """Resolves ``request.actor`` and runs the whole request (view and template rendering) in its
    agency. API views resolve again after their own authentication (token users)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with tenant_boundary():
            request.actor = resolve_actor(request) if request.user.is_authenticated else None
            if request.actor is not None:
                activate(request.actor)
            return self.get_response(request)
