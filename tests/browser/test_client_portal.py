"""A day's work in the client portal and the search box (issue 22): the producer finds a project by
part of its Chinese title (Ctrl+K); a cut sent for review reaches the client approver's e-mail and
the agency's WeCom bot (a stub on the loopback); the approver sees what waits, comments at the
player's current time, and approves after the warning about the comments still open. Screenshots
of each key page in Chinese, in English and on a phone."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from agency.tenancy import tenant_context
from notifications.models import Webhook, WebhookDelivery
from notifications.rules import Kind
from notifications.services.webhooks import webhook_save
from production.forms import CommentForm
from production.models import ReviewComment, RoundStatus, Stage, VideoProject
from tests.browser.conftest import both, contains, expect_message, form_with
from tests.browser.test_client_area import switch_language
from tests.browser.test_production import _project_in_client_review
from tests.notifications.bot_stub import bot  # noqa: F401  (the stub bot fixture)

pytestmark = pytest.mark.browser

PROJECT = "新店装修首秀：包间全景"  # a project of the demo, in scripting
CUT_TITLE = "清汤锅底上新"


def test_the_producer_finds_a_project_by_part_of_its_chinese_title(browser, demo, shot):
    producer = browser.signed_in("xinghe_producer")
    producer.keyboard.press("Control+k")
    box = producer.locator("#search-q")
    expect(box).to_be_focused()
    box.fill("装修首秀")
    box.press("Enter")
    expect(producer).to_have_url(re.compile(r"/search/\?q="))
    hit = producer.get_by_role("link", name=PROJECT)
    expect(hit).to_be_visible()
    shot(producer, "search-results-chinese")

    phone = browser.signed_in("xinghe_producer", width=375, height=812)
    phone.goto("/search/?q=包间")
    expect(phone.get_by_role("link", name=PROJECT)).to_be_visible()
    shot(phone, "search-results-375px")

    switch_language(producer, "English")
    expect(producer.get_by_role("link", name=PROJECT)).to_be_visible()
    expect(producer.get_by_role("heading", level=1)).to_have_text("Search")
    shot(producer, "search-results-english")

    hit.click()
    expect(producer.get_by_role("heading", level=1)).to_contain_text(PROJECT)
    with tenant_context(demo):
        project = VideoProject.objects.get(title=PROJECT)
    expect(producer).to_have_url(re.compile(rf"/production/projects/{project.pk}/"))


def test_the_client_approver_approves_a_cut_at_the_players_current_time_after_the_warning(
    browser,
    demo,
    shot,
    media_files,
    bot,  # noqa: F811
):
    approver = get_user_model().objects.get(username="xinghe_client_approver")
    approver.email = "approver@laojie.example"
    approver.save()
    with tenant_context(demo):
        webhook_save(
            webhook=Webhook(agency=demo, name="审片群", provider="wecom", kinds=[Kind.APPROVAL_WAITING]),
            url=bot.url("/cgi-bin/webhook/send?key=review-key-0042"),
        )
    mail.outbox.clear()

    # The cut is sent for review: the approver's e-mail and the team's WeCom bot hear of it.
    project = _project_in_client_review(demo, CUT_TITLE, media_files["cut"])
    cut_waiting = f"{CUT_TITLE} #1"  # the first review round of the project (the script was approved before)
    sent = [m for m in mail.outbox if m.to == ["approver@laojie.example"] and cut_waiting in m.subject + m.body]
    assert sent, [(m.to, m.subject) for m in mail.outbox]
    requests = [r for r in bot.requests if r["query"].get("key") == "review-key-0042"]
    assert any(cut_waiting in r["json"]["text"]["content"] for r in requests), requests
    assert WebhookDelivery.dangerously_all_agencies.filter(status="sent").exists()

    # What waits for the approver: the count on the dashboard and in the navigation.
    page = browser.signed_in("xinghe_client_approver")
    waiting = page.locator(".waiting-for-you")
    cuts = waiting.get_by_role("link", name=contains("Cuts to approve"))
    expect(cuts).to_be_visible()
    expect(page.locator(".client-nav .count-badge")).to_be_visible()
    shot(page, "client-dashboard-chinese")
    cuts.click()
    page.get_by_role("link", name=contains(CUT_TITLE)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CUT_TITLE)
    # Plain words for the client, no codecs.
    player = page.locator(".player")
    expect(player).not_to_contain_text("fps")
    expect(player).not_to_contain_text("h264")
    expect(player.locator(".facts-line")).to_contain_text(contains("Vertical video"))

    # The player stops at 4.2 s; "use the current time" writes it into the comment.
    video = page.locator("#review-video")
    seeked = video.evaluate(
        """v => new Promise(done => {
            setTimeout(() => done("no metadata: " + (v.error ? v.error.message : v.readyState)), 15000);
            const seek = () => {
                v.addEventListener("seeked", () => done("seeked"), {once: true});
                v.currentTime = 4.2;
            };
            if (v.readyState >= 1) seek(); else v.addEventListener("loadedmetadata", seek, {once: true});
        })"""
    )
    assert seeked == "seeked", seeked
    comment = form_with(page, "Add the comment")
    comment.get_by_role("button", name=both("Use the current time")).click()
    field = comment.get_by_label(both(CommentForm.base_fields["timecode_seconds"].label))
    expect(field).to_have_value(re.compile(r"^00:04(\.[12])?$"))
    comment.get_by_label(both(CommentForm.base_fields["body"].label)).fill("这里的锅底特写再停一秒。")
    shot(page, "review-current-time")
    comment.get_by_role("button", name=both("Add the comment")).click()
    expect_message(page, "Comment added.")
    expect(page.get_by_role("link", name=re.compile(r"^00:04\.[0-9]{3}$"))).to_be_visible()

    # Approving asks first and says a comment is still open.
    decision = form_with(page, "Approve the cut")
    decision.get_by_label(both("Comment")).fill("特写改完即可发布。")
    decision.get_by_role("button", name=both("Approve the cut")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(contains("%(n)s comment is still open.", n=1))
    expect(dialog).to_contain_text("这里的锅底特写再停一秒。")
    shot(page, "approval-warning")
    dialog.get_by_role("button", name=both("Back, without approving")).click()
    expect(dialog).to_be_hidden()
    with tenant_context(demo):
        assert project.review_rounds.get().status == RoundStatus.OPEN
    decision.get_by_role("button", name=both("Approve the cut")).click()
    dialog.get_by_role("button", name=both("Yes, approve")).click()
    expect_message(page, "Cut approved: it is ready to publish.")
    with tenant_context(demo):
        round_ = project.review_rounds.get()
        assert (round_.status, round_.decision_comment) == (RoundStatus.APPROVED, "特写改完即可发布。")
        note = ReviewComment.objects.get(round=round_)
        assert Decimal("4.0") <= note.timecode_seconds <= Decimal("4.2")
        assert VideoProject.objects.get(pk=project.pk).stage == Stage.PUBLISHING

    # The same pages in English and on a phone.
    switch_language(page, "English")
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    shot(page, "client-dashboard-english")
    page.goto(round_.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approved")
    shot(page, "review-english")
    phone = browser.signed_in("xinghe_client_approver", width=375, height=812)
    shot(phone, "client-dashboard-375px")
    phone.goto(round_.get_absolute_url())
    expect(phone.locator("#review-video")).to_be_visible()
    shot(phone, "review-375px")
