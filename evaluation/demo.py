"""Demo data of chapter 10 (evaluation and improvement), made by ``manage.py seed_demo`` through
``evaluation.services`` (and, for the agency's guarantee, the page's form).

- 10.1 the default questionnaire; for every active client this year's evaluation, sent, with a few
  answers from platform users through its public link; a service guarantee; for the client whose
  people have demo logins, one complaint resolved and confirmed by the client, and one open
  complaint of a platform user, answered within the guarantee's hours;
- 10.2 an improvement cycle opened from the evaluation's low score on responsiveness, with one
  action done (its follow-up survey is scheduled within the month) and one under way.

The client's own people answer through personal invitations sent by email; the demo leaves
those out so that seeding sends no email. Idempotent: campaigns are looked up by client and year,
complaints, guarantees and findings by their subject or title.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import Actor, tenant_context
from clients.models import Client, ClientStatus
from evaluation.forms.complaints import GuaranteeForm
from evaluation.models import (
    ActionStatus,
    CampaignKind,
    CampaignStatus,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintSource,
    EvaluationCampaign,
    FindingSource,
    ImprovementCycle,
    QuestionKind,
    QuestionnaireTemplate,
    ServiceGuarantee,
    Severity,
)
from evaluation.services import campaigns, complaints, followups, improvement, questionnaires

# How far back this year's evaluation was sent (never before the 1st of January).
SENT_DAYS_AGO = 12

GUARANTEE = {
    "title_zh": "投诉 4 小时内响应",
    "title_en": "Complaints answered within 4 hours",
    "description_zh": "工作日和周末，客户或用户的投诉在 4 小时内得到首次答复。",
    "description_en": "Every complaint of a client or a user gets its first answer within 4 hours, weekends included.",
    "response_hours": 4,
    "rule_zh": "超时未响应：当月服务费减免 5%。",
    "rule_en": "If we are late: 5% off that month's service fee.",
}

# Platform users' answers, by question code (three per client).
ANSWERS = {
    "zh": [
        {
            "recommend": 9,
            "overall": 5,
            "content": 5,
            "responsiveness": 3,
            "improve": ["replies"],
            "comments": "视频拍得很有食欲，就是私信回得有点慢。",
        },
        {
            "recommend": 7,
            "overall": 4,
            "content": 4,
            "responsiveness": 2,
            "improve": ["replies", "offers"],
            "comments": "团购信息更新不及时，问了两次才有人回。",
        },
        {"recommend": 10, "overall": 5, "content": 5, "responsiveness": 4, "improve": ["frequency"], "comments": ""},
    ],
    "en": [
        {
            "recommend": 9,
            "overall": 5,
            "content": 5,
            "responsiveness": 3,
            "improve": ["replies"],
            "comments": "Lovely videos; replies to messages could be quicker.",
        },
        {
            "recommend": 6,
            "overall": 4,
            "content": 4,
            "responsiveness": 2,
            "improve": ["replies", "offers"],
            "comments": "I asked about the voucher twice before anyone answered.",
        },
        {"recommend": 10, "overall": 5, "content": 5, "responsiveness": 4, "improve": ["frequency"], "comments": ""},
    ],
}

CASES = {
    "zh": {
        "resolved": {
            "subject": "团购视频里的价格和门店不一致",
            "description": "视频里写双人套餐 158 元，到店后门店说是 168 元，顾客有意见。",
            "category": ComplaintCategory.CONTENT,
            "severity": Severity.HIGH,
            "resolution": "视频字幕已改为 168 元并置顶说明；已为受影响的 6 位顾客补差价。",
            "compensation": "赠送一次 DOU+ 加热（价值 300 元）。",
            "amount": Decimal("300.00"),
            "confirmation": "处理得很及时，谢谢。",
        },
        "open": {
            "subject": "团购券到店无法核销",
            "description": "用户私信说昨晚到店，团购券扫码提示失效，最后按原价结账。",
            "category": ComplaintCategory.PRODUCT,
            "severity": Severity.MEDIUM,
            "complainant": "成都妹儿",
            "contact": "抖音私信 dy_u_77310",
            "response": "已联系门店和平台核实核销记录，今天内给您答复，差价会退还。",
        },
        "finding": "私信和评论回复慢",
        "finding_description": "年度评价里“回复速度”只有三分之一的用户满意，两条留言都提到私信回复慢。",
        "actions": [
            (
                "晚高峰只有一名运营值守私信，且没有自动回复。",
                "上线首次私信问候和关键词自动回复；晚高峰增加一名值守。",
                7,
                "自动回复规则已上线，私信首次响应中位数从 25 分钟降到 1 分钟以内。",
            ),
            ("未回复的私信没有人复盘。", "每周一复盘上周未回复和超时的私信，结果发给客户。", 21, None),
        ],
    },
    "en": {
        "resolved": {
            "subject": "Voucher price in the video did not match the store",
            "description": "The video said the two-drink voucher was 35; the store charged 39.90.",
            "category": ComplaintCategory.CONTENT,
            "severity": Severity.HIGH,
            "resolution": "Caption corrected to 39.90 with a pinned comment; the difference refunded to 4 guests.",
            "compensation": "One free boost of the corrected video (worth 150).",
            "amount": Decimal("150.00"),
            "confirmation": "Quick and fair, thank you.",
        },
        "open": {
            "subject": "Voucher could not be redeemed in store",
            "description": "A user wrote that the QR code of her voucher was refused at the till yesterday.",
            "category": ComplaintCategory.PRODUCT,
            "severity": Severity.MEDIUM,
            "complainant": "anna.w",
            "contact": "TikTok message tt_u_66102",
            "response": "We are checking the redemption log with the store and the platform; you'll hear back today.",
        },
        "finding": "Slow replies to messages and comments",
        "finding_description": "Only a third of users were satisfied with how quickly questions are answered; "
        "two comments name slow replies to messages.",
        "actions": [
            (
                "One operator covered messages at the morning peak, with no auto-replies.",
                "Turn on the first-message greeting and keyword replies; add cover at the morning peak.",
                7,
                "Auto-reply rules are live; the median first response fell from 20 minutes to under one.",
            ),
            (
                "Nobody reviewed unanswered messages.",
                "Every Monday, review last week's unanswered and late messages and send the client the result.",
                21,
                None,
            ),
        ],
    },
}


def _lang(agency: Agency) -> str:
    return "zh" if agency.language.startswith("zh") else "en"


def _actor(agency: Agency, user) -> Actor:
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


def _as(actor: Actor):
    return tenant_context(actor.agency, actor=actor, channel="command")


def _guarantee(agency: Agency, manager: Actor, made: Counter) -> ServiceGuarantee:
    existing = ServiceGuarantee.objects.filter(title_zh=GUARANTEE["title_zh"]).first()
    if existing is not None:
        return existing
    lang = _lang(agency)
    form = GuaranteeForm(
        data={
            "title_zh": GUARANTEE["title_zh"],
            "title_en": GUARANTEE["title_en"],
            "description": GUARANTEE[f"description_{lang}"],
            "response_hours": str(GUARANTEE["response_hours"]),
            "compensation_rule": GUARANTEE[f"rule_{lang}"],
            "is_active": "on",
        },
        actor=manager,
    )
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    made["service guarantees"] += 1
    return form.save()


def _answers(campaign: EvaluationCampaign, wanted: dict, platform: str) -> dict:
    """The answer of each question by its key, from answers given by question code."""
    answers = {}
    for question in campaign.template.questions.order_by("position"):
        value = wanted.get(question.code)
        if question.code == "platform":
            values = [value for value, _label in question.choice_labels()]
            value = platform if platform in values else "other"
        if value in (None, "", []):
            if not question.required:
                continue
            value = {QuestionKind.NPS: 8, QuestionKind.CSAT: 4}.get(question.kind)
            if value is None:
                choices = [value for value, _label in question.choice_labels()]
                value = choices[:1] if question.kind == QuestionKind.MULTIPLE else (choices[0] if choices else "—")
        answers[question.key] = value
    return answers


def _yearly(agency: Agency, client: Client, manager: Actor, today: dt.date, made: Counter) -> EvaluationCampaign:
    campaign = EvaluationCampaign.objects.filter(client=client, kind=CampaignKind.YEARLY, year=today.year).first()
    if campaign is None:
        opens_on = max(today - dt.timedelta(days=SENT_DAYS_AGO), dt.date(today.year, 1, 1))
        with _as(manager):
            campaign = campaigns.campaign_create(actor=manager, client=client, year=today.year, opens_on=opens_on)
            campaign = campaigns.campaign_launch(actor=manager, campaign=campaign)
        made["yearly campaigns"] += 1
    if campaign.status != CampaignStatus.OPEN or campaign.responses.exists():
        return campaign
    platform = client.accounts.order_by("-followers", "pk").values_list("platform", flat=True).first() or "other"
    # Platform users answer through the public link, each from their own device.
    for number, wanted in enumerate(ANSWERS[_lang(agency)], start=1):
        campaigns.survey_submit(
            campaign=campaign, answers=_answers(campaign, wanted, platform), device=f"demo-{client.pk}-{number}"
        )
        made["survey responses"] += 1
    return campaign


def _complaints(agency, client, manager, operator, approver, guarantee, made) -> None:
    text = CASES[_lang(agency)]
    resolved = text["resolved"]
    if approver is not None and not Complaint.objects.filter(client=client, subject=resolved["subject"]).exists():
        with _as(approver):  # the client files it in the client area
            complaint = complaints.complaint_file(
                actor=approver,
                client=client,
                subject=resolved["subject"],
                description=resolved["description"],
                category=resolved["category"],
                severity=resolved["severity"],
            )
        with _as(manager):
            complaints.complaint_change(actor=manager, complaint=complaint, owner=manager.user)
            complaints.complaint_resolve(
                actor=manager,
                complaint=complaint,
                resolution=resolved["resolution"],
                compensation=resolved["compensation"],
                compensation_amount=resolved["amount"],
            )
        with _as(approver):
            complaints.complaint_confirm(
                actor=approver, complaint=complaint, accepted=True, note=resolved["confirmation"]
            )
        made["complaints"] += 1
    waiting = text["open"]
    if not Complaint.objects.filter(client=client, subject=waiting["subject"]).exists():
        with _as(operator):
            complaint = complaints.complaint_file(
                actor=operator,
                client=client,
                subject=waiting["subject"],
                description=waiting["description"],
                category=waiting["category"],
                severity=waiting["severity"],
                source=ComplaintSource.USER,
                channel=ComplaintChannel.PLATFORM_MESSAGE,
                complainant_name=waiting["complainant"],
                complainant_contact=waiting["contact"],
                guarantee=guarantee,
                owner=operator.user,
                received_at=timezone.now() - dt.timedelta(hours=2),
            )
            complaints.complaint_respond(actor=operator, complaint=complaint, response=waiting["response"])
        made["complaints"] += 1


def _improvement(agency, client, campaign, manager, operator, today, made) -> None:
    text = CASES[_lang(agency)]
    if ImprovementCycle.objects.filter(client=client, finding=text["finding"]).exists():
        return
    question = campaign.template.questions.filter(code="responsiveness").first()
    with _as(manager):
        cycle = improvement.improvement_cycle_open(
            actor=manager,
            client=client,
            finding=text["finding"],
            source=FindingSource.LOW_SCORE,
            description=text["finding_description"],
            campaign=campaign,
            question=question,
        )
    made["improvement cycles"] += 1
    with _as(operator):
        for root_cause, action_text, due_in, evidence in text["actions"]:
            action = improvement.improvement_action_add(
                actor=operator,
                cycle=cycle,
                root_cause=root_cause,
                action=action_text,
                due_date=today + dt.timedelta(days=due_in),
                owner=operator.user,
            )
            made["improvement actions"] += 1
            if evidence:
                followups.improvement_action_complete(actor=operator, action=action, evidence=evidence)
            else:
                improvement.improvement_action_change(
                    actor=operator, improvement=action, status=ActionStatus.IN_PROGRESS
                )


def seed(*, agency: Agency, clients: list[Client], people: dict) -> Counter:
    """Make the chapter 10 demo rows of ``agency``'s clients (idempotent); returns what was made."""
    made: Counter = Counter()
    today = agency.today()
    manager = _actor(agency, people[Role.ACCOUNT_MANAGER])
    operator = _actor(agency, people[Role.OPERATOR])
    with translation.override(agency.language):
        had_questionnaire = QuestionnaireTemplate.objects.filter(is_default=True).exists()
        questionnaires.questionnaire_ensure_default()
        made["default questionnaires"] += 0 if had_questionnaire else 1
        guarantee = _guarantee(agency, manager, made)
        yearly = {}
        for client in clients:
            if client.status == ClientStatus.ACTIVE:
                yearly[client.pk] = _yearly(agency, client, manager, today, made)
        # The client whose people have demo logins: its complaints and its improvement.
        approver_user = people.get(Role.CLIENT_APPROVER)
        membership = Membership.objects.filter(user=approver_user, agency=agency).first() if approver_user else None
        client = next((c for c in clients if membership and c.pk == membership.client_id), None)
        if client is not None and client.pk in yearly:
            _complaints(agency, client, manager, operator, membership.as_actor(), guarantee, made)
            _improvement(agency, client, yearly[client.pk], manager, operator, today, made)
    return made
