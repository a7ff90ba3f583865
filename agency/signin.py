"""Signing in: the password, then, for people with two-step sign-in on, the code of their
authenticator app or a recovery code (``agency.twofactor``); and the page where staff set it up,
see how many recovery codes they have left, get new ones, or turn it off.

Between the two steps nobody is signed in: the session only remembers, for a few minutes, who
gave the right password. A wrong code counts toward the lockout like a wrong password. A person
who must use two-step sign-in and has not set it up yet is signed in after the password and sent
to the set-up, and reaches nothing else until it is done (``agency.middleware.TwoStepMiddleware``).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from agency import twofactor

PENDING_KEY = "signin_pending"
PENDING_SECONDS = 300  # the code must follow the password within five minutes


class PasswordStepView(LoginView):
    """The password; for a person with an active authenticator, the code comes next."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.totp_device(user) is None:
            response = super().form_valid(form)
            if twofactor.two_step_required(user):  # first sign-in: the set-up, then where they were going
                return redirect(f"{reverse('two-factor')}?{urlencode({'next': self.get_success_url()})}")
            return response
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_redirect_url(),
        }
        return redirect("login-code")


class CodeStepView(View):
    """The second step: the current code of the person's authenticator app."""

    template_name = "registration/login_code.html"

    def pending(self, request):
        data = request.session.get(PENDING_KEY)
        if not data or time.time() - data.get("at", 0) > PENDING_SECONDS:
            return None
        user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
        device = twofactor.totp_device(user)
        if device is None:
            return None
        return data, user, device

    def restart(self, request):
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Sign in again: the code must follow the password within five minutes."))
        return redirect("login")

    def get(self, request):
        if self.pending(request) is None:
            return self.restart(request)
        return render(request, self.template_name, {"error": ""})

    def post(self, request):
        pending = self.pending(request)
        if pending is None:
            return self.restart(request)
        data, user, device = pending
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING_KEY, None)
            return get_lockout_response(request, credentials=credentials)
        result = twofactor.check_sign_in_code(user, request.POST.get("code"))
        if not result.ok:
            if result.problem == "wrong":
                twofactor.count_failure(request, user)
                if AxesProxyHandler.is_locked(request, credentials):
                    request.session.pop(PENDING_KEY, None)
                    return get_lockout_response(request, credentials=credentials)
            return render(request, self.template_name, {"error": result.message}, status=400)
        request.session.pop(PENDING_KEY, None)
        login(request, user, backend=data["backend"])
        django_otp.login(request, result.device)
        target = data.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = resolve_url(settings.LOGIN_REDIRECT_URL)
        return redirect(target)


def admin_login(request):
    """The admin site signs in through the same two steps as everyone."""
    return redirect(f"{reverse('login')}?{urlencode({'next': request.GET.get('next') or reverse('admin:index')})}")


def safe_next(request, target: str | None) -> str:
    """``target`` when it is a page of this site, else ""."""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


class TwoFactorView(LoginRequiredMixin, View):
    """A staff person's own page: set two-step sign-in up (scan, confirm with a code), see how many
    recovery codes are left and get new ones, or turn it off (not when it is required of them).
    For a person who must use it, this is also the first sign-in's set-up (``next``: where they
    were going)."""

    template_name = "agency/two_factor.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not twofactor.totp_offered(request.user):
            raise PermissionDenied(_("Two-step sign-in is for agency staff."))
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, error: str = "", status: int = 200, recovery_codes=()):
        user = request.user
        device = twofactor.totp_device(user)
        pending = None if device else twofactor.totp_pending(user)
        context = {
            "title": _("Two-step sign-in"),
            "device": device,
            "pending": pending,
            "error": error,
            "required": twofactor.two_step_required(user),
            "recovery_codes": recovery_codes,
            "recovery_left": twofactor.recovery_codes_left(user) if device else 0,
            "next": safe_next(request, request.POST.get("next") or request.GET.get("next")),
        }
        if pending is not None:
            context.update(
                qr=twofactor.qr_svg_data_uri(pending),
                uri=twofactor.config_uri(pending),
                secret=twofactor.secret_text(pending),
            )
        return render(request, self.template_name, context, status=status)

    def again(self, request):
        target = safe_next(request, request.POST.get("next"))
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': target})}" if target else "two-factor")

    def get(self, request):
        user = request.user
        if (
            twofactor.two_step_required(user)
            and twofactor.totp_device(user) is None
            and twofactor.totp_pending(user) is None
        ):
            twofactor.totp_enrol(user=user)  # required: the set-up starts at once
        return self.render(request)

    def post(self, request):
        user, action = request.user, request.POST.get("action", "")
        if action == "start":
            twofactor.totp_enrol(user=user)
            return self.again(request)
        if action == "cancel":
            twofactor.totp_cancel(user=user)
            return self.again(request)
        if action == "confirm":
            result = twofactor.totp_confirm(user=user, code=request.POST.get("code"))
            if not result.ok:
                return self.render(request, result.message, status=400)
            django_otp.login(request, result.device)
            messages.success(request, _("Two-step sign-in is on: from now on, signing in asks for a code."))
            # The recovery codes are shown on this answer only: nothing keeps them to show again.
            return self.render(request, recovery_codes=result.recovery_codes)
        if action == "recovery":
            if twofactor.totp_device(user) is None:
                return self.again(request)
            codes = twofactor.recovery_codes_renew(user=user)
            messages.success(request, _("New recovery codes: the earlier ones no longer work."))
            return self.render(request, recovery_codes=codes)
        if action == "remove":
            device = twofactor.totp_device(user)
            if device is None:
                return self.again(request)
            if twofactor.two_step_required(user):
                refusal = _("Two-step sign-in is required for your account: it cannot be turned off.")
                return self.render(request, refusal, status=400)
            result = twofactor.check_code(device, request.POST.get("code"))
            if not result.ok:
                return self.render(request, result.message, status=400)
            twofactor.totp_remove(user=user)
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("two-factor")
        return self.render(request, _("Unknown action."), status=400)
