"""Today's work on the staff home page: what each role is shown, and nothing of other agencies."""

from __future__ import annotations

import datetime as dt

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from agency.models import Membership
from agency.tenancy import tenant_context
from agency.today import SECTIONS, sections_for
from clients.models import RequirementStatus
from tests.factories import ClientRequirementFactory, MembershipFactory, UserFactory


def actor_of(user):
    return Membership.objects.get(user=user).as_actor()


def titles(actor):
    with tenant_context(actor.agency, actor):
        return {section.title: section for section in sections_for(actor)}


def test_every_app_section_is_registered():
    assert {spec.func.__module__ for spec in SECTIONS} >= {"clients.today", "production.today", "accounts_ops.today"}


def test_requirements_waiting_and_due_show_with_counts_and_overdue(world):
    ClientRequirementFactory(client=world.client_a1, title="Decide me")
    ClientRequirementFactory(client=world.client_b, title="Other agency")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ClientRequirementFactory(
        client=world.client_a2,
        title="Late",
        status=RequirementStatus.ACCEPTED,
        due_date=yesterday,
        decided_at=timezone.now(),
    )
    sections = titles(actor_of(world.staff_a))
    waiting = sections["Client requirements to decide (4.1)"]
    assert waiting.count == 1 and waiting.rows[0].text.endswith("Decide me")
    due = sections["Accepted requirements due within a week"]
    assert due.count == 1 and due.rows[0].overdue


def test_nothing_waiting_means_no_section(world):
    assert titles(actor_of(world.staff_a)) == {}


def test_sections_follow_the_role_table(world):
    ClientRequirementFactory(client=world.client_a1)
    live = MembershipFactory(agency=world.agency_a, role="live_team", user=UserFactory()).user
    assert "Client requirements to decide (4.1)" in titles(actor_of(live))  # live team may read requirements


def test_home_page_shows_todays_work(world):
    ClientRequirementFactory(client=world.client_a1, title="Friday posts")
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.staff_a)
    page = browser.get(reverse("home")).content.decode()
    assert "Today's work" in page and "Friday posts" in page
