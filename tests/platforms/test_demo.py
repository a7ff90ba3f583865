"""The demo connected through the platform simulator, end to end over HTTP with the real Douyin
adapter: ``seed_demo`` authorises each active Douyin account through the OAuth code flow and syncs
it; a reply to a private message is delivered and its first-response time is the platform's;
disconnecting forgets the tokens."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts_ops.models import AccountDailyMetric, InboxMessage, OutboxStatus
from accounts_ops.services.inbox import IncomingMessage, inbox_receive, inbox_reply
from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import dangerously_all_agencies, tenant_context
from clients.models import AccountStatus, PlatformAccount
from platforms.models import Connection, ConnectionSecret, ConnectionStatus, Delivery, DeliveryStatus, SyncRun
from platforms.services.connections import connection_disconnect
from platforms.services.deliveries import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(simulator, settings):
    settings.PLATFORM_SIMULATOR_URL = simulator.url
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    return out.getvalue()


def admin_of(agency) -> Membership:
    return Membership.objects.select_related("user", "agency").get(
        agency=agency, role=Role.AGENCY_ADMIN, user__username__endswith="_admin"
    )


def douyin_accounts():
    with dangerously_all_agencies():
        return list(PlatformAccount.dangerously_all_agencies.filter(platform="douyin", status=AccountStatus.ACTIVE))


def test_every_active_douyin_account_of_the_demo_is_connected_and_synced(demo, simulator):
    accounts = douyin_accounts()
    assert accounts
    with dangerously_all_agencies():
        for account in accounts:
            connection = Connection.dangerously_all_agencies.get(account=account)
            assert connection.status == ConnectionStatus.CONNECTED
            assert connection.open_id == account.platform_uid
            assert ConnectionSecret.dangerously_all_agencies.filter(connection=connection).exists()
            run = SyncRun.dangerously_all_agencies.get(connection=connection)
            assert run.status == "done", run.errors
            assert run.counts["account_days"]["created"] + run.counts["account_days"]["updated"] > 0
            assert connection.last_synced_at is not None
        calls = simulator.calls()
        paths = {call["path"].removeprefix("/douyin") for call in calls}
        assert {"/oauth/access_token/", "/oauth/userinfo/", "/api/douyin/v1/video/video_list/"} <= paths
    assert "connected accounts" in demo


def test_a_second_seeding_connects_nothing_again(demo):
    before = Connection.dangerously_all_agencies.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    assert Connection.dangerously_all_agencies.count() == before
    assert "platforms: nothing new" in out.getvalue()


def test_a_reply_is_delivered_and_the_first_response_is_the_platforms_time(demo, simulator):
    account = douyin_accounts()[0]
    agency = Agency.objects.get(pk=account.agency_id)
    staff = Membership.objects.get(
        agency=agency, role=Role.AGENCY_ADMIN, is_active=True, user__username__endswith="_admin"
    )
    with tenant_context(agency, staff.as_actor()):
        message = inbox_receive(
            account=account,
            items=[
                IncomingMessage(
                    platform_message_id="demo-msg-1",
                    sender_uid="fan-1",
                    received_at=timezone.now() - dt.timedelta(minutes=3),
                    text="请问今天营业吗",
                    conversation_id="conv-1",
                )
            ],
        ).messages[0]
        reply = inbox_reply(actor=staff.as_actor(), message=message, text="营业到晚上十点，欢迎光临")
        delivery = Delivery.objects.get(subject_type="accounts_ops.outboxreply", subject_id=reply.pk)
        deliver(delivery.pk)
        delivery.refresh_from_db()
        reply.refresh_from_db()
        message = InboxMessage.objects.get(pk=message.pk)
    assert delivery.status == DeliveryStatus.DELIVERED, delivery.error
    assert reply.status == OutboxStatus.SENT
    assert reply.sent_at == delivery.accepted_at
    assert message.first_response_at == delivery.accepted_at
    sent = simulator.delivered(account.platform_uid)
    assert any(item.get("text") == "营业到晚上十点，欢迎光临" for item in sent["messages_sent"]), sent


def test_disconnecting_forgets_the_tokens(demo):
    account = douyin_accounts()[0]
    agency = Agency.objects.get(pk=account.agency_id)
    staff = Membership.objects.get(
        agency=agency, role=Role.AGENCY_ADMIN, is_active=True, user__username__endswith="_admin"
    )
    with tenant_context(agency, staff.as_actor()):
        connection = Connection.objects.get(account=account)
        connection_disconnect(actor=staff.as_actor(), connection=connection)
        connection.refresh_from_db()
        assert connection.status == ConnectionStatus.DISCONNECTED
        assert not ConnectionSecret.objects.filter(connection=connection).exists()
    # What was synced stays: it is the account's history.
    with dangerously_all_agencies():
        assert AccountDailyMetric.dangerously_all_agencies.filter(account=account).exists()
