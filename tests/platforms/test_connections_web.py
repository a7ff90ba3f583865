"""The connection pages: the account page's panel, connect and the callback, the link sent to a
client person (with its QR code), sync now, disconnect, and "reconnect needed" on the account
page, the client page and Today."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from agency.tenancy import tenant_context
from platforms.models import AuthorisationRequest, Connection, ConnectionSecret, ConnectionStatus, SyncRun
from platforms.services import calls
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory
from tests.platforms.test_connections import ALL_SCOPES, actor_of, connect, state_of, tokens_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_as_in_production")]


def browser(user=None) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        b.force_login(user)
    return b


def account_page(account) -> str:
    return reverse("accounts_ops:account", args=[account.pk])


@pytest.fixture
def account(world):
    return PlatformAccountFactory(client=world.client_a1, handle="a1_douyin", nickname="")


def test_an_account_connects_through_the_platform_and_comes_back(fake_platform, world, account):
    b = browser(world.staff_a)
    page = b.get(account_page(account)).content.decode()
    assert "Platform connection" in page and "Not connected." in page
    assert reverse("platforms:connect", args=[account.pk]) in page
    response = b.post(reverse("platforms:connect", args=[account.pk]))
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith("http://fake.invalid/douyin/platform/oauth/connect/")
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Fplatforms%2Fcallback%2Fdouyin%2F" in url
    back = b.get(
        reverse("platforms:callback", args=["douyin"]),
        {"state": state_of(url), "code": "data.external.user,fans.data"},
        follow=True,
    )
    assert back.redirect_chain[-1][0] == account_page(account)
    page = back.content.decode()
    assert "is connected" in page
    assert "data.external.user, fans.data" in page  # granted
    assert "im.direct_message" in page  # named as missing
    assert "Sync now" in page and "Disconnect" in page
    connection = Connection.dangerously_all_agencies.get()
    for token in tokens_of(connection):
        assert token not in page
    secret = ConnectionSecret.dangerously_all_agencies.get()
    assert secret.access_token not in page


def test_a_failed_callback_says_why(fake_platform, world, account):
    b = browser(world.staff_a)
    url = b.post(reverse("platforms:connect", args=[account.pk]))["Location"]
    AuthorisationRequest.dangerously_all_agencies.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    back = b.get(reverse("platforms:callback", args=["douyin"]), {"state": state_of(url), "code": "x"}, follow=True)
    page = back.content.decode()
    assert "The account was not connected" in page and "expired" in page
    assert not Connection.dangerously_all_agencies.exists()


def test_another_persons_callback_is_refused(fake_platform, world, account):
    url = browser(world.staff_a).post(reverse("platforms:connect", args=[account.pk]))["Location"]
    other = UserFactory()
    MembershipFactory(agency=world.agency_a, role="account_manager", user=other)
    back = browser(other).get(
        reverse("platforms:callback", args=["douyin"]), {"state": state_of(url), "code": "x"}, follow=True
    )
    assert "someone else" in back.content.decode()
    assert not Connection.dangerously_all_agencies.exists()


def test_roles_that_may_not_connect_see_no_connect_button_and_are_refused(fake_platform, world, account):
    operator = UserFactory()
    MembershipFactory(agency=world.agency_a, role="operator", user=operator)
    b = browser(operator)
    page = b.get(account_page(account)).content.decode()
    assert "Platform connection" in page
    assert reverse("platforms:connect", args=[account.pk]) not in page
    assert b.post(reverse("platforms:connect", args=[account.pk])).status_code == 403
    assert not AuthorisationRequest.dangerously_all_agencies.exists()


def test_another_agencys_account_is_not_found(fake_platform, world):
    account_b = PlatformAccountFactory(client=world.client_b)
    b = browser(world.staff_a)
    assert b.post(reverse("platforms:connect", args=[account_b.pk])).status_code == 404
    assert b.get(reverse("platforms:send-link", args=[account_b.pk])).status_code == 404


def test_staff_send_a_client_person_a_link_with_a_qr_code(fake_platform, world, account):
    b = browser(world.staff_a)
    form = b.get(reverse("platforms:send-link", args=[account.pk])).content.decode()
    choices = form.split('name="person"')[1].split("</select>")[0]
    assert "approver_a1" in choices and "viewer_a1" in choices and "staff_a" not in choices
    response = b.post(reverse("platforms:send-link", args=[account.pk]), {"person": world.approver_a1.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    link = next(part for part in page.split('"') if "/platforms/authorise/" in part)
    path = urlsplit(link).path
    # The client person opens it, signed in, and is sent to the platform as themselves.
    person = browser(world.approver_a1)
    opened = person.get(path)
    assert opened.status_code == 200 and "<svg" in opened.content.decode()
    started = person.post(path)
    assert started.status_code == 302 and started["Location"].startswith("http://fake.invalid/douyin/")
    back = person.get(
        reverse("platforms:callback", args=["douyin"]), {"state": state_of(started["Location"]), "code": ALL_SCOPES}
    )
    assert back.status_code == 302 and back["Location"] == reverse("client-area:dashboard")
    connection = Connection.dangerously_all_agencies.get()
    assert connection.connected_by_id == world.approver_a1.pk and connection.missing_scopes == []
    # Anyone else opening the link is refused.
    assert "someone else" in browser(world.viewer_a1).get(path).content.decode()


def test_a_link_cannot_go_to_a_person_of_another_client(fake_platform, world, account):
    stranger = UserFactory()
    MembershipFactory(agency=world.agency_a, role="client_viewer", client=world.client_a2, user=stranger)
    response = browser(world.staff_a).post(reverse("platforms:send-link", args=[account.pk]), {"person": stranger.pk})
    assert response.status_code == 400
    assert not AuthorisationRequest.dangerously_all_agencies.exists()


def test_the_panel_lists_the_last_sync_runs_and_sync_now_asks_for_one(fake_platform, world, account):
    admin = actor_of(world.staff_a, world.agency_a)
    connection = connect(admin, account)
    with tenant_context(world.agency_a):
        SyncRun.objects.create(
            client=world.client_a1,
            account=account,
            connection=connection,
            trigger="schedule",
            status="partial",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 1, 3),
            started_at=timezone.now() - dt.timedelta(days=1),
            counts={"account_days": {"created": 3, "updated": 1}, "videos": {"created": 4, "updated": 0}},
            errors=[{"stream": "comments", "code": 2190008, "message": "access_token过期"}],
        )
    b = browser(world.staff_a)
    page = b.get(account_page(account)).content.decode()
    assert "2026-01-01 – 2026-01-03" in page
    assert "<td>7</td><td>1</td>" in page
    assert "comments: access_token过期 (2190008)" in page
    response = b.post(reverse("platforms:sync", args=[connection.pk]), follow=True)
    assert response.status_code == 200
    assert SyncRun.dangerously_all_agencies.filter(trigger="manual").count() == 1


def test_disconnect_asks_first_then_revokes(fake_platform, world, account):
    connection = connect(actor_of(world.staff_a, world.agency_a), account)
    b = browser(world.staff_a)
    confirm = b.get(reverse("platforms:disconnect", args=[connection.pk]))
    assert confirm.status_code == 200 and "tokens are deleted" in confirm.content.decode()
    assert Connection.dangerously_all_agencies.get().status == ConnectionStatus.CONNECTED
    done = b.post(reverse("platforms:disconnect", args=[connection.pk]), follow=True)
    assert "is disconnected" in done.content.decode()
    assert Connection.dangerously_all_agencies.get().status == ConnectionStatus.DISCONNECTED
    assert fake_platform.revoked and not ConnectionSecret.dangerously_all_agencies.exists()


def test_reconnect_needed_shows_on_the_account_the_client_page_and_today(fake_platform, world, account):
    connection = connect(actor_of(world.staff_a, world.agency_a), account)
    with tenant_context(world.agency_a):
        calls.mark_reconnect(connection, "refresh_token过期")
    b = browser(world.staff_a)
    page = b.get(account_page(account)).content.decode()
    assert "Reconnect needed" in page and "refresh_token过期" in page and ">Reconnect<" in page
    client_page = b.get(reverse("clients:client-detail", args=[world.client_a1.pk])).content.decode()
    assert "Reconnect needed" in client_page and account_page(account) in client_page
    other_client = b.get(reverse("clients:client-detail", args=[world.client_a2.pk])).content.decode()
    assert "Reconnect needed" not in other_client
    today = b.get(reverse("home")).content.decode()
    assert "Platform accounts to reconnect" in today and account_page(account) in today
    assert "Platform accounts to reconnect" not in browser(world.staff_b).get(reverse("home")).content.decode()
