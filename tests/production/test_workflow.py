"""The stage gates of chapter 5, each refused with the missing requirement named and then
passed, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clients.models import Video, VideoOrigin
from production.models import (
    ClipVerdict,
    PostStepKind,
    ProbeState,
    RoundStatus,
    ScriptStatus,
    Stage,
    StageTransition,
    StepStatus,
)
from production.rules import SHOOT_MAX_ACCEPTED_CLIPS, SHOOT_MIN_ACCEPTED_CLIPS
from production.services.common import latest_script
from production.services.post import post_step_update
from production.services.projects import (
    project_advance,
    project_create,
    project_delete,
    project_move_back,
    project_update,
)
from production.services.publishing import project_publish
from production.services.review import (
    review_comment_add,
    review_comment_resolve,
    review_round_approve,
    review_round_request_changes,
)
from production.services.scripts import (
    script_approve,
    script_new_version,
    script_request_changes,
    script_submit,
    script_update,
)
from production.services.shoots import clip_upload, shoot_create
from tests.factories import PlatformAccountFactory, VideoFactory
from tests.production.factories import ClipFactory, CutFactory, ShootFactory
from tests.production.helpers import actor_of, complete_script, finish_steps, project_at


def messages(exc_info, field="stage") -> str:
    return " | ".join(exc_info.value.message_dict[field])


def test_a_new_project_has_a_draft_script_and_the_five_steps(staff, world):
    project = project_create(
        actor=staff,
        account=PlatformAccountFactory(client=world.client_a1),
        title="Hotpot",
        due_date=timezone.localdate(),
    )
    assert project.stage == Stage.PLANNING and project.client == world.client_a1
    assert [s.version for s in project.scripts.all()] == [1]
    assert [s.kind for s in project.steps.order_by("position")] == list(PostStepKind.values)
    assert StageTransition.objects.filter(project=project, to_stage=Stage.PLANNING).exists()


def test_project_client_must_be_its_accounts_client(staff, world):
    with pytest.raises(ValidationError) as exc:
        project_create(
            actor=staff,
            client=world.client_a2,
            account=PlatformAccountFactory(client=world.client_a1),
            title="x",
            due_date=timezone.localdate(),
        )
    assert "account" in exc.value.message_dict


def test_scripting_needs_an_assignee(staff, world):
    project = project_create(
        actor=staff, account=PlatformAccountFactory(client=world.client_a1), title="x", due_date=timezone.localdate()
    )
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.SCRIPTING)
    assert "nobody is assigned" in messages(exc)
    project_update(actor=staff, project=project, assignee=world.staff_a)
    assert project_advance(actor=staff, project=project, stage=Stage.SCRIPTING).stage == Stage.SCRIPTING


def test_a_stage_cannot_be_skipped(staff, world):
    project = project_at(Stage.SCRIPTING, actor=staff, client=world.client_a1)
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
    assert "the next stage is Shooting" in messages(exc)


# --- 5.1 -------------------------------------------------------------------------------------


def test_shooting_needs_all_four_parts_of_the_script(staff, world):
    project = project_at(Stage.SCRIPTING, actor=staff, client=world.client_a1)
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.SHOOTING)
    text = messages(exc)
    for part in ("a) topic", "b) scene concept", "c) screenplay", "d) storyboard", "not approved"):
        assert part in text, part


def test_a_script_is_submitted_only_when_complete(staff, world):
    project = project_at(Stage.SCRIPTING, actor=staff, client=world.client_a1)
    script = latest_script(project)
    script_update(actor=staff, script=script, topic="Hotpot")
    with pytest.raises(ValidationError) as exc:
        script_submit(actor=staff, script=script)
    assert "no basis for the choice" in messages(exc, "status")


def test_shooting_needs_the_current_script_approved(staff, approver, world):
    project = project_at(Stage.SCRIPTING, actor=staff, client=world.client_a1)
    script = complete_script(staff, project)
    script_submit(actor=staff, script=script)
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.SHOOTING)
    assert "script v1 is not approved (Awaiting approval)" in messages(exc)
    script_approve(actor=approver, script=script, comment="Good.")
    project = project_advance(actor=staff, project=project, stage=Stage.SHOOTING)
    assert project.stage == Stage.SHOOTING
    snapshot = project.transitions.get(to_stage=Stage.SHOOTING).snapshot
    assert snapshot["script"]["id"] == script.pk and snapshot["script"]["status"] == "approved"


def test_changes_requested_need_a_comment_and_a_new_version_is_approved_again(staff, approver, world):
    project = project_at(Stage.SCRIPTING, actor=staff, client=world.client_a1)
    script = complete_script(staff, project)
    script_submit(actor=staff, script=script)
    with pytest.raises(ValidationError):
        script_request_changes(actor=approver, script=script, comment=" ")
    script_request_changes(actor=approver, script=script, comment="Shorter screenplay.")
    second = script_new_version(actor=staff, project=project)
    assert second.version == 2 and second.status == ScriptStatus.DRAFT
    assert second.topic == script.topic and second.shots.count() == script.shots.count()
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.SHOOTING)
    assert "script v2 is not approved (Draft)" in messages(exc)
    script_submit(actor=staff, script=second)
    script_approve(actor=approver, script=second)
    assert project_advance(actor=staff, project=project, stage=Stage.SHOOTING).stage == Stage.SHOOTING


def test_a_decided_script_no_longer_changes(staff, approver, world):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    script = latest_script(project)
    with pytest.raises(ValidationError) as exc:
        script_update(actor=staff, script=script, topic="Other")
    assert "start a new version" in messages(exc, "status")


def test_client_viewer_and_other_clients_approver_cannot_decide(staff, world):
    from tests.factories import MembershipFactory, UserFactory

    project = project_at(Stage.SCRIPTING, actor=staff, client=world.client_a2)
    script = complete_script(staff, project)
    script_submit(actor=staff, script=script)
    viewer = actor_of(world.viewer_a1, world.agency_a)
    with pytest.raises(PermissionDenied):
        script_approve(actor=viewer, script=script)
    with pytest.raises(PermissionDenied):  # approver of client a1, script of client a2
        script_approve(actor=actor_of(world.approver_a1, world.agency_a), script=script)
    producer = MembershipFactory(agency=world.agency_a, role="producer", user=UserFactory()).user
    with pytest.raises(PermissionDenied):
        script_approve(actor=actor_of(producer, world.agency_a), script=script)


# --- 5.2 -------------------------------------------------------------------------------------


def _post_production_messages(staff, project) -> str:
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
    return messages(exc)


def test_post_production_needs_a_shoot(staff, approver, world):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    assert "there is no shoot" in _post_production_messages(staff, project)


@pytest.mark.parametrize(
    "accepted, passes",
    [
        (SHOOT_MIN_ACCEPTED_CLIPS - 1, False),
        (SHOOT_MIN_ACCEPTED_CLIPS, True),
        (SHOOT_MAX_ACCEPTED_CLIPS, True),
        (SHOOT_MAX_ACCEPTED_CLIPS + 1, False),
    ],
)
def test_a_shoot_is_complete_with_8_to_20_accepted_clips(staff, approver, world, accepted, passes):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    shoot = ShootFactory(project=project)
    ClipFactory.create_batch(accepted, shoot=shoot)
    ClipFactory.create_batch(3, shoot=shoot, verdict=ClipVerdict.REJECTED)  # rejected clips do not count
    if passes:
        project = project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
        assert project.stage == Stage.POST_PRODUCTION
        assert project.transitions.get(to_stage=Stage.POST_PRODUCTION).snapshot["shoots"][0]["accepted"] == accepted
    else:
        text = _post_production_messages(staff, project)
        assert f"has {accepted} accepted clips" in text
        assert ("1 more" if accepted < SHOOT_MIN_ACCEPTED_CLIPS else "remove 1") in text


def test_every_shoot_of_the_project_must_be_complete(staff, approver, world):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    ClipFactory.create_batch(SHOOT_MIN_ACCEPTED_CLIPS, shoot=ShootFactory(project=project))
    second = ShootFactory(project=project, location="Riverside")
    ClipFactory.create_batch(2, shoot=second)
    assert "Riverside" in _post_production_messages(staff, project)


def test_clips_still_being_read_hold_the_gate(staff, approver, world):
    project = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    shoot = ShootFactory(project=project)
    ClipFactory.create_batch(SHOOT_MIN_ACCEPTED_CLIPS, shoot=shoot)
    ClipFactory(shoot=shoot, probe_state=ProbeState.PENDING, verdict=ClipVerdict.PENDING)
    assert "1 clip still being read from its file" in _post_production_messages(staff, project)


def test_clips_are_uploaded_only_while_shooting(staff, world, samples):
    project = project_at(Stage.SCRIPTING, actor=staff, client=world.client_a1)
    shoot = shoot_create(actor=staff, project=project, date=timezone.localdate(), location="Shop")
    with pytest.raises(ValidationError) as exc:
        clip_upload(actor=staff, shoot=shoot, file=samples.upload("4k_8s"))
    assert "only while the project is in Shooting" in messages(exc, "shoot")


# --- 5.3 -------------------------------------------------------------------------------------


def test_client_review_needs_the_five_steps_and_a_cut(staff, approver, world):
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a1, approver=approver)
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.CLIENT_REVIEW)
    text = messages(exc)
    for label in ("Subtitles", "Added sound", "Colour grading", "Cover", "Retouching of people", "no cut"):
        assert label in text, label
    finish_steps(project)
    CutFactory(project=project, version=1)
    project = project_advance(actor=staff, project=project, stage=Stage.CLIENT_REVIEW)
    round_ = project.review_rounds.get()
    assert round_.status == RoundStatus.OPEN and round_.cut.version == 1


def test_a_step_not_applicable_needs_a_reason_and_counts_as_finished(staff, approver, world):
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a1, approver=approver)
    step = project.steps.get(kind=PostStepKind.RETOUCHING)
    with pytest.raises(ValidationError) as exc:
        post_step_update(actor=staff, step=step, status=StepStatus.NOT_APPLICABLE)
    assert "not_applicable_reason" in exc.value.message_dict
    step = post_step_update(
        actor=staff, step=step, status=StepStatus.NOT_APPLICABLE, not_applicable_reason="No people in the video."
    )
    assert step.is_finished and step.completed_by == world.staff_a


def test_done_needs_the_steps_evidence(staff, approver, world, samples):
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a1, approver=approver)
    subtitles = project.steps.get(kind=PostStepKind.SUBTITLES)
    with pytest.raises(ValidationError) as exc:
        post_step_update(actor=staff, step=subtitles, status=StepStatus.DONE)
    assert "subtitle file" in messages(exc, "evidence_file")
    with pytest.raises(ValidationError) as exc:
        post_step_update(actor=staff, step=subtitles, status=StepStatus.DONE, evidence_file=samples.upload("cover_png"))
    assert "is not a subtitle file" in messages(exc, "evidence_file")
    done = post_step_update(
        actor=staff, step=subtitles, status=StepStatus.DONE, evidence_file=samples.upload("subtitles_srt")
    )
    assert done.status == StepStatus.DONE and done.evidence_file.name.endswith(".srt")
    cover = project.steps.get(kind=PostStepKind.COVER)
    with pytest.raises(ValidationError) as exc:
        post_step_update(actor=staff, step=cover, status=StepStatus.DONE, evidence_file=samples.upload("subtitles_srt"))
    assert "is not a picture" in messages(exc, "evidence_file") and "it is plain text" in messages(exc, "evidence_file")
    assert post_step_update(
        actor=staff, step=cover, status=StepStatus.DONE, evidence_file=samples.upload("cover_png")
    ).is_finished
    sound = project.steps.get(kind=PostStepKind.SOUND)
    with pytest.raises(ValidationError) as exc:
        post_step_update(actor=staff, step=sound, status=StepStatus.DONE)
    assert "Say what was done for Added sound" in messages(exc, "evidence_note")


def test_a_cut_still_being_read_or_unreadable_holds_the_gate(staff, approver, world):
    project = project_at(Stage.POST_PRODUCTION, actor=staff, client=world.client_a1, approver=approver)
    finish_steps(project)
    cut = CutFactory(project=project, version=1, probe_state=ProbeState.PENDING)
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.CLIENT_REVIEW)
    assert "cut v1 is still being read" in messages(exc)
    cut.probe_state, cut.probe_error = ProbeState.FAILED, "the file is truncated"
    cut.save()
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.CLIENT_REVIEW)
    assert "could not be read (the file is truncated)" in messages(exc)


# --- review and publishing -------------------------------------------------------------------


def test_review_thread_approval_and_publication(staff, approver, world):
    project = project_at(Stage.CLIENT_REVIEW, actor=staff, client=world.client_a1, approver=approver)
    round_ = project.review_rounds.get()
    comment = review_comment_add(actor=approver, round=round_, body="Brighter", timecode_seconds=2.5, frame=3)
    reply = review_comment_add(actor=staff, round=round_, body="Will do", parent=comment)
    assert reply.parent == comment and reply.timecode_seconds is None and comment.timecode == "00:02.500 +3f"
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.PUBLISHING)
    assert "the client has not approved the cut" in messages(exc)
    review_round_approve(actor=approver, round=round_, comment="Lovely")
    project.refresh_from_db()
    assert project.stage == Stage.PUBLISHING
    with pytest.raises(ValidationError) as exc:
        project_advance(actor=staff, project=project, stage=Stage.PUBLISHED)
    assert "publication is not recorded" in messages(exc)
    project = project_publish(actor=staff, project=project, platform_item_id="7301", url="https://v.douyin.com/x/")
    video = Video.objects.get(platform_item_id="7301")
    assert project.stage == Stage.PUBLISHED and project.video == video
    assert video.origin == VideoOrigin.PRODUCED and video.account == project.account and video.client == world.client_a1
    assert video.duration_seconds == 10


def test_publishing_links_a_video_already_imported(staff, approver, world):
    project = project_at(Stage.PUBLISHING, actor=staff, client=world.client_a1, approver=approver)
    imported = VideoFactory(account=project.account, platform_item_id="7302", title="", origin=VideoOrigin.IMPORTED)
    project_publish(actor=staff, project=project, platform_item_id="7302")
    imported.refresh_from_db()
    assert imported.production_project == project and imported.origin == VideoOrigin.PRODUCED
    assert imported.title == project.title
    assert Video.objects.filter(account=project.account).count() == 1


def test_publication_is_recorded_once_the_video_is_live(staff, approver, world):
    project = project_at(Stage.PUBLISHING, actor=staff, client=world.client_a1, approver=approver)
    with pytest.raises(ValidationError) as exc:
        project_publish(
            actor=staff, project=project, platform_item_id="1", published_at=timezone.now() + dt.timedelta(days=1)
        )
    assert "published_at" in exc.value.message_dict


def test_changes_requested_send_the_project_back_and_a_new_cut_opens_round_two(staff, approver, world):
    project = project_at(Stage.CLIENT_REVIEW, actor=staff, client=world.client_a1, approver=approver)
    first = project.review_rounds.get()
    note = review_comment_add(actor=approver, round=first, body="Logo too small", timecode_seconds=1)
    review_comment_add(actor=approver, round=first, body="Music too loud", timecode_seconds=4)
    with pytest.raises(ValidationError):
        review_round_request_changes(actor=approver, round=first, comment="")
    review_round_request_changes(actor=approver, round=first, comment="See the notes.")
    project.refresh_from_db()
    assert project.stage == Stage.POST_PRODUCTION
    with pytest.raises(ValidationError) as exc:  # the same cut cannot go back
        project_advance(actor=staff, project=project, stage=Stage.CLIENT_REVIEW)
    assert "cut v1 was already reviewed" in messages(exc)
    second_cut = CutFactory(project=project, version=2)
    review_comment_resolve(actor=staff, comment=note)
    note.refresh_from_db()
    assert note.resolved_in == second_cut and note.resolved_by == world.staff_a
    project_advance(actor=staff, project=project, stage=Stage.CLIENT_REVIEW)
    second = project.review_rounds.get(status=RoundStatus.OPEN)
    assert second.number == 2 and second.cut == second_cut


def test_comments_are_placed_inside_the_cut(staff, approver, world):
    project = project_at(Stage.CLIENT_REVIEW, actor=staff, client=world.client_a1, approver=approver)
    round_ = project.review_rounds.get()  # the cut lasts 10 s at 25 fps
    for kwargs, field in [
        ({"timecode_seconds": 10.5}, "timecode_seconds"),
        ({"timecode_seconds": -1}, "timecode_seconds"),
        ({}, "timecode_seconds"),
        ({"timecode_seconds": 1, "frame": 25}, "frame"),
    ]:
        with pytest.raises(ValidationError) as exc:
            review_comment_add(actor=approver, round=round_, body="x", **kwargs)
        assert field in exc.value.message_dict, kwargs
    assert review_comment_add(actor=approver, round=round_, body="end", timecode_seconds=10, frame=24)


def test_a_decided_round_takes_no_new_comments_but_replies(staff, approver, world):
    project = project_at(Stage.CLIENT_REVIEW, actor=staff, client=world.client_a1, approver=approver)
    round_ = project.review_rounds.get()
    comment = review_comment_add(actor=approver, round=round_, body="ok", timecode_seconds=1)
    review_round_approve(actor=approver, round=round_)
    round_.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        review_comment_add(actor=approver, round=round_, body="late", timecode_seconds=2)
    assert "is closed" in messages(exc, "round")
    assert review_comment_add(actor=staff, round=round_, body="thanks", parent=comment)


def test_moving_back_needs_a_reason_and_withdraws_the_open_round(staff, approver, world):
    project = project_at(Stage.CLIENT_REVIEW, actor=staff, client=world.client_a1, approver=approver)
    with pytest.raises(ValidationError) as exc:
        project_move_back(actor=staff, project=project, stage=Stage.SHOOTING, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        project_move_back(actor=staff, project=project, stage=Stage.PUBLISHING, reason="x")
    project = project_move_back(actor=staff, project=project, stage=Stage.SHOOTING, reason="Reshoot clip 3.")
    assert project.stage == Stage.SHOOTING
    assert project.review_rounds.get().status == RoundStatus.WITHDRAWN
    # forward again through the gates
    project = project_advance(actor=staff, project=project, stage=Stage.POST_PRODUCTION)
    assert project.stage == Stage.POST_PRODUCTION


def test_only_early_projects_are_deleted(staff, approver, world):
    early = project_at(Stage.SCRIPTING, actor=staff, client=world.client_a1)
    project_delete(actor=staff, project=early)
    late = project_at(Stage.SHOOTING, actor=staff, client=world.client_a1, approver=approver)
    with pytest.raises(ValidationError):
        project_delete(actor=staff, project=late)
