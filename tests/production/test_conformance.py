"""Clauses 5.1-5.3 judged for a client and period, with the records looked at as evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from agency.conformance import CHECKS, Period, Status, evaluate
from production.models import ClipVerdict, PostStepKind, Stage, StepStatus
from production.rules import SHOOT_MIN_ACCEPTED_CLIPS
from production.services.post import post_step_update
from production.services.projects import project_advance, project_move_back
from production.services.review import review_round_request_changes
from tests.production.factories import (
    ClipFactory,
    CutFactory,
    PostProductionStepFactory,
    ScriptFactory,
    ShootFactory,
    StageTransitionFactory,
    project_for,
)
from tests.production.helpers import finish_steps, project_at


@pytest.fixture
def this_month(world):
    today = timezone.localdate(timezone=world.agency_a.tz)
    return Period.month(today.year, today.month)


LAST_YEAR = Period.year(2020)


def check(clause, client, period):
    return CHECKS[clause](client, period)


@pytest.mark.parametrize("clause", ["5.1", "5.2", "5.3"])
def test_nothing_produced_in_the_period_is_not_applicable(staff, world, clause):
    assert check(clause, world.client_a1, LAST_YEAR).status == Status.NOT_APPLICABLE


def test_a_project_that_went_through_the_gates_meets_all_three(staff, approver, world, this_month):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    shoot = ShootFactory(project=project)
    ClipFactory.create_batch(SHOOT_MIN_ACCEPTED_CLIPS, shoot=shoot)
    ClipFactory(
        shoot=shoot,
        verdict=ClipVerdict.REJECTED,
        original_name="short.mp4",
        duration_seconds=5,
        rule_failures=[{"rule": "duration", "message": "duration 5 s is below 7 s"}],
    )
    project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
    finish_steps(project)
    CutFactory(project=project, version=1)
    project_advance(actor=staff, project=project, stage=Stage.CLIENT_REVIEW)
    for clause in ("5.1", "5.2", "5.3"):
        result = check(clause, world.client_a1, this_month)
        assert result.status == Status.MET, (clause, result.summary)
        assert result.evidence and all(item.url for item in result.evidence)
    labels = [e.label for e in check("5.2", world.client_a1, this_month).evidence]
    assert any("short.mp4: duration 5 s is below 7 s" in label for label in labels)
    assert any(
        f"{SHOOT_MIN_ACCEPTED_CLIPS} accepted of {SHOOT_MIN_ACCEPTED_CLIPS + 1} clips" in label for label in labels
    )
    script_label = check("5.1", world.client_a1, this_month).evidence[0].label
    assert "script v1, approved" in script_label and project.title in script_label


def test_shooting_entered_without_an_approved_script_is_not_met(staff, world, this_month):
    project = project_for(world.client_a1, stage=Stage.SHOOTING, title="Rushed")
    ScriptFactory(project=project, status="submitted")
    StageTransitionFactory(project=project, from_stage=Stage.SCRIPTING, to_stage=Stage.SHOOTING)
    result = check("5.1", world.client_a1, this_month)
    assert result.status == Status.NOT_MET and "Rushed" in result.summary and "d) storyboard" in result.summary


def test_shooting_that_ended_with_too_few_clips_is_not_met(staff, world, this_month):
    project = project_for(world.client_a1, stage=Stage.POST_PRODUCTION, title="Thin")
    shoot = ShootFactory(project=project)
    ClipFactory.create_batch(SHOOT_MIN_ACCEPTED_CLIPS - 1, shoot=shoot)
    StageTransitionFactory(project=project, from_stage=Stage.SHOOTING, to_stage=Stage.POST_PRODUCTION)
    result = check("5.2", world.client_a1, this_month)
    assert result.status == Status.NOT_MET and "Thin" in result.summary and "1 more" in result.summary


def test_a_clip_marked_accepted_against_its_facts_does_not_count(staff, world, this_month):
    project = project_for(world.client_a1, stage=Stage.POST_PRODUCTION)
    shoot = ShootFactory(project=project)
    ClipFactory.create_batch(SHOOT_MIN_ACCEPTED_CLIPS - 1, shoot=shoot)
    ClipFactory(shoot=shoot, display_width=1920, display_height=1080)  # accepted by hand, not by the rules
    StageTransitionFactory(project=project, from_stage=Stage.SHOOTING, to_stage=Stage.POST_PRODUCTION)
    result = check("5.2", world.client_a1, this_month)
    assert result.status == Status.NOT_MET
    assert any("resolution 1920x1080 is below 4K" in e.label for e in result.evidence)


def test_changes_requested_do_not_count_as_shooting_ending_again(staff, approver, world, this_month):
    project = project_at(Stage.CLIENT_REVIEW, actor=staff, client=world.client_a1, approver=approver)
    review_round_request_changes(actor=approver, round=project.review_rounds.get(), comment="Again")
    result = check("5.2", world.client_a1, this_month)
    assert result.status == Status.MET and result.summary.startswith("1 videos")


def test_review_before_the_five_steps_is_not_met(staff, world, this_month):
    project = project_for(world.client_a1, stage=Stage.CLIENT_REVIEW, title="Hasty")
    for kind in PostStepKind.values:
        PostProductionStepFactory(project=project, kind=kind)
    StageTransitionFactory(project=project, from_stage=Stage.POST_PRODUCTION, to_stage=Stage.CLIENT_REVIEW)
    result = check("5.3", world.client_a1, this_month)
    assert result.status == Status.NOT_MET and "Hasty" in result.summary and "Subtitles not finished" in result.summary
    assert len(result.evidence) == len(PostStepKind.values)


def test_a_step_reopened_after_the_gate_still_counts_as_it_stood(staff, approver, world, this_month):
    project = project_at(Stage.CLIENT_REVIEW, actor=staff, client=world.client_a1, approver=approver)
    project_move_back(actor=staff, project=project, stage=Stage.POST_PRODUCTION, reason="Recolour")
    post_step_update(
        actor=staff, step=project.steps.get(kind=PostStepKind.COLOUR_GRADING), status=StepStatus.IN_PROGRESS
    )
    assert check("5.3", world.client_a1, this_month).status == Status.MET


def test_another_clients_projects_are_not_evidence(staff, approver, world, this_month):
    project_at(Stage.CLIENT_REVIEW, actor=staff, client=world.client_a2, approver=staff)
    for clause in ("5.1", "5.2", "5.3"):
        assert check(clause, world.client_a1, this_month).status == Status.NOT_APPLICABLE


def test_the_chapter_5_clauses_are_implemented_in_the_evaluation(staff, world):
    results = {r.clause_id: r for r in evaluate(world.client_a1, LAST_YEAR)}
    for clause in ("5.1", "5.2", "5.3"):
        assert results[clause].status == Status.NOT_APPLICABLE
    world.client_a1.services = ["basic_operations"]
    with translation.override("en"):
        results = {r.clause_id: r for r in evaluate(world.client_a1, LAST_YEAR)}
    assert results["5.1"].summary == "The client did not buy this service."


def test_a_past_period_is_judged_by_its_own_gates(staff, approver, world, this_month):
    project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    previous = Period(this_month.start - dt.timedelta(days=40), this_month.start - dt.timedelta(days=1))
    assert check("5.1", world.client_a1, previous).status == Status.NOT_APPLICABLE
    assert check("5.1", world.client_a1, this_month).status == Status.MET
