"""Clause checks owned by the clients app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agency.adjustable import adjustable
from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from agency.history import values_as_they_stood
from clients.models import Client, ClientRequirement

# 4.1: how long an agency may take to decide a requirement before it counts as not adopted.
# The standard names no figure; the agency sets its own promise.
REQUIREMENT_DECISION_DAYS = adjustable(
    "requirement_decision_days",
    7,
    clause="4.1",
    minimum=1,
    maximum=90,
    label=gettext_lazy("Days to decide a client requirement (4.1)"),
)


# 4.1: the fields a requirement is judged by, read as they stood at the period's end.
STOOD_FIELDS = ("raised_at", "status", "decided_at", "decline_reason", "due_date", "fulfilled_at")


@clause_check("4.1", reads=("clients.ClientRequirement",))
def requirements_adopted(client: Client, period: Period) -> CheckResult:
    """Every requirement raised by the period's end is decided (within the agency's decision
    window), and every accepted one is fulfilled or still before its due date."""
    tz = client.agency.tz
    as_of = min(period.end, client.agency.today())
    end_of_day = dt.datetime.combine(period.end, dt.time.max, tzinfo=tz)
    decision_days = client.agency.setting(REQUIREMENT_DECISION_DAYS)
    # 4.1, judged as it stood at the period's end: each requirement's dates, decision and due date
    # with every change recorded after the end undone, and raised no later than it was recorded
    # (a "raised at" moved later cannot take it out of the period or back inside the window).
    rows = list(
        ClientRequirement.objects.filter(Q(raised_at__lte=end_of_day) | Q(created_at__lte=end_of_day), client=client)
    )
    stood = values_as_they_stood(rows, STOOD_FIELDS, end_of_day)
    requirements = []
    for requirement in rows:
        for name, value in stood[requirement.pk].items():
            setattr(requirement, name, value)
        requirement.raised_at = min(requirement.raised_at, requirement.created_at)
        if requirement.raised_at <= end_of_day:
            requirements.append(requirement)
    requirements.sort(key=lambda r: (r.raised_at, r.pk))
    if not requirements:
        return CheckResult(Status.NOT_APPLICABLE, _("The client raised no requirement up to the period's end."))
    undecided, overdue, evidence = [], [], []

    def local_date(moment):
        return timezone.localtime(moment, tz).date() if moment else None

    # Judge each requirement as it stood on ``as_of``, so a past period reads the same later.
    for requirement in requirements:
        raised_on = local_date(requirement.raised_at)
        decided_on = local_date(requirement.decided_at)
        fulfilled_on = local_date(requirement.fulfilled_at)
        open_then = decided_on is None or decided_on > as_of
        if open_then and (as_of - raised_on).days > decision_days:
            undecided.append(requirement)
        accepted_then = not open_then and requirement.due_date is not None and requirement.decline_reason == ""
        fulfilled_then = fulfilled_on is not None and fulfilled_on <= as_of
        if accepted_then and not fulfilled_then and requirement.due_date < as_of:
            overdue.append(requirement)
        evidence.append(
            Evidence(
                f"{requirement.title} — {requirement.get_status_display()}",
                "clients.clientrequirement",
                requirement.pk,
                requirement.get_absolute_url(),
            )
        )
    if undecided or overdue:
        parts = []
        if undecided:
            parts.append(
                _("%(count)d not decided within %(days)d days: %(titles)s")
                % {"count": len(undecided), "days": decision_days, "titles": ", ".join(r.title for r in undecided)}
            )
        if overdue:
            parts.append(
                _("%(count)d accepted and past due: %(titles)s")
                % {"count": len(overdue), "titles": ", ".join(r.title for r in overdue)}
            )
        return CheckResult(Status.NOT_MET, "; ".join(parts), evidence)
    return CheckResult(
        Status.MET,
        _("%(count)d requirements, all decided; every accepted one is fulfilled or not yet due.")
        % {"count": len(requirements)},
        evidence,
    )


# 4.3 sets no rule of its own: serving every platform user well is what private-message replies
# (6.4), comment handling (7.1) and customer protection (10.1) check. It is met when each of them
# that applies to the client is met.
CLAUSE_4_3_PARTS = ("6.4", "7.1", "10.1")


@clause_check("4.3", reads=CLAUSE_4_3_PARTS)
def users_served(client: Client, period: Period) -> CheckResult:
    from agency.conformance import CHECKS
    from agency.standard import CLAUSES_BY_ID

    results = []
    for clause_id in CLAUSE_4_3_PARTS:
        service = CLAUSES_BY_ID[clause_id].service
        check = CHECKS.get(clause_id)
        if check is None or (service is not None and service not in (client.services or [])):
            continue
        results.append((clause_id, check(client, period)))
    judged = [(clause_id, result) for clause_id, result in results if result.status != Status.NOT_APPLICABLE]
    changes_at = min((result.changes_at for _c, result in results if result.changes_at is not None), default=None)
    evidence = [
        Evidence(f"{clause_id} · {item.label}", item.model, item.object_id, item.url)
        for clause_id, result in results
        for item in result.evidence
    ]
    if not judged:
        return CheckResult(
            Status.NOT_APPLICABLE,
            _("None of 6.4, 7.1 and 10.1 applies to this client in the period."),
            evidence,
            changes_at,
        )
    unmet = [clause_id for clause_id, result in judged if result.status != Status.MET]
    if unmet:
        summary = "; ".join(f"{clause_id}: {result.summary}" for clause_id, result in judged if clause_id in unmet)
        return CheckResult(
            Status.NOT_MET,
            _("Not met through %(clauses)s — %(summary)s") % {"clauses": ", ".join(unmet), "summary": summary},
            evidence,
            changes_at,
        )
    return CheckResult(
        Status.MET, _("Met through %(clauses)s.") % {"clauses": ", ".join(c for c, _r in judged)}, evidence, changes_at
    )
