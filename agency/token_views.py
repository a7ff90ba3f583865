"""Pages of API tokens (``agency.tokens``): a person's own tokens (make one, see when each was last
used and when it expires, revoke one or all), and an agency's integration tokens (its agency admins:
make one with scopes and an expiry, revoke one, see the writes made with them).

A new key is shown once, on the page that answers its making; only its SHA-256 is kept."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from agency import tokens
from agency.api.tokens import token_status

AREAS = tokens.AREAS.items()


def _rows(found):
    now = timezone.now()
    return [(token, token_status(token, now)) for token in found]


class PersonalTokensView(LoginRequiredMixin, View):
    """A person's own API tokens."""

    template_name = "agency/api_tokens.html"

    def render(self, request, *, new_key: str = "", error: str = "", status: int = 200):
        context = {
            "title": _("API tokens"),
            "rows": _rows(tokens.personal_tokens(request.user)),
            "new_key": new_key,
            "error": error,
            "days": settings.API_TOKEN_DAYS,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(request)

    def post(self, request):
        action = request.POST.get("action")
        if action == "create":
            name = request.POST.get("name", "").strip()
            if len(name) > 100:
                return self.render(request, error=_("Name: at most 100 characters."), status=400)
            _token, key = tokens.issue_personal(user=request.user, name=name)
            return self.render(request, new_key=key)
        if action == "revoke":
            pk = request.POST.get("token", "")
            if not pk.isdigit() or tokens.revoke_personal(user=request.user, pk=int(pk)) is None:
                return self.render(request, error=_("No such token of yours."), status=404)
        elif action == "revoke-all":
            tokens.revoke_all_personal(user=request.user)
        else:
            return self.render(request, error=_("Unknown action."), status=400)
        return redirect("api-tokens-page")


class IntegrationTokensView(LoginRequiredMixin, View):
    """The agency's integration tokens, for its agency admins."""

    template_name = "agency/integration_tokens.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            return redirect("switch-agency")
        if not tokens.may_manage_integrations(self.actor):
            raise PermissionDenied(_("Only an agency admin manages the agency's integration tokens."))
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, *, new_key: str = "", errors=None, status: int = 200):
        agency = self.actor.agency
        found = list(tokens.integration_tokens(agency))
        names = {token.pk: token.name for token in found}
        context = {
            "title": _("Integrations"),
            "rows": _rows(found),
            "writes": [
                (write, names.get(write.integration_ref, write.integration_name))
                for write in tokens.recent_writes(agency)
            ],
            "areas": [(area, label, f"{area}:{tokens.READ}", f"{area}:{tokens.WRITE}") for area, label in AREAS],
            "new_key": new_key,
            "errors": errors or {},
            "posted": request.POST if errors else {},
            "posted_scopes": request.POST.getlist("scopes") if errors else [],
            "max_days": settings.INTEGRATION_TOKEN_MAX_DAYS,
            "default_expiry": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(request)

    def post(self, request):
        action = request.POST.get("action")
        if action == "create":
            expires = _end_of_day(request.POST.get("expires_on", ""), self.actor.agency.tz)
            try:
                _token, key = tokens.issue_integration(
                    actor=self.actor,
                    name=request.POST.get("name", ""),
                    scopes=request.POST.getlist("scopes"),
                    expires_at=expires,
                )
            except ValidationError as exc:
                return self.render(request, errors=exc.message_dict, status=400)
            return self.render(request, new_key=key)
        if action == "revoke":
            pk = request.POST.get("token", "")
            if not pk.isdigit() or tokens.revoke_integration(actor=self.actor, pk=int(pk)) is None:
                return self.render(request, errors={"token": [_("No such token in this agency.")]}, status=404)
            return redirect("integration-tokens-page")
        return self.render(request, errors={"action": [_("Unknown action.")]}, status=400)


def _end_of_day(value: str, tz) -> dt.datetime | None:
    """The last moment of the day ``value`` (ISO date) in the agency's time zone; None if not a date."""
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)
    # The last day offered ends a little after the longest expiry: it ends at the longest instead.
    longest = timezone.now() + dt.timedelta(days=settings.INTEGRATION_TOKEN_MAX_DAYS)
    return longest if longest < end <= longest + dt.timedelta(days=1) else end
