"""Sign-in is protected against guessing: lockout per username and address, pages and API alike."""

from __future__ import annotations

from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, UserFactory


def person(db_user="guarded"):
    return MembershipFactory(user=UserFactory(username=db_user), role="operator").user


def test_login_page_locks_out_after_the_failure_limit(db):
    person()
    browser = Browser()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = browser.post(reverse("login"), {"username": "guarded", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = browser.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_a_success_before_the_limit_resets_the_count(db):
    person()
    browser = Browser()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        browser.post(reverse("login"), {"username": "guarded", "password": "wrong"})
    assert browser.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"}).status_code == 302
    browser.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        browser.post(reverse("login"), {"username": "guarded", "password": "wrong"})
    assert browser.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"}).status_code == 302


def test_the_token_endpoint_counts_failures_too(db):
    person()
    api = APIClient()
    url = reverse("api-token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert api.post(url, {"username": "guarded", "password": "wrong"}).status_code in (400, 403, 429)
    locked = api.post(url, {"username": "guarded", "password": "test-pass-123"})
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked_out"
    assert "token" not in locked.json()


def test_the_token_endpoint_gives_a_working_token(db):
    user = person()
    response = APIClient().post(reverse("api-token"), {"username": "guarded", "password": "test-pass-123"})
    assert response.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get(reverse("client-list")).status_code == 200
    assert user.auth_token.key == response.json()["token"]


def test_another_address_is_not_locked_by_someone_elses_guessing(db):
    person()
    attacker = Browser(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attacker.post(reverse("login"), {"username": "guarded", "password": "wrong"})
    owner = Browser(REMOTE_ADDR="127.0.0.1")
    assert owner.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"}).status_code == 302
