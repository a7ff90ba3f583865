"""Simplified Chinese by default, English for the person who chooses it, remembered for them on
every device; dates and times in the agency's time zone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

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
    # An account manager: an agency admin's first sign-in is the two-step set-up
    # (tests/agency/test_two_step_required.py), which speaks the chosen language too.
    world.staff_a.memberships.update(role="account_manager")
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


def filter_labels(html: str) -> set[str]:
    return {label.strip() for label in re.findall(r"<label[^>]*>([^<]+)</label>", html)}


def test_reading_the_api_schema_does_not_freeze_the_filter_labels(world, api):
    """The schema reads the class-level filters once (in the language of whoever asked for it);
    every list page's filters are still said in the language of its reader."""
    import django_filters

    from clients.api import ClientFilterSet

    # A filterset class built now, whose class-level filters nobody has read yet.
    fresh = type("FreshClientFilterSet", (ClientFilterSet,), {"Meta": ClientFilterSet.Meta})
    with translation.override("en"):
        assert str(fresh.base_filters["kind"].label) == "Kind"
        assert fresh.base_filters["kind"].field.label is not None
    with translation.override("zh-hans"):
        assert str(fresh.base_filters["kind"].label) == "类型"
        assert fresh(actor=None).form["kind"].label == "类型"
    assert isinstance(fresh.base_filters["kind"], django_filters.ChoiceFilter)

    schema = api(world.staff_a, agency_slug="agency-a").get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    assert schema.status_code == 200
    chinese = signed_in(world.staff_a, HTTP_ACCEPT_LANGUAGE="zh-CN").get(reverse("clients:client-list"))
    assert {"类型", "状态"} <= filter_labels(chinese.content.decode())
    assert not {"Kind", "Status"} & filter_labels(chinese.content.decode())
    english = signed_in(world.staff_a, HTTP_ACCEPT_LANGUAGE="en").get(reverse("clients:client-list"))
    assert {"Kind", "Status"} <= filter_labels(english.content.decode())


@pytest.mark.parametrize(("language", "title"), [("en", "Data statistics report"), ("zh-hans", "数据统计报告")])
def test_a_report_is_written_in_the_language_of_whoever_asked(
    world, django_capture_on_commit_callbacks, language, title
):
    """Built later by a task, a report keeps the language of the request that asked for it (not
    the agency's, nor the worker's)."""
    from records.models import StatisticsReport
    from records.services.reports import statistics_report_request

    world.agency_a.language = "zh-hans" if language == "en" else "en"
    world.agency_a.save()
    actor = world.staff_a.memberships.get(agency=world.agency_a).as_actor()
    period = {"period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 1, 31)}
    with (
        tenant_context(world.agency_a, actor),
        django_capture_on_commit_callbacks(execute=True),
        translation.override(language),
    ):
        asked = statistics_report_request(actor=actor, client=world.client_a1, **period)
    with tenant_context(world.agency_a):
        report = StatisticsReport.objects.get(pk=asked.pk)
    assert report.language == language and report.data["title"] == title


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_conformance_pdf_is_asked_for_in_the_readers_language(world, language):
    from reports.models import ConformanceReport

    b = signed_in(world.staff_a, HTTP_ACCEPT_LANGUAGE=language)
    page = b.get(reverse("conformance-client", args=[world.client_a1.pk])).content.decode()
    assert re.search(rf'<option value="{language}"[^>]* selected>', page)
    b.post(reverse("conformance-client", args=[world.client_a1.pk]), {"period": "2026-01"})
    with tenant_context(world.agency_a):
        assert ConformanceReport.objects.get(client=world.client_a1).language == language


def test_a_frozen_month_reads_in_the_readers_language(world):
    """A snapshot keeps a month's findings as they were, in every language: a past month reads in
    the language of whoever looks at it, whoever's language the snapshot was taken in."""
    from agency.conformance import Period
    from reports.selectors import conformance_results
    from reports.services import conformance_snapshot_take

    with tenant_context(world.agency_a), translation.override("en"):
        conformance_snapshot_take(client=world.client_a1, period=Period.month(2025, 3))
    said = {}
    for language in ("zh-hans", "en"):
        with tenant_context(world.agency_a), translation.override(language):
            results, snapshot = conformance_results(world.client_a1, Period.month(2025, 3))
        assert snapshot is not None
        said[language] = {row.clause_id: row.summary for row in results}
    chinese = re.compile(r"[\u4e00-\u9fff]")
    assert all(chinese.search(summary) for summary in said["zh-hans"].values()), said["zh-hans"]
    assert not any(chinese.search(summary) for summary in said["en"].values()), said["en"]


def test_an_open_campaign_reads_as_running_not_as_unresolved():
    from evaluation.models import CampaignStatus, ComplaintStatus
    from evaluation.sentiment import sentiment_label

    with translation.override("zh-hans"):
        assert str(CampaignStatus.OPEN.label) == "进行中"
        assert str(ComplaintStatus.OPEN.label) == "未解决"
        assert sentiment_label("negative") == "负面"
    with translation.override("en"):
        assert str(CampaignStatus.OPEN.label) == "Open" and sentiment_label("negative") == "Negative"
