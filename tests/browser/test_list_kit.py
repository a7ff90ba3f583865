"""The list kit in the browser: a staff list sorted by a header, filtered by a quick filter and
paged, each a swap of the list's part (htmx) that pushes its address without loading the page
again; the back button and a reload give the same list. Kept as screenshots in Chinese and in
English, on a desk and on a phone (375 px)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agency.tenancy import tenant_context
from clients.models import PlatformAccount
from production.models import Stage, VideoProject
from production.views.projects import ProjectListView
from tests.browser.test_client_area import switch_language
from tests.production.factories import VideoProjectFactory

pytestmark = pytest.mark.browser

PLANNED = ProjectListView.paginate_by + 5  # two pages of projects in planning


def _projects(agency) -> None:
    with tenant_context(agency):
        account = PlatformAccount.objects.filter(client__agency=agency).order_by("pk").first()
        for n in range(PLANNED):
            VideoProjectFactory(account=account, title=f"列表 {n:02d} 春季上新", stage=Stage.PLANNING)
        VideoProjectFactory(account=account, title="列表 拍摄中", stage=Stage.SHOOTING)


def mark_the_page(page) -> None:
    """A mark on the loaded document: a full page load wipes it, a swap leaves it."""
    page.evaluate("window.listKitMark = 'same document'")


def same_document(page) -> bool:
    return page.evaluate("window.listKitMark") == "same document"


def test_a_list_sorted_filtered_and_paged_swaps_its_part_and_pushes_its_address(browser, demo, shot):
    _projects(demo)
    manager = browser.signed_in("xinghe_manager")
    manager.goto(reverse("production:project-list"))
    region = manager.locator("#list")
    expect(region).to_be_visible()
    mark_the_page(manager)

    # A quick filter: only the projects in planning.
    region.locator(".quick-filters a[href*='stage=planning']").click()
    expect(manager).to_have_url(re.compile(r"\?stage=planning$"))
    expect(region.locator(".quick-filters a[aria-current='true'][href*='stage=planning']")).to_be_visible()
    expect(region.locator("tbody")).not_to_contain_text("列表 拍摄中")
    # A sortable header: by title.
    region.locator("thead a.sort[href*='sort=title']").click()
    expect(manager).to_have_url(re.compile(r"\?stage=planning&sort=title$"))
    expect(region.locator("thead th[aria-sort='ascending']")).to_be_visible()
    # The next page.
    region.locator(".pagination a[rel='next']").click()
    expect(manager).to_have_url(re.compile(r"\?stage=planning&sort=title&page=2$"))
    expect(region.locator(".pagination [aria-current='page']")).to_have_text("2")
    assert same_document(manager), "a sort, a filter or a page loaded the whole page again"
    expect(region.locator("tbody tr")).to_have_count(_rows_on_page_2(demo))
    shot(manager, "project-list-sorted-filtered-page-2-chinese")

    # The back button shows the page before (loaded again: no copy is kept in the browser).
    manager.go_back()
    expect(manager).to_have_url(re.compile(r"\?stage=planning&sort=title$"))
    expect(region.locator(".pagination [aria-current='page']")).to_have_text("1")
    manager.go_forward()
    expect(region.locator(".pagination [aria-current='page']")).to_have_text("2")

    # The same list in English (the language switch comes back to this address).
    switch_language(manager, "English")
    expect(manager).to_have_url(re.compile(r"\?stage=planning&sort=title&page=2$"))
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Video projects")
    shot(manager, "project-list-sorted-filtered-page-2-english")

    # And on a phone, opened by its address: in English (the person's language now), then in
    # Chinese once they switch back.
    for language in ("english", "chinese"):
        if language == "chinese":
            switch_language(manager, "简体中文")
        phone = browser.signed_in("xinghe_manager", width=375, height=812)
        phone.goto(reverse("production:project-list") + "?stage=planning&sort=title&page=2")
        expect(phone.locator("html")).to_have_attribute("lang", "en" if language == "english" else "zh-hans")
        expect(phone.locator("#list .pagination [aria-current='page']")).to_have_text("2")
        shot(phone, f"project-list-sorted-filtered-page-2-375px-{language}")


def _rows_on_page_2(agency) -> int:
    """The projects in planning (the demo's and ours, counted) left after the first page."""
    with tenant_context(agency):
        planned = VideoProject.objects.filter(stage=Stage.PLANNING).count()
    return min(ProjectListView.paginate_by, planned - ProjectListView.paginate_by)
