"""The audit trail reads as people speak (4.2): each changed field by its label, from its old value
to its new one as every page shows values (a choice by its label, a person by name, a moment in the
agency's own time, money with its currency), the record by its type and name; never the stored
columns, Python dicts or UTC ISO stamps."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone, translation

from agency.tenancy import tenant_context
from records.models.audit import AuditAction, AuditEvent
from records.selectors.audit import readable_events
from tests.extensions.factories import LiveSessionFactory
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory
from tests.production.factories import VideoProjectFactory
from tests.production.helpers import actor_of

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def producer(world):
    user = UserFactory(username="wang_p", first_name="王芳", last_name="")
    MembershipFactory(agency=world.agency_a, role="producer", user=user)
    return user


def event_of(model, obj, changes, action=AuditAction.UPDATE) -> AuditEvent:
    return AuditEvent(
        agency=obj.agency,
        occurred_at=timezone.now(),
        table_name=model._meta.db_table,
        model_label=model._meta.label_lower,
        object_pk=str(obj.pk),
        action=action,
        changes=changes,
    )


def test_a_change_reads_as_labels_and_values_in_the_agencys_time(world, producer):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1), theme="周五火锅夜")
    event = event_of(
        type(session),
        session,
        {
            "planned_start": ["2026-12-07T11:30:00+00:00", "2026-12-07T12:00:00+00:00"],
            "status": ["planned", "cancelled"],
            "goal_gmv": [35000, "12063.00"],
            "goal_viewers": [None, 6000],
            "team_at_start": [{}, {"host": [1]}],
        },
    )
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), translation.override("en"), timezone.override(SHANGHAI):
        (readable,) = readable_events(actor, [event])
    assert readable.record == f"Live session {session}"
    changes = {c.label: (c.old, c.new) for c in readable.changes}
    assert changes["Planned start"] == ("2026-12-07 19:30", "2026-12-07 20:00")  # UTC+8, no ISO "T"
    assert changes["Status"] == ("Planned", "Cancelled")
    assert changes["GMV goal (yuan)"] == ("¥35,000.00", "¥12,063.00")
    assert changes["Viewers goal"] == (None, "6,000")
    assert changes["Team at start"] == ({}, {"host": [1]})  # structured data stays data, shown as JSON


def test_a_choice_reads_as_its_label_and_a_person_by_name(world, producer):
    project = VideoProjectFactory(account=PlatformAccountFactory(client=world.client_a1), title="火锅夜宵")
    event = event_of(
        type(project),
        project,
        {"stage": ["planning", "scripting"], "assignee_id": [None, producer.pk], "due_date": ["2026-12-20", None]},
    )
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), translation.override("en"):
        (readable,) = readable_events(actor, [event])
    changes = {c.label: (c.old, c.new) for c in readable.changes}
    assert changes["Stage"] == ("Planning", "Scripting (5.1)")
    assert changes["Assignee"] == (None, "王芳")
    assert changes["Due date"] == ("2026-12-20", None)
    assert readable.record == "Video project 火锅夜宵"


def test_the_audit_page_shows_labels_old_to_new_and_local_time(world, producer):
    world.agency_a.timezone = "Asia/Shanghai"
    world.agency_a.save()
    project = VideoProjectFactory(account=PlatformAccountFactory(client=world.client_a1), title="火锅夜宵")
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor, channel="ui"):
        project.assignee = producer
        project.stage = "scripting"
        project.save()
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.staff_a)
    page = browser.get(reverse("records:audit-list"), {"model_label": "production.videoproject"}).content.decode()
    event = AuditEvent.dangerously_all_agencies.filter(object_pk=str(project.pk), action="update").latest("id")
    local = timezone.localtime(event.occurred_at, SHANGHAI)
    assert f">{local:%Y-%m-%d %H:%M}</time>" in page
    assert f"{event.occurred_at:%Y-%m-%dT%H:%M}" not in page  # no UTC ISO stamp (Shanghai is 8 hours ahead)
    assert "Assignee</span>: ∅ → 王芳" in page
    assert "Stage</span>: Planning → Scripting (5.1)" in page
    assert "Video project 火锅夜宵" in page
    assert "assignee_id" not in page and "{&#x27;" not in page and "production.videoproject#" not in page


def test_naming_rows_costs_one_query_per_kind_of_row_not_per_event(world, producer, django_assert_max_num_queries):
    account = PlatformAccountFactory(client=world.client_a1)
    projects = VideoProjectFactory.create_batch(12, account=account)
    events = [
        event_of(type(p), p, {"assignee_id": [None, producer.pk], "account_id": [None, account.pk]}) for p in projects
    ]
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), django_assert_max_num_queries(4):  # tenancy, projects, accounts, people
        readable = readable_events(actor, events)
    assert {r.changes[0].new for r in readable} == {str(account)}


def test_money_and_dates_in_a_trail_are_never_python_reprs(world):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    event = event_of(type(session), session, {"goal_gmv": [Decimal("6000.00"), None]})
    actor = actor_of(world.staff_a, world.agency_a)
    with tenant_context(world.agency_a, actor), translation.override("en"):
        (readable,) = readable_events(actor, [event])
    assert readable.changes[0].old == "¥6,000.00"
    assert "Decimal" not in str(readable.changes)
