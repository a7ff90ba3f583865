"""What every page's layout gives the browser: the site's icon (linked from every layout, and
``/favicon.ico``, which browsers ask for by themselves), and the agency switcher in the layout of
a person who has not entered an agency yet (not the client area's)."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client as Browser
from django.urls import reverse

from tests.evaluation.factories import EvaluationCampaignFactory
from tests.factories import MembershipFactory

ICON = '<link rel="icon" href="/static/agency/favicon.svg" type="image/svg+xml">'


def browser(user=None, language="en") -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        b.force_login(user)
    return b


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_favicon_ico_leads_to_our_svg_icon_without_signing_in(db):
    response = browser().get("/favicon.ico")
    assert response.status_code == 302
    assert response.url == "/static/agency/favicon.svg"
    icon = finders.find("agency/favicon.svg")
    assert icon is not None
    with open(icon, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg")


def test_every_layout_links_the_icon(world):
    campaign = EvaluationCampaignFactory(client=world.client_a1)
    MembershipFactory(agency=world.agency_b, role="analyst", user=world.approver_a1)
    pages = {
        "bare (sign-in)": (None, reverse("login")),
        "staff": (world.staff_a, reverse("home")),
        "client area": (world.viewer_a1, reverse("client-area:dashboard")),
        "public survey": (None, reverse("evaluation:public-survey", args=[campaign.public_token])),
        "agency switcher": (world.approver_a1, reverse("switch-agency")),
    }
    for name, (user, url) in pages.items():
        response = browser(user).get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert ICON in response.content.decode(), name


def test_the_agency_switcher_is_not_a_client_area_page(world):
    # A client person of agency A who is also staff of agency B chooses where to work.
    MembershipFactory(agency=world.agency_b, role="analyst", user=world.viewer_a1)
    b = browser(world.viewer_a1)
    assert b.get(reverse("home")).url.startswith(reverse("switch-agency"))
    html = b.get(reverse("switch-agency")).content.decode()
    assert title(html) == "Choose an agency · Short-video agency"
    assert "Client area" not in html
    assert 'class="client-nav"' not in html and 'class="side"' not in html
    assert "Agency A" in html and "Agency B" in html
    assert f'action="{reverse("logout")}"' in html  # one may leave without choosing
    chinese = browser(world.viewer_a1, language="zh-hans").get(reverse("switch-agency")).content.decode()
    assert title(chinese) == "选择代运营机构 · 短视频代运营"
