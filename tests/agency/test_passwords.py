"""Passwords may not contain words tied to the service or the person's organisation (ASVS 6.1.2, 6.2.11),
and there are no composition rules (ASVS 6.2.5)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.urls import reverse

from agency.passwords import CONTEXT_WORDS, context_words_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def refusal(password: str, user=None) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(
    "password, word",
    [
        ("Douy1n-spring-2026", "douyin"),
        ("my tiktok life 88", "tiktok"),
        ("抖音运营好难啊2026", "抖音"),
        ("adm1nistrator-lake", "admin"),
        ("P@ssw0rd-for-ever", "password"),
        ("big KUAISHOU fan 9", "kuaishou"),
    ],
)
def test_a_password_built_on_a_word_of_the_service_is_refused_naming_the_word(password, word):
    assert word in CONTEXT_WORDS
    assert f"“{word}”" in refusal(password)


def test_the_names_of_the_persons_agency_and_client_are_refused(world):
    assert "“hotpot”" in refusal("hotpot-lover-2026", world.viewer_a1)
    assert "“hotpot”" not in " ".join(context_words_for(world.staff_b))
    validate_password("hotpot-lover-2026", world.staff_b)  # another agency's client is not this person's word
    member = MembershipFactory(agency=world.agency_b, role="producer", user=UserFactory(username="p_b")).user
    world.agency_b.name = "Sunrise Media"
    world.agency_b.save()
    assert "“sunrise”" in refusal("Sunr1se-morning-run", member)


def test_digits_only_and_plain_passphrases_are_accepted_no_composition_rules():
    validate_password("839402751164")
    validate_password("a long new phrase 2026")
    validate_password("lantern harbour violet")


def test_the_password_page_refuses_a_context_word_and_says_which(world):
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.staff_a)
    new = "douyin-growth-2026"
    body = {"old_password": "test-pass-123", "new_password1": new, "new_password2": new}
    page = browser.post(reverse("password-change"), body)
    assert page.status_code == 200
    assert "“douyin”" in page.content.decode()
    world.staff_a.refresh_from_db()
    assert world.staff_a.check_password("test-pass-123")
