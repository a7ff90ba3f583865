"""Two-step sign-in where it matters: required for agency admins and the platform admin, and for
every staff person of an agency that requires it; set up at the first sign-in (nothing else opens
until then, pages nor API); single-use recovery codes; the token endpoint needs the code.

Forced sign-ins here do not pass the second step (``two_step`` marker, tests/conftest.py)."""

from __future__ import annotations

import re
from base64 import b32encode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client as Browser
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agency import twofactor
from agency.standard import CLAUSES
from agency.twofactor import recovery_codes_left, totp_device, two_step_required
from demo.management.commands.seed_demo import DEMO_TOTP_KEY, DEMO_TOTP_SECRET, demo_authenticator
from tests.agency.test_two_factor import PASSWORD, code_for, signed_in, wrong_code
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.two_step


def member(agency, role: str, username: str, **kwargs):
    return MembershipFactory(agency=agency, role=role, user=UserFactory(username=username), **kwargs).user


def require_for_staff(agency, on: bool = True) -> None:
    agency.require_two_step_for_staff = on
    agency.save(update_fields=["require_two_step_for_staff"])


def sign_in(username: str, next_url: str = "/clients/") -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post(reverse("login"), {"username": username, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, response
    return browser


def set_up(browser: Browser, user) -> tuple[TOTPDevice, list[str]]:
    """The first sign-in's set-up, from the page: the recovery codes it shows once."""
    page = browser.get(reverse("two-factor"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = browser.post(reverse("two-factor"), {"action": "confirm", "code": code_for(device)})
    assert done.status_code == 200
    return totp_device(user), re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())


def test_the_rule_admins_and_the_platform_admin_always_other_staff_when_their_agency_says(world):
    producer = member(world.agency_a, "producer", "producer_a")
    analyst = member(world.agency_a, "analyst", "analyst_a")
    platform = get_user_model().objects.create_superuser("platform", "p@example.com", PASSWORD)
    platform_staff = UserFactory(username="platform_staff", is_staff=True)
    assert two_step_required(world.staff_a) and two_step_required(world.staff_b)
    assert two_step_required(platform) and two_step_required(platform_staff)
    assert not two_step_required(producer) and not two_step_required(analyst)
    assert not two_step_required(world.viewer_a1) and not two_step_required(world.approver_a1)
    require_for_staff(world.agency_a)
    assert two_step_required(producer) and two_step_required(analyst)
    # The agency's choice is for its staff: client people are not asked for it.
    assert not two_step_required(world.viewer_a1) and not two_step_required(world.approver_a1)
    # Another agency's choice does not reach a person who is staff only elsewhere.
    other = member(world.agency_b, "producer", "producer_b")
    assert not two_step_required(other)
    require_for_staff(world.agency_a, on=False)
    assert not two_step_required(producer)
    # An inactive membership asks nothing.
    admin_membership = world.staff_a.memberships.get()
    admin_membership.is_active = False
    admin_membership.save()
    assert not two_step_required(world.staff_a)


def test_an_admins_first_sign_in_sets_it_up_before_anything_else_opens(world):
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post(reverse("login"), {"username": "staff_a", "password": PASSWORD, "next": "/clients/"})
    assert response.status_code == 302 and response["Location"] == f"{reverse('two-factor')}?next=%2Fclients%2F"
    assert signed_in(browser, world.staff_a)
    for path in ("/", "/clients/", "/overview/", "/admin/"):
        blocked = browser.get(path)
        assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("two-factor")), path
    page = browser.get(response["Location"]).content.decode()
    assert "Two-step sign-in is required for your account." in page
    assert "otpauth://totp/" in page and 'src="data:image/svg+xml' in page
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=world.staff_a)
    assert f"secret={secret}" in device.config_url and not device.confirmed
    wrong = browser.post(reverse("two-factor"), {"action": "confirm", "code": wrong_code(device), "next": "/clients/"})
    assert wrong.status_code == 400 and browser.get("/clients/").status_code == 302
    done = browser.post(reverse("two-factor"), {"action": "confirm", "code": code_for(device), "next": "/clients/"})
    assert done.status_code == 200
    shown = done.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT == len(set(codes))
    assert 'href="/clients/"' in shown  # continue where they were going
    assert browser.get("/clients/").status_code == 200
    assert browser.session[DEVICE_ID_SESSION_KEY] == totp_device(world.staff_a).persistent_id
    # Shown once: the page does not show them again, only how many are left.
    again = browser.get(reverse("two-factor")).content.decode()
    assert not any(code in again for code in codes) and "10 recovery codes left." in again
    # Required: it cannot be turned off.
    refused = browser.post(reverse("two-factor"), {"action": "remove", "code": code_for(totp_device(world.staff_a))})
    assert refused.status_code == 400 and "cannot be turned off" in refused.content.decode()
    assert totp_device(world.staff_a) is not None


def test_until_it_is_set_up_the_api_refuses_the_session_with_the_reason(world):
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    refused = browser.get(reverse("client-list"))
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "two_step_setup_required" and reverse("two-factor") in error["message"]
    set_up(browser, world.staff_a)
    assert browser.get(reverse("client-list")).status_code == 200


def test_a_token_of_staff_whose_agency_starts_requiring_it_is_refused_until_set_up(world):
    producer = member(world.agency_a, "producer", "producer_a")
    token = APIClient().post(reverse("api-token"), {"username": "producer_a", "password": PASSWORD}).json()["token"]
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("client-list")).status_code == 200
    require_for_staff(world.agency_a)
    refused = api.get(reverse("client-list"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "two_step_setup_required"
    # Its pages too: signed in before the agency's choice, the next page is the set-up.
    browser = Browser()
    browser.force_login(producer)
    assert browser.get("/clients/")["Location"].startswith(reverse("two-factor"))
    set_up(browser, producer)
    assert api.get(reverse("client-list")).status_code == 200


def test_a_session_with_an_authenticator_that_skipped_the_code_must_sign_in_again(world):
    browser = sign_in("staff_a")
    set_up(browser, world.staff_a)
    other = Browser(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(world.staff_a)  # a session that never passed the code step
    api = other.get(reverse("client-list"))
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_step_code_required"
    page = other.get("/clients/")
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
    assert not signed_in(other, world.staff_a)


def test_the_platform_admin_sets_it_up_before_the_admin_site_opens(db):
    platform = get_user_model().objects.create_superuser("platform", "p@example.com", PASSWORD)
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post(reverse("login"), {"username": "platform", "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == f"{reverse('two-factor')}?next=%2Fadmin%2F"
    assert browser.get("/admin/")["Location"].startswith(reverse("two-factor"))
    set_up(browser, platform)
    assert browser.get("/admin/").status_code == 200
    # From then on, the password alone opens nothing: the code follows it.
    again = Browser()
    assert again.post(reverse("login"), {"username": "platform", "password": PASSWORD})["Location"] == reverse(
        "login-code"
    )
    assert not signed_in(again, platform)


def test_a_recovery_code_signs_in_once(world):
    _device, codes = set_up(sign_in("staff_a"), world.staff_a)
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    done = browser.post(reverse("login-code"), {"code": codes[0].upper()})
    assert done.status_code == 302 and signed_in(browser, world.staff_a)
    assert browser.get("/clients/").status_code == 200
    assert recovery_codes_left(world.staff_a) == twofactor.RECOVERY_CODE_COUNT - 1
    assert "9 recovery codes left." in browser.get(reverse("two-factor")).content.decode()
    again = Browser(HTTP_ACCEPT_LANGUAGE="en")
    again.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    refused = again.post(reverse("login-code"), {"code": codes[0]})
    assert refused.status_code == 400 and "Code wrong" in refused.content.decode()
    assert not signed_in(again, world.staff_a)


def test_new_recovery_codes_replace_the_old_ones(world):
    browser = sign_in("staff_a")
    _device, old = set_up(browser, world.staff_a)
    renewed = browser.post(reverse("two-factor"), {"action": "recovery"})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", renewed.content.decode())
    assert renewed.status_code == 200 and len(new) == twofactor.RECOVERY_CODE_COUNT and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=world.staff_a).values_list("token", flat=True)) == set(new)
    api, url = APIClient(HTTP_ACCEPT_LANGUAGE="en"), reverse("api-token")
    stale = api.post(url, {"username": "staff_a", "password": PASSWORD, "otp": old[0]})
    assert stale.status_code == 400 and stale.json()["error"]["code"] == "otp_wrong"
    StaticDevice.objects.filter(user=world.staff_a).update(throttling_failure_count=0)  # (a wrong code slows the next)
    fresh = api.post(url, {"username": "staff_a", "password": PASSWORD, "otp": new[0]})
    assert fresh.status_code == 200 and fresh.json()["token"]


def test_the_token_endpoint_never_gives_a_token_for_the_password_alone(world):
    api, url = APIClient(HTTP_ACCEPT_LANGUAGE="en"), reverse("api-token")
    not_set_up = api.post(url, {"username": "staff_a", "password": PASSWORD})
    assert not_set_up.status_code == 400 and "token" not in not_set_up.json()
    error = not_set_up.json()["error"]
    assert error["code"] == "otp_setup_required" and "otp" in error["fields"] and error["message"].startswith("otp:")
    device, _codes = set_up(sign_in("staff_a"), world.staff_a)
    missing = api.post(url, {"username": "staff_a", "password": PASSWORD})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "otp_missing"
    assert "otp" in missing.json()["error"]["fields"] and "token" not in missing.json()
    wrong = api.post(url, {"username": "staff_a", "password": PASSWORD, "otp": wrong_code(device)})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "otp_wrong"
    right = api.post(url, {"username": "staff_a", "password": PASSWORD, "otp": code_for(device)})
    assert right.status_code == 200 and right.json()["token"]
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert token.get(reverse("client-list")).status_code == 200


def test_client_people_are_not_forced_even_when_the_agency_requires_it_for_staff(world):
    require_for_staff(world.agency_a)
    browser = Browser()
    response = browser.post(reverse("login"), {"username": "viewer_a1", "password": PASSWORD})
    assert response.status_code == 302 and not response["Location"].startswith(reverse("two-factor"))
    assert signed_in(browser, world.viewer_a1)
    assert browser.get(reverse("client-area:dashboard")).status_code == 200
    token = APIClient().post(reverse("api-token"), {"username": "viewer_a1", "password": PASSWORD})
    assert token.status_code == 200
    assert not TOTPDevice.objects.filter(user=world.viewer_a1).exists()


def test_staff_it_is_not_required_of_sign_in_with_the_password_alone(world):
    member(world.agency_a, "operator", "operator_a")
    browser = Browser()
    response = browser.post(reverse("login"), {"username": "operator_a", "password": PASSWORD, "next": "/clients/"})
    assert response["Location"] == "/clients/" and browser.get("/clients/").status_code == 200


def test_the_demo_admins_sign_in_with_the_published_secret_and_demo_totp_prints_the_code(world, settings, capsys):
    demo_authenticator(world.staff_a)
    device = totp_device(world.staff_a)
    assert device.key == DEMO_TOTP_KEY and b32encode(device.bin_key).decode() == DEMO_TOTP_SECRET
    settings.DEBUG = True
    call_command("demo_totp", "staff_a")
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    browser = Browser()
    assert browser.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})["Location"] == reverse(
        "login-code"
    )
    assert browser.post(reverse("login-code"), {"code": code}).status_code == 302
    assert signed_in(browser, world.staff_a) and browser.get("/clients/").status_code == 200
    with pytest.raises(CommandError, match="no authenticator"):
        call_command("demo_totp", "viewer_a1")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("demo_totp", "staff_a")


def verified(user) -> Browser:
    """A session of ``user`` that passed the code step (their authenticator set up at first sign-in)."""
    browser = sign_in(user.username)
    if totp_device(user) is None and two_step_required(user):
        set_up(browser, user)
    return browser


def test_the_agency_admin_requires_it_for_all_staff_on_the_settings_page(world):
    producer = member(world.agency_a, "producer", "producer_a")
    admin = verified(world.staff_a)
    page = admin.get(reverse("agency-settings"))
    assert page.status_code == 200 and 'name="require_two_step_for_staff"' in page.content.decode()
    assert admin.post(reverse("agency-settings"), {"require_two_step_for_staff": "on"}).status_code == 302
    world.agency_a.refresh_from_db()
    assert world.agency_a.require_two_step_for_staff and two_step_required(producer)
    world.agency_b.refresh_from_db()
    assert not world.agency_b.require_two_step_for_staff
    staff = Browser()
    response = staff.post(reverse("login"), {"username": "producer_a", "password": PASSWORD, "next": "/clients/"})
    assert response["Location"].startswith(reverse("two-factor"))
    set_up(staff, producer)
    # Other staff and client people cannot change it.
    assert staff.get(reverse("agency-settings")).status_code == 403
    assert staff.post(reverse("agency-settings"), {}).status_code == 403
    client_person = Browser()
    client_person.force_login(world.viewer_a1)
    assert client_person.post(reverse("agency-settings"), {}).status_code in (302, 403)
    world.agency_a.refresh_from_db()
    assert world.agency_a.require_two_step_for_staff
    assert admin.post(reverse("agency-settings"), {}).status_code == 302
    world.agency_a.refresh_from_db()
    assert not world.agency_a.require_two_step_for_staff


def test_the_agency_settings_api_reads_for_staff_and_changes_for_the_admin(world):
    member(world.agency_a, "producer", "producer_a")
    admin = verified(world.staff_a)
    url = reverse("api-agency-settings")
    assert admin.get(url).json() == {
        "name": "Agency A",
        "slug": "agency-a",
        "require_two_step_for_staff": False,
        "client_conformance_clauses": [clause.id for clause in CLAUSES],
    }
    changed = admin.patch(url, {"require_two_step_for_staff": True}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["require_two_step_for_staff"] is True
    world.agency_a.refresh_from_db()
    world.agency_b.refresh_from_db()
    assert world.agency_a.require_two_step_for_staff and not world.agency_b.require_two_step_for_staff
    other = admin.patch(
        url, {"require_two_step_for_staff": True}, content_type="application/json", HTTP_X_AGENCY="agency-b"
    )
    assert other.status_code == 403
    world.agency_b.refresh_from_db()
    assert not world.agency_b.require_two_step_for_staff
    bad = admin.patch(url, {"require_two_step_for_staff": "maybe"}, content_type="application/json")
    assert bad.status_code == 400 and "require_two_step_for_staff" in bad.json()["error"]["fields"]
    producer = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    producer.force_authenticate(user=get_user_model().objects.get(username="producer_a"))
    TOTPDevice.objects.create(user=get_user_model().objects.get(username="producer_a"), confirmed=True)
    assert producer.get(url).status_code == 200
    refused = producer.patch(url, {"require_two_step_for_staff": False}, format="json")
    assert refused.status_code == 403 and "agency admin" in refused.json()["error"]["message"]
    viewer = APIClient()
    viewer.force_authenticate(user=world.viewer_a1)
    assert viewer.get(url).status_code == 403
    world.agency_a.refresh_from_db()
    assert world.agency_a.require_two_step_for_staff
    # An admin who has not set it up is refused here too, with the reason.
    fresh = Browser()
    fresh.post(reverse("login"), {"username": "staff_b", "password": PASSWORD})
    blocked = fresh.patch(url, {"require_two_step_for_staff": True}, content_type="application/json")
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "two_step_setup_required"
