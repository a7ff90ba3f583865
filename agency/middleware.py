"""Request middleware: the person's language, two-step sign-in where it is required, and the tenant
context (with the agency's time zone) for every web request."""

from __future__ import annotations

import sys
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency import twofactor
from agency.selectors import agency_choice, cached_actor
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
            request.actor = cached_actor(request.user, *agency_choice(request)) if authenticated else None
            channel = "admin" if request.path.startswith(str(ADMIN_PREFIX)) else "ui"
            activate(request.actor, channel=channel, user_id=request.user.pk if authenticated else None)
            # Dates and times on the pages read in the agency's time zone.
            if request.actor is not None:
                timezone.activate(request.actor.agency.tz)
            try:
                if channel == "admin" and authenticated and request.user.is_superuser:
                    # The platform admin works across agencies: the named escape hatch, for this request.
                    with dangerously_all_agencies():
                        return self.get_response(request)
                return self.get_response(request)
            finally:
                timezone.deactivate()


# Where a signed-in person's chosen language is kept for their session ("" when they chose none).
LANGUAGE_SESSION_KEY = "person_language"


def person_language(request) -> str:
    """The language the signed-in person chose ("" when none): read from their session, where the
    sign-in and the language switch put it; looked up once for a session that predates it."""
    language = request.session.get(LANGUAGE_SESSION_KEY)
    if language is None:
        from agency.models import PersonPreferences

        language = PersonPreferences.objects.filter(user=request.user).values_list("language", flat=True).first() or ""
        request.session[LANGUAGE_SESSION_KEY] = language
    return language


class PersonLanguageMiddleware:
    """A signed-in person's pages are in the language they chose, on every device; a person who
    chose none, and everyone not signed in, keep Django's choice (the language cookie, then the
    browser's Accept-Language, then Simplified Chinese). Runs after LocaleMiddleware and
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            language = person_language(request)
            if language and translation.check_for_language(language):
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class TwoStepMiddleware:
    """A signed-in person who must sign in with two steps (``agency.twofactor.two_step_required``)
    and whose session has not passed the second step reaches only the pages of signing in and out
    and of the set-up: without an authenticator every other page sends them to the set-up; with one
    (a session from before it was set up, or made elsewhere), they sign in again, code included.
    The admin site too. The API answers for itself, in JSON (``agency.api.viewsets``). Runs after
    django-otp's ``OTPMiddleware`` and the messages."""

    # The pages a person who still lacks the second step may reach.
    OPEN = frozenset({"two-factor", "login", "login-code", "logout", "set_language", "favicon"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.path.startswith("/api/"):
            return None
        if request.resolver_match.url_name in self.OPEN:
            return None
        missing = twofactor.missing_step(user, session_verified=user.is_verified())
        if missing == twofactor.SET_UP:
            return redirect(f"{reverse('two-factor')}?{urlencode({'next': request.get_full_path()})}")
        if missing == twofactor.CODE:
            logout(request)
            messages.info(request, _("Sign in again with the code of your authenticator app."))
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return None


def remember_language_at_login(sender, request, user, **kwargs) -> None:
    """Sign-in: the person's chosen language into their new session, so the pages after it speak it
    on whatever device they signed in with."""
    from agency.models import PersonPreferences

    if request is None or not hasattr(request, "session"):
        return
    language = PersonPreferences.objects.filter(user=user).values_list("language", flat=True).first() or ""
    request.session[LANGUAGE_SESSION_KEY] = language


# Errors that mean the database cannot be reached (or its connection was lost), not a fault of
# the request: answered 503, with Retry-After.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def _note_exception(sender, request=None, **kwargs) -> None:
    """Keep the exception an uncaught error raised, for ``ServiceUnavailableMiddleware`` (Django
    turns it into a 500 before the outer middleware sees it)."""
    if request is not None:
        request._uncaught_exception = sys.exc_info()[1]


got_request_exception.connect(_note_exception, dispatch_uid="agency-note-uncaught-exception")


class ServiceUnavailableMiddleware:
    """The outermost middleware. An uncaught error becomes an answer a person or a client can use:
    - the database away (``DATABASE_UNAVAILABLE``, wherever it was raised: the session, the tenant
      context, the view): 503 with Retry-After, a JSON error body under ``/api/`` and the 503
      page elsewhere, rendered without the database;
    - any other error under ``/api/``: the API's JSON error body with status 500, not an HTML page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 500:
            return response
        exc = getattr(request, "_uncaught_exception", None)
        if exc is None:
            return response
        api = request.path.startswith("/api/")
        if isinstance(exc, DATABASE_UNAVAILABLE):
            if api:
                answer = JsonResponse(
                    {
                        "error": {
                            "status": 503,
                            "code": "database_unavailable",
                            "message": "The database cannot be reached; try again shortly.",
                        }
                    },
                    status=503,
                )
            else:
                language = translation.get_language_from_request(request)
                with translation.override(language):
                    answer = HttpResponse(render_to_string("503.html"), status=503)
            answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return answer
        if api:
            return JsonResponse(
                {
                    "error": {
                        "status": 500,
                        "code": "server_error",
                        "message": "The server failed to answer; the error is logged.",
                    }
                },
                status=500,
            )
        return response
