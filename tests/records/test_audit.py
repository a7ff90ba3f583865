"""The audit trail (4.2, clause 9): every write of tenant data leaves an event — bulk writes too,
on PostgreSQL and on the embedded SQLite default — and the trail itself cannot be changed, deleted
or emptied (tests/records/test_audit_trail_parity.py holds both databases to one trail)."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from agency.models import Membership
from agency.tenancy import dangerously_all_agencies, tenant_context
from clients.models import PlatformAccount, Video
from records.audit import AUDIT_TABLE, audited_models, tables_with_trail
from records.models import AuditEvent, RecordNotDeletable
from tests.factories import PlatformAccountFactory, VideoFactory
from tests.records.factories import AssetCheckoutFactory, AssetFactory

postgres_only = pytest.mark.skipif(not settings.USING_POSTGRES, reason="SQLite has no TRUNCATE")


def actor_of(user):
    return Membership.objects.select_related("agency", "user").get(user=user).as_actor()


def trail(**lookup) -> list[AuditEvent]:
    return list(AuditEvent.dangerously_all_agencies.filter(**lookup).order_by("id"))


def events_for(model, pks) -> set[tuple[str, str]]:
    return {
        (e.object_pk, e.action)
        for e in trail(model_label=model._meta.label_lower, object_pk__in=[str(pk) for pk in pks])
    }


def test_every_tenant_table_has_the_audit_trigger(db):
    covered = tables_with_trail()
    expected = {model._meta.db_table for model in audited_models()}
    assert expected - covered == set()
    assert AUDIT_TABLE not in covered


def test_audit_rows_equal_the_writes_made_including_bulk_ones(world):
    actor = actor_of(world.staff_a)
    account = PlatformAccountFactory(client=world.client_a1)
    with tenant_context(world.agency_a, actor, channel="api"):
        created = Video.objects.bulk_create(
            [
                Video(agency=world.agency_a, client=world.client_a1, account=account, platform_item_id=f"bulk-{i}")
                for i in range(3)
            ]
        )
        pks = [v.pk for v in created]
        assert Video.objects.filter(pk__in=pks).update(title="批量改名") == 3
        assert Video.objects.filter(pk__in=pks).update(title="批量改名") == 3  # nothing changes: no event
        Video.objects.filter(pk=pks[0]).delete()
        one = VideoFactory(account=account, title="单条")
        one.title = "单条改名"
        one.save()
    expected = {(str(pk), "insert") for pk in pks} | {(str(pk), "update") for pk in pks} | {(str(pks[0]), "delete")}
    expected |= {(str(one.pk), "insert"), (str(one.pk), "update")}
    events = trail(model_label="clients.video", object_pk__in=[str(pk) for pk in [*pks, one.pk]])
    assert sorted((e.object_pk, e.action) for e in events) == sorted(expected)
    bulk = [e for e in events if e.object_pk in {str(pk) for pk in pks}]
    assert {(e.user_id, e.channel, e.client_id, e.agency_id) for e in bulk} == {
        (world.staff_a.pk, "api", world.client_a1.pk, world.agency_a.pk)
    }
    update = next(e for e in bulk if e.action == "update")
    assert update.changes == {"title": ["", "批量改名"]}


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {AUDIT_TABLE} SET channel = 'hidden'",
        f"DELETE FROM {AUDIT_TABLE}",
        pytest.param(f"TRUNCATE {AUDIT_TABLE}", marks=postgres_only),
    ],
)
def test_the_audit_table_refuses_update_delete_and_truncate(transactional_db, world, statement):
    # Outside the test's own transaction, so the refused statement aborts only its own; this also
    # proves the whole-database reset between such tests (a TRUNCATE with the agencies) still works.
    PlatformAccountFactory(client=world.client_a1)
    before = [(e.pk, e.channel, e.changes) for e in trail()]
    assert before
    # With every agency's rows in reach, so that row-level security hides none from the statement
    # (the crossing role). A TRUNCATE sees no rows and the crossing role may not send one: the
    # application's role sends it (the suite grants it TRUNCATE, to empty tables between tests).
    crossing = nullcontext() if statement.startswith("TRUNCATE") else dangerously_all_agencies()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        crossing,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert [(e.pk, e.channel, e.changes) for e in trail()] == before


def test_the_orm_cannot_delete_audit_events_either(transactional_db, world):
    PlatformAccountFactory(client=world.client_a1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.dangerously_all_agencies.filter(agency=world.agency_a).delete()
    assert trail()


def test_an_audit_event_is_never_changed_or_deleted_through_the_model(world):
    account = PlatformAccountFactory(client=world.client_a1)
    event = trail(model_label="clients.platformaccount", object_pk=str(account.pk))[0]
    with pytest.raises(RuntimeError, match="never changed"):
        event.save()
    with pytest.raises(RuntimeError, match="never deleted"):
        event.delete()


def test_a_change_records_which_fields_changed_from_what_to_what(world):
    actor = actor_of(world.staff_a)
    account = PlatformAccountFactory(client=world.client_a1, nickname="老街")
    with tenant_context(world.agency_a, actor, channel="ui"):
        account.nickname = "老街火锅"
        account.followers = 2000
        account.save()
    event = trail(model_label="clients.platformaccount", object_pk=str(account.pk), action="update")[-1]
    assert event.changes["nickname"] == ["老街", "老街火锅"]
    assert event.changes["followers"] == [1000, 2000]
    assert "updated_at" not in event.changes
    assert (event.user_id, event.channel, event.client_id) == (world.staff_a.pk, "ui", world.client_a1.pk)


def test_deleting_a_business_record_keeps_its_history(world):
    account = PlatformAccountFactory(client=world.client_a1, nickname="临时")
    pk = account.pk
    with tenant_context(world.agency_a):
        account.nickname = "改过"
        account.save()
        PlatformAccount.objects.get(pk=pk).delete()
    assert not PlatformAccount.dangerously_all_agencies.filter(pk=pk).exists()
    assert [e.action for e in trail(model_label="clients.platformaccount", object_pk=str(pk))] == [
        "insert",
        "update",
        "delete",
    ]
    deleted = trail(model_label="clients.platformaccount", object_pk=str(pk), action="delete")[0]
    assert deleted.changes["nickname"] == ["改过", None]


def test_a_rows_client_is_found_along_its_client_path(world):
    checkout = AssetCheckoutFactory(asset=AssetFactory(agency=world.agency_a, client=world.client_a2))
    event = trail(model_label="records.assetcheckout", object_pk=str(checkout.pk))[0]
    assert event.client_id == world.client_a2.pk
    internal = AssetCheckoutFactory(asset=AssetFactory(agency=world.agency_a, client=None))
    assert trail(model_label="records.assetcheckout", object_pk=str(internal.pk))[0].client_id is None


def test_clause_9_records_are_voided_never_deleted(world):
    asset = AssetFactory(agency=world.agency_a, client=world.client_a1)
    with pytest.raises(RecordNotDeletable):
        asset.delete()


def test_client_people_see_the_trail_of_their_own_client_only(world, api):
    mine = PlatformAccountFactory(client=world.client_a1, handle="mine")
    theirs = PlatformAccountFactory(client=world.client_a2, handle="theirs")
    response = api(world.viewer_a1).get(reverse("auditevent-list"), {"model_label": "clients.platformaccount"})
    assert response.status_code == 200
    seen = {row["object_pk"] for row in response.json()["results"]}
    assert str(mine.pk) in seen and str(theirs.pk) not in seen
    staff = api(world.staff_a).get(reverse("auditevent-list"), {"model_label": "clients.platformaccount"})
    assert {str(mine.pk), str(theirs.pk)} <= {row["object_pk"] for row in staff.json()["results"]}
    other_agency = api(world.staff_b).get(reverse("auditevent-list"), {"model_label": "clients.platformaccount"})
    assert not {str(mine.pk), str(theirs.pk)} & {row["object_pk"] for row in other_agency.json()["results"]}


def test_api_writes_are_attributed_to_their_person_and_channel(world, api):
    response = api(world.staff_a).post(
        reverse("asset-list"), {"identifier": "PH-01", "name": "iPhone 登录机", "kind": "login_device"}, format="json"
    )
    assert response.status_code == 201
    event = trail(model_label="records.asset", object_pk=str(response.json()["id"]))[0]
    assert (event.action, event.user_id, event.channel) == ("insert", world.staff_a.pk, "api")
