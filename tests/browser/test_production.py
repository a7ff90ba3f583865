"""Chapter 5 in the browser: a producer takes a video from script to publication, with the
client's approver deciding the script and the cut in the client's own pages; and a client
approver approves a cut with a comment at a time code."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Membership
from agency.tenancy import tenant_context
from clients.models import PlatformAccount
from production.forms import ClipUploadForm, CommentForm, CutUploadForm, PublishForm
from production.models import (
    ClipVerdict,
    Cut,
    PostProductionStep,
    PostStepKind,
    ProbeState,
    ReviewComment,
    RoundStatus,
    Script,
    ScriptStatus,
    Shoot,
    ShotSize,
    Stage,
    StepStatus,
    StoryboardShot,
    TopicBasis,
    VideoProject,
)
from production.services.post import cut_upload
from production.services.projects import project_advance, project_create
from production.services.scripts import script_approve, script_submit
from production.services.shoots import media_probe
from tests.browser.conftest import both, choose, contains, expect_message, form_with, label
from tests.production.factories import ClipFactory, ShootFactory
from tests.production.helpers import complete_script, finish_steps

pytestmark = pytest.mark.browser

TITLE = "元旦跨年火锅套餐"


def expect_stage(page, stage: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(contains(Stage(stage).label))


def advance(page, stage: str) -> None:
    page.get_by_role("button", name=both("Move to the next stage")).click()
    expect_stage(page, stage)


def client_decides(page, waiting_list: str, title: str, button: str, comment: str = "") -> None:
    """The client's approver opens what waits for them from their own pages and decides it."""
    page.goto("/")
    page.get_by_role("link", name=both("Videos in production")).click()
    section = page.get_by_role("heading", name=both(waiting_list))
    expect(section).to_be_visible()
    page.get_by_role("link", name=contains(title)).first.click()
    decision = form_with(page, button)
    if comment:
        decision.get_by_label(both("Comment")).fill(comment)
    decision.get_by_role("button", name=both(button)).click()
    if button.startswith("Approve"):  # approving asks first
        page.get_by_role("dialog").get_by_role("button", name=both("Yes, approve")).click()


def test_a_producer_takes_a_video_from_script_to_publication(browser, demo, shot, media_files):
    producer = browser.signed_in("xinghe_producer")
    approver = browser.signed_in("xinghe_client_approver")

    # Planning: the producer opens chapter 5 from the side menu and starts a project.
    producer.get_by_role("link", name=both("Production board")).click()
    expect(producer.get_by_role("heading", level=1)).to_have_text(both("Production board"))
    shot(producer, "production-board")
    producer.get_by_role("link", name=both("New video project")).click()
    choose(producer.get_by_label(label(VideoProject, "account")), contains("@laojie_hotpot"))
    producer.get_by_label(label(VideoProject, "title")).fill(TITLE)
    producer.get_by_label(label(VideoProject, "brief")).fill("元旦前发布，推广跨年双人套餐。")
    due = timezone.localdate(timezone=demo.tz) + dt.timedelta(days=20)
    producer.get_by_label(label(VideoProject, "due_date")).fill(due.isoformat())
    choose(producer.get_by_label(label(VideoProject, "assignee")), "xinghe_producer")
    producer.get_by_role("button", name=both("Save")).click()
    expect(producer.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect_stage(producer, Stage.PLANNING)
    shot(producer, "project-planning")
    advance(producer, Stage.SCRIPTING)

    # 5.1: the script's four parts and its storyboard, sent to the client.
    producer.get_by_role("link", name=both("Script v%(v)s", v=1)).click()
    shots_form = form_with(producer, "Add the shot")
    choose(shots_form.get_by_label(label(StoryboardShot, "shot_size")), ShotSize.WIDE.label)
    shots_form.get_by_label(label(StoryboardShot, "duration_seconds")).fill("4")
    shots_form.get_by_label(label(StoryboardShot, "picture")).fill("跨年夜老街门口，烟花与火锅热气。")
    shots_form.get_by_role("button", name=both("Add the shot")).click()
    expect(producer.get_by_role("cell", name="跨年夜老街门口，烟花与火锅热气。")).to_be_visible()
    script_form = form_with(producer, "Save")
    script_form.get_by_label(label(Script, "topic")).fill("跨年夜，和重要的人吃一顿火锅")
    script_form.get_by_label(both(TopicBasis.TRENDING.label)).check()
    script_form.get_by_label(label(Script, "topic_reason")).fill("跨年是本地生活热门话题。")
    script_form.get_by_label(label(Script, "scene_concept")).fill("倒计时的老街，热气腾腾的双人锅。")
    script_form.get_by_label(label(Script, "screenplay")).fill("旁白：今年最后一顿，和你一起吃。")
    script_form.get_by_role("button", name=both("Save")).click()
    expect_message(producer, "Script saved.")
    producer.get_by_role("button", name=both("Send to the client for approval")).click()
    expect(producer.get_by_role("heading", level=1)).to_contain_text(contains(ScriptStatus.SUBMITTED.label))
    shot(producer, "script-submitted")

    # The client's approver approves the script in the client area.
    client_decides(approver, "Scripts waiting for your approval (5.1)", TITLE, "Approve the script", comment="可以拍。")
    expect_message(approver, "Script approved.")
    shot(approver, "client-approved-script")

    # 5.2: a shoot with eight 4K clips, each read from its file.
    producer.get_by_role("link", name=contains(TITLE)).first.click()
    advance(producer, Stage.SHOOTING)
    producer.get_by_role("link", name=both("Plan a shoot")).click()
    producer.get_by_label(label(Shoot, "date")).fill(due.isoformat())
    producer.get_by_label(label(Shoot, "location")).fill("老街火锅总店")
    producer.get_by_label(label(Shoot, "scene_setup")).fill("二号包间，双人锅。")
    producer.get_by_role("button", name=both("Save")).click()
    expect_message(producer, "Shoot planned.")
    producer.get_by_label(both(ClipUploadForm.base_fields["files"].label)).set_input_files(media_files["clips"])
    producer.get_by_role("button", name=both("Upload")).click()
    # Read by a task; the page refreshes itself while clips are being read.
    expect(producer.get_by_text(both(ClipVerdict.ACCEPTED.label))).to_have_count(8, timeout=60_000)
    shot(producer, "shoot-clips-accepted")
    producer.get_by_role("link", name=contains(TITLE)).first.click()
    advance(producer, Stage.POST_PRODUCTION)

    # 5.3: the five steps with their evidence, and the cut.
    steps = [
        (PostStepKind.SUBTITLES, StepStatus.DONE, {"evidence_file": media_files["subtitles"]}),
        (PostStepKind.SOUND, StepStatus.DONE, {"evidence_note": "配乐：轻快鼓点。"}),
        (PostStepKind.COLOUR_GRADING, StepStatus.DONE, {"evidence_note": "暖色调。"}),
        (PostStepKind.COVER, StepStatus.DONE, {"evidence_file": media_files["cover"]}),
        (PostStepKind.RETOUCHING, StepStatus.NOT_APPLICABLE, {"not_applicable_reason": "没有人物特写。"}),
    ]
    for kind, status, evidence in steps:
        producer.get_by_role("link", name=both(kind.label)).click()
        choose(producer.get_by_label(label(PostProductionStep, "status")), status.label)
        for name, value in evidence.items():
            field = producer.get_by_label(label(PostProductionStep, name))
            if name == "evidence_file":
                field.set_input_files(value)
            else:
                field.fill(value)
        producer.get_by_role("button", name=both("Save")).click()
        expect_message(producer, "Saved.")
    cut_form = form_with(producer, "Upload the cut")
    cut_form.get_by_label(both(CutUploadForm.base_fields["file"].label)).set_input_files(media_files["cut"])
    cut_form.get_by_label(both(CutUploadForm.base_fields["notes"].label)).fill("第一版剪辑。")
    cut_form.get_by_role("button", name=both("Upload the cut")).click()
    expect(producer.get_by_role("link", name="v1", exact=True)).to_be_visible()
    shot(producer, "post-production-done")
    advance(producer, Stage.CLIENT_REVIEW)

    # The client's approver approves the cut.
    client_decides(approver, "Cuts waiting for your review", TITLE, "Approve the cut", comment="很好，可以发布。")
    expect_message(approver, "Cut approved: it is ready to publish.")

    # Publishing: the producer records the publication.
    producer.reload()
    expect_stage(producer, Stage.PUBLISHING)
    publish = form_with(producer, "Mark published")
    publish.get_by_label(both(PublishForm.base_fields["platform_item_id"].label)).fill("laojie-kuanian-2027")
    publish.get_by_label(both(PublishForm.base_fields["url"].label)).fill("https://example.com/douyin/kuanian")
    publish.get_by_role("button", name=both("Mark published")).click()
    expect_stage(producer, Stage.PUBLISHED)
    expect(producer.get_by_role("link", name="laojie-kuanian-2027")).to_be_visible()
    shot(producer, "project-published")

    with tenant_context(demo):
        project = VideoProject.objects.select_related("video").get(title=TITLE)
        assert project.stage == Stage.PUBLISHED
        assert project.video.platform_item_id == "laojie-kuanian-2027"
        assert project.review_rounds.get().status == RoundStatus.APPROVED


def _project_in_client_review(agency, title: str, cut_file) -> VideoProject:
    """A 老街火锅 project whose first cut (a real video file) waits for the client's review."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def actor(username):
        return (
            Membership.objects.select_related("agency", "user").get(user__username=username, agency=agency).as_actor()
        )

    producer, approver = actor("xinghe_producer"), actor("xinghe_client_approver")
    with tenant_context(agency, producer):
        project = project_create(
            actor=producer,
            account=PlatformAccount.objects.get(handle="laojie_hotpot"),
            title=title,
            due_date=timezone.localdate(timezone=agency.tz) + dt.timedelta(days=7),
            assignee=producer.user,
        )
        project_advance(actor=producer, project=project, stage=Stage.SCRIPTING)
        script = complete_script(producer, project)
        script_submit(actor=producer, script=script)
    with tenant_context(agency, approver):
        script_approve(actor=approver, script=script)
    with tenant_context(agency, producer):
        project_advance(actor=producer, project=project, stage=Stage.SHOOTING)
        ClipFactory.create_batch(8, shoot=ShootFactory(project=project))
        project_advance(actor=producer, project=project, stage=Stage.POST_PRODUCTION)
        finish_steps(project)
        upload = SimpleUploadedFile("cut_v1.mp4", cut_file.read_bytes(), content_type="video/mp4")
        cut = cut_upload(actor=producer, project=project, file=upload)
        media_probe(model=Cut, pk=cut.pk)  # the probe task's body; a queued task finds it read
        assert Cut.objects.get(pk=cut.pk).probe_state == ProbeState.DONE
        project_advance(actor=producer, project=project, stage=Stage.CLIENT_REVIEW)
    return project


def test_a_client_approver_approves_a_cut_with_a_time_coded_comment(browser, demo, shot, media_files):
    project = _project_in_client_review(demo, "清汤锅底上新", media_files["cut"])
    approver = browser.signed_in("xinghe_client_approver")

    approver.get_by_role("link", name=both("Videos in production")).click()
    expect(approver.get_by_role("heading", name=both("Cuts waiting for your review"))).to_be_visible()
    shot(approver, "client-production-home")
    approver.get_by_role("link", name=contains("清汤锅底上新")).click()
    expect(approver.get_by_role("heading", level=1)).to_contain_text(contains(RoundStatus.OPEN.label))

    comment = form_with(approver, "Add the comment")
    comment.get_by_label(both(CommentForm.base_fields["body"].label)).fill("第 6.5 秒的锅底特写再停一秒。")
    comment.get_by_label(both(CommentForm.base_fields["timecode_seconds"].label)).fill("6.5")
    comment.get_by_role("button", name=both("Add the comment")).click()
    expect_message(approver, "Comment added.")
    timecode = approver.get_by_role("link", name="00:06.500")
    expect(timecode).to_be_visible()
    expect(approver.locator(".thread").get_by_text("第 6.5 秒的锅底特写再停一秒。")).to_be_visible()
    timecode.click()  # the player starts at the comment's moment
    expect(approver).to_have_url(re.compile(r"[?&]t=6\.5"))
    shot(approver, "review-with-time-coded-comment")

    decision = form_with(approver, "Approve the cut")
    decision.get_by_label(both("Comment")).fill("改完就可以发布。")
    decision.get_by_role("button", name=both("Approve the cut")).click()
    approver.get_by_role("dialog").get_by_role("button", name=both("Yes, approve")).click()
    expect_message(approver, "Cut approved: it is ready to publish.")
    expect(approver.get_by_role("heading", name=both("Your recent decisions on cuts"))).to_be_visible()
    shot(approver, "client-cut-approved")

    with tenant_context(demo):
        round_ = project.review_rounds.get()
        assert round_.status == RoundStatus.APPROVED
        assert round_.decision_comment == "改完就可以发布。"
        note = ReviewComment.objects.get(round=round_)
        assert (note.timecode_seconds, note.author.username) == (Decimal("6.5"), "xinghe_client_approver")
        assert VideoProject.objects.get(pk=project.pk).stage == Stage.PUBLISHING
