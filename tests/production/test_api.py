"""API of chapter 5: isolation for every endpoint, and a project taken from topic to published
video through the API alone, with every refusal naming what is missing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agency import answer_cache
from clients.models import Video
from production.models import (
    Clip,
    ClipVerdict,
    Cut,
    PostProductionStep,
    ProbeState,
    ReviewComment,
    ReviewRound,
    Script,
    Shoot,
    Stage,
    StageTransition,
    StoryboardShot,
    VideoProject,
)
from production.rules import SHOOT_MIN_ACCEPTED_CLIPS
from tests.factories import PlatformAccountFactory
from tests.isolation import TenantAPITestCases
from tests.production.conftest import stored_files
from tests.production.factories import (
    ClipFactory,
    CutFactory,
    ReviewRoundFactory,
    ScriptFactory,
    ShootFactory,
    project_for,
)

# --- isolation, every endpoint -----------------------------------------------------------------


class TestVideoProjectAPI(TenantAPITestCases):
    basename = "videoproject"
    model = VideoProject

    def create_payload(self, world):
        account = PlatformAccountFactory(client=world.client_a1)
        return {"account": account.pk, "title": "New video", "due_date": "2026-12-01"}

    def update_payload(self, world, obj):
        return {"title": "changed"}


class TestScriptAPI(TenantAPITestCases):
    basename = "script"
    model = Script

    def create_payload(self, world):
        return {"project": project_for(world.client_a1).pk}

    def update_payload(self, world, obj):
        return {"topic": "changed"}


class TestStoryboardShotAPI(TenantAPITestCases):
    basename = "storyboardshot"
    model = StoryboardShot

    def create_payload(self, world):
        script = ScriptFactory(project=project_for(world.client_a1))
        return {"script": script.pk, "shot_size": "wide", "duration_seconds": "2.5", "picture": "The street."}

    def update_payload(self, world, obj):
        return {"picture": "changed"}


class TestShootAPI(TenantAPITestCases):
    basename = "shoot"
    model = Shoot

    def create_payload(self, world):
        return {"project": project_for(world.client_a1).pk, "date": "2026-12-01", "location": "The shop"}

    def update_payload(self, world, obj):
        return {"location": "changed"}


class MultipartUploadCases(TenantAPITestCases):
    """Uploads are multipart (a file cannot travel in JSON): the two proofs about creating rows
    are made with multipart bodies, against a parent row in the stage that takes uploads."""

    parent_field = ""
    parent_stage = Stage.SHOOTING

    def parent(self, client):
        raise NotImplementedError

    def upload(self, parent, samples, **extra) -> dict:
        return {self.parent_field: parent.pk, "file": samples.upload("4k_8s"), **extra}

    def test_foreign_key_to_other_agency_is_400_and_nothing_created(self, world, api, samples, settings):
        theirs = self.parent(world.client_b)
        before = self.count_all()
        response = api(world.staff_a).post(self.list_url(), self.upload(theirs, samples), format="multipart")
        assert response.status_code == 400, response.content
        assert self.parent_field in response.json()["error"]["fields"]
        assert self.count_all() == before and stored_files(settings.MEDIA_ROOT) == []

    def test_agency_in_body_is_ignored(self, world, api, samples, django_capture_on_commit_callbacks):
        mine = self.parent(world.client_a1)
        with django_capture_on_commit_callbacks(execute=True):
            response = api(world.staff_a).post(
                self.list_url(), self.upload(mine, samples, agency=world.agency_b.pk), format="multipart"
            )
        assert response.status_code == 201, response.content
        created = self.model.dangerously_all_agencies.get(pk=response.json()["id"])
        assert created.agency_id == world.agency_a.pk and created.probe_state == ProbeState.DONE


class TestClipAPI(MultipartUploadCases):
    basename = "clip"
    model = Clip
    parent_field = "shoot"

    def parent(self, client):
        return ShootFactory(project=project_for(client, stage=Stage.SHOOTING))

    def update_payload(self, world, obj):
        return {"label": "changed"}


class TestCutAPI(MultipartUploadCases):
    basename = "cut"
    model = Cut
    parent_field = "project"

    def parent(self, client):
        return project_for(client, stage=Stage.POST_PRODUCTION)


class TestPostProductionStepAPI(TenantAPITestCases):
    basename = "postproductionstep"
    model = PostProductionStep

    def update_payload(self, world, obj):
        return {"evidence_note": "changed"}


class TestReviewRoundAPI(TenantAPITestCases):
    basename = "reviewround"
    model = ReviewRound


class TestReviewCommentAPI(TenantAPITestCases):
    basename = "reviewcomment"
    model = ReviewComment

    def create_payload(self, world):
        round_ = ReviewRoundFactory(project=project_for(world.client_a1))
        return {"round": round_.pk, "body": "Brighter here.", "timecode_seconds": "1.5"}


class TestStageTransitionAPI(TenantAPITestCases):
    basename = "stagetransition"
    model = StageTransition


# --- helpers ---------------------------------------------------------------------------------


def url(name, *args):
    return reverse(name, args=args)


def error_of(response) -> dict:
    assert "error" in response.json(), response.json()
    return response.json()["error"]


def advance(client, project_id, stage):
    return client.post(url("videoproject-advance", project_id), {"stage": stage}, format="json")


# --- the whole way through the API -----------------------------------------------------------


def test_a_project_goes_from_topic_to_published_video_through_the_api(
    world, api, samples, django_capture_on_commit_callbacks
):
    staff, approver = api(world.staff_a), api(world.approver_a1)
    account = PlatformAccountFactory(client=world.client_a1)
    created = staff.post(
        url("videoproject-list"),
        {"account": account.pk, "title": "Midnight hotpot", "due_date": "2026-12-20"},
        format="json",
    )
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["client"] == world.client_a1.pk and project["stage"] == "planning"
    pid = project["id"]

    refused = advance(staff, pid, "scripting")
    assert refused.status_code == 400 and "nobody is assigned" in error_of(refused)["message"]
    staff.patch(url("videoproject-detail", pid), {"assignee": world.staff_a.pk}, format="json")
    assert advance(staff, pid, "scripting").json()["stage"] == "scripting"

    # 5.1: write, submit, the client approves from its own login
    script = staff.get(url("script-list"), {"project": pid}).json()["results"][0]
    assert set(script["missing_parts"]) and script["status"] == "draft"
    patched = staff.patch(
        url("script-detail", script["id"]),
        {
            "topic": "Midnight hotpot",
            "topic_basis": ["account_positioning", "client_wish"],
            "topic_reason": "The client wants the late crowd.",
            "scene_concept": "Neon street, steam.",
            "screenplay": "Owner greets regulars.",
        },
        format="json",
    )
    assert patched.status_code == 200, patched.content
    for size in ("wide", "close_up"):
        shot = staff.post(
            url("storyboardshot-list"),
            {"script": script["id"], "shot_size": size, "duration_seconds": "3", "picture": "Steam."},
            format="json",
        )
        assert shot.status_code == 201, shot.content
    assert staff.get(url("script-detail", script["id"])).json()["missing_parts"] == []
    refused = advance(staff, pid, "shooting")
    assert "script v1 is not approved" in error_of(refused)["message"]
    assert staff.post(url("script-submit", script["id"])).json()["status"] == "submitted"
    approved = approver.post(url("script-approve", script["id"]), {"comment": "Go."}, format="json")
    assert approved.status_code == 200 and approved.json()["decided_by"] == world.approver_a1.pk
    assert advance(staff, pid, "shooting").json()["stage"] == "shooting"

    # 5.2: a shoot and its clips, read from the files
    shoot = staff.post(
        url("shoot-list"), {"project": pid, "date": "2026-12-05", "location": "Chunxi Road"}, format="json"
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(SHOOT_MIN_ACCEPTED_CLIPS):
            up = staff.post(
                url("clip-list"),
                {"shoot": shoot["id"], "file": samples.upload(f"4k_8s_take{index}", f"take{index}.mp4")},
                format="multipart",
            )
            assert up.status_code == 201, up.content
            assert up.json()["probe_state"] == "pending"
        staff.post(url("clip-list"), {"shoot": shoot["id"], "file": samples.upload("1080p_8s")}, format="multipart")
    clips = staff.get(url("clip-list"), {"shoot": shoot["id"]}).json()["results"]
    assert {c["probe_state"] for c in clips} == {"done"}
    assert sorted(c["verdict"] for c in clips).count("accepted") == SHOOT_MIN_ACCEPTED_CLIPS
    rejected = next(c for c in clips if c["verdict"] == "rejected")
    assert rejected["rule_failures"][0]["rule"] == "resolution"
    assert staff.get(url("shoot-detail", shoot["id"])).json()["complete"] is True
    assert advance(staff, pid, "post_production").json()["stage"] == "post_production"

    # 5.3: the five steps, a cut
    steps = staff.get(url("postproductionstep-list"), {"project": pid}).json()["results"]
    assert [s["kind"] for s in steps] == ["subtitles", "sound", "colour_grading", "cover", "retouching"]
    refused = advance(staff, pid, "client_review")
    assert "post-production step Subtitles is To do" in error_of(refused)["message"]
    files = {"subtitles": samples.upload("subtitles_srt"), "cover": samples.upload("cover_png")}
    for step in steps:
        if step["kind"] in files:
            body, fmt = {"status": "done", "evidence_file": files[step["kind"]]}, "multipart"
        elif step["kind"] == "retouching":
            body, fmt = {"status": "not_applicable", "not_applicable_reason": "Nobody on screen."}, "json"
        else:
            body, fmt = {"status": "done", "evidence_note": "Mixed and graded."}, "json"
        done = staff.patch(url("postproductionstep-detail", step["id"]), body, format=fmt)
        assert done.status_code == 200, done.content
    with django_capture_on_commit_callbacks(execute=True):
        cut = staff.post(
            url("cut-list"), {"project": pid, "file": samples.upload("4k_8s", "final.mp4")}, format="multipart"
        )
    assert cut.status_code == 201 and cut.json()["version"] == 1
    assert staff.get(url("cut-detail", cut.json()["id"])).json()["probe_state"] == "done"
    assert advance(staff, pid, "client_review").json()["stage"] == "client_review"

    # client review: a comment at a time code, a reply, approval
    round_ = approver.get(url("reviewround-list"), {"project": pid}).json()["results"][0]
    comment = approver.post(
        url("reviewcomment-list"),
        {"round": round_["id"], "body": "Logo bigger", "timecode_seconds": "2.5", "frame": 0},
        format="json",
    )
    assert comment.status_code == 201, comment.content
    reply = staff.post(
        url("reviewcomment-list"),
        {"round": round_["id"], "body": "Done", "parent": comment.json()["id"]},
        format="json",
    )
    assert reply.status_code == 201
    assert approver.post(url("reviewround-approve", round_["id"]), {}, format="json").json()["status"] == "approved"

    # publishing
    refused = advance(staff, pid, "published")
    assert refused.status_code == 400
    published = staff.post(
        url("videoproject-publish", pid),
        {"platform_item_id": "7312345", "url": "https://www.douyin.com/video/7312345"},
        format="json",
    )
    assert published.status_code == 200, published.content
    assert published.json()["stage"] == "published"
    video = Video.dangerously_all_agencies.get(pk=published.json()["video"])
    assert video.platform_item_id == "7312345" and video.account_id == account.pk
    stages = [t["to_stage"] for t in staff.get(url("stagetransition-list"), {"project": pid}).json()["results"]]
    assert stages[0] == "published" and len(stages) == 7


# --- refusals --------------------------------------------------------------------------------


def test_readiness_names_what_the_next_gate_needs(world, api):
    project = project_for(world.client_a1, stage=Stage.SCRIPTING)
    ScriptFactory(project=project, topic="", scene_concept="")
    body = api(world.staff_a).get(url("videoproject-readiness", project.pk)).json()
    assert body["stage"] == "scripting" and body["next_stage"] == "shooting"
    assert body["gate"]["open"] is False
    assert any("a) topic" in item for item in body["gate"]["missing"])


def test_skipping_a_gate_through_the_api_is_refused_with_the_requirement_named(world, api):
    project = project_for(world.client_a1, stage=Stage.SHOOTING)
    ClipFactory.create_batch(SHOOT_MIN_ACCEPTED_CLIPS - 1, shoot=ShootFactory(project=project))
    response = advance(api(world.staff_a), project.pk, "post_production")
    error = error_of(response)
    assert response.status_code == 400 and error["code"] == "invalid"
    shoot = Shoot.dangerously_all_agencies.get(project=project)
    assert error["fields"]["stage"] == [
        f"Cannot enter Post-production (5.3): shoot {shoot} has {SHOOT_MIN_ACCEPTED_CLIPS - 1} "
        f"accepted clips; at least {SHOOT_MIN_ACCEPTED_CLIPS} are needed (1 more)."
    ]
    project.refresh_from_db()
    assert project.stage == Stage.SHOOTING
    jump = advance(api(world.staff_a), project.pk, "client_review")
    assert "the next stage is Post-production (5.3)" in error_of(jump)["message"]


def test_uploading_into_another_agencys_shoot_is_refused_and_stores_nothing(world, api, samples, settings):
    theirs = ShootFactory(project=project_for(world.client_b, stage=Stage.SHOOTING))
    response = api(world.staff_a).post(
        url("clip-list"), {"shoot": theirs.pk, "file": samples.upload("4k_8s")}, format="multipart"
    )
    assert response.status_code == 400 and "shoot" in error_of(response)["fields"]
    assert not Clip.dangerously_all_agencies.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_upload_ignores_an_agency_in_the_body(world, api, samples, django_capture_on_commit_callbacks):
    shoot = ShootFactory(project=project_for(world.client_a1, stage=Stage.SHOOTING))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.staff_a).post(
            url("clip-list"),
            {"shoot": shoot.pk, "file": samples.upload("4k_8s"), "agency": world.agency_b.pk},
            format="multipart",
        )
    assert response.status_code == 201
    assert Clip.dangerously_all_agencies.get(pk=response.json()["id"]).agency_id == world.agency_a.pk


@pytest.mark.parametrize(
    "sample, message",
    [
        (
            "random_bytes",
            "file: clip.mp4 is not a video: it is data in no format this product accepts"
            "; accepted: MP4/MOV, Matroska/WebM, MPEG-TS.",
        ),
        ("audio_only", "file: clip.mp4 is not a video: it has audio only (aac) and no picture."),
    ],
)
def test_a_bad_upload_answers_400_naming_the_problem(world, api, samples, settings, sample, message):
    shoot = ShootFactory(project=project_for(world.client_a1, stage=Stage.SHOOTING))
    response = api(world.staff_a).post(
        url("clip-list"), {"shoot": shoot.pk, "file": samples.upload(sample, "clip.mp4")}, format="multipart"
    )
    assert response.status_code == 400 and error_of(response)["message"] == message
    assert not Clip.dangerously_all_agencies.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_a_clip_without_a_file_is_refused(world, api):
    shoot = ShootFactory(project=project_for(world.client_a1, stage=Stage.SHOOTING))
    response = api(world.staff_a).post(url("clip-list"), {"shoot": shoot.pk}, format="multipart")
    assert response.status_code == 400 and "file" in error_of(response)["fields"]


def test_client_people_decide_only_with_the_approver_role_and_for_their_client(world, api):
    own = ScriptFactory(project=project_for(world.client_a1, stage=Stage.SCRIPTING), status="submitted")
    other = ScriptFactory(project=project_for(world.client_a2, stage=Stage.SCRIPTING), status="submitted")
    assert api(world.viewer_a1).post(url("script-approve", own.pk), {}, format="json").status_code == 403
    assert api(world.approver_a1).post(url("script-approve", other.pk), {}, format="json").status_code == 404
    changes = api(world.approver_a1).post(url("script-request-changes", own.pk), {"comment": ""}, format="json")
    assert changes.status_code == 400 and "comment" in error_of(changes)["fields"]
    assert api(world.approver_a1).post(url("script-approve", own.pk), {}, format="json").status_code == 200


def test_client_people_cannot_move_projects_or_upload(world, api, samples):
    project = project_for(world.client_a1, stage=Stage.SHOOTING)
    shoot = ShootFactory(project=project)
    assert advance(api(world.approver_a1), project.pk, "post_production").status_code == 403
    upload = api(world.approver_a1).post(
        url("clip-list"), {"shoot": shoot.pk, "file": samples.upload("4k_8s")}, format="multipart"
    )
    assert upload.status_code == 403


def test_a_review_round_is_not_created_by_post(world, api):
    project = project_for(world.client_a1, stage=Stage.CLIENT_REVIEW)
    cut = CutFactory(project=project)
    response = api(world.staff_a).post(url("reviewround-list"), {"project": project.pk, "cut": cut.pk}, format="json")
    assert response.status_code == 405 and "advances to client_review" in error_of(response)["message"]


def test_comments_filter_by_resolution(world, api):
    from tests.production.factories import ReviewCommentFactory

    round_ = ReviewRoundFactory(project=project_for(world.client_a1, stage=Stage.CLIENT_REVIEW))
    open_one = ReviewCommentFactory(round=round_)
    done = ReviewCommentFactory(round=round_, resolved_at=timezone.now())
    client = api(world.staff_a)
    assert {c["id"] for c in client.get(url("reviewcomment-list"), {"resolved": "false"}).json()["results"]} == {
        open_one.pk
    }
    assert {c["id"] for c in client.get(url("reviewcomment-list"), {"resolved": "true"}).json()["results"]} == {done.pk}
    resolved = client.post(url("reviewcomment-resolve", open_one.pk))
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == world.staff_a.pk
    assert api(world.approver_a1).post(url("reviewcomment-resolve", done.pk)).status_code == 403


def test_a_cut_is_served_in_byte_ranges_to_people_who_see_it(world, api):
    cut = CutFactory(project=project_for(world.client_a1))  # the file holds 21 bytes
    whole = api(world.approver_a1).get(url("cut-download", cut.pk))
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == b"not read in this test"
    part = api(world.approver_a1).get(url("cut-download", cut.pk), HTTP_RANGE="bytes=4-7")
    assert part.status_code == 206 and part["Content-Range"] == "bytes 4-7/21"
    assert b"".join(part.streaming_content) == b"read"
    other = CutFactory(project=project_for(world.client_a2))
    assert api(world.approver_a1).get(url("cut-download", other.pk)).status_code == 404


def test_probe_state_is_visible_before_and_after_reading(world, api, samples, django_capture_on_commit_callbacks):
    shoot = ShootFactory(project=project_for(world.client_a1, stage=Stage.SHOOTING))
    client = api(world.staff_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = client.post(
            url("clip-list"), {"shoot": shoot.pk, "file": samples.upload("4k_6s")}, format="multipart"
        )
    assert created.json()["probe_state"] == ProbeState.PENDING and created.json()["verdict"] == ClipVerdict.PENDING
    probes = [callback for callback in callbacks if not isinstance(callback, answer_cache.Renewal)]
    assert len(probes) == 1
    probes[0]()
    read = client.get(url("clip-detail", created.json()["id"])).json()
    assert read["probe_state"] == "done" and read["verdict"] == "rejected"
    assert [(f["rule"], f["message"]) for f in read["rule_failures"]] == [("duration", "duration 6 s is below 7 s")]
    assert read["duration_seconds"] == "6.000" and read["display_width"] == 3840


def test_stage_transitions_are_read_only(world, api):
    project = project_for(world.client_a1)
    response = api(world.staff_a).post(
        url("stagetransition-list"),
        {"project": project.pk, "to_stage": "published", "at": dt.datetime.now().isoformat()},
        format="json",
    )
    assert response.status_code == 405
