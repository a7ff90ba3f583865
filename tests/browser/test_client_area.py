"""The client area in the browser: a client person sees only their own client, in Chinese by
default, and another client's address answers "not found"; and anyone switches the language in
the top bar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agency.tenancy import dangerously_all_agencies
from clients.models import Client
from production.models import ReviewRound
from tests.browser.conftest import both, form_with, in_language

pytestmark = pytest.mark.browser

OWN, OTHER_CLIENT, OTHER_AGENCY_CLIENT = "老街火锅", "花间茶饮", "Harbor Coffee"


def test_a_client_person_sees_only_their_client_and_is_refused_another(browser, demo, shot):
    with dangerously_all_agencies():
        clients = {client.name: client.pk for client in Client.objects.all()}
        other_round = ReviewRound.objects.exclude(client__name=OWN).values_list("pk", flat=True).first()
    viewer = browser.signed_in("xinghe_client_viewer")

    # The client's own dashboard, in Chinese (the default) without choosing anything.
    expect(viewer).to_have_url(re.compile(r"/client/$"))
    expect(viewer.get_by_role("heading", level=1)).to_have_text(OWN)
    expect(viewer.locator("html")).to_have_attribute("lang", "zh-hans")
    sections = viewer.get_by_role("navigation", name=both("Sections"))
    expect(sections.get_by_role("link", name=in_language("zh-hans", "Videos in production"))).to_be_visible()
    expect(viewer.get_by_text("@laojie_hotpot").first).to_be_visible()
    for name in (OTHER_CLIENT, OTHER_AGENCY_CLIENT):
        expect(viewer.get_by_text(name)).to_have_count(0)
    shot(viewer, "client-dashboard")

    # Their conformance page is theirs; another client's, in this agency or another, is not found.
    sections.get_by_role("link", name=both("Conformance reports")).click()
    expect(viewer).to_have_url(re.compile(rf"/conformance/clients/{clients[OWN]}/"))
    expect(viewer.get_by_text(OWN).first).to_be_visible()
    for name in (OTHER_CLIENT, OTHER_AGENCY_CLIENT):
        response = viewer.goto(f"/conformance/clients/{clients[name]}/")
        assert response.status == 404, (name, response.status)
        expect(viewer.get_by_text(name)).to_have_count(0)
    response = viewer.goto(f"/production/reviews/{other_round}/")
    assert response.status == 404, response.status
    shot(viewer, "another-clients-page-not-found")

    # A staff page of another client leads back to the client's own dashboard, showing nothing else.
    viewer.goto(f"/clients/{clients[OTHER_CLIENT]}/")
    expect(viewer.get_by_role("heading", level=1)).to_have_text(OWN)
    expect(viewer.get_by_text(OTHER_CLIENT)).to_have_count(0)

    # The same dashboard on a phone.
    phone = browser.signed_in("xinghe_client_viewer", width=375, height=812)
    expect(phone.get_by_role("heading", level=1)).to_have_text(OWN)
    shot(phone, "client-dashboard-375px")


def switch_language(page, name: str) -> None:
    """Choose a language in the top bar's switch and apply it."""
    switch = page.get_by_label(both("Language"))
    switch.select_option(label=name)
    form_with(page, "Go").get_by_role("button", name=both("Go")).click()
    page.wait_for_load_state()


def test_the_language_switch_changes_the_pages_between_chinese_and_english(browser, demo, shot):
    manager = browser.signed_in("xinghe_manager")
    nav = manager.get_by_role("navigation", name=both("Sections"))

    def shows(language: str) -> None:
        other = "en" if language == "zh-hans" else "zh-hans"
        expect(manager.locator("html")).to_have_attribute("lang", language)
        for text in ("Today", "Production board", "Operation records"):
            expect(nav.get_by_role("link", name=in_language(language, text), exact=True)).to_be_visible()
            expect(nav.get_by_role("link", name=in_language(other, text), exact=True)).to_have_count(0)
        expect(manager.get_by_role("button", name=in_language(language, "Sign out"), exact=True)).to_be_visible()

    shows("zh-hans")
    shot(manager, "home-chinese")

    switch_language(manager, "English")
    shows("en")
    shot(manager, "home-english")

    # The choice holds on the next page.
    nav.get_by_role("link", name="Production board", exact=True).click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Production board")
    shows("en")

    switch_language(manager, "简体中文")
    expect(manager.get_by_role("heading", level=1)).to_have_text(in_language("zh-hans", "Production board"))
    shows("zh-hans")
    shot(manager, "board-back-in-chinese")
