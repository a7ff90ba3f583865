"""Optional two-step sign-in (TOTP) for staff: set up from their own page, then asked for after the
password on the sign-in page and by the API's token endpoint; wrong codes count toward the
lockout; people without an authenticator sign in as before."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agency import tokens
from agency.twofactor import totp_device
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "test-pass-123"


@pytest.fixture
def staff(db):
    return MembershipFactory(user=UserFactory(username="guarded"), role="account_manager").user


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now; ``last_t`` is reset so one test may sign in twice."""
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(code_for(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


def signed_in(browser: Browser, user) -> bool:
    return str(browser.session.get("_auth_user_id")) == str(user.pk)


def enrol(user) -> TOTPDevice:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    browser.post(reverse("two-factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    assert browser.post(reverse("two-factor"), {"action": "confirm", "code": code_for(device)}).status_code == 200
    return totp_device(user)


def test_staff_enrol_from_their_own_page_and_the_device_is_active_only_once_confirmed(staff):
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(staff)
    assert "Two-step sign-in is off." in browser.get(reverse("two-factor")).content.decode()
    browser.post(reverse("two-factor"), {"action": "start"})
    page = browser.get(reverse("two-factor")).content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed and totp_device(staff) is None
    assert "otpauth://totp/" in page and 'src="data:image/svg+xml' in page
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    assert f"secret={secret}" in device.config_url
    refused = browser.post(reverse("two-factor"), {"action": "confirm", "code": wrong_code(device)})
    assert refused.status_code == 400 and "Code wrong" in refused.content.decode()
    assert totp_device(staff) is None
    missing = browser.post(reverse("two-factor"), {"action": "confirm", "code": ""})
    assert missing.status_code == 400 and "Code missing" in missing.content.decode()
    confirmed = browser.post(reverse("two-factor"), {"action": "confirm", "code": code_for(device)})
    assert confirmed.status_code == 200 and "Your recovery codes" in confirmed.content.decode()
    assert totp_device(staff) == device
    assert "Two-step sign-in is on." in browser.get(reverse("two-factor")).content.decode()


def test_signing_in_asks_for_the_code_after_the_password(staff):
    device = enrol(staff)
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post(reverse("login"), {"username": "guarded", "password": PASSWORD, "next": "/clients/"})
    assert response.status_code == 302 and response["Location"] == reverse("login-code")
    assert not signed_in(browser, staff)
    assert browser.get(reverse("home")).status_code == 302  # still not signed in
    missing = browser.post(reverse("login-code"), {"code": ""})
    assert missing.status_code == 400 and "Code missing" in missing.content.decode() and not signed_in(browser, staff)
    wrong = browser.post(reverse("login-code"), {"code": wrong_code(device)})
    assert wrong.status_code == 400 and "Code wrong" in wrong.content.decode() and not signed_in(browser, staff)
    done = browser.post(reverse("login-code"), {"code": code_for(device)})
    assert done.status_code == 302 and done["Location"] == "/clients/"
    assert signed_in(browser, staff)


def test_a_code_is_used_once(staff):
    device = enrol(staff)
    code = code_for(device)
    first, second = Browser(), Browser()
    for browser in (first, second):
        browser.post(reverse("login"), {"username": "guarded", "password": PASSWORD})
    assert first.post(reverse("login-code"), {"code": code}).status_code == 302
    assert second.post(reverse("login-code"), {"code": code}).status_code == 400
    assert not signed_in(second, staff)


def test_the_code_step_without_a_right_password_first_goes_back_to_the_password(staff):
    device = enrol(staff)
    browser = Browser()
    response = browser.post(reverse("login-code"), {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not signed_in(browser, staff)


def test_wrong_codes_count_toward_the_lockout(staff):
    device = enrol(staff)
    browser = Browser()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post(reverse("login"), {"username": "guarded", "password": PASSWORD})
        browser.post(reverse("login-code"), {"code": wrong_code(device)})
    locked = browser.post(reverse("login"), {"username": "guarded", "password": PASSWORD})
    assert locked.status_code == 429 and not signed_in(browser, staff)


def test_the_api_token_endpoint_requires_the_code_too(staff):
    device = enrol(staff)
    api, url = APIClient(HTTP_ACCEPT_LANGUAGE="en"), reverse("api-token")
    missing = api.post(url, {"username": "guarded", "password": PASSWORD})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "otp_missing"
    assert "Code missing" in missing.json()["error"]["fields"]["otp"][0] and "token" not in missing.json()
    wrong = api.post(url, {"username": "guarded", "password": PASSWORD, "otp": wrong_code(device)})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "otp_wrong"
    right = api.post(url, {"username": "guarded", "password": PASSWORD, "otp": code_for(device)})
    assert right.status_code == 200 and staff.api_tokens.get().token_hash == tokens.digest(right.json()["token"])


def test_wrong_api_codes_count_toward_the_lockout(staff):
    device = enrol(staff)
    api, url = APIClient(), reverse("api-token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(url, {"username": "guarded", "password": PASSWORD, "otp": wrong_code(device)})
    locked = api.post(url, {"username": "guarded", "password": PASSWORD, "otp": code_for(device)})
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked_out"


def test_people_without_an_authenticator_sign_in_with_the_password_alone(staff):
    browser = Browser()
    response = browser.post(reverse("login"), {"username": "guarded", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] != reverse("login-code")
    assert signed_in(browser, staff)
    token = APIClient().post(reverse("api-token"), {"username": "guarded", "password": PASSWORD})
    assert token.status_code == 200 and "token" in token.json()


def test_turning_it_off_needs_a_current_code(staff):
    device = enrol(staff)
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(staff)
    refused = browser.post(reverse("two-factor"), {"action": "remove", "code": wrong_code(device)})
    assert refused.status_code == 400 and totp_device(staff) is not None
    assert browser.post(reverse("two-factor"), {"action": "remove", "code": code_for(device)}).status_code == 302
    assert totp_device(staff) is None


def test_a_lost_device_is_removed_from_the_shell(staff, capsys):
    enrol(staff)
    call_command("remove_totp", "guarded")
    assert totp_device(staff) is None and "Removed the authenticator of guarded" in capsys.readouterr().out
    browser = Browser()
    browser.post(reverse("login"), {"username": "guarded", "password": PASSWORD})
    assert signed_in(browser, staff)


def test_client_people_are_not_offered_it(world):
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.viewer_a1)
    assert browser.get(reverse("two-factor")).status_code == 403
    assert browser.post(reverse("two-factor"), {"action": "start"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=world.viewer_a1).exists()


def test_the_admin_site_signs_in_through_the_same_two_steps(db):
    response = Browser().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
