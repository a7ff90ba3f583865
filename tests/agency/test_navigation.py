"""The staff side navigation: places named by the job (the clause a small tag beside the name),
every section still reachable, and the place being shown marked as the current page, once."""

from __future__ import annotations

import re

from django.test import Client as Browser
from django.urls import reverse


def side_nav(user, url: str) -> str:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    page = b.get(url).content.decode()
    start = page.index('<nav class="side"')
    return page[start : page.index("</nav>", start)]


def current_links(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', nav)


def test_places_are_named_by_the_job_and_grouped(world):
    nav = side_nav(world.staff_a, reverse("home"))
    headings = re.findall(r"<h2>([^<]+)</h2>", nav)
    assert headings == [
        "Inbox",
        "Content",
        "Accounts",
        "Clients",
        "Live and store visits",
        "Reports",
        "Quality",
        "Integrations",
    ]
    names = [re.sub(r"<small.*?</small>", "", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", nav)]
    assert not [name for name in names if re.search(r"\(ch\.|\(\d+\.\d+\)|\(T/CASME\)", name)]
    assert '>Pinned videos and boosts <small class="clause" aria-hidden="true">6.3</small></a>' in nav
    assert len(names) == 44  # every place of before, the projects list and the one inbox


def test_the_place_shown_is_the_current_one_and_an_overview_only_on_its_own_page(world):
    assert current_links(side_nav(world.staff_a, reverse("home"))) == [reverse("home")]
    calendar = reverse("production:calendar")
    assert current_links(side_nav(world.staff_a, calendar)) == [calendar]
    board = reverse("production:index")
    assert current_links(side_nav(world.staff_a, board)) == [board]
    pins = reverse("accounts_ops:pin-list")
    assert current_links(side_nav(world.staff_a, pins)) == [pins]  # not also the 6 overview
