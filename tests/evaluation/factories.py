"""Factories of chapter 10, and their entries in ``tests.factories.ROW_MAKERS``.

The isolation rows fill every relation (a follow-up campaign with its cycle, a cycle with its
campaign, question and complaint, ...), so that the mixin's filter proofs see a target on each."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from evaluation.defaults import DEFAULT_QUESTIONS
from evaluation.models import (
    Audience,
    CampaignKind,
    CampaignStatus,
    Complaint,
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
from tests.factories import ROW_MAKERS, ClientFactory, TenantFactory


class QuestionnaireTemplateFactory(TenantFactory):
    class Meta:
        model = QuestionnaireTemplate

    agency = factory.SubFactory("tests.factories.AgencyFactory")
    family = factory.Sequence(lambda n: f"survey-{n}")
    version = 1
    title_zh = "服务评价"
    title_en = "Service survey"
    status = TemplateStatus.DRAFT


class QuestionFactory(TenantFactory):
    class Meta:
        model = Question

    template = factory.SubFactory(QuestionnaireTemplateFactory)
    agency = factory.SelfAttribute("template.agency")
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"code{n}")
    kind = "csat"
    text_zh = "您满意吗？"
    text_en = "Are you satisfied?"


def published_template(agency, *, default: bool = False) -> QuestionnaireTemplate:
    """A published questionnaire with the product's default questions."""
    template = QuestionnaireTemplateFactory(
        agency=agency, status=TemplateStatus.PUBLISHED, published_at=timezone.now(), is_default=default
    )
    for position, spec in enumerate(DEFAULT_QUESTIONS, start=1):
        QuestionFactory(template=template, position=position, **spec)
    return template


class EvaluationCampaignFactory(TenantFactory):
    class Meta:
        model = EvaluationCampaign

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    kind = CampaignKind.YEARLY
    year = factory.Sequence(lambda n: 1900 + n)
    template = factory.LazyAttribute(lambda o: published_template(o.agency))
    status = CampaignStatus.OPEN
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))
    opened_at = factory.LazyFunction(timezone.now)


class SurveyInvitationFactory(TenantFactory):
    class Meta:
        model = SurveyInvitation

    campaign = factory.SubFactory(EvaluationCampaignFactory)
    agency = factory.SelfAttribute("campaign.agency")
    client = factory.SelfAttribute("campaign.client")
    email = factory.Sequence(lambda n: f"person{n}@client.test")
    name = "Client person"


class SurveyResponseFactory(TenantFactory):
    class Meta:
        model = SurveyResponse

    campaign = factory.SubFactory(EvaluationCampaignFactory)
    agency = factory.SelfAttribute("campaign.agency")
    client = factory.SelfAttribute("campaign.client")
    audience = Audience.USERS
    submitted_at = factory.LazyFunction(timezone.now)


class SurveyAnswerFactory(TenantFactory):
    class Meta:
        model = SurveyAnswer

    response = factory.SubFactory(SurveyResponseFactory)
    agency = factory.SelfAttribute("response.agency")
    client = factory.SelfAttribute("response.client")
    question = factory.LazyAttribute(
        lambda o: (
            Question.dangerously_all_agencies.filter(template=o.response.campaign.template).order_by("position").first()
        )
    )
    score = 9


class ServiceGuaranteeFactory(TenantFactory):
    class Meta:
        model = ServiceGuarantee

    agency = factory.SubFactory("tests.factories.AgencyFactory")
    title_zh = factory.Sequence(lambda n: f"四小时响应 {n}")
    title_en = factory.Sequence(lambda n: f"Answer within four hours {n}")
    response_hours = 4
    compensation_rule = "One free video per missed promise."


class ComplaintFactory(TenantFactory):
    class Meta:
        model = Complaint

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    source = "client"
    channel = "phone"
    category = "service_quality"
    severity = "medium"
    subject = factory.Sequence(lambda n: f"Complaint {n}")
    description = "The weekly video was late."
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    respond_by = factory.LazyAttribute(lambda o: o.received_at + dt.timedelta(hours=24))
    resolve_by = factory.LazyAttribute(lambda o: o.received_at + dt.timedelta(days=7))


class ImprovementCycleFactory(TenantFactory):
    class Meta:
        model = ImprovementCycle

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    finding = factory.Sequence(lambda n: f"Finding {n}")
    source = "low_score"
    opened_at = factory.LazyFunction(timezone.now)


class ImprovementActionFactory(TenantFactory):
    class Meta:
        model = ImprovementAction

    cycle = factory.SubFactory(ImprovementCycleFactory)
    agency = factory.SelfAttribute("cycle.agency")
    client = factory.SelfAttribute("cycle.client")
    round = 1
    root_cause = "No one owned the replies."
    action = "Name a reply owner per account."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))


# --- complete rows for the isolation mixin ---------------------------------------------------


def full_cycle(agency, client) -> ImprovementCycle:
    """A cycle that names its campaign, the campaign's question and a complaint."""
    campaign = EvaluationCampaignFactory(client=client)
    return ImprovementCycleFactory(
        client=client,
        campaign=campaign,
        question=Question.dangerously_all_agencies.filter(template=campaign.template).first(),
        complaint=ComplaintFactory(client=client, campaign=campaign),
    )


def full_follow_up(agency, client) -> EvaluationCampaign:
    cycle = ImprovementCycleFactory(client=client)
    today = timezone.localdate()
    return EvaluationCampaignFactory(
        client=client,
        kind=CampaignKind.FOLLOW_UP,
        cycle=cycle,
        round=1,
        status=CampaignStatus.DRAFT,
        opened_at=None,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        due_by=today + dt.timedelta(days=20),
    )


def full_response(agency, client) -> SurveyResponse:
    invitation = SurveyInvitationFactory(campaign=EvaluationCampaignFactory(client=client))
    return SurveyResponseFactory(campaign=invitation.campaign, audience=Audience.CLIENT, invitation=invitation)


def full_complaint(agency, client) -> Complaint:
    campaign = EvaluationCampaignFactory(client=client)
    return ComplaintFactory(client=client, campaign=campaign, guarantee=ServiceGuaranteeFactory(agency=client.agency))


def full_action(agency, client) -> ImprovementAction:
    follow_up = full_follow_up(agency, client)
    return ImprovementActionFactory(cycle=follow_up.cycle, follow_up=follow_up)


ROW_MAKERS.update(
    {
        QuestionnaireTemplate: lambda agency, client: QuestionnaireTemplateFactory(agency=agency),
        Question: lambda agency, client: QuestionFactory(template=QuestionnaireTemplateFactory(agency=agency)),
        EvaluationCampaign: full_follow_up,
        SurveyInvitation: lambda agency, client: SurveyInvitationFactory(
            campaign=EvaluationCampaignFactory(client=client)
        ),
        SurveyResponse: full_response,
        SurveyAnswer: lambda agency, client: SurveyAnswerFactory(response=full_response(agency, client)),
        ServiceGuarantee: lambda agency, client: ServiceGuaranteeFactory(agency=agency),
        Complaint: full_complaint,
        ImprovementCycle: full_cycle,
        ImprovementAction: full_action,
    }
)
