"""The staff pages and the client area, through Django's test client."""

from __future__ import annotations

import datetime as dt

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clients.models import ClientRequirement, PlatformAccount, RequirementStatus
from tests.factories import ClientRequirementFactory, MembershipFactory, PlatformAccountFactory


def browser(user=None, language="en") -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        b.force_login(user)
    return b


def test_login_page_speaks_chinese_by_default(db):
    response = Browser().get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_with_password_lands_on_today(world):
    # An account manager: an agency admin's first sign-in is the two-step set-up
    # (tests/agency/test_two_step_required.py).
    MembershipFactory(agency=world.agency_a, role="account_manager", user__username="manager_a")
    response = Browser().post(reverse("login"), {"username": "manager_a", "password": "test-pass-123"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Agency A" in response.content.decode()


def test_staff_pages_render(world):
    PlatformAccountFactory(client=world.client_a1, handle="a1_douyin")
    requirement = ClientRequirementFactory(client=world.client_a1, title="Friday posts")
    b = browser(world.staff_a)
    for name, args in [
        ("home", []),
        ("clients:client-list", []),
        ("clients:client-detail", [world.client_a1.pk]),
        ("clients:account-list", []),
        ("clients:video-list", []),
        ("clients:requirement-list", []),
        ("clients:requirement-detail", [requirement.pk]),
        ("clients:client-create", []),
        ("production:index", []),
        ("accounts_ops:index", []),
        ("accounts_ops:advanced", []),
        ("extensions:index", []),
        ("records:index", []),
        ("evaluation:index", []),
    ]:
        response = b.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
    assert "a1_douyin" in b.get(reverse("clients:account-list")).content.decode()


def test_lists_use_the_api_filters_and_never_show_other_agencies(world):
    PlatformAccountFactory(client=world.client_a1, handle="mine_one")
    PlatformAccountFactory(client=world.client_a2, handle="mine_two")
    PlatformAccountFactory(client=world.client_b, handle="theirs")
    page = browser(world.staff_a).get(reverse("clients:account-list"), {"client": world.client_a2.pk}).content.decode()
    assert "mine_two" in page and "mine_one" not in page and "theirs" not in page


def test_other_agencys_pages_are_404(world):
    b = browser(world.staff_a)
    assert b.get(reverse("clients:client-detail", args=[world.client_b.pk])).status_code == 404
    assert b.get(reverse("clients:client-update", args=[world.client_b.pk])).status_code == 404


def test_create_client_form_keeps_input_and_names_the_error(world):
    b = browser(world.staff_a)
    response = b.post(
        reverse("clients:client-create"),
        {
            "name": "New shop",
            "kind": "retail",
            "status": "active",
            "contract_start": "2026-05-01",
            "contract_end": "2026-01-01",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "New shop" in page and "The contract cannot end before it starts." in page
    ok = b.post(
        reverse("clients:client-create"),
        {"name": "New shop", "kind": "retail", "status": "active", "services": ["video_production"]},
    )
    assert ok.status_code == 302


def test_account_form_offers_only_own_agency_clients(world):
    b = browser(world.staff_a)
    page = b.get(reverse("clients:account-create")).content.decode()
    assert "A1 hotpot" in page and "B1 coffee" not in page
    response = b.post(
        reverse("clients:account-create"),
        {"client": world.client_b.pk, "platform": "douyin", "handle": "sneaky", "status": "active", "followers": 0},
    )
    assert response.status_code == 200
    assert not PlatformAccount.dangerously_all_agencies.filter(handle="sneaky").exists()


def test_requirement_workflow_in_the_pages(world):
    requirement = ClientRequirementFactory(client=world.client_a1)
    b = browser(world.staff_a)
    url = reverse("clients:requirement-action", args=[requirement.pk, "accept"])
    bad = b.post(url, {"accept-due_date": "2000-01-01"})
    assert bad.status_code == 400 and "The due date cannot be in the past." in bad.content.decode()
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    assert b.post(url, {"accept-due_date": due}).status_code == 302
    b.post(reverse("clients:requirement-action", args=[requirement.pk, "fulfil"]), {"fulfil-note": "Posted."})
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.FULFILLED and requirement.fulfilled_by == world.staff_a


def test_client_person_lands_on_own_dashboard_and_not_staff_pages(world):
    PlatformAccountFactory(client=world.client_a1, handle="own_account")
    PlatformAccountFactory(client=world.client_a2, handle="other_clients")
    b = browser(world.viewer_a1)
    home = b.get(reverse("home"), follow=True)
    page = home.content.decode()
    assert home.redirect_chain[-1][0] == reverse("client-area:dashboard")
    assert "own_account" in page and "other_clients" not in page and "A2 tea" not in page
    assert b.get(reverse("clients:client-list")).status_code == 302  # sent back to their dashboard
    assert b.get(reverse("clients:client-detail", args=[world.client_a2.pk])).status_code == 302


def test_client_approver_raises_a_requirement_in_the_client_area(world):
    b = browser(world.approver_a1)
    form = b.get(reverse("clients:requirement-create"))
    assert form.status_code == 200
    response = b.post(
        reverse("clients:requirement-create"),
        {"client": world.client_a2.pk, "title": "Sneaky", "text": "For another client"},
    )
    assert response.status_code == 200  # the other client is not a choice
    response = b.post(
        reverse("clients:requirement-create"),
        {"client": world.client_a1.pk, "title": "Friday posts", "text": "Every Friday please."},
    )
    assert response.status_code == 302
    requirement = ClientRequirement.dangerously_all_agencies.get(title="Friday posts")
    assert requirement.raised_by == world.approver_a1 and requirement.client == world.client_a1


def test_client_viewer_cannot_raise_requirements_in_the_pages(world):
    assert browser(world.viewer_a1).get(reverse("clients:requirement-create")).status_code == 403


def test_person_in_two_agencies_picks_one_and_switches(world):
    MembershipFactory(agency=world.agency_b, role="analyst", user=world.staff_a)
    b = browser(world.staff_a)
    assert b.get(reverse("home")).url == reverse("switch-agency")
    b.post(reverse("switch-agency"), {"agency": world.agency_b.pk})
    page = b.get(reverse("clients:client-list")).content.decode()
    assert "B1 coffee" in page and "A1 hotpot" not in page
    b.post(reverse("switch-agency"), {"agency": world.agency_a.pk})
    assert "A1 hotpot" in b.get(reverse("clients:client-list")).content.decode()


def test_switching_to_an_agency_one_does_not_belong_to_is_404(world):
    assert browser(world.staff_a).post(reverse("switch-agency"), {"agency": world.agency_b.pk}).status_code == 404


def test_language_switch_to_english_and_back(world):
    b = Browser()
    b.force_login(world.staff_a)
    assert "客户" in b.get(reverse("clients:client-list")).content.decode()
    b.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Clients" in b.get(reverse("clients:client-list")).content.decode()


def test_client_area_links_every_section_and_each_answers(world):
    import re

    b = browser(world.approver_a1)
    page = b.get(reverse("client-area:dashboard")).content.decode()
    nav = page[page.index('class="client-nav"') : page.index("</nav>", page.index('class="client-nav"'))]
    links = re.findall(r'href="([^"]+)"', nav)
    assert len(links) == 6
    for link in links:
        assert b.get(link).status_code == 200, link
