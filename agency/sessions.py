"""Sessions: they end after a period without activity that each agency sets, and a person can be
signed out everywhere (every session and every personal API token) by themselves, by an admin of an
agency they belong to, or by the platform admin.

A session also ends ``SESSION_MAX_HOURS`` after its sign-in, however active (ASVS V7.3.2).

A person sees their live sessions (the device and address each was signed in from, when, the last
activity) and ends any one of them or all at once, after entering their password again (ASVS V7.5.2).
A session is named on the page by a digest of its key, never by the key itself.

The idle limit is the agency's ``session_idle_minutes`` (``Agency.settings``: its agency admins set
it on the *Sign-in sessions* page, the platform admin in the admin site), for the agency the request acts in;
a person acting in no agency yet (one who belongs to several and has not chosen, the platform admin)
gets the default. The last activity is kept in the session, written at most once a minute, so a
request does not always save its session.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency import tokens
from agency.adjustable import adjustable
from agency.models import Agency, Membership
from agency.roles import Role
from agency.selectors import agency_choice, cached_actor
from agency.tenancy import tenant_boundary

# ASVS 5.0 V7.3.1: a session ends after this many minutes without a request; each agency sets its own.
SESSION_IDLE_MINUTES = adjustable(
    "session_idle_minutes",
    480,
    clause="ASVS V7.3.1",
    minimum=5,
    maximum=24 * 60,
    label=gettext_lazy("Minutes without activity after which a session ends"),
)
LAST_SEEN_KEY = "last_seen"
SIGNED_IN_KEY = "signed_in_at"
DEVICE_KEY = "device"  # the browser and address a session was signed in from, as the person's list shows them
LAST_SEEN_EVERY = 60  # seconds: how stale the stored last activity may be before it is written again


def idle_minutes(request) -> int:
    """The idle limit for the agency the request acts in (the default outside any agency)."""
    with tenant_boundary():
        actor = cached_actor(request.user, *agency_choice(request))
    return actor.agency.setting(SESSION_IDLE_MINUTES) if actor is not None else SESSION_IDLE_MINUTES.default


class IdleSessionMiddleware:
    """Signs a session out when it has been idle past its agency's limit; notes its activity otherwise.
    Requests signed with a token carry no session and are left to the token's own expiry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen, signed_in_at = request.session.get(LAST_SEEN_KEY), request.session.get(SIGNED_IN_KEY)
            if isinstance(signed_in_at, int) and now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(request, _("Your session has ended: sign in again."))
            elif isinstance(last_seen, int) and self.idle_past_limit(request, now - last_seen):
                logout(request)
                messages.info(request, _("You were signed out after a period without activity. Sign in again."))
            else:
                if not isinstance(signed_in_at, int):
                    request.session[SIGNED_IN_KEY] = now
                if not any((request.session.get(DEVICE_KEY) or {}).values()):  # a sign-in outside a browser
                    request.session[DEVICE_KEY] = device(request)
                if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_EVERY:
                    request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    @staticmethod
    def idle_past_limit(request, idle_seconds: int) -> bool:
        # Under the lowest limit an agency may set, the agency's own is not even read.
        return idle_seconds > SESSION_IDLE_MINUTES.minimum * 60 and idle_seconds > idle_minutes(request) * 60


@receiver(user_logged_in)
def note_sign_in(sender, request, user, **kwargs) -> None:
    """Every sign-in starts the clock of its session's lifetime."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_KEY] = request.session[LAST_SEEN_KEY] = int(time.time())
        request.session[DEVICE_KEY] = device(request)


def device(request) -> dict:
    return {
        "agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        "address": get_client_ip_address(request) or "",
    }


def _session_model():
    return import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()


def session_id(session_key: str) -> str:
    """How the page names a session: a digest of its key (the key itself signs a browser in)."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class LiveSession:
    id: str
    agent: str
    address: str
    signed_in: datetime | None
    last_seen: datetime | None
    current: bool


def _when(value) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if isinstance(value, int) else None


def _live_sessions_of(user):
    """(session row, its decoded data) for each live session of ``user``."""
    for session in _session_model().objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if str(data.get("_auth_user_id")) == str(user.pk):
            yield session, data


def sessions_of(user, *, current_key: str | None) -> list[LiveSession]:
    """A person's live sessions, the most recently active first."""
    found = [
        LiveSession(
            id=session_id(session.session_key),
            agent=(data.get(DEVICE_KEY) or {}).get("agent", ""),
            address=(data.get(DEVICE_KEY) or {}).get("address", ""),
            signed_in=_when(data.get(SIGNED_IN_KEY)),
            last_seen=_when(data.get(LAST_SEEN_KEY)),
            current=session.session_key == current_key,
        )
        for session, data in _live_sessions_of(user)
    ]
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda live: (live.current, live.last_seen or epoch), reverse=True)


def confirm_password(user, password: str) -> None:
    """Ending sessions asks for the person's password again (ASVS V7.5.2)."""
    if not password or not user.check_password(password):
        raise ValidationError({"password": [_("Enter your current password to end sessions.")]})


@transaction.atomic
def session_end(user, *, password: str, session: str) -> bool:
    """End one of ``user``'s sessions, named by its digest (``session_id``), after their password."""
    confirm_password(user, password)
    for row, _data in _live_sessions_of(user):
        if session_id(row.session_key) == session:
            row.delete()
            return True
    raise ValidationError({"session": [_("That session has already ended.")]})


@transaction.atomic
def sign_out_everywhere(*users) -> int:
    """End every session of ``users`` and revoke every personal API token of theirs. Returns how many
    sessions ended. (Sessions are stored in the database: each live one is read, once, to find its person.)"""
    model = _session_model()
    wanted = {str(user.pk) for user in users}
    ended = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) in wanted
    ]
    model.objects.filter(session_key__in=ended).delete()
    for user in users:
        tokens.revoke_all_personal(user=user)
    return len(ended)


def actor_is_client_person(request) -> bool:
    actor = getattr(request, "actor", None)
    return actor is not None and actor.is_client_person


def is_agency_admin(actor) -> bool:
    return actor is not None and actor.role == Role.AGENCY_ADMIN


@transaction.atomic
def idle_minutes_change(*, actor, minutes) -> Agency:
    """An agency admin sets their agency's idle limit (``session_idle_minutes``)."""
    if not is_agency_admin(actor):
        raise PermissionDenied(_("Only an agency admin changes the agency's settings."))
    low, high = SESSION_IDLE_MINUTES.minimum, SESSION_IDLE_MINUTES.maximum
    text = str(minutes).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        message = _("Give a whole number of minutes from %(low)d to %(high)d.") % {"low": low, "high": high}
        raise ValidationError({SESSION_IDLE_MINUTES.key: [message]})
    agency = Agency.objects.select_for_update().get(pk=actor.agency.pk)
    agency.settings = {**(agency.settings or {}), SESSION_IDLE_MINUTES.key: int(text)}
    agency.save(update_fields=["settings"])
    return agency


def may_sign_out(actor, membership: Membership) -> bool:
    """An agency admin may sign out the people of their own agency (not the platform admin)."""
    return is_agency_admin(actor) and membership.agency_id == actor.agency.pk and not membership.user.is_superuser


class SessionsView(LoginRequiredMixin, View):
    """A person's own page: sign out everywhere; for an agency admin, also each of their agency's people."""

    template_name = "agency/sessions.html"

    def people(self, request):
        actor = getattr(request, "actor", None)
        if not is_agency_admin(actor):
            return []
        return list(
            Membership.objects.filter(agency=actor.agency, is_active=True)
            .exclude(user=request.user)
            .select_related("user")
            .order_by("user__username")
        )

    def get(self, request, error: str = "", status: int = 200):
        context = {
            "title": _("Sign-in sessions"),
            "people": self.people(request),
            "sessions": sessions_of(request.user, current_key=request.session.session_key),
            "idle_minutes": idle_minutes(request),
            "may_set_idle": is_agency_admin(getattr(request, "actor", None)),
            "idle_bounds": (SESSION_IDLE_MINUTES.minimum, SESSION_IDLE_MINUTES.maximum),
            "error": error,
            "base_template": "client_area/base.html" if actor_is_client_person(request) else "base.html",
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request):
        if request.POST.get("action") == "idle":
            try:
                idle_minutes_change(actor=getattr(request, "actor", None), minutes=request.POST.get("minutes", ""))
            except ValidationError as exc:
                return self.get(request, error=" ".join(exc.messages), status=400)
            messages.success(request, _("The agency's settings are saved."))
            return redirect("sessions")
        password = request.POST.get("password", "")
        try:
            if request.POST.get("session"):
                chosen = request.POST["session"]
                session_end(request.user, password=password, session=chosen)
                if chosen != session_id(request.session.session_key or ""):
                    messages.success(request, _("The session has ended."))
                    return redirect("sessions")
                logout(request)
                return redirect(settings.LOGIN_URL)
            confirm_password(request.user, password)
        except ValidationError as exc:
            return self.get(request, error=" ".join(exc.messages), status=400)
        sign_out_everywhere(request.user)
        logout(request)
        messages.success(request, _("You are signed out everywhere: every session and API token of yours has ended."))
        return redirect(settings.LOGIN_URL)


class PersonSignOutView(LoginRequiredMixin, View):
    """An agency admin signs one of their agency's people out everywhere."""

    def post(self, request, pk):
        actor = getattr(request, "actor", None)
        if actor is None:
            raise PermissionDenied(_("Your role does not allow this."))
        membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, agency=actor.agency)
        if not may_sign_out(actor, membership):
            raise PermissionDenied(_("Your role does not allow this."))
        ended = sign_out_everywhere(membership.user)
        messages.success(
            request,
            _("%(person)s is signed out everywhere (%(count)d sessions ended, API tokens revoked).")
            % {"person": membership.user.get_username(), "count": ended},
        )
        return redirect("sessions")


class PasswordChangeView(auth_views.PasswordChangeView):
    """A person changes their own password (the current one first, the new one held to
    AUTH_PASSWORD_VALIDATORS). Their other sessions end with it; this one goes on."""

    template_name = "agency/form.html"
    success_url = reverse_lazy("sessions")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Change your password"),
            base_template="client_area/base.html" if actor_is_client_person(self.request) else "base.html",
        )
        return context

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session (update_session_auth_hash)
        messages.success(self.request, _("Your password is changed. Your other sessions have ended."))
        return response
