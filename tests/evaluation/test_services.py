"""The rules of chapter 10, service by service: questionnaires, answers, results, complaints,
and the improvement cycle that closes only at the agency's satisfaction threshold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.tenancy import tenant_context
from evaluation.defaults import DEFAULT_QUESTIONS
from evaluation.models import (
    Audience,
    CampaignKind,
    CampaignStatus,
    ComplaintStatus,
    CycleStatus,
    EvaluationCampaign,
    Question,
    QuestionnaireTemplate,
    Severity,
    SurveyAnswer,
    SurveyResponse,
)
from evaluation.rules import (
    COMPLAINT_RESOLVE_HOURS,
    FOLLOW_UP_WAIT_DAYS,
    FOLLOW_UP_WITHIN_DAYS,
    SATISFACTION_THRESHOLD,
    TOP_ESCALATION_LEVEL,
)
from evaluation.selectors.campaigns import campaign_results, csat, nps
from evaluation.sentiment import register_sentiment_classifier
from evaluation.services.campaigns import campaign_launch, survey_submit
from evaluation.services.complaints import (
    complaint_confirm,
    complaint_file,
    complaint_resolve,
    complaints_escalate_overdue,
)
from evaluation.services.followups import (
    campaign_close_and_decide,
    follow_up_reschedule,
    improvement_action_complete,
)
from evaluation.services.improvement import improvement_action_add, improvement_cycle_open
from evaluation.services.questionnaires import (
    question_add,
    questionnaire_ensure_default,
    questionnaire_new_version,
    questionnaire_publish,
)
from tests.evaluation.conftest import acting
from tests.evaluation.factories import (
    EvaluationCampaignFactory,
    SurveyInvitationFactory,
)

REQUIRED = {spec["code"] for spec in DEFAULT_QUESTIONS if spec["required"]}


def answers(nps_score=9, csat_score=5, **extra) -> dict:
    """A complete, valid set of answers to the default questionnaire (keys q1..q7)."""
    out = {}
    for position, spec in enumerate(DEFAULT_QUESTIONS, start=1):
        if spec["kind"] == "nps":
            out[f"q{position}"] = nps_score
        elif spec["kind"] == "csat":
            out[f"q{position}"] = csat_score
    out.update(extra)
    return out


def submit(campaign, data, **kwargs):
    with tenant_context(campaign.agency):
        return survey_submit(campaign=campaign, answers=data, **kwargs)


# --- questionnaires ---------------------------------------------------------------------------


def test_the_default_questionnaire_is_made_once_published_and_bilingual(world):
    with tenant_context(world.agency_a):
        first = questionnaire_ensure_default()
        second = questionnaire_ensure_default()
    assert first.pk == second.pk and first.is_default and first.status == "published"
    assert QuestionnaireTemplate.dangerously_all_agencies.filter(agency=world.agency_a).count() == 1
    questions = Question.dangerously_all_agencies.filter(template=first)
    assert questions.count() == len(DEFAULT_QUESTIONS)
    assert all(q.text_zh and q.text_en for q in questions)
    assert {q.kind for q in questions} == {"nps", "csat", "single", "multiple", "text"}


def test_a_new_published_version_of_the_default_becomes_the_default(world, staff_a):
    first = questionnaire_ensure_default()
    draft = questionnaire_new_version(actor=staff_a, template=first)
    question_add(actor=staff_a, template=draft, kind="text", text_zh="建议", text_en="Ideas", code="ideas")
    published = questionnaire_publish(actor=staff_a, template=draft)
    first.refresh_from_db()
    assert published.is_default and published.version == 2 and not first.is_default
    with pytest.raises(ValidationError) as exc:
        question_add(actor=staff_a, template=published, kind="text", text_zh="x", text_en="x")
    assert "status" in exc.value.message_dict


# --- answers ----------------------------------------------------------------------------------


@pytest.fixture
def open_campaign(world):
    return EvaluationCampaignFactory(client=world.client_a1)


def test_answers_are_stored_together(open_campaign):
    response = submit(open_campaign, answers(q5="douyin", q6=["content", "live"], q7="Great videos"), device="d1")
    assert response.audience == Audience.USERS
    stored = SurveyAnswer.dangerously_all_agencies.filter(response=response)
    assert stored.count() == 7
    assert stored.get(question__code="improve").choices == ["content", "live"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (answers(nps_score=11), "q1", "Score 11 is outside 0-10."),
        (answers(csat_score=0), "q2", "Score 0 is outside 1-5."),
        ({k: v for k, v in answers().items() if k != "q2"}, "q2", "This question needs an answer."),
        (answers(q5="myspace"), "q5", "myspace is not one of the choices."),
        (answers(q99="?"), "answers", "q99 is not a question of this survey."),
    ],
)
def test_a_bad_answer_is_refused_by_name_and_nothing_is_stored(open_campaign, data, field, message):
    with pytest.raises(ValidationError) as exc:
        submit(open_campaign, data, device="d1")
    assert message in exc.value.message_dict[field]
    assert not SurveyResponse.dangerously_all_agencies.exists()
    assert not SurveyAnswer.dangerously_all_agencies.exists()


def test_one_device_answers_a_campaign_once(open_campaign):
    submit(open_campaign, answers(), device="phone-1")
    with pytest.raises(ValidationError) as exc:
        submit(open_campaign, answers(), device="phone-1")
    assert "already answered" in exc.value.message_dict["survey"][0]
    submit(open_campaign, answers(), device="phone-2")
    assert SurveyResponse.dangerously_all_agencies.filter(campaign=open_campaign).count() == 2


def test_a_personal_link_answers_once_for_the_client(open_campaign):
    invitation = SurveyInvitationFactory(campaign=open_campaign)
    response = submit(open_campaign, answers(), invitation=invitation)
    assert response.audience == Audience.CLIENT
    with pytest.raises(ValidationError) as exc:
        submit(open_campaign, answers(), invitation=invitation)
    assert "already been used" in exc.value.message_dict["survey"][0]


@pytest.mark.parametrize("state", ["draft", "closed", "past"])
def test_a_survey_that_is_not_open_takes_no_answers(world, state):
    today = timezone.localdate()
    fields = {
        "draft": {"status": CampaignStatus.DRAFT, "opened_at": None},
        "closed": {"status": CampaignStatus.CLOSED},
        "past": {"opens_on": today - dt.timedelta(days=30), "closes_on": today - dt.timedelta(days=1)},
    }[state]
    campaign = EvaluationCampaignFactory(client=world.client_a1, **fields)
    with pytest.raises(ValidationError) as exc:
        submit(campaign, answers(), device="d")
    assert exc.value.message_dict["survey"] == ["This survey is not open for answers."]


def test_free_text_gets_a_sentiment_only_when_a_classifier_is_registered(open_campaign):
    from evaluation import sentiment

    installed = sentiment._classifier  # chapter 7 registers one at start-up
    register_sentiment_classifier(None)
    try:
        first = submit(open_campaign, answers(q7="太棒了"), device="a")
        assert SurveyAnswer.dangerously_all_agencies.get(response=first, question__code="comments").sentiment == ""
        register_sentiment_classifier(lambda text: "positive")
        second = submit(open_campaign, answers(q7="太棒了"), device="b")
    finally:
        register_sentiment_classifier(installed)
    assert SurveyAnswer.dangerously_all_agencies.get(response=second, question__code="comments").sentiment == "positive"


# --- results ----------------------------------------------------------------------------------


def test_nps_and_csat_follow_their_definitions():
    assert nps([10, 9, 8, 7, 6, 0]) == round(100 * (2 - 2) / 6, 1)
    assert nps([10, 10, 3]) == round(100 * (2 - 1) / 3, 1)
    assert nps([]) is None
    assert csat([5, 4, 3, 1]) == 50.0 and csat([]) is None


def test_results_by_audience_with_distribution_and_last_years_comparison(world):
    last_year = EvaluationCampaignFactory(client=world.client_a1, year=2025)
    this_year = EvaluationCampaignFactory(client=world.client_a1, year=2026, template=last_year.template)
    submit(last_year, answers(nps_score=5, csat_score=3), device="x")
    submit(this_year, answers(nps_score=10, csat_score=5), device="x")
    submit(this_year, answers(nps_score=9, csat_score=4, q5="douyin"), device="y")
    submit(this_year, answers(nps_score=2, csat_score=2), invitation=SurveyInvitationFactory(campaign=this_year))
    with tenant_context(world.agency_a):
        results = campaign_results(this_year)
    assert results["responses"] == {"client": 1, "users": 2, "total": 3}
    assert results["nps"]["users"] == 100.0 and results["nps"]["client"] == -100.0
    assert results["csat"]["client"] == 0.0 and results["csat"]["users"] == 100.0
    recommend = next(q for q in results["questions"] if q["code"] == "recommend")
    assert [d["count"] for d in recommend["distribution"] if d["count"]] == [1, 1, 1]
    assert recommend["last_year_average"] == 5.0
    platform = next(q for q in results["questions"] if q["code"] == "platform")
    assert next(d for d in platform["distribution"] if d["value"] == "douyin")["count"] == 1
    assert results["last_year"]["year"] == 2025 and results["last_year"]["nps"] == -100.0
    assert results["last_year"]["nps_change"] == round(results["nps"]["all"] + 100.0, 1)


# --- customer protection ----------------------------------------------------------------------


def test_the_deadline_follows_the_severity_and_the_agencys_own_hours(world, staff_a):
    complaint = complaint_file(
        actor=staff_a,
        client=world.client_a1,
        subject="Late",
        description="Late video",
        category="delivery",
        severity=Severity.CRITICAL,
    )
    hours = COMPLAINT_RESOLVE_HOURS[Severity.CRITICAL].default
    assert complaint.resolve_by - complaint.received_at == dt.timedelta(hours=hours)
    world.agency_a.settings = {COMPLAINT_RESOLVE_HOURS[Severity.CRITICAL].key: hours + 6}
    world.agency_a.save()
    with acting(world.staff_a, world.agency_a) as actor:
        again = complaint_file(
            actor=actor,
            client=world.client_a1,
            subject="Late",
            description="Again",
            category="delivery",
            severity=Severity.CRITICAL,
        )
    assert again.resolve_by - again.received_at == dt.timedelta(hours=hours + 6)


def test_a_complaint_cannot_be_received_in_the_future(world, staff_a):
    with pytest.raises(ValidationError) as exc:
        complaint_file(
            actor=staff_a,
            client=world.client_a1,
            subject="x",
            description="y",
            category="other",
            received_at=timezone.now() + dt.timedelta(days=1),
        )
    assert "received_at" in exc.value.message_dict


def test_overdue_complaints_escalate_one_level_at_a_time_and_only_once(world, staff_a, mailoutbox):
    complaint = complaint_file(
        actor=staff_a,
        client=world.client_a1,
        subject="Late",
        description="x",
        category="delivery",
        severity=Severity.HIGH,
    )
    window = complaint.resolve_by - complaint.received_at
    just_late = complaint.resolve_by + dt.timedelta(minutes=1)
    assert complaints_escalate_overdue(now=complaint.resolve_by - dt.timedelta(minutes=1)) == []
    assert [c.pk for c in complaints_escalate_overdue(now=just_late)] == [complaint.pk]
    assert complaints_escalate_overdue(now=just_late) == []  # idempotent
    very_late = complaint.resolve_by + window + dt.timedelta(minutes=1)
    assert [c.escalation_level for c in complaints_escalate_overdue(now=very_late)] == [TOP_ESCALATION_LEVEL]
    assert complaints_escalate_overdue(now=very_late + window) == []


def test_a_resolved_complaint_is_not_escalated_and_rejection_reopens_it(world, staff_a):
    complaint = complaint_file(
        actor=staff_a, client=world.client_a1, subject="Late", description="x", category="delivery"
    )
    complaint_resolve(actor=staff_a, complaint=complaint, resolution="Reposted", compensation="A free video")
    assert complaints_escalate_overdue(now=complaint.resolve_by + dt.timedelta(days=30)) == []
    reopened = complaint_confirm(actor=staff_a, complaint=complaint, accepted=False, note="Still late")
    assert reopened.status == ComplaintStatus.OPEN and reopened.resolved_at is None


# --- improvement (10.2) -----------------------------------------------------------------------


def _cycle(world, actor, **kwargs):
    campaign = EvaluationCampaignFactory(client=world.client_a1)
    return improvement_cycle_open(
        actor=actor, client=world.client_a1, finding="Replies are slow", source="low_score", campaign=campaign, **kwargs
    )


def _complete_new_action(world, actor, cycle, text="Name an inbox owner"):
    action = improvement_action_add(
        actor=actor,
        cycle=cycle,
        root_cause="No owner",
        action=text,
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    return improvement_action_complete(actor=actor, action=action, evidence="Roster published")


def test_completing_an_action_schedules_a_follow_up_within_the_month(world, staff_a):
    cycle = _cycle(world, staff_a)
    action = _complete_new_action(world, staff_a, cycle)
    follow_up = action.follow_up
    completed_on = timezone.localdate(action.completed_at, timezone=world.agency_a.tz)
    assert follow_up.kind == CampaignKind.FOLLOW_UP and follow_up.status == CampaignStatus.DRAFT
    assert follow_up.due_by == completed_on + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS)
    assert follow_up.opens_on == completed_on + dt.timedelta(days=FOLLOW_UP_WAIT_DAYS.default)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.FOLLOW_UP
    second = _complete_new_action(world, staff_a, cycle, text="Reply templates")
    assert second.follow_up_id == follow_up.pk  # one pending follow-up checks both


def test_a_follow_up_cannot_be_moved_past_thirty_days(world, staff_a):
    follow_up = _complete_new_action(world, staff_a, _cycle(world, staff_a)).follow_up
    too_late = follow_up.due_by + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        follow_up_reschedule(actor=staff_a, campaign=follow_up, opens_on=too_late)
    assert f"within {FOLLOW_UP_WITHIN_DAYS} days" in exc.value.message_dict["opens_on"][0]
    follow_up.refresh_from_db()
    assert follow_up.opens_on <= follow_up.due_by
    moved = follow_up_reschedule(actor=staff_a, campaign=follow_up, opens_on=follow_up.due_by)
    assert moved.opens_on == follow_up.due_by


def _answer_follow_up(follow_up, *, client_csat: int, users_csat: int):
    follow_up = campaign_launch(actor=None, campaign=follow_up)
    submit(follow_up, answers(csat_score=users_csat), device="user-1")
    submit(follow_up, answers(csat_score=client_csat), invitation=SurveyInvitationFactory(campaign=follow_up))
    return campaign_close_and_decide(actor=None, campaign=follow_up)


def test_the_cycle_reopens_below_the_threshold_and_closes_when_both_audiences_are_satisfied(world, staff_a):
    cycle = _cycle(world, staff_a)
    first = _complete_new_action(world, staff_a, cycle).follow_up
    first = _answer_follow_up(first, client_csat=5, users_csat=2)  # users are not satisfied yet
    first.refresh_from_db()
    cycle.refresh_from_db()
    assert first.outcome_met is False and float(first.users_satisfaction) < SATISFACTION_THRESHOLD.default
    assert cycle.status == CycleStatus.OPEN and cycle.round == 2

    second_action = _complete_new_action(world, staff_a, cycle, text="Reply within an hour")
    assert second_action.round == 2 and second_action.follow_up_id != first.pk
    second = _answer_follow_up(second_action.follow_up, client_csat=5, users_csat=5)
    second.refresh_from_db()
    cycle.refresh_from_db()
    assert second.outcome_met is True and second.round == 2
    assert cycle.status == CycleStatus.CLOSED and cycle.closed_at is not None
    with pytest.raises(ValidationError):
        improvement_action_add(actor=staff_a, cycle=cycle, root_cause="x", action="y", due_date=timezone.localdate())


def _half_satisfied_users(world, actor) -> EvaluationCampaign:
    """A follow-up where the client is satisfied and half the users are (CSAT 50%)."""
    follow_up = _complete_new_action(world, actor, _cycle(world, actor)).follow_up
    follow_up = campaign_launch(actor=None, campaign=follow_up)
    submit(follow_up, answers(csat_score=5), device="user-1")
    submit(follow_up, answers(csat_score=3), device="user-2")
    submit(follow_up, answers(csat_score=5), invitation=SurveyInvitationFactory(campaign=follow_up))
    campaign_close_and_decide(actor=None, campaign=follow_up)
    return EvaluationCampaign.objects.select_related("cycle").get(pk=follow_up.pk)


def test_the_agencys_own_threshold_decides(world, staff_a):
    assert SATISFACTION_THRESHOLD.default > 50
    strict = _half_satisfied_users(world, staff_a)
    assert float(strict.users_satisfaction) == 50.0
    assert strict.outcome_met is False and strict.cycle.status == CycleStatus.OPEN
    world.agency_a.settings = {SATISFACTION_THRESHOLD.key: 50}
    world.agency_a.save()
    with acting(world.staff_a, world.agency_a) as actor:
        lenient = _half_satisfied_users(world, actor)
    assert lenient.outcome_met is True and lenient.cycle.status == CycleStatus.CLOSED


def test_a_follow_up_without_answers_from_the_client_does_not_close_the_cycle(world, staff_a):
    cycle = _cycle(world, staff_a)
    follow_up = campaign_launch(actor=None, campaign=_complete_new_action(world, staff_a, cycle).follow_up)
    submit(follow_up, answers(csat_score=5), device="user-1")
    campaign_close_and_decide(actor=None, campaign=follow_up)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN and cycle.round == 2


def test_the_command_gives_every_agency_its_default_questionnaire_once(world, capsys):
    from django.core.management import call_command

    call_command("ensure_default_questionnaires")
    call_command("ensure_default_questionnaires")
    defaults = QuestionnaireTemplate.dangerously_all_agencies.filter(is_default=True)
    assert sorted(defaults.values_list("agency_id", flat=True)) == sorted([world.agency_a.pk, world.agency_b.pk])
    assert QuestionnaireTemplate.dangerously_all_agencies.count() == 2
    assert "agency-a" in capsys.readouterr().out
