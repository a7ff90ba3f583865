"""Sessions end after the agency's idle limit; a person is signed out everywhere (sessions and API
tokens) by themselves, by an admin of their agency, or by the platform admin."""

from __future__ import annotations

import time

from django.test import Client as Browser
from django.urls import reverse
from rest_framework.test import APIClient

from agency import tokens
from agency.sessions import LAST_SEEN_KEY, SESSION_IDLE_MINUTES, SIGNED_IN_KEY, session_id, sessions_of
from tests.factories import MembershipFactory, UserFactory


def signed_in(user) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    assert browser.get(reverse("sessions")).status_code == 200  # notes the session's activity
    return browser


def idle_for(browser: Browser, minutes: int) -> None:
    session = browser.session
    session[LAST_SEEN_KEY] = int(time.time()) - minutes * 60
    session.save()


def is_signed_in(browser: Browser) -> bool:
    return browser.get(reverse("sessions")).status_code == 200


def token_works(key: str) -> bool:
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(reverse("client-list")).status_code == 200


def test_a_session_ends_after_the_default_idle_limit(world):
    browser = signed_in(world.staff_a)
    idle_for(browser, SESSION_IDLE_MINUTES.default - 1)
    assert is_signed_in(browser)
    idle_for(browser, SESSION_IDLE_MINUTES.default + 1)
    response = browser.get(reverse("sessions"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in browser.session


def test_the_agency_sets_its_own_idle_limit(world):
    world.agency_a.settings = {**world.agency_a.settings, "session_idle_minutes": 30}
    world.agency_a.full_clean()
    world.agency_a.save()
    browser = signed_in(world.staff_a)
    idle_for(browser, 29)
    assert is_signed_in(browser)
    idle_for(browser, 31)
    assert not is_signed_in(browser)
    # Another agency keeps the default.
    other = signed_in(world.staff_b)
    idle_for(other, 31)
    assert is_signed_in(other)


def test_a_person_signs_out_everywhere_from_their_own_page(world):
    phone, laptop = signed_in(world.staff_a), signed_in(world.staff_a)
    _token, key = tokens.issue_personal(user=world.staff_a)
    bystander = signed_in(world.staff_b)
    assert token_works(key)
    refused = laptop.post(reverse("sessions"), {"action": "everywhere", "password": "not-it"})
    assert refused.status_code == 400 and "Enter your current password" in refused.content.decode()
    assert is_signed_in(phone) and token_works(key)
    response = laptop.post(reverse("sessions"), {"action": "everywhere", "password": "test-pass-123"})
    assert response.status_code == 302
    assert not is_signed_in(phone) and not is_signed_in(laptop) and not token_works(key)
    assert is_signed_in(bystander)


def on_device(user, agent: str) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=agent)
    browser.force_login(user)
    assert browser.get(reverse("sessions")).status_code == 200
    return browser


def test_a_person_sees_their_sessions_and_ends_one_after_their_password(world):
    phone, laptop = on_device(world.staff_a, "Phone browser 1.0"), on_device(world.staff_a, "Laptop browser 2.0")
    other = on_device(world.staff_b, "Someone else's browser")
    page = laptop.get(reverse("sessions")).content.decode()
    assert "Phone browser 1.0" in page and "Laptop browser 2.0" in page and "Someone else" not in page
    assert phone.session.session_key not in page  # a session is named by a digest, never by its key
    rows = sessions_of(world.staff_a, current_key=laptop.session.session_key)
    assert [row.agent for row in rows] == ["Laptop browser 2.0", "Phone browser 1.0"] and rows[0].current
    phone_id = session_id(phone.session.session_key)
    assert f'value="{phone_id}"' in page
    without = laptop.post(reverse("sessions"), {"session": phone_id})
    assert without.status_code == 400 and is_signed_in(phone)
    ended = laptop.post(reverse("sessions"), {"session": phone_id, "password": "test-pass-123"})
    assert ended.status_code == 302 and not is_signed_in(phone)
    assert is_signed_in(laptop) and is_signed_in(other)
    # Another person's session cannot be named from here.
    other_id = session_id(other.session.session_key)
    refused = laptop.post(reverse("sessions"), {"session": other_id, "password": "test-pass-123"})
    assert refused.status_code == 400 and "already ended" in refused.content.decode() and is_signed_in(other)
    # Ending this session signs this browser out.
    mine = session_id(laptop.session.session_key)
    assert laptop.post(reverse("sessions"), {"session": mine, "password": "test-pass-123"}).status_code == 302
    assert not is_signed_in(laptop)


def test_an_agency_admin_signs_one_of_their_people_out_everywhere(world):
    operator = MembershipFactory(agency=world.agency_a, role="operator", user=UserFactory(username="op_a"))
    session = signed_in(operator.user)
    _token, key = tokens.issue_personal(user=operator.user)
    admin = signed_in(world.staff_a)
    assert "op_a" in admin.get(reverse("sessions")).content.decode()
    assert admin.post(reverse("sessions-person", args=[operator.pk])).status_code == 302
    assert not is_signed_in(session) and not token_works(key)
    assert is_signed_in(admin)


def test_only_an_admin_of_the_persons_agency_signs_them_out(world):
    operator = MembershipFactory(agency=world.agency_a, role="operator", user=UserFactory(username="op_a"))
    colleague = MembershipFactory(agency=world.agency_a, role="account_manager", user=UserFactory(username="am_a"))
    session = signed_in(operator.user)
    assert signed_in(colleague.user).post(reverse("sessions-person", args=[operator.pk])).status_code == 403
    assert signed_in(world.staff_b).post(reverse("sessions-person", args=[operator.pk])).status_code == 404
    assert is_signed_in(session)


def test_the_platform_admin_signs_a_person_out_everywhere_in_the_admin(world):
    session = signed_in(world.staff_a)
    _token, key = tokens.issue_personal(user=world.staff_a)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin = Browser(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(root)
    response = admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "sign_out_everywhere_action", "_selected_action": [world.staff_a.pk]},
    )
    assert response.status_code == 302
    assert not is_signed_in(session) and not token_works(key)


def test_a_session_ends_at_its_maximum_lifetime_however_active(world, settings):
    browser = signed_in(world.staff_a)
    session = browser.session
    session[SIGNED_IN_KEY] = int(time.time()) - settings.SESSION_MAX_HOURS * 3600 + 60
    session.save()
    assert is_signed_in(browser)
    session = browser.session
    session[SIGNED_IN_KEY] = int(time.time()) - settings.SESSION_MAX_HOURS * 3600 - 60
    session.save()
    assert not is_signed_in(browser)


def test_signing_in_starts_a_new_session_and_signing_out_ends_it(world):
    MembershipFactory(agency=world.agency_a, role="operator", user=UserFactory(username="op_a"))
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.get(reverse("login"))
    browser.session.save()
    before = browser.cookies["sessionid"].value
    assert browser.post(reverse("login"), {"username": "op_a", "password": "test-pass-123"}).status_code == 302
    after = browser.cookies["sessionid"].value
    assert after != before and is_signed_in(browser)
    browser.post(reverse("logout"))
    replay = Browser(HTTP_ACCEPT_LANGUAGE="en")
    replay.cookies["sessionid"] = after  # the old cookie, kept by the back button or a thief
    assert not is_signed_in(replay)


def test_a_deactivated_person_loses_their_sessions(world):
    browser = signed_in(world.staff_a)
    world.staff_a.is_active = False
    world.staff_a.save()
    assert not is_signed_in(browser)


def test_a_person_changes_their_password_and_their_other_sessions_end(world):
    phone, laptop = signed_in(world.staff_a), signed_in(world.staff_a)
    url = reverse("password-change")
    weak = laptop.post(url, {"old_password": "test-pass-123", "new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    new = "a long new phrase 2026"
    wrong = laptop.post(url, {"old_password": "not-it", "new_password1": new, "new_password2": new})
    assert wrong.status_code == 200
    body = {"old_password": "test-pass-123", "new_password1": new, "new_password2": new}
    assert laptop.post(url, body).status_code == 302
    assert is_signed_in(laptop) and not is_signed_in(phone)
    world.staff_a.refresh_from_db()
    assert world.staff_a.check_password(new)


def test_an_agency_admin_sets_the_idle_limit_on_the_sessions_page(world):
    admin = signed_in(world.staff_a)
    refused = admin.post(reverse("sessions"), {"action": "idle", "minutes": "2"})
    assert refused.status_code == 400 and "from 5 to 1440" in refused.content.decode()
    assert admin.post(reverse("sessions"), {"action": "idle", "minutes": "30"}).status_code == 302
    world.agency_a.refresh_from_db()
    assert world.agency_a.setting(SESSION_IDLE_MINUTES) == 30
    operator = MembershipFactory(agency=world.agency_a, role="operator", user=UserFactory(username="op_a")).user
    assert signed_in(operator).post(reverse("sessions"), {"action": "idle", "minutes": "600"}).status_code == 403
    world.agency_a.refresh_from_db()
    assert world.agency_a.setting(SESSION_IDLE_MINUTES) == 30
