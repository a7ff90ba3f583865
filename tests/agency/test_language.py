"""Simplified Chinese by default, English for the person who chooses it, remembered for them on
every device; dates and times in the agency's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse

from agency.models import PersonPreferences
from agency.tenancy import tenant_context
from tests.factories import PlatformAccountFactory, VideoFactory

PASSWORD = "a-long-test-password-2026"
ENGLISH_TITLE = b"<title>Today"
CHINESE_TITLE = "<title>今日".encode()


def signed_in(user, **headers) -> Browser:
    b = Browser(**headers)
    b.force_login(user)
    return b


def switch(b: Browser, language: str, next_url: str = "/"):
    return b.post(reverse("set_language"), {"language": language, "next": next_url})


def test_chinese_is_the_default(world):
    page = signed_in(world.staff_a).get(reverse("home"))
    assert page.status_code == 200 and CHINESE_TITLE in page.content
    assert page["Content-Language"] == "zh-hans"


def test_switching_to_english_is_remembered_for_the_person(world):
    b = signed_in(world.staff_a)
    response = switch(b, "en", reverse("clients:client-list"))
    assert response.status_code == 302 and response["Location"] == reverse("clients:client-list")
    assert PersonPreferences.objects.get(user=world.staff_a).language == "en"
    assert ENGLISH_TITLE in b.get(reverse("home")).content
    # Another device: no language cookie, a Chinese browser; the person's choice wins.
    other = signed_in(world.staff_a, HTTP_ACCEPT_LANGUAGE="zh-CN")
    page = other.get(reverse("home"))
    assert ENGLISH_TITLE in page.content and page["Content-Language"] == "en"


def test_the_choice_is_applied_at_sign_in(world):
    world.staff_a.set_password(PASSWORD)
    world.staff_a.save()
    PersonPreferences.objects.create(user=world.staff_a, language="en")
    b = Browser(HTTP_ACCEPT_LANGUAGE="zh-CN")
    login = b.get(reverse("login"))
    assert "登录".encode() in login.content  # not signed in: the browser's language
    response = b.post(reverse("login"), {"username": "staff_a", "password": PASSWORD}, follow=True)
    assert response.status_code == 200 and ENGLISH_TITLE in response.content


def test_switching_back_to_chinese_is_remembered_too(world):
    PersonPreferences.objects.create(user=world.staff_a, language="en")
    b = signed_in(world.staff_a, HTTP_ACCEPT_LANGUAGE="en")
    switch(b, "zh-hans")
    assert PersonPreferences.objects.get(user=world.staff_a).language == "zh-hans"
    other = signed_in(world.staff_a, HTTP_ACCEPT_LANGUAGE="en")
    assert CHINESE_TITLE in other.get(reverse("home")).content


def test_one_persons_choice_is_not_anothers(world):
    switch(signed_in(world.staff_a), "en")
    page = signed_in(world.viewer_a1).get(reverse("client-area:dashboard"))
    assert page["Content-Language"] == "zh-hans"
    assert not PersonPreferences.objects.filter(user=world.viewer_a1).exists()


def test_client_people_choose_their_language_too(world):
    b = signed_in(world.viewer_a1)
    assert "您的需求".encode() in b.get(reverse("client-area:dashboard")).content
    switch(b, "en", reverse("client-area:dashboard"))
    assert b"Your requirements" in signed_in(world.viewer_a1).get(reverse("client-area:dashboard")).content


def test_a_person_who_chose_nothing_keeps_the_browsers_language(world):
    page = signed_in(world.staff_a, HTTP_ACCEPT_LANGUAGE="en").get(reverse("home"))
    assert ENGLISH_TITLE in page.content


def test_people_not_signed_in_keep_the_cookie_and_are_not_remembered(world, db):
    b = Browser()
    response = switch(b, "en", reverse("login"))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert b"Sign in" in b.get(reverse("login")).content
    assert not PersonPreferences.objects.exists()


def test_an_unknown_language_is_not_saved(world):
    b = signed_in(world.staff_a)
    switch(b, "fr")
    switch(b, "en'><script>")
    assert not PersonPreferences.objects.exists()
    assert CHINESE_TITLE in b.get(reverse("home")).content


def test_the_switch_shows_the_persons_language(world):
    PersonPreferences.objects.create(user=world.staff_a, language="en")
    page = signed_in(world.staff_a, HTTP_ACCEPT_LANGUAGE="zh-CN").get(reverse("home")).content.decode()
    assert '<html lang="en">' in page
    assert '<option value="en" lang="en" selected>' in page


@pytest.mark.parametrize(
    ("zone", "shown"), [("Asia/Shanghai", "2026-01-05 10:30"), ("Europe/London", "2026-01-05 02:30")]
)
def test_times_read_in_the_agencys_time_zone(world, zone, shown):
    world.agency_a.timezone = zone
    world.agency_a.save()
    with tenant_context(world.agency_a):
        account = PlatformAccountFactory(client=world.client_a1)
        VideoFactory(account=account, title="Zone check", published_at=dt.datetime(2026, 1, 5, 2, 30, tzinfo=dt.UTC))
    page = signed_in(world.viewer_a1).get(reverse("client-area:dashboard")).content.decode()
    assert shown in page


def test_numbers_read_grouped_in_both_languages():
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from agency.charts import show_number

    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert intcomma(1234567) == "1,234,567"
            assert show_number(1234567) == "1,234,567" and show_number(4.256, percent=True) == "4.26%"
