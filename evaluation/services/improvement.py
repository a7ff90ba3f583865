"""Writes of clause 10.2: a finding opens an improvement cycle; its actions are planned, done
with evidence; a done action schedules the follow-up survey, which must be sent within a month;
the follow-up's satisfaction closes the cycle or opens its next round."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agency.adjustable import adjustable
from agency.models import Membership
from agency.roles import STAFF_ROLES
from agency.tenancy import Actor, require_agency
from clients.models import Client
from evaluation.models import (
    ActionStatus,
    Audience,
    CampaignKind,
    CampaignStatus,
    Complaint,
    CycleStatus,
    EvaluationCampaign,
    FindingSource,
    ImprovementAction,
    ImprovementCycle,
    Question,
    TemplateStatus,
)
from evaluation.notifications import notify_on_commit, public_url
from evaluation.services.campaigns import local_today

# 10.2: "within 1 month after the improvement, ask the users again". The one place this number lives.
FOLLOW_UP_WITHIN_DAYS = 30
# A follow-up not yet sent this many days before its deadline is flagged to the account manager.
FOLLOW_UP_WARNING_DAYS = 5

# 10.2: "until users and the client are satisfied": the agency's bar, as a CSAT percentage that
# both audiences must reach, each with at least this many answers.
SATISFACTION_THRESHOLD = adjustable(
    "satisfaction_threshold_percent",
    80,
    clause="10.2",
    minimum=1,
    maximum=100,
    label=gettext_lazy("Satisfaction (CSAT %) that closes an improvement cycle, for users and client (10.2)"),
)
FOLLOW_UP_MIN_RESPONSES = adjustable(
    "follow_up_min_responses",
    1,
    clause="10.2",
    minimum=1,
    maximum=1000,
    label=gettext_lazy("Answers needed from each audience before a follow-up can close a cycle (10.2)"),
)
FOLLOW_UP_WAIT_DAYS = adjustable(
    "follow_up_wait_days",
    14,
    clause="10.2",
    minimum=0,
    maximum=FOLLOW_UP_WITHIN_DAYS,
    label=gettext_lazy("Days after an improvement before the follow-up survey is sent (10.2)"),
)
FOLLOW_UP_OPEN_DAYS = adjustable(
    "follow_up_open_days",
    14,
    clause="10.2",
    minimum=1,
    maximum=60,
    label=gettext_lazy("Days a follow-up survey stays open (10.2)"),
)

ACTION_FIELDS = ("root_cause", "action", "owner", "due_date", "status")


def _save(row):
    row.full_clean()
    row.save()
    return row


def _check_owner(agency_id: int, owner) -> None:
    if (
        owner is not None
        and not Membership.objects.filter(
            agency_id=agency_id, user=owner, is_active=True, role__in=STAFF_ROLES
        ).exists()
    ):
        raise ValidationError({"owner": _("The owner must be one of the agency's staff.")})


def follow_up_deadline(completed_on: dt.date) -> dt.date:
    """The last day a follow-up survey may be sent after an improvement completed on ``completed_on``."""
    return completed_on + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS)


def ensure_within_follow_up_deadline(campaign: EvaluationCampaign) -> None:
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
def improvement_cycle_open(
    *,
    actor: Actor,
    client: Client,
    finding: str,
    source: str,
    description: str = "",
    campaign: EvaluationCampaign | None = None,
    question: Question | None = None,
    complaint: Complaint | None = None,
) -> ImprovementCycle:
    """Open the thread of one finding (10.2): from a campaign's low score or comment theme, or
    from a complaint."""
    if source == FindingSource.COMPLAINT and complaint is None:
        raise ValidationError({"complaint": _("Name the complaint this finding comes from.")})
    if source in (FindingSource.LOW_SCORE, FindingSource.COMMENT_THEME) and campaign is None:
        raise ValidationError({"campaign": _("Name the campaign this finding comes from.")})
    if question is not None and campaign is None:
        raise ValidationError({"campaign": _("Name the campaign the question was asked in.")})
    return _save(
        ImprovementCycle(
            agency=require_agency(),
            client=client,
            finding=(finding or "").strip(),
            description=(description or "").strip(),
            source=source,
            campaign=campaign,
            question=question,
            complaint=complaint,
            opened_at=timezone.now(),
        )
    )


@transaction.atomic
def improvement_cycle_change(*, actor: Actor, cycle: ImprovementCycle, **changes) -> ImprovementCycle:
    """Reword a finding."""
    cycle = ImprovementCycle.objects.select_for_update().get(pk=cycle.pk)
    unknown = set(changes) - {"finding", "description"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    for name, value in changes.items():
        setattr(cycle, name, (value or "").strip())
    return _save(cycle)


@transaction.atomic
def improvement_action_add(
    *,
    actor: Actor,
    cycle: ImprovementCycle,
    root_cause: str,
    action: str,
    due_date: dt.date,
    owner=None,
) -> ImprovementAction:
    """Plan an improvement in the cycle's current round."""
    cycle = ImprovementCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError({"cycle": _("This finding is closed: users and client were satisfied.")})
    if due_date is not None and due_date < local_today(cycle.agency):
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    _check_owner(cycle.agency_id, owner)
    return _save(
        ImprovementAction(
            agency=cycle.agency,
            cycle=cycle,
            client_id=cycle.client_id,
            round=cycle.round,
            root_cause=(root_cause or "").strip(),
            action=(action or "").strip(),
            owner=owner,
            due_date=due_date,
        )
    )


def _lock_unfinished(action: ImprovementAction) -> ImprovementAction:
    action = ImprovementAction.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=action.pk)
    if action.status in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise ValidationError({"status": _("The action is %(status)s.") % {"status": action.get_status_display()}})
    return action


@transaction.atomic
def improvement_action_change(*, actor: Actor, action: ImprovementAction, **changes) -> ImprovementAction:
    """Edit an unfinished action (root cause, action, owner, due date, planned / in progress)."""
    action = _lock_unfinished(action)
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    if changes.get("status", ActionStatus.PLANNED) not in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS):
        raise ValidationError({"status": _("Complete or cancel an action with its own step.")})
    if "owner" in changes:
        _check_owner(action.agency_id, changes["owner"])
    for name, value in changes.items():
        setattr(action, name, value)
    return _save(action)


@transaction.atomic
def improvement_action_complete(
    *, actor: Actor, action: ImprovementAction, evidence: str, evidence_url: str = ""
) -> ImprovementAction:
    """Record that an action is done, with its evidence, and schedule its follow-up survey
    (10.2): sent after the agency's waiting days and no later than a month after today."""
    action = _lock_unfinished(action)
    if not (evidence or "").strip():
        raise ValidationError({"evidence": _("Describe the evidence that the action was done.")})
    action.status = ActionStatus.DONE
    action.completed_at = timezone.now()
    action.evidence = evidence.strip()
    action.evidence_url = evidence_url or ""
    action.follow_up = _follow_up_for(action.cycle, local_today(action.agency, action.completed_at))
    _save(action)
    _refresh_cycle(action.cycle)
    return action


@transaction.atomic
def improvement_action_cancel(*, actor: Actor, action: ImprovementAction, reason: str) -> ImprovementAction:
    """Drop an action that will not be done, saying why."""
    action = _lock_unfinished(action)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the action is cancelled.")})
    action.status = ActionStatus.CANCELLED
    action.evidence = reason.strip()
    return _save(action)


def _follow_up_template(cycle: ImprovementCycle):
    from evaluation.services.questionnaires import questionnaire_ensure_default

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
    return _save(follow_up)


@transaction.atomic
def follow_up_reschedule(*, actor: Actor, campaign: EvaluationCampaign, opens_on: dt.date) -> EvaluationCampaign:
    """Move a follow-up survey's sending day; never past the month that 10.2 allows."""
    from evaluation.services.campaigns import campaign_change

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
    from evaluation.selectors import audience_satisfaction

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
def follow_ups_flag_at_risk(*, today: dt.date) -> list[EvaluationCampaign]:
    """Flag (once) every follow-up survey still not sent a few days before, or after, the day
    10.2 requires it to be sent by, and tell the account manager. Runs after the day's sending,
    so what is left would miss the month unless someone acts."""
    from evaluation.services.campaigns import _managers_of

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
            _managers_of(campaign.client),
            _("Follow-up survey at risk: %(finding)s") % {"finding": campaign.cycle.finding},
            campaign.flag_reason + "\n" + public_url(campaign.get_absolute_url()),
        )
        flagged.append(campaign)
    return flagged
