"""Follow-up surveys of clause 10.2, where campaigns (10.1) and improvement (10.2) meet: a done
action schedules its follow-up survey, which must be sent within a month; closing the follow-up
decides its cycle (closed when users and client are satisfied, else a new round). This module sits
above ``campaigns`` and ``improvement`` and is the only one that uses both."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import validated_save
from agency.tenancy import Actor, require_agency
from evaluation.models import (
    ActionStatus,
    Audience,
    CampaignKind,
    CampaignStatus,
    CycleStatus,
    EvaluationCampaign,
    ImprovementAction,
    ImprovementCycle,
    TemplateStatus,
)
from evaluation.notifications import notify_on_commit, public_url
from evaluation.rules import (
    FOLLOW_UP_MIN_RESPONSES,
    FOLLOW_UP_OPEN_DAYS,
    FOLLOW_UP_WAIT_DAYS,
    FOLLOW_UP_WARNING_DAYS,
    FOLLOW_UP_WITHIN_DAYS,
    SATISFACTION_THRESHOLD,
)
from evaluation.selectors.campaigns import audience_satisfaction
from evaluation.services.campaigns import campaign_change, campaign_close, ensure_within_follow_up_deadline
from evaluation.services.common import managers_of
from evaluation.services.improvement import action_lock_unfinished
from evaluation.services.questionnaires import questionnaire_ensure_default


def follow_up_deadline(completed_on: dt.date) -> dt.date:
    """The last day a follow-up survey may be sent after an improvement completed on ``completed_on``."""
    return completed_on + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS)


@transaction.atomic
def improvement_action_complete(
    *, actor: Actor, action: ImprovementAction, evidence: str, evidence_url: str = ""
) -> ImprovementAction:
    """Record that an action is done, with its evidence, and schedule its follow-up survey
    (10.2): sent after the agency's waiting days and no later than a month after today."""
    action = action_lock_unfinished(action)
    if not (evidence or "").strip():
        raise ValidationError({"evidence": _("Describe the evidence that the action was done.")})
    action.status = ActionStatus.DONE
    now = action.agency.now()
    action.completed_at = now
    action.evidence = evidence.strip()
    action.evidence_url = evidence_url or ""
    action.follow_up = _follow_up_for(action.cycle, now.date())
    validated_save(action)
    _refresh_cycle(action.cycle)
    return action


def _follow_up_template(cycle: ImprovementCycle):
    if cycle.campaign_id and cycle.campaign.template.status == TemplateStatus.PUBLISHED:
        return cycle.campaign.template
    return questionnaire_ensure_default()


def _follow_up_for(cycle: ImprovementCycle, completed_on: dt.date) -> EvaluationCampaign:
    """The follow-up survey that will check an action completed on ``completed_on``: the cycle's
    one still to be sent (its deadline is the earlier one), else a new one."""
    pending = (
        EvaluationCampaign.objects.select_for_update()
        .filter(cycle=cycle, kind=CampaignKind.FOLLOW_UP, status=CampaignStatus.DRAFT)
        .order_by("due_by")
        .first()
    )
    if pending is not None:
        return pending
    agency = cycle.agency
    due_by = follow_up_deadline(completed_on)
    opens_on = min(completed_on + dt.timedelta(days=agency.setting(FOLLOW_UP_WAIT_DAYS)), due_by)
    follow_up = EvaluationCampaign(
        agency=agency,
        client_id=cycle.client_id,
        kind=CampaignKind.FOLLOW_UP,
        year=opens_on.year,
        template=_follow_up_template(cycle),
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(days=agency.setting(FOLLOW_UP_OPEN_DAYS)),
        cycle=cycle,
        round=cycle.round,
        due_by=due_by,
    )
    ensure_within_follow_up_deadline(follow_up)
    return validated_save(follow_up)


@transaction.atomic
def follow_up_reschedule(*, actor: Actor, campaign: EvaluationCampaign, opens_on: dt.date) -> EvaluationCampaign:
    """Move a follow-up survey's sending day; never past the month that 10.2 allows."""
    if campaign.kind != CampaignKind.FOLLOW_UP:
        raise ValidationError({"kind": _("Only follow-up surveys are rescheduled this way.")})
    return campaign_change(actor=actor, campaign=campaign, opens_on=opens_on)


def _refresh_cycle(cycle: ImprovementCycle) -> ImprovementCycle:
    """A cycle's round and status follow from its follow-ups: each follow-up that missed the
    threshold opened a new round; a pending one means the cycle waits for it; the last closed one
    meeting the threshold closes the cycle."""
    cycle = ImprovementCycle.objects.select_for_update().get(pk=cycle.pk)
    follow_ups = EvaluationCampaign.objects.filter(cycle=cycle, kind=CampaignKind.FOLLOW_UP)
    missed = follow_ups.filter(status=CampaignStatus.CLOSED, outcome_met=False).count()
    pending = follow_ups.exclude(status=CampaignStatus.CLOSED).exists()
    last = follow_ups.filter(status=CampaignStatus.CLOSED).order_by("-closed_at", "-pk").first()
    cycle.round = 1 + missed
    if pending:
        cycle.status, cycle.closed_at = CycleStatus.FOLLOW_UP, None
    elif last is not None and last.outcome_met:
        cycle.status, cycle.closed_at = CycleStatus.CLOSED, last.closed_at
    else:
        cycle.status, cycle.closed_at = CycleStatus.OPEN, None
    cycle.save(update_fields=["round", "status", "closed_at", "updated_at"])
    return cycle


def satisfaction_met(satisfaction: dict[str, dict], *, threshold: float, min_responses: int) -> bool:
    """Both the client and the users answered enough and reached the threshold (10.2)."""
    return all(
        satisfaction[audience]["responses"] >= min_responses
        and satisfaction[audience]["csat"] is not None
        and satisfaction[audience]["csat"] >= threshold
        for audience in (Audience.CLIENT, Audience.USERS)
    )


@transaction.atomic
def follow_up_evaluate(*, campaign: EvaluationCampaign) -> EvaluationCampaign:
    """Decide a closed follow-up: store each audience's satisfaction, then close the cycle when
    both meet the agency's threshold, or open its next round."""
    campaign = EvaluationCampaign.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=campaign.pk)
    if campaign.kind != CampaignKind.FOLLOW_UP or campaign.status != CampaignStatus.CLOSED:
        raise ValidationError({"status": _("Only a closed follow-up survey decides its cycle.")})
    agency = campaign.agency
    satisfaction = audience_satisfaction(campaign)
    campaign.client_satisfaction = satisfaction[Audience.CLIENT]["csat"]
    campaign.users_satisfaction = satisfaction[Audience.USERS]["csat"]
    campaign.outcome_met = satisfaction_met(
        satisfaction,
        threshold=agency.setting(SATISFACTION_THRESHOLD),
        min_responses=agency.setting(FOLLOW_UP_MIN_RESPONSES),
    )
    campaign.save(update_fields=["client_satisfaction", "users_satisfaction", "outcome_met", "updated_at"])
    _refresh_cycle(campaign.cycle)
    return campaign


@transaction.atomic
def campaign_close_and_decide(*, actor: Actor | None, campaign: EvaluationCampaign) -> EvaluationCampaign:
    """Close a campaign to answers (``campaigns.campaign_close``). A follow-up's results then
    decide its improvement cycle (10.2). The close of the pages, the API and the daily work."""
    campaign = campaign_close(actor=actor, campaign=campaign)
    if campaign.kind == CampaignKind.FOLLOW_UP:
        follow_up_evaluate(campaign=campaign)
    return campaign


@transaction.atomic
def campaigns_close_due(*, today: dt.date) -> list[EvaluationCampaign]:
    """Close every open campaign whose last day has passed (a follow-up then decides its cycle)."""
    due = EvaluationCampaign.objects.filter(status=CampaignStatus.OPEN, closes_on__lt=today)
    return [campaign_close_and_decide(actor=None, campaign=campaign) for campaign in due.order_by("closes_on", "pk")]


@transaction.atomic
def follow_ups_flag_at_risk(*, today: dt.date) -> list[EvaluationCampaign]:
    """Flag (once) every follow-up survey still not sent a few days before, or after, the day
    10.2 requires it to be sent by, and tell the account manager. Runs after the day's sending,
    so what is left would miss the month unless someone acts."""
    require_agency()
    at_risk = EvaluationCampaign.objects.filter(
        kind=CampaignKind.FOLLOW_UP,
        status=CampaignStatus.DRAFT,
        flagged_at__isnull=True,
        due_by__lte=today + dt.timedelta(days=FOLLOW_UP_WARNING_DAYS),
    ).select_related("client", "client__account_manager", "cycle")
    flagged = []
    for campaign in at_risk:
        late = campaign.due_by < today
        campaign.flagged_at = timezone.now()
        campaign.flag_reason = (
            _("Not sent by %(due)s: the %(days)d-day limit of 10.2 was missed.")
            if late
            else _("Scheduled for %(day)s; it must be sent by %(due)s.")
        ) % {"due": campaign.due_by.isoformat(), "day": campaign.opens_on.isoformat(), "days": FOLLOW_UP_WITHIN_DAYS}
        campaign.save(update_fields=["flagged_at", "flag_reason", "updated_at"])
        notify_on_commit(
            managers_of(campaign.client),
            _("Follow-up survey at risk: %(finding)s") % {"finding": campaign.cycle.finding},
            campaign.flag_reason + "\n" + public_url(campaign.get_absolute_url()),
        )
        flagged.append(campaign)
    return flagged
