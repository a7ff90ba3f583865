"""Connections for the connectors' tests, written directly: a ``Connection`` row and its tokens
(issued by the test's ``FakePlatform``) sealed through ``platforms.services.calls.store_tokens``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from agency.models import Membership
from agency.tenancy import Actor, tenant_context
from platforms.models import Connection, Delivery, SyncRun
from platforms.services.calls import store_tokens
from tests.factories import ROW_MAKERS, PlatformAccountFactory

ALL_SCOPES = (
    "data.external.user",
    "fans.data",
    "video.list.bind",
    "video.data.bind",
    "item.comment",
    "im.direct_message",
    "video.create.bind",
)


def connect(fake_platform, account=None, *, client=None, scopes=ALL_SCOPES, **values) -> Connection:
    """A connected Douyin account of ``client`` (or ``account``) with tokens the fake accepts."""
    if account is None:
        account = PlatformAccountFactory(client=client, platform="douyin", platform_uid=fake_platform.open_id)
    tokens = fake_platform.issue(scopes=scopes)
    with tenant_context(account.agency), transaction.atomic():
        connection = Connection(
            agency=account.agency,
            client_id=account.client_id,
            account=account,
            platform=account.platform,
            open_id=tokens.open_id,
            connected_at=timezone.now(),
            expires_at=tokens.expires_at,
            refresh_expires_at=tokens.refresh_expires_at,
            scopes=list(scopes),
            **values,
        )
        connection.save()
        store_tokens(connection, tokens, refreshed=False)
    return connection


def actor_of(user, agency) -> Actor:
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


# --- rows for the isolation tests and the query counts (tests.factories.ROW_MAKERS) ---------------


def make_connection(agency, client) -> Connection:
    account = PlatformAccountFactory(client=client)
    now = timezone.now()
    with tenant_context(agency):
        return Connection.objects.create(
            client=client,
            account=account,
            platform=account.platform,
            open_id=f"open-{account.pk}",
            connected_at=now,
            expires_at=now + dt.timedelta(days=15),
            scopes=["data.external.user"],
        )


def make_sync_run(agency, client) -> SyncRun:
    connection = make_connection(agency, client)
    with tenant_context(agency):
        return SyncRun.objects.create(
            client=client,
            account=connection.account,
            connection=connection,
            trigger="schedule",
            status="done",
            started_at=timezone.now(),
            counts={"account_days": {"created": 1, "updated": 0}},
        )


def make_delivery(agency, client) -> Delivery:
    connection = make_connection(agency, client)
    with tenant_context(agency):
        return Delivery.objects.create(
            client=client,
            account=connection.account,
            connection=connection,
            kind="comment_reply",
            key=f"comment_reply:test:{connection.pk}",
            subject_type="accounts_ops.commentaction",
            subject_id=connection.pk,
            status="failed",
            error="refused in a test",
        )


ROW_MAKERS.update({Connection: make_connection, SyncRun: make_sync_run, Delivery: make_delivery})
