"""Request middleware: the tenant context for every web request."""

from __future__ import annotations

from django.urls import reverse_lazy

from agency.selectors import resolve_actor
from agency.tenancy import activate, dangerously_all_agencies, tenant_boundary

ADMIN_PREFIX = reverse_lazy("admin:index")


class TenantMiddleware:
    """Resolves ``request.actor`` and runs the whole request (view and template rendering) in its
    agency. API views resolve again after their own authentication (token users)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with tenant_boundary():
            authenticated = request.user.is_authenticated
            request.actor = resolve_actor(request) if authenticated else None
            channel = "admin" if request.path.startswith(str(ADMIN_PREFIX)) else "ui"
            activate(request.actor, channel=channel, user_id=request.user.pk if authenticated else None)
            if channel == "admin" and authenticated and request.user.is_superuser:
                # The platform admin works across agencies: the named escape hatch, for this request.
                with dangerously_all_agencies():
                    return self.get_response(request)
            return self.get_response(request)
