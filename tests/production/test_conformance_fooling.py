"""Cases that once fooled chapter 5's checks or its writes, each reading as the standard says.

- 5.2: a month is judged on the clips the gate counted when shooting ended, not on today's clips.
- Assignees are the agency's staff, or people of the project's own client where their role allows.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.conformance import CHECKS, Period, Status
from production import services
from production.models import Clip, PostStepKind, Stage
from production.rules import SHOOT_MIN_ACCEPTED_CLIPS
from tests.factories import PlatformAccountFactory
from tests.production.factories import ClipFactory, ShootFactory, StageTransitionFactory
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
    services.project_move_back(actor=staff, project=project, stage=Stage.SHOOTING, reason="Reshoot the opening")
    services.clip_delete(actor=staff, clip=Clip.objects.filter(project=project).first())
    assert Clip.objects.filter(project=project).count() == SHOOT_MIN_ACCEPTED_CLIPS - 1

    result = CHECKS["5.2"](world.client_a1, this_month)
    assert result.status == Status.MET, result.summary
    assert any(
        f"{SHOOT_MIN_ACCEPTED_CLIPS} accepted of {SHOOT_MIN_ACCEPTED_CLIPS} clips" in e.label for e in result.evidence
    )
    with pytest.raises(ValidationError) as refused:  # going forward again is judged on today's clips
        services.project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
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


# --- assignees: staff, or the project's own client where the role allows --------------------------


def test_a_client_person_of_another_client_cannot_be_assigned_a_project(staff, world):
    """A client viewer of 老街火锅 (client a1) made the assignee of 花间茶饮's (client a2) project."""
    account = PlatformAccountFactory(client=world.client_a2)
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            actor=staff, account=account, title="春茶上新", due_date=timezone.localdate(), assignee=world.viewer_a1
        )
    assert "assignee" in refused.value.message_dict
    assert "viewer_a1" in refused.value.message_dict["assignee"][0]
    project = services.project_create(
        actor=staff, account=account, title="春茶上新", due_date=timezone.localdate(), assignee=world.staff_a
    )
    with pytest.raises(ValidationError) as refused:
        services.project_update(actor=staff, project=project, assignee=world.viewer_a1)
    assert "assignee" in refused.value.message_dict
    project.refresh_from_db()
    assert project.assignee == world.staff_a


def test_a_client_person_whose_role_only_reads_cannot_be_assigned_even_on_their_own_client(staff, world):
    account = PlatformAccountFactory(client=world.client_a1)
    for person in (world.viewer_a1, world.approver_a1):
        with pytest.raises(ValidationError) as refused:
            services.project_create(
                actor=staff, account=account, title="Hotpot", due_date=timezone.localdate(), assignee=person
            )
        assert "assignee" in refused.value.message_dict


def test_staff_of_another_agency_cannot_be_assigned(staff, world):
    account = PlatformAccountFactory(client=world.client_a1)
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            actor=staff, account=account, title="Hotpot", due_date=timezone.localdate(), assignee=world.staff_b
        )
    assert "assignee" in refused.value.message_dict


def test_a_post_production_step_is_not_assigned_to_another_clients_person(staff, approver, world):
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a2, approver=staff)
    step = project.steps.get(kind=PostStepKind.SUBTITLES)
    with pytest.raises(ValidationError) as refused:
        services.post_step_update(actor=staff, step=step, assignee=world.viewer_a1)
    assert "assignee" in refused.value.message_dict
    services.post_step_update(actor=staff, step=step, assignee=world.staff_a)
    step.refresh_from_db()
    assert step.assignee == world.staff_a
