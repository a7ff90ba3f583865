"""Clause checks owned by chapter 10: 10.1 (a yearly evaluation per client, complaints resolved
within the agency's deadlines) and 10.2 (every finished improvement followed up by a survey
within a month; cycles listed until satisfied). Each period is judged as it stood at its end."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.conformance import CheckResult, Evidence, Period, Status, clause_check, served_from
from agency.models import Membership
from clients.models import Client
from evaluation.models import (
    ActionStatus,
    CampaignKind,
    Complaint,
    EvaluationCampaign,
    ImprovementAction,
    ImprovementCycle,
    SurveyInvitation,
)
from evaluation.rules import COMPLAINTS_ON_TIME_PERCENT, EVALUATION_MONTH, FOLLOW_UP_WITHIN_DAYS
from evaluation.services.followups import follow_up_deadline


def _as_of(client: Client, period: Period) -> tuple[dt.date, dt.datetime]:
    tz = client.agency.tz
    as_of = min(period.end, client.agency.today())
    return as_of, dt.datetime.combine(as_of, dt.time.max, tzinfo=tz)


def _local(moment: dt.datetime | None, tz) -> dt.date | None:
    return timezone.localtime(moment, tz).date() if moment else None


def _invitations_to_client_people(client: Client, end: dt.datetime):
    """Invitations of the client's campaigns sent by ``end`` to someone who is not a member of the
    agency other than a person of this client: an invitation sent to the agency's own staff, or to a
    person of another client, asks nobody of the client (10.1, 10.2)."""
    others = Membership.objects.filter(agency_id=client.agency_id).exclude(client_id=client.pk)
    other_emails = [e.lower() for e in others.exclude(user__email="").values_list("user__email", flat=True)]
    return (
        SurveyInvitation.objects.filter(client=client, sent_at__isnull=False, sent_at__lte=end)
        .exclude(user__in=others.values("user"))
        .exclude(Q(email__in=other_emails))
    )


def _yearly_part(client: Client, period: Period, as_of: dt.date, end: dt.datetime):
    """Each calendar year of the period: a yearly evaluation sent by the period's end, or not
    due yet (before the agency's month, unless the year is over)."""
    tz = client.agency.tz
    month = client.agency.setting(EVALUATION_MONTH)
    campaigns = {
        c.year: c
        for c in EvaluationCampaign.objects.filter(
            client=client, kind=CampaignKind.YEARLY, year__gte=period.start.year, year__lte=as_of.year
        )
    }
    # 10.1 asks the client's people as well as users: a campaign counts as sent only once at
    # least one of the client's people was sent an invitation by the period's end.
    invited = dict(
        _invitations_to_client_people(client, end)
        .filter(campaign__in=list(campaigns.values()))
        .values("campaign")
        .annotate(count=Count("id"))
        .values_list("campaign", "count")
    )
    missing, notes, evidence = [], [], []
    first_year = max(period.start.year, served_from(client).year)
    for year in range(first_year, as_of.year + 1):
        campaign = campaigns.get(year)
        sent_on = _local(campaign.opened_at, tz) if campaign else None
        if campaign is not None and sent_on is not None and sent_on <= as_of:
            people = invited.get(campaign.pk, 0)
            if people:
                evidence.append(
                    Evidence(
                        _("%(year)d evaluation sent on %(day)s to %(count)d of the client's people")
                        % {"year": year, "day": sent_on.isoformat(), "count": people},
                        "evaluation.evaluationcampaign",
                        campaign.pk,
                    )
                )
                continue
            evidence.append(
                Evidence(
                    _("%(year)d evaluation opened on %(day)s, but no invitation reached the client's people")
                    % {"year": year, "day": sent_on.isoformat()},
                    "evaluation.evaluationcampaign",
                    campaign.pk,
                )
            )
            missing.append(year)
            continue
        year_over = as_of >= dt.date(year, 12, 31)
        if not year_over and as_of < dt.date(year, month, 1):
            notes.append(_("%(year)d evaluation due from %(day)s") % {"year": year, "day": dt.date(year, month, 1)})
            if campaign is not None:
                evidence.append(
                    Evidence(
                        _("%(year)d evaluation scheduled") % {"year": year},
                        "evaluation.evaluationcampaign",
                        campaign.pk,
                    )
                )
            continue
        missing.append(year)
    return missing, notes, evidence


def _complaints_part(client: Client, end: dt.datetime):
    """Complaints whose deadline fell by the period's end, and whether each was resolved by it."""
    complaints = list(Complaint.objects.filter(client=client, resolve_by__lte=end).order_by("resolve_by", "pk"))
    late, evidence = [], []
    for complaint in complaints:
        resolved_then = complaint.resolved_at is not None and complaint.resolved_at <= end
        on_time = resolved_then and complaint.resolved_at <= complaint.resolve_by
        if not on_time:
            late.append(complaint)
        evidence.append(
            Evidence(
                f"{complaint.subject} — " + (_("resolved on time") if on_time else _("late or unresolved")),
                "evaluation.complaint",
                complaint.pk,
            )
        )
    return complaints, late, evidence


@clause_check("10.1", reads=("agency.Membership", "auth.User", Complaint, EvaluationCampaign, SurveyInvitation))
def yearly_evaluation_and_protection(client: Client, period: Period) -> CheckResult:
    """A service-quality evaluation for the client in each calendar year of the period, and its
    complaints resolved by their deadlines (at least the agency's share of them)."""
    as_of, end = _as_of(client, period)
    if served_from(client) > as_of:
        return CheckResult(Status.NOT_APPLICABLE, _("Not yet a client by the period's end."))
    missing, notes, evidence = _yearly_part(client, period, as_of, end)
    complaints, late, complaint_evidence = _complaints_part(client, end)
    target = client.agency.setting(COMPLAINTS_ON_TIME_PERCENT)
    on_time_percent = 100.0 * (len(complaints) - len(late)) / len(complaints) if complaints else 100.0
    problems = []
    if missing:
        problems.append(_("No yearly evaluation sent for %(years)s.") % {"years": ", ".join(str(y) for y in missing)})
    if on_time_percent < target:
        problems.append(
            _(
                "%(late)d of %(total)d complaints not resolved by their deadline "
                "(%(share).0f%% on time, target %(target)d%%): %(subjects)s"
            )
            % {
                "late": len(late),
                "total": len(complaints),
                "share": on_time_percent,
                "target": target,
                "subjects": ", ".join(c.subject for c in late),
            }
        )
    evidence += complaint_evidence
    if problems:
        return CheckResult(Status.NOT_MET, " ".join(problems), evidence)
    parts = [
        _("Yearly evaluation sent for every year of the period.")
        if not notes
        else "; ".join(str(n) for n in notes) + "."
    ]
    parts.append(
        _("%(total)d complaints due, all within target.") % {"total": len(complaints)}
        if complaints
        else _("No complaint was due.")
    )
    return CheckResult(Status.MET, " ".join(parts), evidence)


@clause_check(
    "10.2",
    reads=("agency.Membership", "auth.User", EvaluationCampaign, ImprovementAction, ImprovementCycle, SurveyInvitation),
)
def improvement_followed_up(client: Client, period: Period) -> CheckResult:
    """Every improvement action finished by the period's end was followed up by a survey sent
    within 30 days (or still has time to be); cycles not yet satisfied are listed."""
    tz = client.agency.tz
    as_of, end = _as_of(client, period)
    cycles = list(ImprovementCycle.objects.filter(client=client, opened_at__lte=end).order_by("opened_at", "pk"))
    if not cycles:
        return CheckResult(Status.NOT_APPLICABLE, _("No finding was recorded up to the period's end."))
    actions = list(
        ImprovementAction.objects.filter(client=client, status=ActionStatus.DONE, completed_at__lte=end)
        .select_related("follow_up", "cycle")
        .order_by("completed_at", "pk")
    )
    sent_at = _follow_ups_sent_at(client, [a.follow_up for a in actions if a.follow_up_id], end)
    missed, waiting, evidence = [], [], []
    for action in actions:
        completed_on = _local(action.completed_at, tz)
        deadline = follow_up_deadline(completed_on)
        follow_up = action.follow_up
        asked = None
        if follow_up is not None and follow_up.kind == CampaignKind.FOLLOW_UP and follow_up.cycle_id == action.cycle_id:
            asked = sent_at.get(follow_up.pk)
        # Asked again "after the improvement": a survey sent before the action was done does not follow it up.
        sent_on = _local(asked, tz) if asked is not None and asked >= action.completed_at else None
        if sent_on is not None and sent_on <= as_of:
            ok = sent_on <= deadline
            label = _("%(action)s: follow-up sent %(sent)s (by %(due)s)") % {
                "action": action.action[:60],
                "sent": sent_on.isoformat(),
                "due": deadline.isoformat(),
            }
            if not ok:
                missed.append(action)
        elif as_of <= deadline:
            waiting.append(action)
            label = _("%(action)s: follow-up due by %(due)s") % {
                "action": action.action[:60],
                "due": deadline.isoformat(),
            }
        else:
            missed.append(action)
            label = _("%(action)s: no follow-up sent by %(due)s") % {
                "action": action.action[:60],
                "due": deadline.isoformat(),
            }
        evidence.append(Evidence(label, "evaluation.improvementaction", action.pk))
    follow_ups: dict[int, list[EvaluationCampaign]] = {}
    for follow_up in EvaluationCampaign.objects.filter(
        cycle__in=cycles, kind=CampaignKind.FOLLOW_UP, created_at__lte=end
    ):
        follow_ups.setdefault(follow_up.cycle_id, []).append(follow_up)
    open_cycles = []
    for cycle in cycles:
        closed, round_then = _cycle_then(follow_ups.get(cycle.pk, []), end)
        if not closed:
            open_cycles.append(cycle)
        evidence.append(
            Evidence(
                f"{cycle.finding} — "
                + (_("closed, satisfied") if closed else _("open, round %(round)d") % {"round": round_then}),
                "evaluation.improvementcycle",
                cycle.pk,
            )
        )
    listing = (
        _("Open until satisfied: %(findings)s.") % {"findings": ", ".join(c.finding for c in open_cycles)}
        if open_cycles
        else _("Every finding is closed with users and client satisfied.")
    )
    if missed:
        return CheckResult(
            Status.NOT_MET,
            _("%(count)d finished improvements without a follow-up survey within %(days)d days: %(actions)s. ")
            % {"count": len(missed), "days": FOLLOW_UP_WITHIN_DAYS, "actions": ", ".join(a.action[:40] for a in missed)}
            + listing,
            evidence,
        )
    return CheckResult(
        Status.MET,
        _(
            "%(done)d finished improvements, each followed up within %(days)d days "
            "(%(waiting)d still within the window). "
        )
        % {"done": len(actions), "days": FOLLOW_UP_WITHIN_DAYS, "waiting": len(waiting)}
        + listing,
        evidence,
    )


def _follow_ups_sent_at(client: Client, follow_ups: list[EvaluationCampaign], end: dt.datetime) -> dict:
    """When each follow-up had asked both audiences again by ``end`` (10.2): its public link open
    for users and its first invitation sent to one of the client's people, whichever came later.
    A follow-up opened with no invitation sent to the client's people is not sent."""
    first_invited = dict(
        _invitations_to_client_people(client, end)
        .filter(campaign__in=[f.pk for f in follow_ups])
        .values("campaign")
        .annotate(first=Min("sent_at"))
        .values_list("campaign", "first")
    )
    return {
        f.pk: max(f.opened_at, first_invited[f.pk])
        for f in follow_ups
        if f.opened_at is not None and f.opened_at <= end and f.pk in first_invited
    }


def _cycle_then(follow_ups: list[EvaluationCampaign], end: dt.datetime) -> tuple[bool, int]:
    """Whether a cycle stood closed at ``end``, and its round then: each follow-up closed by then
    below the threshold opened a round; the last one meeting it, with none pending, closed it."""
    done = sorted((f for f in follow_ups if f.closed_at is not None and f.closed_at <= end), key=lambda f: f.closed_at)
    pending = [f for f in follow_ups if f.closed_at is None or f.closed_at > end]
    round_then = 1 + sum(1 for f in done if f.outcome_met is False)
    return (not pending and bool(done) and bool(done[-1].outcome_met)), round_then
