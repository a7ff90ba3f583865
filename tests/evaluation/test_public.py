"""The public survey, as an anonymous visitor sees it: the page and its JSON twin reveal the
questionnaire and the client's public name and nothing else; answers are checked, stored once per
device or personal link, throttled, and a filled honeypot stores nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient as APIClientBase

from evaluation.defaults import DEFAULT_QUESTIONS
from evaluation.models import Audience, CampaignStatus, SurveyAnswer, SurveyResponse
from evaluation.views.public import DEVICE_COOKIE, HONEYPOT_FIELD, PUBLIC_SURVEY_RATE_SETTING
from tests.evaluation.factories import (
    ComplaintFactory,
    EvaluationCampaignFactory,
    SurveyInvitationFactory,
)
from tests.evaluation.test_services import answers


def Browser(**kwargs) -> Client:  # noqa: N802 - reads like the class it stands for
    """An anonymous visitor whose phone asks for English (messages are checked in English)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)


def APIClient() -> APIClientBase:  # noqa: N802
    return APIClientBase(HTTP_ACCEPT_LANGUAGE="en")


def page(token: str) -> str:
    return reverse("evaluation:public-survey", args=[token])


def api_url(token: str) -> str:
    return reverse("evaluation:public-survey-api", args=[token])


def form_body(data: dict) -> dict:
    return {key: [str(v) for v in value] if isinstance(value, list) else str(value) for key, value in data.items()}


@pytest.fixture
def campaign(world):
    return EvaluationCampaignFactory(client=world.client_a1)


def responses():
    return SurveyResponse.dangerously_all_agencies.count()


# --- the page ---------------------------------------------------------------------------------


def test_an_anonymous_visitor_sees_the_questionnaire_in_chinese_by_default(campaign):
    response = Client().get(page(campaign.public_token))
    assert response.status_code == 200
    html = response.content.decode()
    assert campaign.client.name in html
    assert all(spec["text_zh"] in html for spec in DEFAULT_QUESTIONS)
    assert 'name="viewport"' in html and HONEYPOT_FIELD in html
    assert DEVICE_COOKIE in response.cookies and response.cookies[DEVICE_COOKIE]["httponly"]
    english = Client().get(page(campaign.public_token), {"lang": "en"}).content.decode()
    assert DEFAULT_QUESTIONS[0]["text_en"] in english


def test_the_page_form_works_with_csrf_checks_and_stores_one_users_response(campaign):
    browser = Browser(enforce_csrf_checks=True)
    html = browser.get(page(campaign.public_token)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = {**form_body(answers(q6=["content", "live"], q7="好")), "csrfmiddlewaretoken": token}
    response = browser.post(page(campaign.public_token), body)
    assert response.status_code == 302 and response.url.endswith("/thanks/")
    stored = SurveyResponse.dangerously_all_agencies.get(campaign=campaign)
    assert stored.audience == Audience.USERS and stored.device_key
    assert SurveyAnswer.dangerously_all_agencies.get(response=stored, question__code="improve").choices == [
        "content",
        "live",
    ]
    # The same phone comes back: it is told it has answered, and cannot answer again.
    again = browser.get(page(campaign.public_token))
    assert again.status_code == 302 and "already=1" in again.url
    assert browser.post(page(campaign.public_token), body).status_code == 302
    assert responses() == 1


def test_a_bad_score_is_shown_on_the_page_and_nothing_is_stored(campaign):
    response = Browser().post(page(campaign.public_token), form_body(answers(nps_score=11)))
    assert response.status_code == 400
    assert "Score 11 is outside 0-10." in response.content.decode()
    assert responses() == 0 and not SurveyAnswer.dangerously_all_agencies.exists()


def test_missing_required_answers_are_named(campaign):
    response = Browser().post(page(campaign.public_token), {"q1": "9"})
    assert response.status_code == 400
    assert response.content.decode().count("This question needs an answer.") == 3
    assert responses() == 0


def test_a_filled_honeypot_is_thanked_and_stored_nowhere(campaign):
    response = Browser().post(page(campaign.public_token), {**form_body(answers()), HONEYPOT_FIELD: "http://spam"})
    assert response.status_code == 302 and response.url.endswith("/thanks/")
    assert responses() == 0


def test_unknown_and_closed_surveys_say_so(world):
    closed = EvaluationCampaignFactory(client=world.client_a1, status=CampaignStatus.CLOSED)
    assert Browser().get(page("no-such-token")).status_code == 404
    response = Browser().get(page(closed.public_token))
    assert response.status_code == 410 and "not open for answers" in response.content.decode()
    assert Browser().post(page(closed.public_token), form_body(answers())).status_code == 410
    assert responses() == 0


def test_a_personal_link_answers_once_as_the_client(campaign):
    invitation = SurveyInvitationFactory(campaign=campaign)
    browser = Browser()
    assert browser.post(page(invitation.token), form_body(answers())).status_code == 302
    stored = SurveyResponse.dangerously_all_agencies.get()
    assert stored.audience == Audience.CLIENT and stored.invitation_id == invitation.pk
    other_phone = Browser()
    assert "already=1" in other_phone.get(page(invitation.token)).url
    assert other_phone.post(page(invitation.token), form_body(answers())).status_code == 302
    assert responses() == 1


def test_the_page_is_throttled_per_connection_and_link(campaign, settings):
    settings.__setattr__(PUBLIC_SURVEY_RATE_SETTING, "2/hour")
    for device in ("one", "two"):
        browser = Browser()
        browser.cookies[DEVICE_COOKIE] = device
        assert browser.post(page(campaign.public_token), form_body(answers())).status_code == 302
    flood = Browser()
    flood.cookies[DEVICE_COOKIE] = "three"
    response = flood.post(page(campaign.public_token), form_body(answers()))
    assert response.status_code == 429
    assert responses() == 2
    other = EvaluationCampaignFactory(client=campaign.client)
    assert Browser().post(page(other.public_token), form_body(answers())).status_code == 302


# --- the JSON twin ----------------------------------------------------------------------------

ALLOWED_KEYS = {
    "survey",
    "title",
    "intro",
    "client",
    "closes_on",
    "personal",
    "questions",
    "key",
    "kind",
    "text",
    "required",
    "min",
    "max",
    "choices",
    "value",
    "label",
    "max_length",
}


def walk(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def test_the_public_api_reveals_nothing_but_the_questionnaire(world, campaign):
    # Rows the visitor must learn nothing about: the agency, other clients, complaints, people.
    world.client_a1.contact_name = "Boss Wang"
    world.client_a1.contact_phone = "13800000000"
    world.client_a1.notes = "Pays late"
    world.client_a1.save()
    ComplaintFactory(client=world.client_a1, subject="Secret complaint")
    invitation = SurveyInvitationFactory(campaign=campaign, email="boss@a1.test")
    body = APIClient().get(api_url(campaign.public_token)).json()
    keys = {key for key, _ in walk(body)}
    assert keys <= ALLOWED_KEYS, keys - ALLOWED_KEYS
    text = json.dumps(body, ensure_ascii=False)
    for secret in (
        world.agency_a.name,
        world.client_a2.name,
        "Boss Wang",
        "13800000000",
        "Pays late",
        "Secret complaint",
        "boss@a1.test",
        invitation.token,
    ):
        assert secret not in text
    assert body["survey"]["client"] == world.client_a1.name
    assert [q["key"] for q in body["questions"]] == [f"q{n}" for n in range(1, len(DEFAULT_QUESTIONS) + 1)]
    # No number in the body is a database id: only scales and lengths.
    numbers = {item for _key, item in walk(body) if isinstance(item, int) and not isinstance(item, bool)}
    assert numbers <= {0, 1, 5, 10, 2000}


def test_the_public_page_reveals_nothing_but_the_questionnaire(world, campaign):
    world.client_a1.contact_name = "Boss Wang"
    world.client_a1.contact_email = "boss@a1.test"
    world.client_a1.save()
    invitation = SurveyInvitationFactory(campaign=campaign, email="colleague@a1.test")
    for token in (campaign.public_token, invitation.token):
        html = Browser().get(page(token)).content.decode()
        assert world.client_a1.name in html
        for secret in (world.agency_a.name, world.client_a2.name, "Boss Wang", "boss@a1.test", "colleague@a1.test"):
            assert secret not in html
        other_token = invitation.token if token == campaign.public_token else campaign.public_token
        assert other_token not in html
        assert not re.search(r'name="q\d+" value="\d{3,}"', html)  # no database id as a value


def test_the_public_api_takes_answers_and_answers_nothing_back(campaign):
    response = APIClient().post(api_url(campaign.public_token), {"answers": answers(), "device": "p1"}, format="json")
    assert response.status_code == 201 and response.json() == {"status": "received"}
    again = APIClient().post(api_url(campaign.public_token), {"answers": answers(), "device": "p1"}, format="json")
    assert again.status_code == 400 and "already answered" in again.json()["error"]["message"]
    assert responses() == 1


def test_the_public_api_names_each_bad_answer(campaign):
    bad = {**answers(csat_score=6), "q5": "myspace"}
    response = APIClient().post(api_url(campaign.public_token), {"answers": bad, "device": "p1"}, format="json")
    error = response.json()["error"]
    assert response.status_code == 400 and {"q2", "q3", "q4", "q5"} <= set(error["fields"])
    assert error["fields"]["q2"] == ["Score 6 is outside 1-5."]
    assert responses() == 0


def test_the_public_api_refuses_unknown_and_closed_surveys(world):
    closed = EvaluationCampaignFactory(client=world.client_a1, status=CampaignStatus.CLOSED)
    assert APIClient().get(api_url("nope")).json()["error"]["status"] == 404
    assert APIClient().get(api_url(closed.public_token)).status_code == 410
    posted = APIClient().post(api_url(closed.public_token), {"answers": answers()}, format="json")
    assert posted.status_code == 410 and responses() == 0


def test_the_public_api_honeypot_stores_nothing(campaign):
    body = {"answers": answers(), "device": "bot", HONEYPOT_FIELD: "buy now"}
    assert APIClient().post(api_url(campaign.public_token), body, format="json").status_code == 201
    assert responses() == 0


def test_the_public_api_is_throttled_with_retry_after(campaign, settings):
    settings.__setattr__(PUBLIC_SURVEY_RATE_SETTING, "2/hour")
    client = APIClient()
    for device in ("a", "b"):
        assert (
            client.post(
                api_url(campaign.public_token), {"answers": answers(), "device": device}, format="json"
            ).status_code
            == 201
        )
    flood = client.post(api_url(campaign.public_token), {"answers": answers(), "device": "c"}, format="json")
    assert flood.status_code == 429 and flood.json()["error"]["code"] == "throttled"
    assert int(flood["Retry-After"]) > 0
    assert client.get(api_url(campaign.public_token)).status_code == 200  # reading is not throttled
    assert responses() == 2


def test_a_staff_session_of_another_agency_answers_into_the_surveys_agency(world, campaign):
    browser = Browser()
    browser.force_login(world.staff_b)
    assert browser.post(page(campaign.public_token), form_body(answers())).status_code == 302
    assert SurveyResponse.dangerously_all_agencies.get().agency_id == world.agency_a.pk
