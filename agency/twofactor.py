"""Two-step sign-in for staff: a time-based one-time code (TOTP, RFC 6238) from an authenticator
app, through django-otp, with single-use recovery codes (django-otp's static tokens).

- Who must use it (``two_step_required``, the one rule): the platform admin (superusers and
  platform staff), agency admins (``agency.roles.TWO_STEP_ROLES``), and every staff person of an
  agency that requires it for all its staff (``Agency.require_two_step_for_staff``). Other staff
  may turn it on for themselves; client people are not offered it.
- Setting up: ``totp_enrol`` then ``totp_confirm`` with a first code; a device counts only once
  confirmed. Confirming gives ``RECOVERY_CODE_COUNT`` recovery codes, shown once; new ones
  (``recovery_codes_renew``) replace every old one. A recovery code works once, in place of a code.
- Once on, signing in takes the code after the password (``agency.signin``), and so does the
  API's token endpoint (an ``otp`` field). A wrong code is counted by the lockout (django-axes)
  like a wrong password, and the devices themselves slow down repeated failures.
- Until a person who must use it has set it up (or, with a device, passed the code step), pages
  send them to the set-up and the API answers 403 (``missing_step``; ``agency.middleware`` and
  ``agency.api.viewsets``).
- A lost device is removed by its owner (with a current code, when it is not required of them), by
  the platform admin in the admin site, or from the shell: ``manage.py remove_totp USERNAME``.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agency import answer_cache
from agency.models import Membership
from agency.roles import STAFF_ROLES, TWO_STEP_ROLES

DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
RECOVERY_CODE_COUNT = 10

# What a person who must use two-step sign-in still lacks (``missing_step``).
SET_UP = "set_up"  # no authenticator yet: the set-up page, nothing else
CODE = "code"  # an authenticator, but this session has not passed the code step


def totp_offered(user) -> bool:
    """Staff people (a membership with a staff role, or the platform admin) may turn it on."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(user=user, is_active=True, role__in=STAFF_ROLES).exists()


def two_step_required(user) -> bool:
    """The rule: the platform admin (superusers and platform staff), agency admins, and every staff
    person of an agency that requires it for all its staff must sign in with two steps."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.is_staff:
        return True
    # Asked on every request of a session that has not passed the code step: kept in the answer
    # cache until a membership or an agency is written.
    return answer_cache.cached(
        "two-step-required",
        (user.pk,),
        lambda: Membership.objects.filter(
            Q(role__in=TWO_STEP_ROLES) | Q(role__in=STAFF_ROLES, agency__require_two_step_for_staff=True),
            user=user,
            is_active=True,
            agency__is_active=True,
        ).exists(),
    )


def missing_step(user, *, session_verified: bool | None) -> str:
    """What ``user`` still lacks before reaching anything: "" (nothing), ``SET_UP`` or ``CODE``.

    ``session_verified`` is whether a signed-in session passed the code step; ``None`` for a request
    with a token, which the token endpoint gave only after the code (``agency.api.auth``)."""
    if session_verified or not two_step_required(user):
        return ""
    if not has_totp_device(user):
        return SET_UP
    return "" if session_verified is None else CODE


def totp_device(user) -> TOTPDevice | None:
    """The person's confirmed device: with one, signing in needs its code."""
    if user is None or not user.pk:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_totp_device(user) -> bool:
    """Whether the person has a confirmed device. Asked on every API request of a person who must
    sign in with two steps: kept in the answer cache until a device is written."""
    if user is None or not user.pk:
        return False
    return answer_cache.cached("two-step-device", (user.pk,), lambda: totp_device(user) is not None)


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
    device: object = None  # the device that accepted the code
    recovery_codes: tuple[str, ...] = ()  # new recovery codes, when confirming a set-up


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


def check_sign_in_code(user, code: str | None) -> CodeCheck:
    """The second step of signing in: the current code of the person's authenticator, or one of
    their recovery codes (which then works no more). The device that accepted it is in ``device``."""
    code = (code or "").strip().replace(" ", "").replace("-", "")
    device = totp_device(user)
    if device is None:
        return CodeCheck(False, "missing", _("Two-step sign-in is not set up for this account."))
    if not code or (code.isdigit() and len(code) == device.digits):
        result = check_code(device, code)
        return CodeCheck(result.ok, result.problem, result.message, device if result.ok else None)
    recovery = recovery_device(user)
    if recovery is not None:
        allowed, _details = recovery.verify_is_allowed()
        if not allowed:
            return CodeCheck(
                False, "throttled", _("Too many wrong codes in a row: wait a little, then enter the current code.")
            )
        with transaction.atomic():
            # Deleting is the check: of two requests with one code, only one deletes it.
            used, _details = StaticToken.objects.filter(device=recovery, token=code.lower()).delete()
            if used:
                recovery.throttle_reset(commit=False)
                recovery.set_last_used_timestamp(commit=False)
                recovery.save()
                return CodeCheck(True, device=recovery)
            recovery.throttle_increment()
    return CodeCheck(
        False, "wrong", _("Code wrong: enter the current 6-digit code from your authenticator app, or a recovery code.")
    )


@transaction.atomic
def totp_confirm(*, user, code: str) -> CodeCheck:
    """Turn two-step sign-in on: the pending device becomes active once it gives a right code, and
    the person gets new recovery codes (``CodeCheck.recovery_codes``, to be shown once)."""
    device = totp_pending(user)
    if device is None:
        return CodeCheck(False, "missing", _("Start the set-up first."))
    result = check_code(device, code)
    if not result.ok:
        return result
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return CodeCheck(True, device=device, recovery_codes=tuple(recovery_codes_renew(user=user)))


@transaction.atomic
def totp_remove(*, user) -> int:
    """Turn two-step sign-in off (every device of the person, recovery codes included). Returns how
    many authenticators were removed."""
    StaticDevice.objects.filter(user=user).delete()
    removed, _details = TOTPDevice.objects.filter(user=user).delete()
    return removed


def recovery_device(user) -> StaticDevice | None:
    if user is None or not user.pk:
        return None
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """``RECOVERY_CODE_COUNT`` new recovery codes; every earlier one stops working. Only the person's
    own page shows them, once: the database keeps them for checking, and no page shows them again."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def config_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return device.config_url


def qr_svg_data_uri(device: TOTPDevice) -> str:
    return segno.make(config_uri(device), error="m").svg_data_uri(scale=5, border=2)
