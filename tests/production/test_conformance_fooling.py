"""Cases that once fooled chapter 5's checks or its writes, each reading as the standard says.

- 5.1: a script approved after shooting began, with its decision dated back, counted.
- 5.2: a month is judged on the clips the gate counted when shooting ended, not on today's clips.
- 5.3: the gate's record of a step as done excused its missing evidence; a step finished after
  the cut went, dated back, counted.
- Assignees are the agency's staff, or people of the project's own client where their role allows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.conformance import CHECKS, Period, Status
from agency.tenancy import tenant_context
from production.models import Clip, PostProductionStep, PostStepKind, ProbeState, Script, Stage, StepStatus
from production.rules import SHOOT_MIN_ACCEPTED_CLIPS
from production.services.post import post_step_update
from production.services.projects import project_advance, project_create, project_move_back, project_update
from production.services.shoots import clip_delete
from tests.factories import PlatformAccountFactory
from tests.production.factories import (
    ClipFactory,
    CutFactory,
    PostProductionStepFactory,
    ScriptFactory,
    ShootFactory,
    StageTransitionFactory,
    StoryboardShotFactory,
    project_for,
)
from tests.production.helpers import project_at


@pytest.fixture
def this_month(world):
    today = timezone.localdate(timezone=world.agency_a.tz)
    return Period.month(today.year, today.month)


# --- 5.2: the gate's evidence, not today's clips --------------------------------------------------


def test_52_a_clip_removed_after_the_gate_does_not_undo_the_month_it_passed(staff, approver, world, this_month):
    """Passed the shoot gate with 8 clips, went back to shooting and lost a clip: the month in which
    shooting ended was met then, and stays met; the lost clip is judged when shooting ends again."""
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a1, approver=approver)
    gate = project.transitions.get(to_stage=Stage.POST_PRODUCTION)
    assert len(gate.snapshot["shoots"][0]["accepted_clips"]) == SHOOT_MIN_ACCEPTED_CLIPS
    project_move_back(actor=staff, project=project, stage=Stage.SHOOTING, reason="Reshoot the opening")
    clip_delete(actor=staff, clip=Clip.objects.filter(project=project).first())
    assert Clip.objects.filter(project=project).count() == SHOOT_MIN_ACCEPTED_CLIPS - 1

    result = CHECKS["5.2"](world.client_a1, this_month)
    assert result.status == Status.MET, result.summary
    assert any(
        f"{SHOOT_MIN_ACCEPTED_CLIPS} accepted of {SHOOT_MIN_ACCEPTED_CLIPS} clips" in e.label for e in result.evidence
    )
    with pytest.raises(ValidationError) as refused:  # going forward again is judged on today's clips
        project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
    assert "1 more" in str(refused.value)


def test_52_the_gates_evidence_does_not_excuse_a_clip_that_fails_by_its_own_facts(staff, approver, world, this_month):
    """The snapshot lists a clip as accepted, but the clip's own facts say 1080p: it does not count."""
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a1, approver=approver)
    clip = Clip.objects.filter(project=project).first()
    Clip.objects.filter(pk=clip.pk).update(display_width=1920, display_height=1080)
    result = CHECKS["5.2"](world.client_a1, this_month)
    assert result.status == Status.NOT_MET
    assert any("resolution 1920x1080 is below 4K" in e.label for e in result.evidence)


def test_52_a_clip_added_after_shooting_ended_does_not_mend_that_month(staff, world, this_month):
    """Shooting ended with 7 accepted clips on the gate's record; an 8th accepted clip uploaded
    afterwards does not make that month met."""
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1)
    shoot = ShootFactory(project=project)
    clips = ClipFactory.create_batch(SHOOT_MIN_ACCEPTED_CLIPS - 1, shoot=shoot)
    StageTransitionFactory(
        project=project,
        from_stage=Stage.SHOOTING,
        to_stage=Stage.POST_PRODUCTION,
        snapshot={
            "shoots": [
                {
                    "id": shoot.pk,
                    "label": str(shoot),
                    "accepted": len(clips),
                    "rejected": 0,
                    "accepted_clips": [c.pk for c in clips],
                }
            ]
        },
    )
    ClipFactory(shoot=shoot)  # accepted, but not among the clips the gate counted
    result = CHECKS["5.2"](world.client_a1, this_month)
    assert result.status == Status.NOT_MET and "1 more" in result.summary


# --- 5.1: the script as it stood when shooting began ---------------------------------------------


def period_of(moment):
    return Period.month(moment.year, moment.month)


def test_51_a_script_approved_after_shooting_began_and_dated_back_does_not_count(staff, world):
    """A stage change recorded without the gate; the script, only submitted then, is marked
    approved afterwards with a decision time before shooting began."""
    began = timezone.localtime(timezone.now() - dt.timedelta(hours=1), world.agency_a.tz)
    project = project_for(world.client_a1, stage=Stage.SHOOTING, title="Rushed")
    script = ScriptFactory(project=project, status="submitted")
    StoryboardShotFactory(script=script, number=1)
    Script.dangerously_all_agencies.filter(pk=script.pk).update(created_at=began - dt.timedelta(days=1))
    StageTransitionFactory(project=project, from_stage=Stage.SCRIPTING, to_stage=Stage.SHOOTING, at=began)
    change(script, status="approved", decided_at=began - dt.timedelta(hours=2))
    result = CHECKS["5.1"](world.client_a1, period_of(began))
    assert result.status == Status.NOT_MET, result.summary
    assert "Rushed (not approved before shooting)" in result.summary


def test_51_a_script_approved_through_the_gate_is_met(staff, approver, world):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    result = CHECKS["5.1"](world.client_a1, period_of(project.transitions.get(to_stage=Stage.SHOOTING).at))
    assert result.status == Status.MET, result.summary


# --- 5.3: the five steps as they stood when the cut went to the client --------------------------


def test_53_a_step_done_without_its_evidence_is_not_excused_by_the_gates_record(staff, approver, world):
    """Steps marked done without their files (written past the service, as an admin edit is):
    the gate reads statuses only and let the cut go; its record of "done" does not excuse the
    missing subtitle file and cover image."""
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a1, approver=approver)
    PostProductionStep.objects.filter(project=project).update(
        status=StepStatus.DONE, evidence_note="done", evidence_file="", completed_at=timezone.now()
    )
    CutFactory(project=project, version=1, probe_state=ProbeState.DONE)
    project_advance(actor=staff, project=project, stage=Stage.CLIENT_REVIEW)
    entry = project.transitions.get(to_stage=Stage.CLIENT_REVIEW)
    result = CHECKS["5.3"](world.client_a1, period_of(entry.at))
    assert result.status == Status.NOT_MET, result.summary
    assert "Subtitles done without its file" in result.summary and "Cover done without its file" in result.summary


def test_53_a_step_finished_after_the_cut_went_and_dated_back_does_not_count(staff, world):
    """A stage change recorded without the gate; the colour grading, still in progress then, is
    marked done afterwards with a completion time before the cut went."""
    sent = timezone.localtime(timezone.now() - dt.timedelta(hours=1), world.agency_a.tz)
    project = project_for(world.client_a1, stage=Stage.CLIENT_REVIEW, title="Hasty")
    for kind in PostStepKind.values:
        finished = kind != PostStepKind.COLOUR_GRADING
        PostProductionStepFactory(
            project=project,
            kind=kind,
            status=StepStatus.NOT_APPLICABLE if finished else StepStatus.IN_PROGRESS,
            not_applicable_reason="Not in this video." if finished else "",
            completed_at=sent - dt.timedelta(days=1) if finished else None,
        )
    grading = PostProductionStep.dangerously_all_agencies.get(project=project, kind=PostStepKind.COLOUR_GRADING)
    StageTransitionFactory(project=project, from_stage=Stage.POST_PRODUCTION, to_stage=Stage.CLIENT_REVIEW, at=sent)
    change(grading, status=StepStatus.DONE, evidence_note="Warm grade.", completed_at=sent - dt.timedelta(hours=3))
    result = CHECKS["5.3"](world.client_a1, period_of(sent))
    assert result.status == Status.NOT_MET, result.summary
    assert "Hasty (Colour grading not finished)" in result.summary


def change(row, **values):
    """A change made now, through the model as every write is: the trail records it."""
    with tenant_context(row.agency):
        row = type(row).objects.get(pk=row.pk)
        for name, value in values.items():
            setattr(row, name, value)
        row.save()


# --- assignees: staff, or the project's own client where the role allows --------------------------


def test_a_client_person_of_another_client_cannot_be_assigned_a_project(staff, world):
    """A client viewer of 老街火锅 (client a1) made the assignee of 花间茶饮's (client a2) project."""
    account = PlatformAccountFactory(client=world.client_a2)
    with pytest.raises(ValidationError) as refused:
        project_create(
            actor=staff, account=account, title="春茶上新", due_date=timezone.localdate(), assignee=world.viewer_a1
        )
    assert "assignee" in refused.value.message_dict
    assert "viewer_a1" in refused.value.message_dict["assignee"][0]
    project = project_create(
        actor=staff, account=account, title="春茶上新", due_date=timezone.localdate(), assignee=world.staff_a
    )
    with pytest.raises(ValidationError) as refused:
        project_update(actor=staff, project=project, assignee=world.viewer_a1)
    assert "assignee" in refused.value.message_dict
    project.refresh_from_db()
    assert project.assignee == world.staff_a


def test_a_client_person_whose_role_only_reads_cannot_be_assigned_even_on_their_own_client(staff, world):
    account = PlatformAccountFactory(client=world.client_a1)
    for person in (world.viewer_a1, world.approver_a1):
        with pytest.raises(ValidationError) as refused:
            project_create(actor=staff, account=account, title="Hotpot", due_date=timezone.localdate(), assignee=person)
        assert "assignee" in refused.value.message_dict


def test_staff_of_another_agency_cannot_be_assigned(staff, world):
    account = PlatformAccountFactory(client=world.client_a1)
    with pytest.raises(ValidationError) as refused:
        project_create(
            actor=staff, account=account, title="Hotpot", due_date=timezone.localdate(), assignee=world.staff_b
        )
    assert "assignee" in refused.value.message_dict


def test_a_post_production_step_is_not_assigned_to_another_clients_person(staff, approver, world):
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a2, approver=staff)
    step = project.steps.get(kind=PostStepKind.SUBTITLES)
    with pytest.raises(ValidationError) as refused:
        post_step_update(actor=staff, step=step, assignee=world.viewer_a1)
    assert "assignee" in refused.value.message_dict
    post_step_update(actor=staff, step=step, assignee=world.staff_a)
    step.refresh_from_db()
    assert step.assignee == world.staff_a
