"""The answer cache (agency.answer_cache): answers kept until a table they read is written.

These tests commit for real (``transaction=True``): inside a test's single transaction every answer
is computed, never kept, because a transaction that wrote reads its own uncommitted rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts_ops.services.metrics import account_metrics_ingest
from agency import answer_cache, tokens
from agency.models import Membership
from agency.tenancy import tenant_context
from clients.models import Client, ClientRequirement
from tests.accounts_ops.factories import AccountDailyMetricFactory
from tests.factories import ClientRequirementFactory, PlatformAccountFactory, api_token_key

committed = pytest.mark.django_db(transaction=True)


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def token_client(user, agency=None) -> APIClient:
    """A client with the person's one token of the test (a token's first use notes when it was used:
    a write, once a minute at most)."""
    if not hasattr(user, "test_api_key"):
        user.test_api_key = api_token_key(user)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION="Token " + user.test_api_key)
    return client


def dashboard(user, client, **params):
    return token_client(user).get(reverse("client-dashboard", args=[client.pk]), params)


def plays(response) -> int:
    assert response.status_code == 200, response.content[:300]
    return sum(point["plays"] for point in response.json()["series"])


@pytest.fixture
def account(world):
    account = PlatformAccountFactory(client=world.client_a1)
    AccountDailyMetricFactory(account=account, date=yesterday(), plays=100)
    return account


def warm(user, client) -> int:
    """Ask twice: the first answer teaches the cache what the dashboard reads, the second is kept."""
    dashboard(user, client)
    return plays(dashboard(user, client))


@committed
def test_a_kept_answer_is_served_without_a_query(world, account):
    assert warm(world.staff_a, world.client_a1) == 100
    staff = token_client(world.staff_a)
    with CaptureQueriesContext(connection) as queries:
        assert plays(staff.get(reverse("client-dashboard", args=[world.client_a1.pk]))) == 100
    # The token, the actor and the dashboard all come from the cache: the request sends nothing to
    # the database, not even a transaction (the route opens one only to compute).
    assert [q["sql"] for q in queries.captured_queries] == []


@committed
def test_a_row_written_anywhere_through_django_is_seen_at_once(world, account):
    assert warm(world.staff_a, world.client_a1) == 100
    # A factory writes past the services, outside any request: still seen.
    AccountDailyMetricFactory(account=account, date=yesterday() - dt.timedelta(days=1), plays=5)
    assert plays(dashboard(world.staff_a, world.client_a1)) == 105
    # The ingest (COPY into staging, one INSERT ... ON CONFLICT inside WITH) is seen too.
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        account_metrics_ingest(actor=actor, rows=[{"account": account.pk, "date": yesterday().isoformat(), "plays": 7}])
    assert plays(dashboard(world.staff_a, world.client_a1)) == 12
    # So is a change to another table the answer reads (the requirements it counts).
    before = dashboard(world.staff_a, world.client_a1).json()["requirements"]["open"]
    ClientRequirementFactory(client=world.client_a1)
    assert dashboard(world.staff_a, world.client_a1).json()["requirements"]["open"] == before + 1


@committed
def test_a_rolled_back_write_changes_nothing_and_a_writing_transaction_reads_its_own_rows(world, account):
    assert warm(world.staff_a, world.client_a1) == 100
    key = answer_cache.version_key(answer_cache.agency_scope(world.agency_a), "accounts_ops_accountdailymetric")
    version = cache.get(key)
    with pytest.raises(RuntimeError), transaction.atomic():
        AccountDailyMetricFactory(account=account, date=yesterday() - dt.timedelta(days=2), plays=1)
        # Inside the writing transaction the dashboard is computed from its own rows.
        with tenant_context(world.agency_a):
            assert answer_cache.wrote_in_transaction(connection)
        assert plays(dashboard(world.staff_a, world.client_a1)) == 101
        raise RuntimeError("roll back")
    assert cache.get(key) == version  # nothing committed, nothing renewed
    assert plays(dashboard(world.staff_a, world.client_a1)) == 100


@committed
def test_a_savepoint_rolled_back_does_not_take_the_transactions_renewal_with_it(world, account):
    table = "accounts_ops_accountdailymetric"
    key = answer_cache.version_key(answer_cache.agency_scope(world.agency_a), table)
    assert warm(world.staff_a, world.client_a1) == 100
    version = cache.get(key)
    with tenant_context(world.agency_a), transaction.atomic():
        try:
            with transaction.atomic():
                AccountDailyMetricFactory(account=account, date=yesterday() - dt.timedelta(days=3), plays=2)
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        assert not answer_cache.wrote_in_transaction(connection)
        AccountDailyMetricFactory(account=account, date=yesterday() - dt.timedelta(days=4), plays=3)
        assert answer_cache.wrote_in_transaction(connection)
    assert cache.get(key) != version
    assert plays(dashboard(world.staff_a, world.client_a1)) == 103


@committed
def test_each_person_has_their_own_answer(world, account):
    staff = warm(world.staff_a, world.client_a1)
    viewer = warm(world.viewer_a1, world.client_a1)
    assert staff == viewer == 100
    # The client person of another client is refused, though the staff's answer is kept.
    assert dashboard(world.viewer_a1, world.client_a2).status_code == 404
    assert dashboard(world.staff_b, world.client_a1).status_code == 404


@committed
def test_a_revoked_token_or_membership_is_refused_at_once(world, account):
    assert warm(world.staff_a, world.client_a1) == 100
    Membership.objects.filter(user=world.staff_a).update(is_active=False)
    assert dashboard(world.staff_a, world.client_a1).status_code == 403
    Membership.objects.filter(user=world.staff_a).update(is_active=True)
    client = token_client(world.staff_a)
    assert plays(client.get(reverse("client-dashboard", args=[world.client_a1.pk]))) == 100
    tokens.revoke_all_personal(user=world.staff_a)
    assert client.get(reverse("client-dashboard", args=[world.client_a1.pk])).status_code == 401


@committed
def test_the_metrics_list_is_kept_and_follows_an_ingest(world, account):
    url = reverse("accountdailymetric-list")
    staff = token_client(world.staff_a)
    staff.get(url)
    assert [row["plays"] for row in staff.get(url).json()["results"]] == [100]
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        account_metrics_ingest(actor=actor, rows=[{"account": account.pk, "date": yesterday().isoformat(), "plays": 9}])
    assert [row["plays"] for row in staff.get(url).json()["results"]] == [9]


@committed
def test_an_answer_that_reads_the_audit_trail_or_writes_is_never_kept(world):
    calls = []

    def read_trail():
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM records_auditevent")
            return cursor.fetchone()[0]

    def write():
        calls.append(1)
        return ClientRequirement.objects.filter(pk=-1).update(status="open")

    with tenant_context(world.agency_a):
        for compute in (read_trail, write):
            calls.clear()
            for _ in range(3):
                answer_cache.cached(f"test-{compute.__name__}", (), compute)
            assert len(calls) == 3, compute.__name__


@committed
def test_an_answer_that_reads_a_tenant_table_outside_an_agency_is_never_kept(world):
    calls = []

    def count():
        calls.append(1)
        return Client.dangerously_all_agencies.count()

    for _ in range(3):
        answer_cache.cached("test-all-agencies", (), count)
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("sql", "written"),
    [
        ('INSERT INTO "clients_client" ("name") VALUES (%s)', ["clients_client"]),
        ('UPDATE "clients_client" SET "name" = %s', ["clients_client"]),
        ('DELETE FROM "clients_client" WHERE "id" = %s', ["clients_client"]),
        ('TRUNCATE TABLE "clients_client"', ["clients_client"]),
        (
            'TRUNCATE "clients_client", "clients_platformaccount" RESTART IDENTITY CASCADE;',
            ["clients_client", "clients_platformaccount"],
        ),
        (
            'WITH merged AS (INSERT INTO "accounts_ops_accountdailymetric" AS t (a) SELECT a FROM "ingest_x" '
            "ON CONFLICT (a) DO UPDATE SET a = EXCLUDED.a RETURNING 1) SELECT count(*) FROM merged",
            ["accounts_ops_accountdailymetric"],
        ),
        ('SELECT "id" FROM "clients_client" WHERE "id" = %s FOR UPDATE', []),
        ('SELECT "id" FROM "clients_client" FOR NO KEY UPDATE OF "clients_client"', []),
    ],
)
def test_the_statements_that_write_a_table(sql, written):
    assert answer_cache.written_tables(sql) == written


@committed
def test_a_kept_dashboard_is_not_served_the_next_day(world, account, monkeypatch):
    assert warm(world.staff_a, world.client_a1) == 100
    assert dashboard(world.staff_a, world.client_a1).json()["period_end"] == yesterday().isoformat()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    body = dashboard(world.staff_a, world.client_a1).json()
    assert body["period_end"] == (tomorrow - dt.timedelta(days=1)).isoformat()
