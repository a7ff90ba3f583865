"""Sign-in is protected against guessing: per username and address, per address (spraying) and per username."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse
from rest_framework.test import APIClient

from agency import tokens
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
    assert user.api_tokens.get().token_hash == tokens.digest(response.json()["token"])  # only its hash is kept


def test_another_address_is_not_locked_by_someone_elses_guessing(db):
    person()
    attacker = Browser(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attacker.post(reverse("login"), {"username": "guarded", "password": "wrong"})
    owner = Browser(REMOTE_ADDR="127.0.0.1")
    assert owner.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"}).status_code == 302


def _without_csrf(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


def test_one_address_trying_many_usernames_is_locked_out(db):
    person()
    sprayer = Browser(REMOTE_ADDR="10.1.1.1")
    answers = [
        sprayer.post(reverse("login"), {"username": f"someone{n}", "password": "Winter2026!"}).status_code
        for n in range(35)
    ]
    limit = settings.SIGNIN_FAILURE_LIMIT_PER_ADDRESS
    assert limit < 35 and set(answers[: limit - 1]) == {200} and set(answers[limit:]) == {429}
    # Even the right password of a real person is refused from that address, pages and API alike.
    assert sprayer.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"}).status_code == 429
    api = APIClient(REMOTE_ADDR="10.1.1.1")
    assert api.post(reverse("api-token"), {"username": "guarded", "password": "test-pass-123"}).status_code == 429
    # The person, from their own address, signs in.
    owner = Browser(REMOTE_ADDR="10.2.2.2")
    assert owner.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"}).status_code == 302


def test_spraying_the_token_endpoint_is_locked_out_too(db):
    api = APIClient(REMOTE_ADDR="10.1.1.2")
    codes = [
        api.post(reverse("api-token"), {"username": f"someone{n}", "password": "Winter2026!"}).status_code
        for n in range(35)
    ]
    assert codes[-1] == 429 and codes.count(429) == 35 - settings.SIGNIN_FAILURE_LIMIT_PER_ADDRESS + 1


def test_a_success_does_not_clear_an_addresss_failures_on_other_usernames(db):
    person()
    sprayer = Browser(REMOTE_ADDR="10.1.1.3")
    for n in range(settings.SIGNIN_FAILURE_LIMIT_PER_ADDRESS - 1):
        sprayer.post(reverse("login"), {"username": f"someone{n}", "password": "wrong"})
    assert sprayer.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"}).status_code == 302
    sprayer.logout()
    assert sprayer.post(reverse("login"), {"username": "someone-else", "password": "wrong"}).status_code == 429


def test_one_username_from_many_addresses_is_locked_out(db):
    person()
    limit = settings.SIGNIN_FAILURE_LIMIT_PER_USERNAME
    assert limit > settings.AXES_FAILURE_LIMIT
    answers = [
        Browser(REMOTE_ADDR=f"10.3.0.{n + 1}").post(reverse("login"), {"username": "guarded", "password": "wrong"})
        for n in range(limit)
    ]
    # Each address failed once only; the failure that reaches the limit is answered by the lockout.
    assert [a.status_code for a in answers] == [200] * (limit - 1) + [429]
    fresh_address = Browser(REMOTE_ADDR="10.3.1.1")
    locked = fresh_address.post(reverse("login"), {"username": "guarded", "password": "test-pass-123"})
    assert locked.status_code == 429 and "_auth_user_id" not in fresh_address.session
    api = APIClient(REMOTE_ADDR="10.3.1.2")
    assert api.post(reverse("api-token"), {"username": "guarded", "password": "test-pass-123"}).status_code == 429


def test_known_and_unknown_usernames_get_the_same_answers(db):
    person()
    known, unknown = Browser(REMOTE_ADDR="10.4.0.1"), Browser(REMOTE_ADDR="10.4.0.2")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        a = known.post(reverse("login"), {"username": "guarded", "password": "wrong"})
        b = unknown.post(reverse("login"), {"username": "nobody-here", "password": "wrong"})
        assert a.status_code == b.status_code
        assert _without_csrf(a.content).replace(b"guarded", b"X") == _without_csrf(b.content).replace(
            b"nobody-here", b"X"
        )
    assert a.status_code == 429

    known_api, unknown_api = APIClient(REMOTE_ADDR="10.4.0.3"), APIClient(REMOTE_ADDR="10.4.0.4")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        a = known_api.post(reverse("api-token"), {"username": "guarded", "password": "wrong"})
        b = unknown_api.post(reverse("api-token"), {"username": "nobody-here", "password": "wrong"})
        assert (a.status_code, a.json()) == (b.status_code, b.json())
    assert a.status_code == 429


def test_the_admin_signs_in_only_through_the_guarded_page(db):
    person()
    response = Browser().post("/admin/login/", {"username": "guarded", "password": "test-pass-123"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in Browser().session
