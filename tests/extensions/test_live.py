"""Clause 8.1, live sessions: the team by role, the start gate, double-booking, the run sheet,
and results with their derived figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from agency.tenancy import tenant_context
from extensions.models import LiveRole, LiveSessionResult, LiveSessionStatus, LiveTeamAssignment, derive_live_figures
from extensions.rules import LIVE_TEAM_REQUIRED_ROLES
from extensions.services.live import (
    live_product_add,
    live_product_remove,
    live_result_record,
    live_session_cancel,
    live_session_end,
    live_session_plan,
    live_session_start,
    live_session_update,
    live_team_assign,
    live_team_unassign,
    run_sheet_segment_add,
)
from tests.extensions.factories import (
    EndedLiveSessionFactory,
    LiveProductFactory,
    LiveSessionFactory,
    actor_for,
    soon,
    staff_person,
)
from tests.factories import PlatformAccountFactory

RESULTS = {
    "peak_concurrent_viewers": 800,
    "average_concurrent_viewers": 300,
    "total_viewers": 12_000,
    "views": 20_000,
    "average_watch_seconds": 95,
    "comments": 1_500,
    "new_followers": 420,
    "orders": 360,
    "gmv": Decimal("36000.00"),
    "review": "The giveaway at minute 40 doubled the comments.",
}


@pytest.fixture
def ctx(world):
    actor = actor_for(world.agency_a, user=world.staff_a)
    with tenant_context(world.agency_a, actor):
        yield actor


@pytest.fixture
def session(world, ctx):
    return LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1), planned_start=soon(48))


def staff_all_roles(actor, session, roles=LIVE_TEAM_REQUIRED_ROLES) -> dict[str, object]:
    people = {}
    for role in roles:
        person = staff_person(actor.agency)
        live_team_assign(actor=actor, session=session, role=role, person=person)
        people[role] = person
    return people


def refusal(exc: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(exc.value.message_dict[field])


# --- the start gate ---------------------------------------------------------------------------


def test_a_session_cannot_start_until_the_four_roles_are_staffed_naming_the_missing(ctx, session):
    staff_all_roles(ctx, session, roles=[LiveRole.HOST_ASSISTANT, LiveRole.FIELD_CONTROLLER])
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        live_session_start(actor=ctx, session=session)
    message = refusal(exc, "team")
    assert "Product selector" in message and "Transition assistant" in message
    assert "Host assistant (" not in message.split("Clause")[0] and "Field controller" not in message.split("Clause")[0]
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.PLANNED and session.started_at is None


def test_a_session_with_the_four_roles_starts_and_keeps_who_held_them(ctx, session):
    people = staff_all_roles(ctx, session)
    started = live_session_start(actor=ctx, session=session, started_at=timezone.now())
    assert started.status == LiveSessionStatus.LIVE
    assert set(started.team_at_start) == set(LIVE_TEAM_REQUIRED_ROLES)
    held = started.team_at_start[LiveRole.PRODUCT_SELECTOR][0]["person_id"]
    assert held == people[LiveRole.PRODUCT_SELECTOR].pk


def test_the_host_may_be_named_from_outside_the_agency_but_the_four_roles_are_staff(ctx, session):
    host = live_team_assign(actor=ctx, session=session, role=LiveRole.HOST, external_name="Boss Wang")
    assert host.person is None and host.person_name == "Boss Wang"
    with pytest.raises(ValidationError) as exc:
        live_team_assign(actor=ctx, session=session, role=LiveRole.FIELD_CONTROLLER, external_name="Temp")
    assert "person" in exc.value.message_dict


def test_client_people_and_other_agencies_people_cannot_join_the_team(world, ctx, session):
    for outsider in (world.viewer_a1, world.staff_b):
        with pytest.raises(ValidationError) as exc:
            live_team_assign(actor=ctx, session=session, role=LiveRole.HOST_ASSISTANT, person=outsider)
        assert "person" in exc.value.message_dict
    assert not session.team.exists()


def test_a_person_holds_one_role_per_session(ctx, session):
    person = staff_person(ctx.agency)
    live_team_assign(actor=ctx, session=session, role=LiveRole.HOST_ASSISTANT, person=person)
    with pytest.raises(ValidationError) as exc:
        live_team_assign(actor=ctx, session=session, role=LiveRole.FIELD_CONTROLLER, person=person)
    assert "person" in exc.value.message_dict


def test_only_a_planned_session_starts_and_only_a_live_one_ends(ctx, session):
    with pytest.raises(ValidationError) as exc:
        live_session_end(actor=ctx, session=session)
    assert "status" in exc.value.message_dict
    staff_all_roles(ctx, session)
    live_session_start(actor=ctx, session=session)
    with pytest.raises(ValidationError):
        live_session_start(actor=ctx, session=session)


# --- double-booking ---------------------------------------------------------------------------


def test_a_person_cannot_be_in_two_overlapping_sessions(world, ctx, session):
    person = staff_person(ctx.agency)
    live_team_assign(actor=ctx, session=session, role=LiveRole.FIELD_CONTROLLER, person=person)
    overlapping = LiveSessionFactory(
        account=PlatformAccountFactory(client=world.client_a2),
        theme="Tea tasting",
        planned_start=session.planned_start + dt.timedelta(hours=1),
        planned_end=session.planned_end + dt.timedelta(hours=1),
    )
    with pytest.raises(ValidationError) as exc:
        live_team_assign(actor=ctx, session=overlapping, role=LiveRole.HOST_ASSISTANT, person=person)
    assert session.theme in refusal(exc, "person")
    assert not LiveTeamAssignment.objects.filter(session=overlapping).exists()


def test_back_to_back_sessions_are_not_a_double_booking(ctx, session):
    person = staff_person(ctx.agency)
    live_team_assign(actor=ctx, session=session, role=LiveRole.FIELD_CONTROLLER, person=person)
    after = LiveSessionFactory(
        account=session.account,
        planned_start=session.planned_end,
        planned_end=session.planned_end + dt.timedelta(hours=2),
    )
    assert live_team_assign(actor=ctx, session=after, role=LiveRole.FIELD_CONTROLLER, person=person).pk


def test_a_cancelled_session_frees_its_team(ctx, session):
    person = staff_person(ctx.agency)
    live_team_assign(actor=ctx, session=session, role=LiveRole.FIELD_CONTROLLER, person=person)
    live_session_cancel(actor=ctx, session=session, reason="The store closed for repairs.")
    same_time = LiveSessionFactory(
        account=session.account, planned_start=session.planned_start, planned_end=session.planned_end
    )
    assert live_team_assign(actor=ctx, session=same_time, role=LiveRole.HOST_ASSISTANT, person=person).pk


def test_moving_a_session_onto_its_teams_other_session_is_refused(ctx, session):
    person = staff_person(ctx.agency)
    live_team_assign(actor=ctx, session=session, role=LiveRole.FIELD_CONTROLLER, person=person)
    later = LiveSessionFactory(
        account=session.account,
        planned_start=session.planned_end + dt.timedelta(hours=5),
        planned_end=session.planned_end + dt.timedelta(hours=7),
    )
    live_team_assign(actor=ctx, session=later, role=LiveRole.FIELD_CONTROLLER, person=person)
    with pytest.raises(ValidationError) as exc:
        live_session_update(actor=ctx, session=later, planned_start=session.planned_start)
    assert "planned_start" in exc.value.message_dict
    later.refresh_from_db()
    assert later.planned_start == session.planned_end + dt.timedelta(hours=5)


def test_a_live_session_keeps_each_of_the_four_roles_staffed(ctx, session):
    staff_all_roles(ctx, session)
    live_session_start(actor=ctx, session=session)
    controller = session.team.get(role=LiveRole.FIELD_CONTROLLER)
    with pytest.raises(ValidationError):
        live_team_unassign(actor=ctx, assignment=controller)
    live_team_assign(actor=ctx, session=session, role=LiveRole.FIELD_CONTROLLER, person=staff_person(ctx.agency))
    live_team_unassign(actor=ctx, assignment=controller)
    assert session.team.filter(role=LiveRole.FIELD_CONTROLLER).count() == 1


# --- times --------------------------------------------------------------------------------------


def test_a_session_cannot_end_before_it_started(ctx, session):
    staff_all_roles(ctx, session)
    started_at = timezone.now() - dt.timedelta(hours=1)
    live_session_start(actor=ctx, session=session, started_at=started_at)
    with pytest.raises(ValidationError) as exc:
        live_session_end(actor=ctx, session=session, ended_at=started_at - dt.timedelta(minutes=1))
    assert "ended_at" in exc.value.message_dict
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.LIVE and session.ended_at is None


def test_a_session_must_be_planned_to_end_after_it_starts(world, ctx):
    account = PlatformAccountFactory(client=world.client_a1)
    start = soon(24)
    with pytest.raises(ValidationError) as exc:
        live_session_plan(actor=ctx, account=account, theme="x", planned_start=start, planned_end=start)
    assert "planned_end" in exc.value.message_dict


# --- products and run sheet ---------------------------------------------------------------------


def test_products_are_picked_by_the_sessions_product_selector(ctx, session):
    selector = staff_person(ctx.agency)
    other = staff_person(ctx.agency)
    live_team_assign(actor=ctx, session=session, role=LiveRole.PRODUCT_SELECTOR, person=selector)
    with pytest.raises(ValidationError) as exc:
        live_product_add(actor=ctx, session=session, name="Beef", price=Decimal("68"), selected_by=other)
    assert "selected_by" in exc.value.message_dict
    first = live_product_add(actor=ctx, session=session, name="Beef", price=Decimal("68"), selected_by=selector)
    second = live_product_add(actor=ctx, session=session, name="Tofu", price=Decimal("12"))
    assert (first.position, second.position) == (1, 2)


def test_a_negative_price_is_refused(ctx, session):
    with pytest.raises(ValidationError) as exc:
        live_product_add(actor=ctx, session=session, name="Beef", price=Decimal("-1"))
    assert "price" in exc.value.message_dict


def test_run_sheet_segments_fit_the_session_and_do_not_overlap(ctx, session):
    product = LiveProductFactory(session=session)
    run_sheet_segment_add(actor=ctx, session=session, kind="warm_up", start_minute=0, duration_minutes=10)
    with pytest.raises(ValidationError) as exc:
        run_sheet_segment_add(actor=ctx, session=session, kind="giveaway", start_minute=5, duration_minutes=10)
    assert "start_minute" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        run_sheet_segment_add(
            actor=ctx, session=session, kind="close", start_minute=session.planned_minutes - 5, duration_minutes=10
        )
    assert "duration_minutes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        run_sheet_segment_add(actor=ctx, session=session, kind="product_slot", start_minute=10, duration_minutes=15)
    assert "product" in exc.value.message_dict
    slot = run_sheet_segment_add(
        actor=ctx, session=session, kind="product_slot", start_minute=10, duration_minutes=15, product=product
    )
    assert slot.end_minute == 25
    with pytest.raises(ValidationError):
        live_product_remove(actor=ctx, product=product)


def test_shortening_a_session_under_its_run_sheet_is_refused(ctx, session):
    run_sheet_segment_add(actor=ctx, session=session, kind="close", start_minute=100, duration_minutes=20)
    with pytest.raises(ValidationError) as exc:
        live_session_update(actor=ctx, session=session, planned_end=session.planned_start + dt.timedelta(minutes=90))
    assert "planned_end" in exc.value.message_dict


# --- results ------------------------------------------------------------------------------------


def test_results_are_recorded_only_after_the_session_ended(ctx, session):
    with pytest.raises(ValidationError) as exc:
        live_result_record(actor=ctx, session=session, **RESULTS)
    assert "session" in exc.value.message_dict
    assert not LiveSessionResult.objects.exists()


def test_results_of_an_ended_session_and_their_derived_figures(world, ctx):
    ended = EndedLiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    result = live_result_record(actor=ctx, session=ended, **RESULTS)
    assert result.figures.uv_value == Decimal("3.00")  # 36,000 / 12,000
    assert result.figures.gpm == Decimal("1800.00")  # 36,000 × 1000 / 20,000
    assert result.figures.conversion_rate == Decimal("0.0300")  # 360 / 12,000
    again = live_result_record(actor=ctx, session=ended, **{**RESULTS, "orders": 400}, source="api")
    assert again.pk == result.pk and again.orders == 400 and again.source == "api"


@pytest.mark.parametrize(
    "field,value",
    [("gmv", Decimal("-0.01")), ("orders", -1), ("average_concurrent_viewers", 900), ("refund_amount", Decimal("1e6"))],
)
def test_impossible_results_are_refused_naming_the_field(world, ctx, field, value):
    ended = EndedLiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    with pytest.raises(ValidationError) as exc:
        live_result_record(actor=ctx, session=ended, **{**RESULTS, field: value})
    assert field in exc.value.message_dict
    assert not LiveSessionResult.objects.filter(session=ended).exists()


def test_derived_figures_handle_zero_viewers_and_views():
    figures = derive_live_figures(gmv=Decimal("100"), viewers=0, views=0, orders=0)
    assert figures.uv_value is None and figures.gpm is None and figures.conversion_rate is None
    assert derive_live_figures(gmv=Decimal("0"), viewers=10, views=10, orders=0).uv_value == Decimal("0.00")
