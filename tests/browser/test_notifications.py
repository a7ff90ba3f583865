"""Notifications in the browser (issue 22): the agency admin registers a WeCom bot (a stub on the
loopback); an opinion alert reaches the bot, the operator's e-mail and the bell; the operator
reads it and chooses channels; the client approver sees what waits for approval. Screenshots in
both languages and on a phone."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client as DjangoClient
from django.utils.translation import pgettext_lazy
from playwright.sync_api import expect

from agency.tenancy import dangerously_all_agencies, tenant_context
from notifications.models import Notification, WebhookDelivery
from tests.accounts_ops.factories import OpinionAlertFactory
from tests.browser.conftest import both
from tests.notifications.bot_stub import bot  # noqa: F401  (the stub bot fixture)

pytestmark = pytest.mark.browser


def as_person(browser, username: str, **kwargs):
    """A page signed in as ``username`` (an agency admin's second step passed, as after a real
    sign-in), without going through the sign-in pages."""
    user = get_user_model().objects.get(username=username)
    session = DjangoClient()
    session.force_login(user)
    page = browser.page(**kwargs)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": browser.base_url}])
    return page


def test_a_notification_reaches_the_bot_the_email_and_the_bell(browser, demo, shot, bot):  # noqa: F811
    users = get_user_model().objects
    operator = users.get(username="xinghe_operator")
    operator.email = "operator@example.com"
    operator.save()

    # The agency admin registers the team's WeCom group bot (the stub), for opinion alerts.
    admin = as_person(browser, "xinghe_admin")
    admin.goto("/notifications/bots/new/")
    admin.get_by_label(both("Name")).fill("运营群")
    admin.get_by_label(both("Kind of bot")).select_option("wecom")
    admin.get_by_label(both("Webhook address")).fill(bot.url("/cgi-bin/webhook/send?key=team-key-0042"))
    shot(admin, "bot-form")
    admin.get_by_role("button", name=both("Save")).click()
    expect(admin.get_by_text(re.compile(r"…0042"))).to_be_visible()
    expect(admin.get_by_text("team-key")).to_have_count(0)
    shot(admin, "bots")

    # An opinion alert is raised (as the hourly check raises it).
    with dangerously_all_agencies():
        from clients.models import PlatformAccount

        account = PlatformAccount.objects.filter(client__agency=demo).order_by("pk").first()
    with tenant_context(demo):
        OpinionAlertFactory(account=account)
    (request,) = [r for r in bot.requests if r["query"].get("key") == "team-key-0042"]
    assert request["json"]["msgtype"] == "text" and "星河" in request["json"]["text"]["content"]
    assert WebhookDelivery.dangerously_all_agencies.get().status == "sent"
    assert any(m.to == ["operator@example.com"] for m in mail.outbox)

    # The operator sees the bell's count, opens the list, reads the alert.
    page = as_person(browser, "xinghe_operator")
    page.goto("/")
    bell = page.locator(".topbar .bell")
    expect(bell.locator(".bell-count")).to_be_visible()
    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    shot(page, "list-chinese")
    mine = Notification.dangerously_all_agencies.filter(recipient=operator, kind="opinion_alert").first()
    page.locator(f"form:has(input[value='{mine.pk}'])").get_by_role(
        "button", name=both(pgettext_lazy("notification link", "Open"))
    ).click()
    expect(page).to_have_url(re.compile(r"/operations/advanced/alerts/\d+/$"))
    mine.refresh_from_db()
    assert mine.read_at is not None

    english = as_person(browser, "xinghe_operator", locale="en-US")
    english.goto("/notifications/")
    english.locator("#language-switch").select_option("en")
    english.get_by_role("button", name=both("Go")).click()
    expect(english.get_by_role("heading", level=1)).to_have_text("Notifications")
    shot(english, "list-english")
    english.goto("/notifications/settings/")
    shot(english, "settings-english")

    phone = as_person(browser, "xinghe_operator", width=375, height=812)
    phone.goto("/notifications/")
    shot(phone, "list-375px")
    phone.goto("/notifications/settings/")
    shot(phone, "settings-375px")


def test_the_client_approver_sees_what_waits_for_approval(browser, demo, shot):
    approver = get_user_model().objects.get(username="xinghe_client_approver")
    waiting = Notification.dangerously_all_agencies.filter(recipient=approver, kind="approval_waiting")
    page = as_person(browser, "xinghe_client_approver")
    page.goto("/notifications/")
    expect(page.locator(".notification-list li")).to_have_count(waiting.filter(in_app=True).count())
    shot(page, "client-list-chinese")
    phone = as_person(browser, "xinghe_client_approver", width=375, height=812)
    phone.goto("/notifications/")
    shot(phone, "client-list-375px")
