"""The chapter 7 staff pages: they render, write through the services, show refusals and never
reach another agency's rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts_ops.models import (
    AlertStatus,
    CommentStatus,
    ContentPlan,
    ContentPlanTopic,
    DataImport,
    IpPersona,
    OpinionAlert,
)
from tests.accounts_ops.factories import (
    AudiencePersonaReportFactory,
    AudienceSnapshotFactory,
    ContentPlanFactory,
    ContentPlanTopicFactory,
    DataImportFactory,
    HotTopicFactory,
    IpPersonaFactory,
    OpinionAlertFactory,
    VideoCommentFactory,
)
from tests.factories import PlatformAccountFactory, VideoFactory


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


@pytest.fixture
def busy(world):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie")
    video = VideoFactory(account=account)
    comment = VideoCommentFactory(account=account, video=video, sentiment="negative", text="服务太慢了")
    alert = OpinionAlertFactory(account=account)
    plan = ContentPlanTopicFactory(plan=ContentPlanFactory(account=account)).plan
    report = AudiencePersonaReportFactory(account=account, snapshot=AudienceSnapshotFactory(account=account))
    IpPersonaFactory(account=account)
    job = DataImportFactory(account=account)
    return {
        "account": account,
        "video": video,
        "comment": comment,
        "alert": alert,
        "plan": plan,
        "report": report,
        "job": job,
    }


def test_every_chapter_7_page_renders(world, busy):
    b = browser(world.staff_a)
    urls = [
        reverse("accounts_ops:advanced"),
        reverse("accounts_ops:comment-list"),
        reverse("accounts_ops:comment-list") + "?status=handled",
        reverse("accounts_ops:comment-detail", args=[busy["comment"].pk]),
        reverse("accounts_ops:comment-guide") + f"?video={busy['video'].pk}",
        reverse("accounts_ops:alert-list"),
        reverse("accounts_ops:alert-detail", args=[busy["alert"].pk]),
        reverse("accounts_ops:topic-list"),
        reverse("accounts_ops:topic-create"),
        reverse("accounts_ops:plan-list"),
        reverse("accounts_ops:plan-create"),
        reverse("accounts_ops:plan-detail", args=[busy["plan"].pk]),
        reverse("accounts_ops:persona-list"),
        reverse("accounts_ops:persona-detail", args=[busy["report"].pk]),
        reverse("accounts_ops:persona-ip-list"),
        reverse("accounts_ops:persona-ip-list") + f"?account={busy['account'].pk}",
        reverse("accounts_ops:persona-ip-create"),
        reverse("accounts_ops:import-list"),
        reverse("accounts_ops:import-create"),
        reverse("accounts_ops:import-detail", args=[busy["job"].pk]),
    ]
    for url in urls:
        response = b.get(url)
        assert response.status_code == 200, (url, response.status_code)
    landing = b.get(reverse("accounts_ops:advanced")).content.decode()
    assert "服务太慢了" in landing and "7.4" in landing


def test_another_agencys_rows_are_404_on_the_pages(world, busy):
    b = browser(world.staff_b)
    for name, key in (
        ("comment-detail", "comment"),
        ("alert-detail", "alert"),
        ("plan-detail", "plan"),
        ("persona-detail", "report"),
        ("import-detail", "job"),
    ):
        assert b.get(reverse(f"accounts_ops:{name}", args=[busy[key].pk])).status_code == 404


def test_the_comment_page_replies_and_shows_a_refusal_on_the_form(world, busy):
    b = browser(world.staff_a)
    url = reverse("accounts_ops:comment-detail", args=[busy["comment"].pk])
    refused = b.post(url, {"action": "hide", "hide-note": ""})
    assert refused.status_code == 400
    answered = b.post(url, {"action": "reply", "reply-text": "抱歉久等，已经加派人手"})
    assert answered.status_code == 302
    busy["comment"].refresh_from_db()
    assert busy["comment"].status == CommentStatus.HANDLED


def test_the_alert_page_closes_the_alert_with_a_note(world, busy):
    b = browser(world.staff_a)
    url = reverse("accounts_ops:alert-detail", args=[busy["alert"].pk])
    assert b.post(url, {"note": ""}).status_code == 400
    assert b.post(url, {"note": "Replied to each complaint; manager called two guests"}).status_code == 302
    assert OpinionAlert.dangerously_all_agencies.get(pk=busy["alert"].pk).status == AlertStatus.HANDLED


def test_a_plan_is_made_from_the_page_with_its_topics(world, busy):
    topic = HotTopicFactory(agency=world.agency_a)
    response = browser(world.staff_a).post(
        reverse("accounts_ops:plan-create"),
        {
            "account": busy["account"].pk,
            "title": "Mid-autumn hotpot",
            "angle": "Mooncake dipping challenge",
            "planned_on": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "topics": [topic.pk],
        },
    )
    assert response.status_code == 302
    plan = ContentPlan.dangerously_all_agencies.get(title="Mid-autumn hotpot")
    assert list(ContentPlanTopic.dangerously_all_agencies.filter(plan=plan).values_list("topic_id", flat=True)) == [
        topic.pk
    ]


def test_an_ip_persona_version_is_recorded_from_the_page(world, busy):
    response = browser(world.staff_a).post(
        reverse("accounts_ops:persona-ip-create"),
        {
            "account": busy["account"].pk,
            "name": "火锅阿姐",
            "age": "30",
            "gender": "女",
            "personality": "爽快",
            "cultural_background": "成都",
            "specialty": "识货",
            "style": "街头实拍",
            "effective_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert IpPersona.dangerously_all_agencies.get(account=busy["account"], is_current=True).version == 2


def test_a_file_is_uploaded_from_the_page(world, busy, django_capture_on_commit_callbacks):
    day = timezone.localdate() - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(world.staff_a).post(
            reverse("accounts_ops:import-create"),
            {
                "kind": "account_metrics",
                "account": busy["account"].pk,
                "file": SimpleUploadedFile("x.csv", f"日期,播放量\n{day},10\n".encode("gbk")),
            },
        )
    assert response.status_code == 302
    job = DataImport.dangerously_all_agencies.exclude(pk=busy["job"].pk).get()
    assert response["Location"] == job.get_absolute_url()


def test_client_people_see_their_comment_but_not_the_staff_pages(world, busy):
    b = browser(world.viewer_a1)
    assert b.get(reverse("accounts_ops:comment-detail", args=[busy["comment"].pk])).status_code == 200
    assert b.get(reverse("accounts_ops:advanced")).status_code in (302, 403)
    assert (
        b.post(
            reverse("accounts_ops:comment-detail", args=[busy["comment"].pk]), {"action": "reply", "reply-text": "x"}
        ).status_code
        == 403
    )


def test_a_posted_id_that_is_not_a_row_of_the_page_answers_404(world):
    """Junk or another plan's link in a form post is a 404, never a server error or a write."""
    account = PlatformAccountFactory(client=world.client_a1)
    plan, other = ContentPlanFactory(account=account), ContentPlanFactory(account=account)
    theirs = ContentPlanTopicFactory(plan=other)
    b = browser(world.staff_a)
    url = reverse("accounts_ops:plan-detail", args=[plan.pk])
    assert b.post(url, {"action": "unlink", "link": "abc"}).status_code == 404
    assert b.post(url, {"action": "unlink", "link": theirs.pk}).status_code == 404
    assert ContentPlanTopic.dangerously_all_agencies.filter(pk=theirs.pk).exists()
    assert b.post(reverse("accounts_ops:persona-request"), {"account": "abc"}).status_code == 404
