"""Drive a project to a stage through the services (gates included), with factory rows where
the rows themselves are not under test."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agency.models import Membership
from agency.tenancy import Actor
from production.models import (
    PostProductionStep,
    ProbeState,
    Stage,
    StepStatus,
    VideoProject,
)
from production.rules import EVIDENCE_NOTE, POST_STEP_EVIDENCE, SHOOT_MIN_ACCEPTED_CLIPS
from production.services.common import latest_script
from production.services.projects import project_advance, project_create
from production.services.review import review_round_approve
from production.services.scripts import script_approve, script_submit, script_update
from tests.factories import PlatformAccountFactory
from tests.production.factories import ClipFactory, CutFactory, ShootFactory, StoryboardShotFactory


def actor_of(user, agency) -> Actor:
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


def complete_script(actor: Actor, project: VideoProject):
    script = script_update(
        actor=actor,
        script=latest_script(project),
        topic="Late-night hotpot",
        topic_basis=["account_positioning", "trending"],
        topic_reason="The account is about Chengdu night life.",
        scene_concept="A street at night, steam rising.",
        screenplay="Owner greets regulars; close on the bubbling pot.",
    )
    StoryboardShotFactory(script=script, number=1)
    return script


def finish_steps(project: VideoProject) -> None:
    """Every step done with its evidence: a note, or the file its kind needs (5.3)."""
    steps = PostProductionStep.objects.filter(project=project)
    steps.update(status=StepStatus.DONE, evidence_note="done", completed_at=timezone.now())
    for kind, needed in POST_STEP_EVIDENCE.items():
        if needed != EVIDENCE_NOTE:
            steps.filter(kind=kind).update(evidence_file=f"post/{kind}.bin")


def project_at(stage: str, *, actor: Actor, client, approver: Actor | None = None) -> VideoProject:
    """A project of ``client`` in ``stage``, having passed every gate before it."""
    project = project_create(
        actor=actor,
        account=PlatformAccountFactory(client=client),
        title="Hotpot at midnight",
        due_date=timezone.localdate() + dt.timedelta(days=10),
        assignee=actor.user,
    )
    order = [Stage.SCRIPTING, Stage.SHOOTING, Stage.POST_PRODUCTION, Stage.CLIENT_REVIEW, Stage.PUBLISHING]
    for target in order:
        if project.stage == stage:
            return project
        if target == Stage.SHOOTING:
            script = complete_script(actor, project)
            script_submit(actor=actor, script=script)
            script_approve(actor=approver or actor, script=script)
        elif target == Stage.POST_PRODUCTION:
            shoot = ShootFactory(project=project)
            ClipFactory.create_batch(SHOOT_MIN_ACCEPTED_CLIPS, shoot=shoot)
        elif target == Stage.CLIENT_REVIEW:
            finish_steps(project)
            CutFactory(project=project, version=1, probe_state=ProbeState.DONE)
        if target == Stage.PUBLISHING:
            review_round_approve(actor=approver or actor, round=project.review_rounds.get())
        else:
            project_advance(actor=actor, project=project, stage=target)
        project.refresh_from_db()
    assert project.stage == stage, project.stage
    return project
