"""Writes of clause 10.2: a finding opens an improvement cycle; its actions are planned, edited or
cancelled. Completing an action (which schedules its follow-up survey) and the follow-up's
decision on the cycle are in ``followups``, the module above this one and ``campaigns``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor, require_agency
from clients.models import Client
from evaluation.models import (
    ActionStatus,
    Complaint,
    CycleStatus,
    EvaluationCampaign,
    FindingSource,
    ImprovementAction,
    ImprovementCycle,
    Question,
)
from evaluation.services.common import check_staff_owner


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
    return validated_save(
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
def improvement_cycle_change(
    *, actor: Actor, cycle: ImprovementCycle, finding: str = UNCHANGED, description: str = UNCHANGED
) -> ImprovementCycle:
    """Reword a finding (the fields given)."""
    changes = given(finding=finding, description=description)
    cycle = ImprovementCycle.objects.select_for_update().get(pk=cycle.pk)
    for name, value in changes.items():
        setattr(cycle, name, (value or "").strip())
    return validated_save(cycle)


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
    if due_date is not None and due_date < cycle.agency.today():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    check_staff_owner(cycle.agency_id, owner)
    return validated_save(
        ImprovementAction(
            agency=cycle.agency,
            cycle=cycle,
            round=cycle.round,
            root_cause=(root_cause or "").strip(),
            action=(action or "").strip(),
            owner=owner,
            due_date=due_date,
        )
    )


def action_lock_unfinished(action: ImprovementAction) -> ImprovementAction:
    """The action, locked with its cycle; refused once it is done or cancelled."""
    action = ImprovementAction.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=action.pk)
    if action.status in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise ValidationError({"status": _("The action is %(status)s.") % {"status": action.get_status_display()}})
    return action


@transaction.atomic
def improvement_action_change(
    *,
    actor: Actor,
    improvement: ImprovementAction,
    action: str = UNCHANGED,
    root_cause: str = UNCHANGED,
    owner=UNCHANGED,
    due_date: dt.date = UNCHANGED,
    status: str = UNCHANGED,
) -> ImprovementAction:
    """Edit an unfinished action (the fields given: what is to be done, root cause, owner, due date,
    planned / in progress). The row is ``improvement``, leaving ``action`` to its text."""
    changes = given(action=action, root_cause=root_cause, owner=owner, due_date=due_date, status=status)
    improvement = action_lock_unfinished(improvement)
    if changes.get("status", ActionStatus.PLANNED) not in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS):
        raise ValidationError({"status": _("Complete or cancel an action with its own step.")})
    if "owner" in changes:
        check_staff_owner(improvement.agency_id, changes["owner"])
    for name, value in changes.items():
        setattr(improvement, name, value)
    return validated_save(improvement)


@transaction.atomic
def improvement_action_cancel(*, actor: Actor, action: ImprovementAction, reason: str) -> ImprovementAction:
    """Drop an action that will not be done, saying why."""
    action = action_lock_unfinished(action)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the action is cancelled.")})
    action.status = ActionStatus.CANCELLED
    action.evidence = reason.strip()
    return validated_save(action)
