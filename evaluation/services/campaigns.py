"""Writes on evaluation campaigns (clause 10.1): creating the yearly campaign, sending it
(personal invitations by email, the public link for users), taking answers, closing it; and the
daily work that makes sure every active client is evaluated each calendar year."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agency.models import Agency, Membership
from agency.outbox import task_named
from agency.services import UNCHANGED, given, validated_save
from agency.tasks import enqueue
from agency.tenancy import Actor, require_agency
from clients.models import Client, ClientStatus
from evaluation.models import (
    Audience,
    CampaignKind,
    CampaignStatus,
    EvaluationCampaign,
    Question,
    QuestionKind,
    QuestionnaireTemplate,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    TemplateStatus,
)
from evaluation.models.questionnaires import CHOICE_KINDS, TEXT_ANSWER_MAX_LENGTH
from evaluation.notifications import notify_on_commit, public_url
from evaluation.rules import (
    EVALUATION_MONTH,
    EVALUATION_OPEN_DAYS,
    EVALUATION_YEAR_END_WARNING_DAYS,
    FOLLOW_UP_OPEN_DAYS,
    FOLLOW_UP_WITHIN_DAYS,
)
from evaluation.sentiment import classify_sentiment
from evaluation.services.common import managers_of
from evaluation.services.questionnaires import questionnaire_ensure_default

SEND_INVITATIONS_TASK = "evaluation.tasks.campaign_send_invitations_task"


def _published(template: QuestionnaireTemplate | None) -> QuestionnaireTemplate:
    if template is None:
        return questionnaire_ensure_default()
    if template.status != TemplateStatus.PUBLISHED:
        raise ValidationError(
            {
                "template": _("Only a published questionnaire can be sent; version %(v)d is %(s)s.")
                % {"v": template.version, "s": template.get_status_display()}
            }
        )
    return template


def _insert(row, error: dict):
    """Save ``row`` in a savepoint, turning a lost race on a unique constraint into ``error``."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(error)
    return row


@transaction.atomic
def campaign_create(
    *,
    actor: Actor | None,
    client: Client,
    year: int,
    template: QuestionnaireTemplate | None = None,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
) -> EvaluationCampaign:
    """Plan the yearly evaluation of ``client`` for ``year`` (10.1). One per client and year."""
    agency = require_agency()
    existing = EvaluationCampaign.objects.filter(client=client, year=year, kind=CampaignKind.YEARLY).exists()
    if existing:
        raise ValidationError(
            {"year": _("%(client)s already has its %(year)d evaluation.") % {"client": client, "year": year}}
        )
    today = agency.today()
    if opens_on is None:
        opens_on = today if today.year == year else dt.date(year, agency.setting(EVALUATION_MONTH), 1)
    if opens_on.year != year:
        raise ValidationError(
            {
                "opens_on": _("The %(year)d evaluation is sent in %(year)d, not on %(day)s.")
                % {"year": year, "day": opens_on}
            }
        )
    campaign = EvaluationCampaign(
        agency=agency,
        client=client,
        kind=CampaignKind.YEARLY,
        year=year,
        template=_published(template),
        opens_on=opens_on,
        closes_on=closes_on or opens_on + dt.timedelta(days=agency.setting(EVALUATION_OPEN_DAYS)),
    )
    campaign.full_clean()
    return _insert(
        campaign, {"year": _("%(client)s already has its %(year)d evaluation.") % {"client": client, "year": year}}
    )


def ensure_within_follow_up_deadline(campaign: EvaluationCampaign) -> None:
    """A follow-up survey (10.2) is sent no later than its ``due_by``, a month after the improvement."""
    if campaign.due_by is not None and campaign.opens_on > campaign.due_by:
        raise ValidationError(
            {
                "opens_on": _(
                    "%(day)s is too late: the follow-up must be sent by %(due)s, within %(days)d days of the "
                    "improvement (10.2)."
                )
                % {
                    "day": campaign.opens_on.isoformat(),
                    "due": campaign.due_by.isoformat(),
                    "days": FOLLOW_UP_WITHIN_DAYS,
                }
            }
        )


@transaction.atomic
def campaign_change(
    *,
    actor: Actor | None,
    campaign: EvaluationCampaign,
    template: QuestionnaireTemplate = UNCHANGED,
    opens_on: dt.date = UNCHANGED,
    closes_on: dt.date = UNCHANGED,
) -> EvaluationCampaign:
    """Change a campaign that has not been sent yet: its questionnaire and its dates (the ones
    given). A follow-up survey cannot be moved past the day it must be sent by (10.2)."""
    changes = given(template=template, opens_on=opens_on, closes_on=closes_on)
    campaign = EvaluationCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError({"status": _("The campaign was already sent; its questionnaire and dates are fixed.")})
    if "template" in changes:
        changes["template"] = _published(changes["template"])
    for name, value in changes.items():
        setattr(campaign, name, value)
    today = campaign.agency.today()
    if "opens_on" in changes and campaign.opens_on < today:
        raise ValidationError({"opens_on": _("The sending day cannot be in the past.")})
    if campaign.kind == CampaignKind.FOLLOW_UP:
        ensure_within_follow_up_deadline(campaign)
        if "opens_on" in changes and "closes_on" not in changes:
            campaign.closes_on = campaign.opens_on + dt.timedelta(days=campaign.agency.setting(FOLLOW_UP_OPEN_DAYS))
    elif "opens_on" in changes and campaign.opens_on.year != campaign.year:
        raise ValidationError({"opens_on": _("The %(year)d evaluation is sent in %(year)d.") % {"year": campaign.year}})
    return validated_save(campaign)


def _client_people(client: Client) -> list[tuple[str, str, object]]:
    """(email, name, user) of the client's people with an email, and the client's contact."""
    people = []
    memberships = (
        Membership.objects.filter(agency_id=client.agency_id, client_id=client.pk, is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    for membership in memberships:
        user = membership.user
        if user.email:
            people.append((user.email.lower(), user.get_full_name() or user.username, user))
    if client.contact_email:
        people.append((client.contact_email.lower(), client.contact_name, None))
    seen, unique = set(), []
    for email, name, user in people:
        if email not in seen:
            seen.add(email)
            unique.append((email, name, user))
    return unique


@transaction.atomic
def campaign_launch(*, actor: Actor | None, campaign: EvaluationCampaign) -> EvaluationCampaign:
    """Send a campaign: the public link opens for users and each of the client's people gets a
    personal invitation by email (sent by a task once this commits)."""
    campaign = EvaluationCampaign.objects.select_for_update(of=("self",)).select_related("client").get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError({"status": _("The campaign was already sent.")})
    today = campaign.agency.today()
    if campaign.closes_on < today:  # sent late: it stays open as long as it was planned to
        campaign.closes_on = today + (campaign.closes_on - campaign.opens_on)
    campaign.status = CampaignStatus.OPEN
    campaign.opens_on = min(campaign.opens_on, today)
    campaign.opened_at = timezone.now()
    validated_save(campaign)
    for email, name, user in _client_people(campaign.client):
        if not campaign.invitations.filter(email=email).exists():
            validated_save(
                SurveyInvitation(agency=campaign.agency, campaign=campaign, email=email, name=name, user=user)
            )
    _enqueue_sending(campaign)
    return campaign


def _enqueue_sending(campaign: EvaluationCampaign) -> None:
    # By name: evaluation.tasks imports this module.
    enqueue(task_named(SEND_INVITATIONS_TASK), agency_id=campaign.agency_id, campaign_id=campaign.pk)


@transaction.atomic
def invitation_add(
    *, actor: Actor | None, campaign: EvaluationCampaign, email: str, name: str = ""
) -> SurveyInvitation:
    """Invite one more of the client's people; sent at once when the campaign is open."""
    campaign = EvaluationCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError({"campaign": _("The campaign is closed.")})
    email = (email or "").strip().lower()
    if campaign.invitations.filter(email=email).exists():
        raise ValidationError({"email": _("%(email)s is already invited.") % {"email": email}})
    invitation = validated_save(SurveyInvitation(agency=campaign.agency, campaign=campaign, email=email, name=name))
    if campaign.status == CampaignStatus.OPEN:
        _enqueue_sending(campaign)
    return invitation


def invitation_link(invitation: SurveyInvitation, request=None) -> str:
    return public_url(reverse("evaluation:public-survey", args=[invitation.token]), request)


def campaign_send_invitations(*, campaign: EvaluationCampaign) -> int:
    """Email every invitation of an open campaign not sent yet; returns how many went out.

    Not one transaction: each invitation is marked sent right after its own email, so a failure
    half-way (the task retries) never sends anyone the same invitation twice."""
    if campaign.status != CampaignStatus.OPEN:
        return 0
    sent = 0
    for invitation_id in campaign.invitations.filter(sent_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            invitation = (
                SurveyInvitation.objects.select_for_update(of=("self",)).select_related("client").get(pk=invitation_id)
            )
            if invitation.sent_at is not None:
                continue
            subject = _("%(client)s: how are we doing? (%(year)d)") % {
                "client": invitation.client,
                "year": campaign.year,
            }
            body = _(
                "Hello %(name)s,\n\nPlease tell us how our service for %(client)s went: it takes two minutes.\n"
                "Your personal link (answers once): %(link)s\n\nIt is open until %(closes)s.\n"
            ) % {
                "name": invitation.name or invitation.email,
                "client": invitation.client,
                "link": invitation_link(invitation),
                "closes": campaign.closes_on.isoformat(),
            }
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
            invitation.sent_at = timezone.now()
            invitation.save(update_fields=["sent_at", "updated_at"])
            sent += 1
    return sent


@transaction.atomic
def campaign_close(*, actor: Actor | None, campaign: EvaluationCampaign) -> EvaluationCampaign:
    """Close a campaign to answers. Pages, the API and the daily work close through
    ``followups.campaign_close_and_decide``, which then lets a follow-up decide its cycle (10.2)."""
    campaign = EvaluationCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError({"status": _("Only an open campaign can be closed.")})
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    return validated_save(campaign)


# --- answers -------------------------------------------------------------------------------


def device_key(campaign: EvaluationCampaign, device: str) -> str:
    """A one-way key for the answering device: the raw device id is never stored."""
    return hashlib.sha256(f"{campaign.public_token}:{device}".encode()).hexdigest()


def is_open_for_answers(campaign: EvaluationCampaign) -> bool:
    today = campaign.agency.today()
    return campaign.status == CampaignStatus.OPEN and campaign.opens_on <= today <= campaign.closes_on


def _parse(question: Question, raw) -> tuple[int | None, list, str] | None:
    """The stored form of one raw answer, ``None`` when it is empty; raises with a message."""
    if raw is None or raw == "" or raw == []:
        return None
    if question.kind in (QuestionKind.NPS, QuestionKind.CSAT):
        low, high = question.scale
        if isinstance(raw, bool):
            raise ValidationError(_("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        try:
            score = int(str(raw).strip())
        except ValueError:
            raise ValidationError(_("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        if not low <= score <= high:
            raise ValidationError(
                _("Score %(score)d is outside %(low)d-%(high)d.") % {"score": score, "low": low, "high": high}
            )
        return score, [], ""
    if question.kind in CHOICE_KINDS:
        values = {value for value, _label in question.choice_labels()}
        chosen = raw if isinstance(raw, list) else [raw]
        chosen = [str(item) for item in chosen]
        if question.kind == QuestionKind.SINGLE and len(chosen) != 1:
            raise ValidationError(_("Choose one answer."))
        unknown = [item for item in chosen if item not in values]
        if unknown:
            raise ValidationError(_("%(value)s is not one of the choices.") % {"value": unknown[0]})
        return None, sorted(set(chosen), key=chosen.index), ""
    text = str(raw).strip()
    if len(text) > TEXT_ANSWER_MAX_LENGTH:
        raise ValidationError(_("Keep it under %(n)d characters.") % {"n": TEXT_ANSWER_MAX_LENGTH})
    return (None, [], text) if text else None


@transaction.atomic
def survey_submit(
    *,
    campaign: EvaluationCampaign,
    answers: dict,
    invitation: SurveyInvitation | None = None,
    device: str = "",
) -> SurveyResponse:
    """Store one filled-in questionnaire (10.1): every answer checked against its question
    first, then all of them at once, or nothing. A personal invitation answers once; through the
    public link, one device answers once."""
    campaign = EvaluationCampaign.objects.select_related("template").get(pk=campaign.pk)
    if not is_open_for_answers(campaign):
        raise ValidationError({"survey": _("This survey is not open for answers.")})
    if invitation is not None:
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.campaign_id != campaign.pk:
            raise ValidationError({"survey": _("This survey is not open for answers.")})
        if invitation.responded_at is not None:
            raise ValidationError({"survey": _("This link has already been used to answer.")})
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Send the answers as an object of question keys.")})
    questions = {question.key: question for question in campaign.template.questions.order_by("position")}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise ValidationError({"answers": _("%(key)s is not a question of this survey.") % {"key": unknown[0]}})
    errors, parsed = {}, {}
    for key, question in questions.items():
        try:
            value = _parse(question, answers.get(key))
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        if value is None:
            if question.required:
                errors[key] = [_("This question needs an answer.")]
            continue
        parsed[key] = value
    if errors:
        raise ValidationError(errors)
    key = device_key(campaign, device) if device and invitation is None else ""
    if key and SurveyResponse.objects.filter(campaign=campaign, device_key=key).exists():
        raise ValidationError({"survey": _("This device has already answered this survey.")})
    now = timezone.now()
    response = SurveyResponse(
        agency=campaign.agency,
        campaign=campaign,
        audience=Audience.CLIENT if invitation is not None else Audience.USERS,
        invitation=invitation,
        device_key=key,
        language=(get_language() or "")[:10],
        submitted_at=now,
    )
    _insert(response, {"survey": _("This device has already answered this survey.")})
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(
                agency=campaign.agency,
                response=response,
                client_id=campaign.client_id,
                question=questions[key],
                score=score,
                choices=choices,
                text=text,
                sentiment=(classify_sentiment(text) or "") if text else "",
            )
            for key, (score, choices, text) in parsed.items()
        ]
    )
    if invitation is not None:
        invitation.responded_at = now
        invitation.save(update_fields=["responded_at", "updated_at"])
    return response


# --- the daily work of 10.1 -------------------------------------------------------------------


def _remind_manager(campaign: EvaluationCampaign) -> None:
    link = public_url(campaign.public_path)
    notify_on_commit(
        managers_of(campaign.client),
        _("%(client)s: the %(year)d evaluation has been sent") % {"client": campaign.client, "year": campaign.year},
        _(
            "The yearly service-quality evaluation (clause 10.1) of %(client)s is open until %(closes)s.\n"
            "The client's people were invited by email. Share the public link or its QR code with the "
            "account's users: %(link)s\n"
        )
        % {"client": campaign.client, "closes": campaign.closes_on.isoformat(), "link": link},
    )
    campaign.reminded_at = timezone.now()
    campaign.save(update_fields=["reminded_at", "updated_at"])


def _evaluation_due(agency: Agency, today: dt.date) -> bool:
    """From the agency's chosen month on, or once the year's end is near, whichever comes first."""
    warning = agency.setting(EVALUATION_YEAR_END_WARNING_DAYS)
    year_end = dt.date(today.year, 12, 31)
    return today.month >= agency.setting(EVALUATION_MONTH) or (year_end - today).days <= warning


@transaction.atomic
def evaluations_ensure_yearly(*, today: dt.date) -> list[EvaluationCampaign]:
    """Make sure every active client of the current agency has its yearly evaluation for
    ``today``'s year (10.1) once the agency's month has come: create it, send it, and remind the
    account manager. Idempotent: a second run on the same year creates nothing."""
    agency = require_agency()
    if not _evaluation_due(agency, today):
        return []
    evaluated = EvaluationCampaign.objects.filter(kind=CampaignKind.YEARLY, year=today.year).values("client_id")
    missing = (
        Client.objects.filter(status=ClientStatus.ACTIVE)
        .exclude(pk__in=evaluated)
        .select_related("account_manager")
        .order_by("pk")
    )
    created = []
    for client in missing:
        campaign = campaign_create(actor=None, client=client, year=today.year, opens_on=today)
        campaign = campaign_launch(actor=None, campaign=campaign)
        _remind_manager(campaign)
        created.append(campaign)
    return created


@transaction.atomic
def campaigns_launch_due(*, today: dt.date) -> list[EvaluationCampaign]:
    """Send every scheduled campaign whose day has come: yearly ones planned ahead and the
    follow-up surveys of 10.2."""
    due = EvaluationCampaign.objects.filter(status=CampaignStatus.DRAFT, opens_on__lte=today)
    return [campaign_launch(actor=None, campaign=campaign) for campaign in due.order_by("opens_on", "pk")]


@transaction.atomic
def evaluations_flag_year_end(*, today: dt.date) -> list[EvaluationCampaign]:
    """As the year's end approaches, flag (once) every active client whose yearly evaluation has
    no answer yet, and tell its account manager."""
    agency = require_agency()
    if (dt.date(today.year, 12, 31) - today).days > agency.setting(EVALUATION_YEAR_END_WARNING_DAYS):
        return []
    unanswered = (
        EvaluationCampaign.objects.filter(
            kind=CampaignKind.YEARLY,
            year=today.year,
            flagged_at__isnull=True,
            client__status=ClientStatus.ACTIVE,
        )
        .exclude(pk__in=SurveyResponse.objects.values("campaign_id"))
        .select_related("client", "client__account_manager")
    )
    flagged = []
    for campaign in unanswered:
        campaign.flagged_at = timezone.now()
        campaign.flag_reason = _("No answers yet to the %(year)d evaluation; the year ends on %(end)s.") % {
            "year": today.year,
            "end": dt.date(today.year, 12, 31).isoformat(),
        }
        campaign.save(update_fields=["flagged_at", "flag_reason", "updated_at"])
        notify_on_commit(
            managers_of(campaign.client),
            _("%(client)s has no completed evaluation for %(year)d") % {"client": campaign.client, "year": today.year},
            campaign.flag_reason + "\n" + public_url(campaign.get_absolute_url()),
        )
        flagged.append(campaign)
    return flagged
