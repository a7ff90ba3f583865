"""The database sees the tenant context: app.agency_id, app.user_id, app.channel per transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from agency.models import Membership
from agency.tenancy import tenant_context

pytestmark = pytest.mark.services


def settings_now() -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting('app.agency_id', true), ''), "
            "coalesce(current_setting('app.user_id', true), ''), coalesce(current_setting('app.channel', true), '')"
        )
        return cursor.fetchone()


def test_context_reaches_the_database_and_follows_changes(world):
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor, channel="api"):
        assert settings_now() == (str(world.agency_a.pk), str(world.staff_a.pk), "api")
        with tenant_context(world.agency_b, channel="task"):
            assert settings_now() == (str(world.agency_b.pk), str(world.staff_a.pk), "task")
        assert settings_now() == (str(world.agency_a.pk), str(world.staff_a.pk), "api")
    assert settings_now() == ("", "", "system")


def test_context_survives_a_rolled_back_savepoint(world):
    with tenant_context(world.agency_a, channel="ui"):
        try:
            with transaction.atomic():
                assert settings_now()[0] == str(world.agency_a.pk)
                raise RuntimeError
        except RuntimeError:
            pass
        assert settings_now() == (str(world.agency_a.pk), "", "ui")


def test_api_requests_run_with_their_context(world, api):
    response = api(world.staff_a).get("/api/v1/clients/")
    assert response.status_code == 200
    # the request's transaction has ended: nothing lingers on the connection
    assert settings_now()[0] in ("", str(world.agency_a.pk))


def test_a_database_error_caught_by_an_inner_block_leaves_the_outer_transaction_usable(world):
    from django.db import IntegrityError

    from clients.models import Client

    with tenant_context(world.agency_a, channel="ui"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Client.objects.create(name=world.client_a1.name, kind="brand")  # the name is taken in agency A
        assert Client.objects.filter(name=world.client_a1.name).count() == 1
        assert settings_now()[0] == str(world.agency_a.pk)


def test_a_database_error_in_a_context_entered_inside_the_block_leaves_the_outer_transaction_usable(world):
    from django.db import DatabaseError

    from clients.models import Client

    # The context ends before the block rolls back: the rollback must still reach the database
    # first, not behind the next context's settings (which a failed transaction refuses).
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        tenant_context(world.agency_a, channel="import"),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    assert not connection.needs_rollback
    with tenant_context(world.agency_a):
        assert Client.objects.count() == 2


def test_the_context_is_sent_as_set_local_statements_with_quoted_values(world):
    """Citus passes ``SET LOCAL`` on to the worker nodes, not ``set_config`` calls (docs/scaling.md):
    the context travels as ``SET LOCAL`` statements, one round trip, each value a quoted literal."""
    from django.test.utils import CaptureQueriesContext

    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor, channel="api"), CaptureQueriesContext(connection) as queries:
        assert settings_now()[0] == str(world.agency_a.pk)
    sent = [q["sql"] for q in queries.captured_queries if "app.agency_id =" in q["sql"]]
    assert len(sent) == 1
    statements = sent[0].split("; ")
    assert all(statement.startswith("SET LOCAL ") for statement in statements)
    assert f"SET LOCAL app.agency_id = '{world.agency_a.pk}'" in statements
    assert "SET LOCAL app.channel = 'api'" in statements
    assert not any("set_config" in q["sql"] for q in queries.captured_queries)
