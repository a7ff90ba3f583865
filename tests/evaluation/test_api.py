"""API of chapter 10: the isolation mixin on every endpoint, then the workflows through the API."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from evaluation.models import (
    CampaignKind,
    CampaignStatus,
    Complaint,
    ComplaintStatus,
    EvaluationCampaign,
    ImprovementAction,
    ImprovementCycle,
    Question,
    QuestionnaireTemplate,
    ServiceGuarantee,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    TemplateStatus,
)
from tests.evaluation.factories import (
    ComplaintFactory,
    EvaluationCampaignFactory,
    ImprovementActionFactory,
    ImprovementCycleFactory,
    QuestionnaireTemplateFactory,
    published_template,
)
from tests.isolation import TenantAPITestCases


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


class TestQuestionnaireTemplateAPI(TenantAPITestCases):
    basename = "questionnairetemplate"
    model = QuestionnaireTemplate
    client_scoped = False

    def create_payload(self, world):
        return {"family": "new-survey", "title_zh": "新问卷", "title_en": "New survey"}

    def update_payload(self, world, obj):
        return {"title_en": "Changed"}


class TestQuestionAPI(TenantAPITestCases):
    basename = "question"
    model = Question
    client_scoped = False

    def create_payload(self, world):
        draft = QuestionnaireTemplateFactory(agency=world.agency_a)
        return {"template": draft.pk, "kind": "text", "text_zh": "其他意见", "text_en": "Other comments"}

    def update_payload(self, world, obj):
        return {"text_en": "Changed"}


class TestEvaluationCampaignAPI(TenantAPITestCases):
    basename = "evaluationcampaign"
    model = EvaluationCampaign

    def create_payload(self, world):
        return {"client": world.client_a1.pk, "year": 2031, "template": published_template(world.agency_a).pk}

    def update_payload(self, world, obj):
        return {"closes_on": in_days(15)}


class TestSurveyInvitationAPI(TenantAPITestCases):
    basename = "surveyinvitation"
    model = SurveyInvitation

    def create_payload(self, world):
        return {"campaign": EvaluationCampaignFactory(client=world.client_a1).pk, "email": "new@client.test"}


class TestSurveyResponseAPI(TenantAPITestCases):
    basename = "surveyresponse"
    model = SurveyResponse


class TestSurveyAnswerAPI(TenantAPITestCases):
    basename = "surveyanswer"
    model = SurveyAnswer


class TestServiceGuaranteeAPI(TenantAPITestCases):
    basename = "serviceguarantee"
    model = ServiceGuarantee
    client_scoped = False

    def create_payload(self, world):
        return {"title_zh": "当天响应", "title_en": "Same-day answer", "response_hours": 8}

    def update_payload(self, world, obj):
        return {"description": "Within the working day."}


class TestComplaintAPI(TenantAPITestCases):
    basename = "complaint"
    model = Complaint

    def create_payload(self, world):
        return {
            "client": world.client_a1.pk,
            "category": "content",
            "severity": "high",
            "subject": "Video posted late",
            "description": "Friday's video came out on Sunday.",
        }

    def update_payload(self, world, obj):
        return {"severity": "low"}


class TestImprovementCycleAPI(TenantAPITestCases):
    basename = "improvementcycle"
    model = ImprovementCycle

    def create_payload(self, world):
        return {"client": world.client_a1.pk, "finding": "Slow replies", "source": "other"}

    def update_payload(self, world, obj):
        return {"finding": "Slow replies to messages"}


class TestImprovementActionAPI(TenantAPITestCases):
    basename = "improvementaction"
    model = ImprovementAction

    def create_payload(self, world):
        return {
            "cycle": ImprovementCycleFactory(client=world.client_a1).pk,
            "root_cause": "Nobody owned the inbox.",
            "action": "Name an inbox owner per account.",
            "due_date": in_days(5),
        }

    def update_payload(self, world, obj):
        return {"action": "Name an inbox owner and a deputy."}


# --- workflows through the API ----------------------------------------------------------------


def post(api, user, name, pk, body=None):
    return api(user).post(reverse(name, args=[pk]), body or {}, format="json")


def test_a_published_questionnaire_never_changes_and_a_new_version_copies_it(world, api):
    template = published_template(world.agency_a)
    question = Question.dangerously_all_agencies.filter(template=template).first()
    client = api(world.staff_a)
    refused = client.patch(reverse("question-detail", args=[question.pk]), {"text_en": "Changed"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()["error"]["fields"]
    copy = post(api, world.staff_a, "questionnairetemplate-new-version", template.pk)
    assert copy.status_code == 201, copy.content
    assert copy.json()["version"] == 2 and copy.json()["status"] == TemplateStatus.DRAFT
    assert copy.json()["question_count"] == Question.dangerously_all_agencies.filter(template=template).count()
    again = post(api, world.staff_a, "questionnairetemplate-new-version", template.pk)
    assert again.status_code == 400 and "version" in again.json()["error"]["fields"]


def test_publishing_needs_questions(world, api):
    draft = QuestionnaireTemplateFactory(agency=world.agency_a)
    response = post(api, world.staff_a, "questionnairetemplate-publish", draft.pk)
    assert response.status_code == 400 and "questions" in response.json()["error"]["fields"]


def test_a_choice_question_needs_bilingual_choices(world, api):
    draft = QuestionnaireTemplateFactory(agency=world.agency_a)
    body = {
        "template": draft.pk,
        "kind": "single",
        "text_zh": "平台",
        "text_en": "Platform",
        "choices": [{"value": "a"}],
    }
    response = api(world.staff_a).post(reverse("question-list"), body, format="json")
    assert response.status_code == 400 and "choices" in response.json()["error"]["fields"]
    assert not Question.dangerously_all_agencies.filter(template=draft).exists()


def test_one_yearly_campaign_per_client_and_year(world, api):
    template = published_template(world.agency_a)
    body = {"client": world.client_a1.pk, "year": 2031, "template": template.pk}
    assert api(world.staff_a).post(reverse("evaluationcampaign-list"), body, format="json").status_code == 201
    again = api(world.staff_a).post(reverse("evaluationcampaign-list"), body, format="json")
    assert again.status_code == 400 and "year" in again.json()["error"]["fields"]
    assert EvaluationCampaign.dangerously_all_agencies.filter(client=world.client_a1, year=2031).count() == 1


def test_a_draft_questionnaire_cannot_be_sent(world, api):
    draft = QuestionnaireTemplateFactory(agency=world.agency_a)
    body = {"client": world.client_a1.pk, "year": 2031, "template": draft.pk}
    response = api(world.staff_a).post(reverse("evaluationcampaign-list"), body, format="json")
    assert response.status_code == 400 and "template" in response.json()["error"]["fields"]


def test_campaign_without_template_gets_the_default_questionnaire(world, api):
    response = api(world.staff_a).post(
        reverse("evaluationcampaign-list"), {"client": world.client_a1.pk, "year": 2031}, format="json"
    )
    assert response.status_code == 201, response.content
    template = QuestionnaireTemplate.dangerously_all_agencies.get(pk=response.json()["template"])
    assert template.is_default and template.agency_id == world.agency_a.pk


def test_launching_invites_the_client_people_and_opens_the_public_link(
    world, api, mailoutbox, django_capture_on_commit_callbacks
):
    world.viewer_a1.email = "viewer@a1.test"
    world.viewer_a1.save()
    campaign = EvaluationCampaignFactory(
        client=world.client_a1, status=CampaignStatus.DRAFT, opened_at=None, opens_on=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, world.staff_a, "evaluationcampaign-launch", campaign.pk)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CampaignStatus.OPEN
    assert [m.to for m in mailoutbox] == [["viewer@a1.test"]]
    invitation = SurveyInvitation.dangerously_all_agencies.get(campaign=campaign)
    assert invitation.sent_at is not None and invitation.token in mailoutbox[0].body
    assert campaign.public_token not in mailoutbox[0].body  # the personal link, not the public one


def test_client_people_see_their_campaign_results_but_cannot_send_or_close(world, api):
    campaign = EvaluationCampaignFactory(client=world.client_a1)
    results = api(world.viewer_a1).get(reverse("evaluationcampaign-results", args=[campaign.pk]))
    assert results.status_code == 200 and results.json()["responses"]["total"] == 0
    # The questionnaire is the agency's, yet its questions head the client's own results.
    assert (
        len(results.json()["questions"]) == Question.dangerously_all_agencies.filter(template=campaign.template).count()
    )
    assert post(api, world.approver_a1, "evaluationcampaign-close", campaign.pk).status_code == 403
    other = EvaluationCampaignFactory(client=world.client_a2)
    assert api(world.viewer_a1).get(reverse("evaluationcampaign-results", args=[other.pk])).status_code == 404


def test_qr_code_is_an_svg_of_the_public_link_and_scoped(world, api):
    campaign = EvaluationCampaignFactory(client=world.client_a1)
    response = api(world.staff_a).get(reverse("evaluationcampaign-qr", args=[campaign.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.decode().lstrip().startswith("<?xml") and "<svg" in response.content.decode()
    foreign = EvaluationCampaignFactory(client=world.client_b)
    assert api(world.staff_a).get(reverse("evaluationcampaign-qr", args=[foreign.pk])).status_code == 404


def test_client_person_files_a_complaint_for_own_client_only(world, api):
    ok = api(world.viewer_a1).post(
        reverse("complaint-list"),
        {"client": world.client_a1.pk, "category": "content", "subject": "Typos", "description": "Subtitles wrong."},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["source"] == "client" and ok.json()["channel"] == "client_area"
    other = api(world.viewer_a1).post(
        reverse("complaint-list"),
        {"client": world.client_a2.pk, "category": "content", "subject": "x", "description": "y"},
        format="json",
    )
    assert other.status_code == 400 and "client" in other.json()["error"]["fields"]


def test_complaint_resolution_and_confirmation_by_the_client(world, api):
    complaint = ComplaintFactory(client=world.client_a1)
    assert post(api, world.viewer_a1, "complaint-resolve", complaint.pk, {"resolution": "x"}).status_code == 403
    resolved = post(
        api,
        world.staff_a,
        "complaint-resolve",
        complaint.pk,
        {"resolution": "Reposted on time.", "compensation": "One extra video", "compensation_amount": "0"},
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == ComplaintStatus.RESOLVED
    refused = post(api, world.approver_a1, "complaint-confirm", complaint.pk, {"accepted": False})
    assert refused.status_code == 400 and "note" in refused.json()["error"]["fields"]
    confirmed = post(api, world.approver_a1, "complaint-confirm", complaint.pk, {"accepted": True, "note": "OK"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == ComplaintStatus.CLOSED


def test_completing_an_action_through_the_api_schedules_its_follow_up(world, api):
    action = ImprovementActionFactory(cycle=ImprovementCycleFactory(client=world.client_a1))
    missing = post(api, world.staff_a, "improvementaction-complete", action.pk, {"evidence": ""})
    assert missing.status_code == 400 and "evidence" in missing.json()["error"]["fields"]
    done = post(
        api, world.staff_a, "improvementaction-complete", action.pk, {"evidence": "Owners named in the roster."}
    )
    assert done.status_code == 200, done.content
    follow_up = EvaluationCampaign.dangerously_all_agencies.get(pk=done.json()["follow_up"])
    assert follow_up.kind == CampaignKind.FOLLOW_UP and follow_up.cycle_id == action.cycle_id
    thread = api(world.viewer_a1).get(reverse("improvementcycle-thread", args=[action.cycle_id]))
    assert thread.status_code == 200
    assert thread.json()["rounds"][0]["follow_ups"][0]["id"] == follow_up.pk


def test_responses_and_answers_are_read_only_even_for_the_agency_admin(world, api):
    for name in ("surveyresponse-list", "surveyanswer-list"):
        assert api(world.staff_a).post(reverse(name), {}, format="json").status_code in (403, 405)
    assert not SurveyResponse.dangerously_all_agencies.exists()


def test_an_unfinished_actions_text_can_be_edited_and_a_finished_one_cannot(world, api):
    action = ImprovementActionFactory(cycle=ImprovementCycleFactory(client=world.client_a1))
    url = reverse("improvementaction-detail", args=[action.pk])
    edited = api(world.staff_a).patch(url, {"action": "Name a second reviewer for every script."}, format="json")
    assert edited.status_code == 200, edited.content
    assert edited.json()["action"] == "Name a second reviewer for every script."
    cancelled = post(api, world.staff_a, "improvementaction-cancel", action.pk, {"reason": "Merged into another."})
    assert cancelled.status_code == 200, cancelled.content
    refused = api(world.staff_a).patch(url, {"action": "Too late."}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()["error"]["fields"]
