"""The staff navigation in the browser, arranged by the job people do (Today, Inbox, Content,
Accounts, Clients, Live and store visits, Reports, Quality, Integrations) with the standard's
clause ids as small tags beside the links, not as their names; on a phone it folds behind the
Menu button and opens with one tap. And the client's navigation counts what waits for them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import both

pytestmark = pytest.mark.browser

GROUPS = ("Inbox", "Content", "Accounts", "Clients", "Live and store visits", "Reports", "Quality", "Integrations")


def test_the_staff_navigation_is_by_job_with_clause_tags_and_folds_on_a_phone(browser, demo, shot):
    manager = browser.signed_in("xinghe_manager")
    nav = manager.get_by_role("navigation", name=both("Sections"))
    for group in GROUPS:
        expect(nav.get_by_role("heading", name=both(group))).to_be_visible()
    # A link is named by the job; its clause is a tag beside it.
    pinned = nav.get_by_role("link", name=both("Pinned videos and boosts"))
    expect(pinned).to_be_visible()
    expect(pinned.locator(".clause")).to_have_text("6.3")
    expect(nav.get_by_role("link", name=re.compile(r"\(ch\.\d+\)|\(\d+\.\d\)"))).to_have_count(0)
    shot(manager, "staff-navigation")

    # The overview of a section is the current place only on its own page, not on every page under it.
    nav.get_by_role("link", name=both("Production calendar")).click()
    expect(nav.get_by_role("link", name=both("Production calendar"))).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name=both("Production board"))).not_to_have_attribute("aria-current", "page")

    # On a phone the navigation waits behind Menu, opens with its groups, and leads where it says.
    phone = browser.signed_in("xinghe_manager", width=375, height=812)
    nav = phone.get_by_role("navigation", name=both("Sections"))
    menu = phone.get_by_role("button", name=both("Menu"))
    expect(menu).to_be_visible()
    expect(nav).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("heading", name=both("Quality"))).to_be_visible()
    shot(phone, "staff-navigation-375px-open")
    nav.get_by_role("link", name=both("Audit trail")).click()
    expect(phone).to_have_url(re.compile(r"/records/audit/"))
    expect(phone.get_by_role("navigation", name=both("Sections"))).to_be_hidden()


def test_the_client_navigation_counts_what_waits_for_the_client(browser, demo, shot):
    approver = browser.signed_in("xinghe_client_approver")
    waiting = approver.locator(".waiting-for-you")
    expect(waiting.get_by_role("heading", name=both("Waiting for you"))).to_be_visible()
    counts = [int(text.replace(",", "")) for text in waiting.locator(".card .figure").all_inner_texts()]
    assert counts, "the demo leaves something for the client's approver"
    sections = approver.get_by_role("navigation", name=both("Sections"))
    expect(sections.locator(".count-badge")).to_contain_text(str(sum(counts)))
    shot(approver, "client-waiting")
    # A card leads to its list.
    waiting.locator("a.card").first.click()
    expect(approver.get_by_role("heading", level=1)).to_be_visible()
    expect(approver.get_by_role("navigation", name=both("Sections")).locator(".count-badge")).to_contain_text(
        str(sum(counts))
    )
