"""The counts a list annotates are in every answer, also right after a write (the schema says
they always are)."""

from __future__ import annotations

from django.urls import reverse

from tests.evaluation.factories import QuestionFactory, QuestionnaireTemplateFactory


def test_a_changed_questionnaire_answers_with_its_question_count(world, api):
    template = QuestionnaireTemplateFactory(agency=world.agency_a)
    QuestionFactory(template=template)
    response = api(world.staff_a).patch(
        reverse("questionnairetemplate-detail", args=[template.pk]), {"title_en": "Yearly survey"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["question_count"] == 1


def test_a_new_questionnaire_answers_with_its_question_count(world, api):
    body = {"family": "yearly", "title_zh": "年度评价", "title_en": "Yearly survey"}
    response = api(world.staff_a).post(reverse("questionnairetemplate-list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["question_count"] == 0
