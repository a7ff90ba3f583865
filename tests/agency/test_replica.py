"""The read replica (``DATABASE_REPLICA_URL``): reads that opt in go to the ``replica`` alias and
stay bound to the tenant there; writes and every other read stay on ``default``.

The replica is the test database itself under a second alias (a second connection, as a real
replica would be), so the tests commit their rows (``transactional_db``)."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agency.db.routers import REPLICA, ReplicaRouter, replica_configured, replica_reads
from agency.tenancy import tenant_context
from clients.models import Client, PlatformAccount
from tests.accounts_ops.factories import AccountDailyMetricFactory
from tests.factories import PlatformAccountFactory

REPLICA_DB = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    """The alias exists before each test's database helper runs (module scope comes first)."""
    default = connections["default"].settings_dict
    connections.settings[REPLICA] = {
        **default,
        "ATOMIC_REQUESTS": False,
        # A replica only reads: its transactions take no write lock when they begin (on SQLite the
        # primary's do, and the primary's request transaction holds it).
        "OPTIONS": {k: v for k, v in default.get("OPTIONS", {}).items() if k != "transaction_mode"},
        "TEST": {**default.get("TEST", {}), "MIRROR": "default"},
    }
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica(replica_alias, world):
    return connections[REPLICA]


def test_without_a_replica_reads_stay_on_default(world, monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)
    assert not replica_configured()
    with tenant_context(world.agency_a), replica_reads():
        assert Client.objects.db == "default"
        assert list(Client.objects.all())


@REPLICA_DB
def test_reads_inside_the_block_go_to_the_replica(world, replica):
    PlatformAccountFactory(client=world.client_a1)
    with tenant_context(world.agency_a):
        with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connection) as on_default:  # noqa: SIM117
            with replica_reads():
                names = sorted(Client.objects.values_list("name", flat=True))
                handles = list(PlatformAccount.objects.values_list("handle", flat=True))
                assert ReplicaRouter().db_for_write(Client) == "default"
        assert names == ["A1 hotpot", "A2 tea"]  # agency B's client is not read, there either
        assert len(handles) == 1
        assert len([q for q in on_replica.captured_queries if "clients_" in q["sql"]]) == 2
        assert not [q for q in on_default.captured_queries if "clients_" in q["sql"]]
        assert Client.objects.db == "default"  # after the block


@REPLICA_DB
def test_the_replica_connection_carries_the_tenant_context(world, replica):
    if replica.vendor != "postgresql":
        pytest.skip("the transaction-local tenant settings exist on PostgreSQL")
    with tenant_context(world.agency_a), replica_reads():
        list(Client.objects.all()[:1])  # the first statement hands the context over
        with replica.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.agency_id', true), count(*) FROM clients_client")
            agency_id, visible = cursor.fetchone()
    assert agency_id == str(world.agency_a.pk)
    assert visible == 2  # row-level security on the replica: agency B's client is not there


@REPLICA_DB
def test_the_dashboards_read_their_figures_from_the_replica(world, replica, api):
    account = PlatformAccountFactory(client=world.client_a1)
    AccountDailyMetricFactory(account=account, plays=123)
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
        dashboard = api(world.viewer_a1).get(reverse("client-dashboard", args=[world.client_a1.pk]), {"days": 366})
        overview = api(world.staff_a).get(reverse("client-overview"), {"days": 366})
    assert dashboard.status_code == overview.status_code == 200
    assert dashboard.json()["accounts"][0]["period"]["plays"] == 123
    assert sum(point["plays"] for point in overview.json()["series"]) == 123

    def metric_reads(captured):
        # The daily rows and their rollups (accounts_ops.models.metrics_rollups).
        return [q for q in captured if "accounts_ops_accountdailymetric" in q["sql"] or "metricrollup" in q["sql"]]

    # the dashboard's series and account totals, the overview's series and clients: all on the replica
    assert len(metric_reads(on_replica.captured_queries)) >= 4
    assert metric_reads(on_primary.captured_queries) == []
    assert any("clients_client" in q["sql"] for q in on_replica.captured_queries)


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "clients") is True
    assert router.allow_migrate(REPLICA, "clients") is False
    assert router.db_for_write(Client) == "default"
