"""The production pages: a producer takes a project from topic to published video in the staff
UI, the client's approver approves the script and the cut from the client area."""

from __future__ import annotations

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clients.models import Video
from production.models import Clip, ClipVerdict, PostStepKind, ProbeState, ReviewRound, Script, Stage, VideoProject
from production.rules import SHOOT_MIN_ACCEPTED_CLIPS
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory
from tests.production.factories import (
    ClipFactory,
    CutFactory,
    ReviewCommentFactory,
    ReviewRoundFactory,
    ScriptFactory,
    ShootFactory,
    StoryboardShotFactory,
    project_for,
)


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def page(response) -> str:
    return response.content.decode()


def test_staff_pages_render(world):
    project = project_for(world.client_a1, stage=Stage.CLIENT_REVIEW, title="Noodle night")
    script = ScriptFactory(project=project)
    StoryboardShotFactory(script=script)
    shoot = ShootFactory(project=project)
    ClipFactory(shoot=shoot)
    round_ = ReviewRoundFactory(project=project)
    ReviewCommentFactory(round=round_)
    from tests.production.factories import PostProductionStepFactory

    step = PostProductionStepFactory(project=project)
    b = browser(world.staff_a)
    for name, args in [
        ("production:index", []),
        ("production:calendar", []),
        ("production:clauses", []),
        ("production:project-list", []),
        ("production:project-create", []),
        ("production:project-detail", [project.pk]),
        ("production:project-update", [project.pk]),
        ("production:script-detail", [script.pk]),
        ("production:shoot-detail", [shoot.pk]),
        ("production:shoot-create", [project.pk]),
        ("production:step-update", [step.pk]),
        ("production:review-detail", [round_.pk]),
    ]:
        response = b.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
    assert "Noodle night" in page(b.get(reverse("production:index")))


def test_the_board_has_a_column_per_stage_and_only_own_agency(world):
    project_for(world.client_a1, stage=Stage.SHOOTING, title="Ours shooting")
    project_for(world.client_b, stage=Stage.SHOOTING, title="Theirs")
    text = page(browser(world.staff_a).get(reverse("production:index")))
    for label in (
        "Planning",
        "Scripting (5.1)",
        "Shooting (5.2)",
        "Post-production (5.3)",
        "Client review",
        "Published",
    ):
        assert label in text
    assert "Ours shooting" in text and "Theirs" not in text


def test_the_board_filters_by_client(world):
    project_for(world.client_a1, title="For A1")
    project_for(world.client_a2, title="For A2")
    text = page(browser(world.staff_a).get(reverse("production:index"), {"client": world.client_a2.pk}))
    assert "For A2" in text and "For A1" not in text


def test_the_calendar_places_projects_on_their_due_date(world):
    project_for(world.client_a1, title="Due on the 17th", due_date=timezone.datetime(2026, 11, 17).date())
    project_for(world.client_a1, title="Due in December", due_date=timezone.datetime(2026, 12, 17).date())
    text = page(browser(world.staff_a).get(reverse("production:calendar"), {"month": "2026-11"}))
    assert "Due on the 17th" in text and "Due in December" not in text


def test_a_producer_takes_a_project_from_topic_to_publication_in_the_pages(
    world, samples, django_capture_on_commit_callbacks
):
    producer = MembershipFactory(agency=world.agency_a, role="producer", user=UserFactory(username="producer_a")).user
    b = browser(producer)
    approver = browser(world.approver_a1)
    account = PlatformAccountFactory(client=world.client_a1)
    created = b.post(
        reverse("production:project-create"),
        {"account": account.pk, "title": "Spicy night", "due_date": "2026-12-20", "assignee": producer.pk},
    )
    project = VideoProject.dangerously_all_agencies.get(title="Spicy night")
    assert created.status_code == 302 and created.url == reverse("production:project-detail", args=[project.pk])

    def act(name, data=None, files=None):
        return b.post(reverse("production:project-action", args=[project.pk, name]), {**(data or {}), **(files or {})})

    act("advance", {"stage": "scripting"})
    script = Script.dangerously_all_agencies.get(project=project)
    script_url = reverse("production:script-detail", args=[script.pk])
    refused = b.post(
        reverse("production:project-action", args=[project.pk, "advance"]), {"stage": "shooting"}, follow=True
    )
    assert "Cannot enter Shooting (5.2): script v1 lacks a) topic: no topic chosen." in page(refused)
    b.post(
        reverse("production:script-action", args=[script.pk, "update"]),
        {
            "topic": "Spicy night",
            "topic_basis": ["trending"],
            "scene_concept": "Neon street",
            "screenplay": "Steam rises.",
        },
    )
    b.post(
        reverse("production:script-action", args=[script.pk, "add-shot"]),
        {"shot_size": "close_up", "camera_movement": "push_in", "duration_seconds": "2.5", "picture": "The pot."},
    )
    b.post(reverse("production:script-action", args=[script.pk, "submit"]))
    assert "Your decision" not in page(b.get(script_url))  # producers do not decide

    # the client's approver, in the client area
    home = page(approver.get(reverse("production:client-home")))
    assert "Spicy night" in home and script_url in home
    approve_url = reverse("production:script-action", args=[script.pk, "approve"])
    asked = approver.post(approve_url, {"comment": "Good"})
    assert asked.status_code == 200 and "Approve script v1" in page(asked)  # the confirmation step
    approved = approver.post(approve_url, {"comment": "Good", "confirmed": "1", "open_seen": "0"})
    assert approved.status_code == 302 and approved.url == reverse("production:client-home")

    act("advance", {"stage": "shooting"})
    b.post(reverse("production:shoot-create", args=[project.pk]), {"date": "2026-12-05", "location": "Chunxi Road"})
    shoot = project.shoots.model.dangerously_all_agencies.get(project=project)
    uploads = [samples.upload(f"4k_8s_take{i}", f"take{i}.mp4") for i in range(SHOOT_MIN_ACCEPTED_CLIPS)]
    uploads.append(samples.upload("random_bytes", "broken.mp4"))
    with django_capture_on_commit_callbacks(execute=True):
        response = b.post(reverse("production:shoot-detail", args=[shoot.pk]), {"files": uploads}, follow=True)
    text = page(response)
    assert "broken.mp4 is not a video" in text and f"{SHOOT_MIN_ACCEPTED_CLIPS} clips received" in text
    assert (
        Clip.dangerously_all_agencies.filter(shoot=shoot, verdict=ClipVerdict.ACCEPTED).count()
        == SHOOT_MIN_ACCEPTED_CLIPS
    )
    act("advance", {"stage": "post_production"})

    for step in project.steps.model.dangerously_all_agencies.filter(project=project):
        url = reverse("production:step-update", args=[step.pk])
        if step.kind == PostStepKind.SUBTITLES:
            data = {"status": "done", "evidence_file": samples.upload("subtitles_srt")}
        elif step.kind == PostStepKind.COVER:
            data = {"status": "done", "evidence_file": samples.upload("cover_png")}
        else:
            data = {"status": "done", "evidence_note": "Done in the suite."}
        assert b.post(url, data).status_code == 302, step.kind
    with django_capture_on_commit_callbacks(execute=True):
        act("upload-cut", {"notes": "First edit"}, {"file": samples.upload("4k_8s", "edit.mp4")})
    act("advance", {"stage": "client_review"})
    project.refresh_from_db()
    assert project.stage == Stage.CLIENT_REVIEW

    round_ = ReviewRound.dangerously_all_agencies.get(project=project)
    review_url = reverse("production:review-detail", args=[round_.pk])
    assert review_url in page(approver.get(reverse("production:client-home")))
    approver.post(
        reverse("production:review-action", args=[round_.pk, "comment"]),
        {"body": "Brighter", "timecode_seconds": "3.5"},
    )
    thread = page(approver.get(review_url))
    assert (
        "00:03.500" in thread
        and "Brighter" in thread
        and reverse("production:media-file", args=["cut", round_.cut_id]) in thread
    )
    assert "Brighter" in page(b.get(review_url))  # staff see the same thread
    approver.post(
        reverse("production:review-action", args=[round_.pk, "approve"]), {"confirmed": "1", "open_seen": "1"}
    )
    project.refresh_from_db()
    assert project.stage == Stage.PUBLISHING

    act("publish", {"platform_item_id": "7399", "url": "https://v.douyin.com/abc/"})
    project.refresh_from_db()
    assert project.stage == Stage.PUBLISHED
    assert Video.dangerously_all_agencies.get(platform_item_id="7399").account == account


def test_the_client_approver_asks_for_changes_with_a_comment(world):
    project = project_for(world.client_a1, stage=Stage.SCRIPTING)
    script = ScriptFactory(project=project, status="submitted")
    StoryboardShotFactory(script=script)
    approver = browser(world.approver_a1)
    refused = approver.post(
        reverse("production:script-action", args=[script.pk, "request-changes"]), {"comment": ""}, follow=True
    )
    assert "Say what should change." in page(refused)
    approver.post(reverse("production:script-action", args=[script.pk, "request-changes"]), {"comment": "Shorter"})
    script.refresh_from_db()
    assert script.status == "changes_requested" and script.decision_comment == "Shorter"


def test_client_people_see_only_their_clients_production(world):
    own = ScriptFactory(project=project_for(world.client_a1, title="Own video"), status="submitted")
    other = ScriptFactory(project=project_for(world.client_a2, title="Other client's"), status="submitted")
    other_round = ReviewRoundFactory(project=project_for(world.client_a2))
    for person in (world.viewer_a1, world.approver_a1):
        b = browser(person)
        home = page(b.get(reverse("production:client-home")))
        assert "Own video" in home and "Other client" not in home
        assert b.get(reverse("production:script-detail", args=[other.pk])).status_code == 404
        assert b.get(reverse("production:review-detail", args=[other_round.pk])).status_code == 404
        assert b.get(reverse("production:media-file", args=["cut", other_round.cut_id])).status_code == 404
        assert b.get(reverse("production:index")).status_code == 302  # staff pages send them home
    viewer_page = page(browser(world.viewer_a1).get(reverse("production:script-detail", args=[own.pk])))
    assert "Approve the script" not in viewer_page
    assert (
        browser(world.viewer_a1).post(reverse("production:script-action", args=[own.pk, "approve"])).status_code == 403
    )
    assert "Approve the script" in page(
        browser(world.approver_a1).get(reverse("production:script-detail", args=[own.pk]))
    )


def test_staff_cannot_reach_another_agencys_production(world):
    theirs = project_for(world.client_b)
    b = browser(world.staff_a)
    assert b.get(reverse("production:project-detail", args=[theirs.pk])).status_code == 404
    shoot = ShootFactory(project=theirs)
    assert b.get(reverse("production:shoot-detail", args=[shoot.pk])).status_code == 404
    assert (
        b.post(reverse("production:project-action", args=[theirs.pk, "advance"]), {"stage": "scripting"}).status_code
        == 404
    )


def test_the_shoot_page_shows_the_probe_state_and_each_failed_rule(world):
    shoot = ShootFactory(project=project_for(world.client_a1, stage=Stage.SHOOTING))
    ClipFactory(shoot=shoot, probe_state=ProbeState.PENDING, verdict=ClipVerdict.PENDING, original_name="waiting.mp4")
    ClipFactory(
        shoot=shoot,
        verdict=ClipVerdict.REJECTED,
        original_name="short.mp4",
        duration_seconds=5,
        rule_failures=[{"rule": "duration", "message": "duration 5 s is below 7 s"}],
    )
    text = page(browser(world.staff_a).get(reverse("production:shoot-detail", args=[shoot.pk])))
    assert "Waiting to be read" in text and 'http-equiv="refresh"' in text
    assert "duration 5 s is below 7 s" in text


def test_a_cut_streams_in_byte_ranges_for_the_player(world):
    cut = CutFactory(project=project_for(world.client_a1))
    response = browser(world.approver_a1).get(
        reverse("production:media-file", args=["cut", cut.pk]), HTTP_RANGE="bytes=0-2"
    )
    assert response.status_code == 206 and b"".join(response.streaming_content) == b"not"
