"""Factories of the production app, registered in ``tests.factories.ROW_MAKERS``. They write rows
as they would stand after the services ran; tests of the rules go through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from production.models import (
    Clip,
    ClipVerdict,
    Cut,
    PostProductionStep,
    PostStepKind,
    ProbeState,
    Publication,
    PublicationStatus,
    ReviewComment,
    ReviewRound,
    Script,
    Shoot,
    Stage,
    StageTransition,
    StoryboardShot,
    VideoProject,
)
from tests.factories import ROW_MAKERS, PlatformAccountFactory, TenantFactory

UHD_FACTS = {
    "probe_state": ProbeState.DONE,
    "container": "mov,mp4,m4a,3gp,3g2,mj2",
    "video_codec": "h264",
    "width": 3840,
    "height": 2160,
    "rotation": 0,
    "display_width": 3840,
    "display_height": 2160,
    "frame_rate": Decimal("25"),
    "duration_seconds": Decimal("10"),
}


class VideoProjectFactory(TenantFactory):
    class Meta:
        model = VideoProject

    account = factory.SubFactory(PlatformAccountFactory)
    client = factory.SelfAttribute("account.client")
    agency = factory.SelfAttribute("account.agency")
    title = factory.Sequence(lambda n: f"Video project {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    stage = Stage.PLANNING


class ProjectChildFactory(TenantFactory):
    class Meta:
        abstract = True

    project = factory.SubFactory(VideoProjectFactory)
    client = factory.SelfAttribute("project.client")
    agency = factory.SelfAttribute("project.agency")


class ScriptFactory(ProjectChildFactory):
    class Meta:
        model = Script

    version = 1
    topic = "Late-night hotpot"
    topic_basis = factory.LazyFunction(lambda: ["account_positioning"])
    scene_concept = "A street at night, steam rising."
    screenplay = "Owner greets regulars; close on the bubbling pot."


class StoryboardShotFactory(TenantFactory):
    class Meta:
        model = StoryboardShot

    script = factory.SubFactory(ScriptFactory)
    client = factory.SelfAttribute("script.client")
    agency = factory.SelfAttribute("script.agency")
    number = factory.Sequence(lambda n: n + 1)
    shot_size = "medium"
    camera_movement = "static"
    duration_seconds = Decimal("3.0")
    picture = "The pot, steam rising."


class ShootFactory(ProjectChildFactory):
    class Meta:
        model = Shoot

    date = factory.LazyFunction(timezone.localdate)
    location = "Chengdu, the shop"


class ClipFactory(TenantFactory):
    class Meta:
        model = Clip

    shoot = factory.SubFactory(ShootFactory)
    project = factory.SelfAttribute("shoot.project")
    client = factory.SelfAttribute("shoot.client")
    agency = factory.SelfAttribute("shoot.agency")
    file = factory.django.FileField(filename="clip.mp4", data=b"not read in this test")
    original_name = "clip.mp4"
    size_bytes = 21
    verdict = ClipVerdict.ACCEPTED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        for name, value in UHD_FACTS.items():
            kwargs.setdefault(name, value)
        return super()._create(model_class, *args, **kwargs)


class CutFactory(ProjectChildFactory):
    class Meta:
        model = Cut

    version = factory.Sequence(lambda n: n + 1)
    file = factory.django.FileField(filename="cut.mp4", data=b"not read in this test")
    original_name = "cut.mp4"
    size_bytes = 21

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        for name, value in UHD_FACTS.items():
            kwargs.setdefault(name, value)
        return super()._create(model_class, *args, **kwargs)


class PostProductionStepFactory(ProjectChildFactory):
    class Meta:
        model = PostProductionStep

    kind = PostStepKind.SOUND


class ReviewRoundFactory(ProjectChildFactory):
    class Meta:
        model = ReviewRound

    cut = factory.SubFactory(CutFactory, project=factory.SelfAttribute("..project"))
    number = 1


class ReviewCommentFactory(TenantFactory):
    class Meta:
        model = ReviewComment

    round = factory.SubFactory(ReviewRoundFactory)
    cut = factory.SelfAttribute("round.cut")
    client = factory.SelfAttribute("round.client")
    agency = factory.SelfAttribute("round.agency")
    body = "Brighter here, please."
    timecode_seconds = Decimal("2.5")


class StageTransitionFactory(ProjectChildFactory):
    class Meta:
        model = StageTransition

    from_stage = ""
    to_stage = Stage.PLANNING
    at = factory.LazyFunction(timezone.now)


class PublicationFactory(ProjectChildFactory):
    class Meta:
        model = Publication

    project = factory.SubFactory(VideoProjectFactory, stage=Stage.PUBLISHING)
    account = factory.SelfAttribute("project.account")
    scheduled_at = factory.LazyFunction(timezone.now)
    title = "Hotpot at midnight"
    text = "Hotpot at midnight #火锅"
    topics = factory.LazyFunction(lambda: ["火锅"])
    # A planned one would ask the connectors for a delivery; a failed one is a plain row.
    status = PublicationStatus.FAILED
    problem = "refused in a test"


def project_for(client, **kwargs) -> VideoProject:
    return VideoProjectFactory(account=PlatformAccountFactory(client=client), **kwargs)


ROW_MAKERS.update(
    {
        VideoProject: lambda agency, client: project_for(client),
        Script: lambda agency, client: ScriptFactory(project=project_for(client)),
        StoryboardShot: lambda agency, client: StoryboardShotFactory(script=ScriptFactory(project=project_for(client))),
        Shoot: lambda agency, client: ShootFactory(project=project_for(client)),
        Clip: lambda agency, client: ClipFactory(shoot=ShootFactory(project=project_for(client))),
        Cut: lambda agency, client: CutFactory(project=project_for(client)),
        PostProductionStep: lambda agency, client: PostProductionStepFactory(project=project_for(client)),
        ReviewRound: lambda agency, client: ReviewRoundFactory(project=project_for(client)),
        ReviewComment: lambda agency, client: ReviewCommentFactory(
            round=ReviewRoundFactory(project=project_for(client))
        ),
        StageTransition: lambda agency, client: StageTransitionFactory(project=project_for(client)),
        Publication: lambda agency, client: PublicationFactory(project=project_for(client, stage=Stage.PUBLISHING)),
    }
)
