"""The connectors' scheduled work: beat's fan-outs reach every agency's connections inside that
agency, and each task run twice changes nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accounts_ops.models import AccountDailyMetric, OutboxReply, OutboxStatus
from agency.tenancy import tenant_context
from platforms.adapters.base import AccountDay, PlatformUnavailable
from platforms.models import Connection, ConnectionStatus, Delivery, DeliveryStatus, SyncRun, SyncStatus, SyncTrigger
from platforms.services.syncs import sync_request
from platforms.tasks import (
    deliveries_due_all_agencies_task,
    refresh_all_agencies_task,
    sync_all_agencies_task,
    sync_connection_task,
)
from tests.accounts_ops.factories import InboxMessageFactory
from tests.platforms.factories import actor_of, connect

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_as_in_production")]


def days_for(fake_platform, agency, n=3):
    yesterday = timezone.localdate(timezone=agency.tz) - dt.timedelta(days=1)
    for back in range(n):
        day = yesterday - dt.timedelta(days=back)
        fake_platform.days[day] = AccountDay(day, followers=500, plays=40)


def test_the_nightly_sync_reaches_each_connected_account_of_every_agency(world, db, fake_platform):
    days_for(fake_platform, world.agency_a)
    a = connect(fake_platform, client=world.client_a1)
    b = connect(fake_platform, client=world.client_b)
    waiting = connect(fake_platform, client=world.client_a2, status=ConnectionStatus.RECONNECT)
    assert sync_all_agencies_task.apply().get() == 2  # two active agencies
    for agency, connection in ((world.agency_a, a), (world.agency_b, b)):
        with tenant_context(agency):
            [run] = SyncRun.objects.filter(connection=connection)
            assert run.status == SyncStatus.DONE and run.trigger == SyncTrigger.SCHEDULE
            assert AccountDailyMetric.objects.filter(account=connection.account).count() == 3
    with tenant_context(world.agency_a):
        assert not SyncRun.objects.filter(connection=waiting).exists()
    sync_all_agencies_task.apply()  # the next night: nothing new to store
    with tenant_context(world.agency_a):
        latest = SyncRun.objects.filter(connection=a).order_by("-id").first()
        assert latest.counts["account_days"] == {"created": 0, "updated": 0}
        assert AccountDailyMetric.objects.count() == 3


def test_a_sync_task_delivered_twice_runs_once(world, db, fake_platform):
    days_for(fake_platform, world.agency_a)
    connection = connect(fake_platform, client=world.client_a1)
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor):
        run = sync_request(actor=actor, connection=connection)
    calls = len(fake_platform.calls)
    result = sync_connection_task.apply(
        kwargs={
            "agency_id": world.agency_a.pk,
            "connection_id": connection.pk,
            "trigger": SyncTrigger.MANUAL,
            "run_id": run.pk,
        }
    ).get()
    assert result == SyncStatus.DONE and len(fake_platform.calls) == calls
    with tenant_context(world.agency_a):
        assert SyncRun.objects.count() == 1


def test_due_deliveries_of_every_agency_are_sent_once(world, db, fake_platform):
    connection = connect(fake_platform, client=world.client_b)
    message = InboxMessageFactory(account=connection.account)
    fake_platform.fail_next("send_message", PlatformUnavailable("502 Bad Gateway", code=502))
    with tenant_context(world.agency_b), transaction.atomic():
        reply = OutboxReply.objects.create(
            agency=world.agency_b,
            client_id=message.client_id,
            account=message.account,
            message=message,
            text="在的",
            source="manual",
        )
    with tenant_context(world.agency_b):
        delivery = Delivery.objects.get(subject_id=reply.pk)
        assert delivery.status == DeliveryStatus.QUEUED
    deliveries_due_all_agencies_task.apply()  # not due yet: left alone
    assert fake_platform.calls == ["send_message"]
    with tenant_context(world.agency_b):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert deliveries_due_all_agencies_task.apply().get() == 2
    deliveries_due_all_agencies_task.apply()
    assert fake_platform.calls == ["send_message", "send_message"]
    with tenant_context(world.agency_b):
        assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED
        assert OutboxReply.objects.get(pk=reply.pk).status == OutboxStatus.SENT


def test_tokens_near_their_end_are_refreshed_hourly(world, db, fake_platform):
    soon = connect(fake_platform, client=world.client_a1)
    later = connect(fake_platform, client=world.client_b)
    with tenant_context(world.agency_a):
        Connection.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + dt.timedelta(hours=1))
    assert refresh_all_agencies_task.apply().get() == 2
    assert fake_platform.calls == ["refresh"]
    with tenant_context(world.agency_a):
        assert Connection.objects.get(pk=soon.pk).expires_at > timezone.now() + dt.timedelta(days=1)
    with tenant_context(world.agency_b):
        assert Connection.objects.get(pk=later.pk).refreshed_at is None
