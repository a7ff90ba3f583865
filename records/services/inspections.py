"""Clause 9 h): the daily inspection lists of every inspected account, ticked and completed, and
the follow-ups of the problems they find.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Agency
from agency.services import validated_save
from agency.tenancy import Actor, require_agency
from clients.models import AccountStatus, ClientStatus, PlatformAccount
from records.audit import database_keeps_trail
from records.models.inspections import DailyInspection, FollowUpStatus, InspectionFollowUp, InspectionStatus
from records.rules import INSPECTION_ITEMS
from records.services.common import check_people, ensure_live


def _refuse_future_day(day: dt.date, agency: Agency) -> None:
    today = agency.today()
    if day > today:
        raise ValidationError(
            {
                "inspection_date": _(
                    "An inspection cannot be made for a day in the future (%(day)s is after today, %(today)s)."
                )
                % {"day": day.isoformat(), "today": today.isoformat()}
            }
        )


def inspection_accounts():
    """Clause 9 h): the accounts inspected every day — active accounts of active clients."""
    return PlatformAccount.objects.filter(status=AccountStatus.ACTIVE, client__status=ClientStatus.ACTIVE)


@transaction.atomic
def inspection_lists_create(*, day: dt.date) -> int:
    """Make the day's inspection list for every inspected account of the current agency.
    Idempotent: one list per account and day (a database constraint), so a second run, or two
    runs at once, make nothing more. Returns how many lists were made."""
    agency = require_agency()
    _refuse_future_day(day, agency)
    accounts = list(inspection_accounts().values_list("pk", "client_id"))
    have = set(DailyInspection.objects.filter(inspection_date=day).values_list("account_id", flat=True))
    missing = [
        DailyInspection(agency=agency, account_id=account_id, client_id=client_id, inspection_date=day)
        for account_id, client_id in accounts
        if account_id not in have
    ]
    if database_keeps_trail():
        DailyInspection.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
    else:  # the application keeps the trail here, from each row's save
        for inspection in missing:
            inspection.save()
    return len(missing)


@transaction.atomic
def inspection_list_create(*, actor: Actor, account: PlatformAccount, inspection_date: dt.date) -> DailyInspection:
    """Make one account's list for a day by hand (a day the schedule missed). Never for a future day."""
    _refuse_future_day(inspection_date, actor.agency)
    if DailyInspection.objects.filter(account=account, inspection_date=inspection_date).exists():
        raise ValidationError(
            {
                "inspection_date": _("%(account)s already has its list for %(day)s.")
                % {"account": account, "day": inspection_date}
            }
        )
    inspection = DailyInspection(
        agency=actor.agency, account=account, client_id=account.client_id, inspection_date=inspection_date
    )
    return validated_save(inspection)


@transaction.atomic
def inspection_record(
    *,
    actor: Actor,
    inspection: DailyInspection,
    items: dict[str, bool | None] | None = None,
    problems: str | None = None,
    complete: bool = False,
) -> DailyInspection:
    """Tick the checklist and note problems (9 h); ``complete`` closes the list, which needs every
    item answered and, for each "no", the problem described."""
    inspection = DailyInspection.objects.select_for_update().get(pk=inspection.pk)
    ensure_live(inspection)
    if inspection.status == InspectionStatus.DONE:
        raise ValidationError({"status": _("This inspection is already completed.")})
    _refuse_future_day(inspection.inspection_date, actor.agency)
    known = dict(INSPECTION_ITEMS)
    for name, value in (items or {}).items():
        if name not in known:
            raise ValidationError({name: _("Unknown inspection item %(name)s.") % {"name": name}})
        setattr(inspection, name, value)
    if problems is not None:
        inspection.problems = problems.strip()
    if complete:
        unanswered = {
            name: _("Tick %(item)s: yes or no.") % {"item": label}
            for name, label in INSPECTION_ITEMS
            if getattr(inspection, name) is None
        }
        if unanswered:
            raise ValidationError(unanswered)
        failed = [str(label) for name, label in INSPECTION_ITEMS if getattr(inspection, name) is False]
        if failed and not inspection.problems:
            raise ValidationError(
                {"problems": _("Describe the problem found: %(items)s.") % {"items": "; ".join(failed)}}
            )
        inspection.status = InspectionStatus.DONE
        inspection.completed_at = timezone.now()
        inspection.inspected_by = actor.user
    return validated_save(inspection)


@transaction.atomic
def follow_up_open(
    *,
    actor: Actor,
    inspection: DailyInspection,
    title: str,
    detail: str = "",
    assignee=None,
    due_date: dt.date | None = None,
) -> InspectionFollowUp:
    """Open a follow-up task for a problem an inspection found (9 h)."""
    ensure_live(inspection)
    if due_date is not None and due_date < actor.agency.today():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    follow_up = InspectionFollowUp(
        agency=actor.agency,
        inspection=inspection,
        title=(title or "").strip(),
        detail=(detail or "").strip(),
        assignee=assignee,
        due_date=due_date,
    )
    check_people(follow_up)
    return validated_save(follow_up)


@transaction.atomic
def follow_up_resolve(*, actor: Actor, follow_up: InspectionFollowUp, resolution: str) -> InspectionFollowUp:
    follow_up = InspectionFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    ensure_live(follow_up)
    if follow_up.status == FollowUpStatus.DONE:
        raise ValidationError({"status": _("This follow-up is already resolved.")})
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Say how the problem was resolved.")})
    follow_up.status = FollowUpStatus.DONE
    follow_up.resolution = resolution.strip()
    follow_up.resolved_at = timezone.now()
    return validated_save(follow_up)
