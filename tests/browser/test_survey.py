"""The survey of clause 10.1 in a real browser, as a platform user (public link) and one of the
client's people (personal link) answer it: the page is filled in and sent, the thank-you page
shows, and the answers are stored. The page keeps its token from other sites (its referrer policy)
without breaking the answer's CSRF check, which needs the POST's Origin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agency.tenancy import dangerously_all_agencies, tenant_context
from clients.models import Client
from evaluation.defaults import DEFAULT_QUESTIONS
from evaluation.models import Audience, CampaignStatus, EvaluationCampaign, SurveyAnswer, SurveyResponse
from evaluation.services.campaigns import invitation_add
from tests.browser.conftest import both, contains, in_language

pytestmark = pytest.mark.browser

CLIENT = "老街火锅"
THANKS = "Thank you! Your answers were received."
TEXT = {spec["code"]: spec for spec in DEFAULT_QUESTIONS}


def open_campaign(agency) -> EvaluationCampaign:
    with dangerously_all_agencies():
        client = Client.objects.get(agency=agency, name=CLIENT)
        return EvaluationCampaign.objects.filter(client=client, status=CampaignStatus.OPEN).latest("pk")


def question(page, code: str, language: str):
    """A question's card (a fieldset named by its legend), in the page's language."""
    text = TEXT[code]["text_zh" if language == "zh-hans" else "text_en"]
    return page.get_by_role("group", name=re.compile(re.escape(text)))


def answer(page, *, language: str, recommend: str, comment: str) -> None:
    question(page, "recommend", language).get_by_role("radio", name=recommend, exact=True).check()
    for code in ("overall", "content", "responsiveness"):
        question(page, code, language).get_by_role("radio", name="4", exact=True).check()
    question(page, "comments", language).get_by_role("textbox").fill(comment)
    page.get_by_role("button", name=both("Send my answers")).click()
    page.wait_for_load_state()


def stored(campaign, **filters) -> dict:
    with dangerously_all_agencies():
        response = SurveyResponse.objects.filter(campaign=campaign, **filters).latest("pk")
        answers = {
            a.question.code: a for a in SurveyAnswer.objects.filter(response=response).select_related("question")
        }
        return {"response": response, "answers": answers}


def test_a_public_and_a_personal_survey_link_are_answered_and_sent_in_the_browser(browser, demo, shot):
    campaign = open_campaign(demo)
    with tenant_context(demo):
        invitation = invitation_add(actor=None, campaign=campaign, email="boss@laojie.example", name="老板")
    with dangerously_all_agencies():
        before = set(SurveyResponse.objects.filter(campaign=campaign).values_list("pk", flat=True))

    # A platform user on a phone opens the public link (the QR code's), in Chinese by default.
    visitor = browser.page(width=375, height=812)
    visitor.goto(f"/evaluation/s/{campaign.public_token}/")
    expect(visitor.get_by_text(CLIENT).first).to_be_visible()
    shot(visitor, "public-survey")
    answer(visitor, language="zh-hans", recommend="9", comment="上菜很快，视频拍得好。")
    expect(visitor).to_have_url(re.compile(rf"/evaluation/s/{campaign.public_token}/thanks/$"))
    expect(visitor.get_by_role("status")).to_contain_text(
        in_language("zh-hans", "Thank you! Your answers were received.")
    )
    shot(visitor, "public-survey-thanks")
    public = stored(campaign, audience=Audience.USERS)
    assert public["response"].pk not in before
    assert public["answers"]["recommend"].score == 9
    assert public["answers"]["comments"].text == "上菜很快，视频拍得好。"

    # The page sends its address (and token) to no other site.
    expect(visitor.locator('meta[name="referrer"]')).to_have_attribute("content", "same-origin")

    # The same device opening the link again is told it has answered already.
    visitor.goto(f"/evaluation/s/{campaign.public_token}/")
    expect(visitor.get_by_role("status")).to_contain_text(contains("You have already answered this survey. Thank you!"))

    # The client's boss opens the personal link from their email, in English.
    boss = browser.page(locale="en-US")
    boss.goto(f"/evaluation/s/{invitation.token}/?lang=en")
    answer(boss, language="en", recommend="7", comment="Good work, faster replies please.")
    expect(boss).to_have_url(re.compile(rf"/evaluation/s/{invitation.token}/thanks/"))
    expect(boss.get_by_role("status")).to_contain_text(in_language("en", THANKS))
    shot(boss, "personal-survey-thanks")
    personal = stored(campaign, invitation=invitation)
    assert personal["response"].audience == Audience.CLIENT
    assert personal["answers"]["recommend"].score == 7
    assert personal["answers"]["comments"].text == "Good work, faster replies please."
    with dangerously_all_agencies():
        invitation.refresh_from_db()
    assert invitation.responded_at is not None
