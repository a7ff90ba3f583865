"""Reads of clause 10.1: a campaign's results (responses by audience, NPS, CSAT, each question's
distribution, free text with its sentiment, the comparison with last year) and the satisfaction
by audience that decides a follow-up survey (10.2). Each runs a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q

from agency.models import within_agency
from evaluation.models import (
    CSAT_SATISFIED_MIN,
    NPS_DETRACTOR_MAX,
    NPS_PROMOTER_MIN,
    Audience,
    CampaignKind,
    EvaluationCampaign,
    Question,
    QuestionKind,
    QuestionnaireTemplate,
    SurveyAnswer,
    SurveyResponse,
)
from evaluation.sentiment import sentiment_classifier_available, sentiment_label

TEXTS_SHOWN = 200  # free-text answers listed per question on the results page


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def nps(scores: list[int]) -> float | None:
    """Net Promoter Score: % promoters − % detractors, from −100 to 100 (None without answers)."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= NPS_PROMOTER_MIN)
    detractors = sum(1 for s in scores if s <= NPS_DETRACTOR_MAX)
    return round(100.0 * (promoters - detractors) / len(scores), 1)


def csat(scores: list[int]) -> float | None:
    """Customer satisfaction: the % of answers of 4 or 5 on the 1-5 scale (None without answers)."""
    return _percent(sum(1 for s in scores if s >= CSAT_SATISFIED_MIN), len(scores))


def campaign_questionnaire(campaign: EvaluationCampaign) -> QuestionnaireTemplate:
    """The questionnaire of a campaign the caller may already see (see ``campaign_questions``)."""
    with within_agency(campaign.agency_id):
        return QuestionnaireTemplate.objects.get(pk=campaign.template_id)


def campaign_questions(campaign: EvaluationCampaign) -> list[Question]:
    """The questions of a campaign the caller may already see, in order.

    Read inside the campaign's own agency as its staff see it, and only this narrowly (the
    campaign's questionnaire): questionnaires are agency-internal rows that row-level security
    hides from client people, yet a client's people may read the questions of their own
    campaign's results, as anyone holding its public link reads them."""
    with within_agency(campaign.agency_id):
        return list(Question.objects.filter(template_id=campaign.template_id).order_by("position"))


def audience_satisfaction(campaign: EvaluationCampaign, questions: list[Question] | None = None) -> dict[str, dict]:
    """Per audience: how many responded and the CSAT of their answers (10.2 decides on this)."""
    questions = campaign_questions(campaign) if questions is None else questions
    csat_ids = [q.pk for q in questions if q.kind == QuestionKind.CSAT]
    responses = dict(
        SurveyResponse.objects.filter(campaign=campaign)
        .order_by()
        .values_list("audience")
        .annotate(n=Count("id"))
        .values_list("audience", "n")
    )
    rows = (
        SurveyAnswer.objects.filter(response__campaign=campaign, question_id__in=csat_ids, score__isnull=False)
        .order_by()
        .values("response__audience")
        .annotate(total=Count("id"), satisfied=Count("id", filter=Q(score__gte=CSAT_SATISFIED_MIN)))
    )
    scores = {row["response__audience"]: _percent(row["satisfied"], row["total"]) for row in rows}
    return {
        audience: {"responses": responses.get(audience, 0), "csat": scores.get(audience)}
        for audience in Audience.values
    }


def _scores(campaign: EvaluationCampaign, questions: list[Question]) -> dict:
    """All answers of a campaign in one query, grouped for the figures."""
    by_id = {q.pk: q for q in questions}
    answers = list(
        SurveyAnswer.objects.filter(response__campaign=campaign)
        .order_by("-response__submitted_at", "pk")
        .values("question_id", "score", "choices", "text", "sentiment", "response__audience")
    )
    by_question: dict[int, list[dict]] = defaultdict(list)
    kind_scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_code: dict[str, list[int]] = defaultdict(list)
    for answer in answers:
        question = by_id.get(answer["question_id"])
        if question is None:
            continue
        by_question[question.pk].append(answer)
        if answer["score"] is not None:
            kind_scores[(question.kind, answer["response__audience"])].append(answer["score"])
            kind_scores[(question.kind, "all")].append(answer["score"])
            by_code[question.code].append(answer["score"])
    return {"by_question": by_question, "kind_scores": kind_scores, "by_code": by_code}


def _headline(kind_scores) -> dict:
    audiences = ["all", *Audience.values]
    return {
        "nps": {a: nps(kind_scores.get((QuestionKind.NPS, a), [])) for a in audiences},
        "csat": {a: csat(kind_scores.get((QuestionKind.CSAT, a), [])) for a in audiences},
    }


def previous_campaign(campaign: EvaluationCampaign) -> EvaluationCampaign | None:
    """Last year's yearly evaluation of the same client."""
    return (
        EvaluationCampaign.objects.filter(
            client_id=campaign.client_id, kind=CampaignKind.YEARLY, year=campaign.year - 1
        )
        .exclude(pk=campaign.pk)
        .first()
    )


def _delta(now, then):
    return round(now - then, 1) if now is not None and then is not None else None


def campaign_results(campaign: EvaluationCampaign) -> dict:
    """Everything the results page and the API show for one campaign, in plain data."""
    questions = campaign_questions(campaign)
    responses = audience_satisfaction(campaign, questions)
    data = _scores(campaign, questions)
    headline = _headline(data["kind_scores"])
    previous = previous_campaign(campaign)
    before = _scores(previous, campaign_questions(previous)) if previous is not None else None
    before_headline = _headline(before["kind_scores"]) if before else None
    rows = []
    for question in questions:
        answers = data["by_question"].get(question.pk, [])
        row = {
            "key": question.key,
            "code": question.code,
            "kind": question.kind,
            "text": question.text,
            "answered": len(answers),
        }
        if question.scale:
            low, high = question.scale
            counts = Counter(a["score"] for a in answers)
            row["distribution"] = [
                {
                    "value": v,
                    "label": str(v),
                    "count": counts.get(v, 0),
                    "percent": _percent(counts.get(v, 0), len(answers)),
                }
                for v in range(low, high + 1)
            ]
            scores = [a["score"] for a in answers]
            row["average"] = round(sum(scores) / len(scores), 2) if scores else None
            row["score"] = nps(scores) if question.kind == QuestionKind.NPS else csat(scores)
            last = before["by_code"].get(question.code) if before else None
            row["last_year_average"] = round(sum(last) / len(last), 2) if last else None
            row["change"] = _delta(row["average"], row["last_year_average"])
        elif question.choices:
            counts = Counter(value for a in answers for value in a["choices"])
            row["distribution"] = [
                {
                    "value": value,
                    "label": label,
                    "count": counts.get(value, 0),
                    "percent": _percent(counts.get(value, 0), len(answers)),
                }
                for value, label in question.choice_labels()
            ]
        else:
            row["texts"] = [
                {
                    "text": a["text"],
                    "sentiment": a["sentiment"] or None,
                    "sentiment_label": sentiment_label(a["sentiment"]),
                    "audience": a["response__audience"],
                }
                for a in answers[:TEXTS_SHOWN]
            ]
            row["sentiment"] = dict(Counter(a["sentiment"] for a in answers if a["sentiment"]))
            row["sentiment_shown"] = [(sentiment_label(code), count) for code, count in row["sentiment"].items()]
        rows.append(row)
    return {
        "campaign": {"year": campaign.year, "kind": campaign.kind, "status": campaign.status},
        "responses": {
            **{a: v["responses"] for a, v in responses.items()},
            "total": sum(v["responses"] for v in responses.values()),
        },
        "nps": headline["nps"],
        "csat": headline["csat"],
        "satisfaction_by_audience": responses,
        "questions": rows,
        "sentiment_available": sentiment_classifier_available(),
        "last_year": None
        if previous is None
        else {
            "year": previous.year,
            "nps": before_headline["nps"]["all"],
            "csat": before_headline["csat"]["all"],
            "nps_change": _delta(headline["nps"]["all"], before_headline["nps"]["all"]),
            "csat_change": _delta(headline["csat"]["all"], before_headline["csat"]["all"]),
        },
    }
