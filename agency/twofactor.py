"""Two-step sign-in for staff: a time-based one-time code (TOTP, RFC 6238) from an authenticator
app, through django-otp.

- A staff person turns it on for themselves (``totp_enrol`` then ``totp_confirm`` with a first
  code); a device counts only once confirmed. Client people are not offered it.
- Once on, signing in takes the code after the password (``agency.signin``), and so does the
  API's token endpoint (an ``otp`` field). A wrong code is counted by the lockout (django-axes)
  like a wrong password, and the device itself slows down repeated failures.
- A lost device is removed by its owner (with a current code), by the platform admin in the
  admin site, or from the shell: ``manage.py remove_totp USERNAME``.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from agency.models import Membership
from agency.roles import STAFF_ROLES

DEVICE_NAME = "authenticator"


def totp_offered(user) -> bool:
    """Staff people (a membership with a staff role, or the platform admin) may turn it on."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, is_active=True, role__in=STAFF_ROLES).exists()


def totp_device(user) -> TOTPDevice | None:
    """The person's confirmed device: with one, signing in needs its code."""
    if user is None or not user.pk:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_pending(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def totp_enrol(*, user) -> TOTPDevice:
    """Start (or start again) setting up: a new secret, not yet active."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_cancel(*, user) -> None:
    """Drop a set-up that was not confirmed (an active device stays)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    problem: str = ""  # "missing", "wrong" or "throttled"
    message: str = ""


def check_code(device: TOTPDevice, code: str | None) -> CodeCheck:
    """Verify ``code`` against ``device`` (each code works once)."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return CodeCheck(False, "missing", _("Code missing: enter the 6-digit code your authenticator app shows."))
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(
            False, "throttled", _("Too many wrong codes in a row: wait a little, then enter the current code.")
        )
    with transaction.atomic():
        if device.verify_token(code):
            return CodeCheck(True)
    return CodeCheck(False, "wrong", _("Code wrong: enter the current 6-digit code from your authenticator app."))


def count_failure(request, user) -> None:
    """A wrong code counts like a wrong password toward the lockout (django-axes)."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


@transaction.atomic
def totp_confirm(*, user, code: str) -> CodeCheck:
    """Turn two-step sign-in on: the pending device becomes active once it gives a right code."""
    device = totp_pending(user)
    if device is None:
        return CodeCheck(False, "missing", _("Start the set-up first."))
    result = check_code(device, code)
    if result.ok:
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return result


@transaction.atomic
def totp_remove(*, user) -> int:
    """Turn two-step sign-in off (every device of the person). Returns how many were removed."""
    removed, _details = TOTPDevice.objects.filter(user=user).delete()
    return removed


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def config_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return device.config_url


def qr_svg_data_uri(device: TOTPDevice) -> str:
    return segno.make(config_uri(device), error="m").svg_data_uri(scale=5, border=2)
