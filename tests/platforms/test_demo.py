"""The demo connected through the platform simulator, end to end over HTTP with the real Douyin
adapter: ``seed_demo`` authorises each active Douyin account through the OAuth code flow and syncs
it; a reply to a private message is delivered and its first-response time is the platform's;
disconnecting forgets the tokens.

The demo is seeded once for the module, inside a transaction rolled back after its last test; each
test runs in a savepoint of it (rolled back after the test) with the simulator as the seeding left
it (``restore_simulator_state``), so each starts from the demo as freshly seeded."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
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
from tests.platforms.simulator_fixture import (
    CLIENT_KEY,
    CLIENT_SECRET,
    SimulatorClient,
    restore_simulator_state,
    simulator_server,
    simulator_state,
)

pytestmark = pytest.mark.django_db


@dataclass
class Seeded:
    output: str  # what seed_demo printed
    calls: list[dict]  # the platform calls the seeding made
    simulator: dict  # the simulator's state as the seeding left it
    media_root: str


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` run once for the module against the session's simulator (reset first). Its
    transaction is marked as a test case's (``platforms.services.calls.require_outside_transaction``
    allows the platform calls inside it, as in every test's own)."""
    client = SimulatorClient(simulator_server().url)
    douyin = {"base_url": client.douyin_url, "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET}
    media = str(tmp_path_factory.mktemp("demo-media"))
    block = transaction.atomic()
    block._from_testcase = True
    with (
        django_db_blocker.unblock(),
        override_settings(
            PLATFORM_SIMULATOR_URL=client.url,
            PLATFORMS={**django_settings.PLATFORMS, "douyin": douyin},
            MEDIA_ROOT=media,
        ),
        block,
    ):
        client.reset()
        out = io.StringIO()
        call_command("seed_demo", stdout=out, no_color=True)
        try:
            yield Seeded(out.getvalue(), client.calls(), simulator_state(), media)
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, simulator, settings):
    """The demo as freshly seeded, the simulator as the seeding left it; what seed_demo printed."""
    settings.PLATFORM_SIMULATOR_URL = simulator.url
    settings.MEDIA_ROOT = seeded.media_root
    restore_simulator_state(seeded.simulator)
    return seeded.output


def admin_of(agency) -> Membership:
    return Membership.objects.select_related("user", "agency").get(
        agency=agency, role=Role.AGENCY_ADMIN, user__username__endswith="_admin"
    )


def douyin_accounts():
    with dangerously_all_agencies():
        return list(PlatformAccount.dangerously_all_agencies.filter(platform="douyin", status=AccountStatus.ACTIVE))


def test_every_active_douyin_account_of_the_demo_is_connected_and_synced(demo, seeded):
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
        calls = seeded.calls  # the seeding's own
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
