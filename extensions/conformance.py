"""Clause checks owned by chapter 8: live sessions staffed and reported (8.1), influencers booked
within the follower range (8.2), valuations that state every factor and the method (8.3).
Each judges the period as it stood at its end (or today, for the current period)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import Client
from extensions.models import AccountValuation, LiveSession, LiveSessionResult, StoreVisitBooking, ValuationFactorKind
from extensions.rules import LIVE_RESULTS_DUE_DAYS, LIVE_TEAM_REQUIRED_ROLES, role_labels
from extensions.selectors.valuation import METHODS, valuation_verify


def _bounds(client: Client, period: Period) -> tuple[dt.date, dt.datetime, dt.datetime, dt.datetime]:
    """The day the period is judged on (its end, or today while it runs), and the moments the
    period starts and ends and the judging day ends, in the agency's time zone."""
    tz = client.agency.tz
    as_of = min(period.end, client.agency.today())
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end, dt.time.max, tzinfo=tz)
    as_of_end = dt.datetime.combine(as_of, dt.time.max, tzinfo=tz)
    return as_of, start, end, as_of_end


@clause_check("8.1", reads=("clients.PlatformAccount", LiveSession, LiveSessionResult))
def live_sessions_staffed_and_reported(client: Client, period: Period) -> CheckResult:
    """Every session that started in the period had the four roles staffed when it started, and
    every session whose results fell due in the period (the agency's days after it ended) has them."""
    as_of, start, end, as_of_end = _bounds(client, period)
    tz = client.agency.tz
    due_days = client.agency.setting(LIVE_RESULTS_DUE_DAYS)
    # 8.1: results are judged in the period their due day passes in, whenever the session started:
    # one that ended in the last days of a period (or started in the one before) is not let off.
    overdue_from = dt.datetime.combine(period.start - dt.timedelta(days=due_days + 1), dt.time.min, tzinfo=tz)
    overdue_until = dt.datetime.combine(as_of - dt.timedelta(days=due_days + 1), dt.time.max, tzinfo=tz)
    started_here = Q(started_at__gte=start, started_at__lte=min(end, as_of_end))
    sessions = list(
        LiveSession.objects.filter(client=client)
        .filter(started_here | Q(ended_at__gte=overdue_from, ended_at__lte=overdue_until))
        .select_related("account")
        .order_by("started_at", "id")
    )
    if not sessions:
        return CheckResult(Status.NOT_APPLICABLE, _("No live session started in the period."))
    reported = dict(
        LiveSessionResult.objects.filter(session__in=sessions, created_at__lte=as_of_end).values_list(
            "session_id", "created_at"
        )
    )
    understaffed, unreported, evidence = [], [], []
    for session in sessions:
        missing = [role for role in LIVE_TEAM_REQUIRED_ROLES if not session.team_at_start.get(role)]
        if missing and start <= session.started_at:  # one started before is its own period's
            understaffed.append(f"{session.theme} ({role_labels(missing)})")
        ended_on = timezone.localtime(session.ended_at, tz).date() if session.ended_at else None
        overdue_here = ended_on is not None and session.ended_at <= as_of_end
        overdue_here = overdue_here and (period.start - ended_on).days <= due_days < (as_of - ended_on).days
        if overdue_here and session.pk not in reported:
            unreported.append(session.theme)
        state = _("results recorded") if session.pk in reported else _("no results")
        started = timezone.localtime(session.started_at, client.agency.tz)
        evidence.append(
            Evidence(
                f"{session.theme} · {session.account} · {started:%Y-%m-%d %H:%M} · {state}",
                "extensions.livesession",
                session.pk,
            )
        )
    if understaffed or unreported:
        parts = []
        if understaffed:
            parts.append(_("started without the four roles: %(sessions)s") % {"sessions": "; ".join(understaffed)})
        if unreported:
            parts.append(
                _("ended more than %(days)d days ago without results: %(sessions)s")
                % {"days": due_days, "sessions": ", ".join(unreported)}
            )
        return CheckResult(Status.NOT_MET, "; ".join(parts), evidence)
    return CheckResult(
        Status.MET,
        _("%(count)d sessions, each started with the four roles staffed; every ended one has its results.")
        % {"count": len(sessions)},
        evidence,
    )


@clause_check("8.2", reads=("extensions.StoreVisitCampaign", StoreVisitBooking))
def influencers_booked_within_range(client: Client, period: Period) -> CheckResult:
    """Every influencer booked in the period had a follower count within the agency's range,
    read no longer ago than allowed, when booked."""
    as_of, start, end, as_of_end = _bounds(client, period)
    bookings = list(
        StoreVisitBooking.objects.filter(client=client, booked_at__gte=start, booked_at__lte=min(end, as_of_end))
        .select_related("campaign", "agency")
        .order_by("booked_at", "id")
    )
    if not bookings:
        return CheckResult(Status.NOT_APPLICABLE, _("No influencer was booked in the period."))
    outside, evidence = [], []
    for booking in bookings:
        in_range = booking.followers_in_range_at_booking
        fresh = booking.followers_age_at_booking <= booking.followers_max_age_days_at_booking
        if not (in_range and fresh):
            outside.append(f"@{booking.influencer_handle} ({booking.followers_at_booking:,})")
        evidence.append(
            Evidence(
                _("@%(handle)s for %(campaign)s: %(followers)s followers read %(read_on)s, range %(low)s-%(high)s")
                % {
                    "handle": booking.influencer_handle,
                    "campaign": booking.campaign.title,
                    "followers": f"{booking.followers_at_booking:,}",
                    "read_on": booking.followers_read_on_at_booking.isoformat(),
                    "low": f"{booking.followers_min_at_booking:,}",
                    "high": f"{booking.followers_max_at_booking:,}",
                },
                "extensions.storevisitbooking",
                booking.pk,
            )
        )
    if outside:
        return CheckResult(
            Status.NOT_MET,
            _("Booked outside the follower range or on an old count: %(bookings)s") % {"bookings": ", ".join(outside)},
            evidence,
        )
    return CheckResult(
        Status.MET,
        _("%(count)d influencers booked, each within the follower range at booking.") % {"count": len(bookings)},
        evidence,
    )


@clause_check("8.3", reads=("clients.PlatformAccount", AccountValuation, "extensions.ValuationFactor"))
def valuations_state_factors_and_method(client: Client, period: Period) -> CheckResult:
    """Every valuation dated in the period names a known method, states all six factors of 8.3
    with their source, weight and effect, and computes again to its stated range."""
    as_of, _start, _end, as_of_end = _bounds(client, period)
    valuations = list(
        AccountValuation.objects.filter(
            client=client, valued_on__gte=period.start, valued_on__lte=as_of, created_at__lte=as_of_end
        )
        .select_related("account")
        .prefetch_related("factors")
        .order_by("valued_on", "id")
    )
    if not valuations:
        return CheckResult(Status.NOT_APPLICABLE, _("No account valuation is dated in the period."))
    problems, evidence = [], []
    required = set(ValuationFactorKind.values)
    for valuation in valuations:
        label = f"{valuation.account} {valuation.valued_on.isoformat()}"
        factors = {factor.factor: factor for factor in valuation.factors.all()}
        missing = required - set(factors)
        # 8.3: a factor stated with blanks for its source or effect is not stated.
        unsourced = [
            name for name, factor in factors.items() if not (factor.source.strip() and factor.effect_text.strip())
        ]
        if valuation.method not in METHODS:
            problems.append(
                _("%(valuation)s: unknown method %(method)r") % {"valuation": label, "method": valuation.method}
            )
        elif missing or unsourced:
            problems.append(
                _("%(valuation)s: factors missing or without source: %(factors)s")
                % {"valuation": label, "factors": ", ".join(sorted(missing | set(unsourced)))}
            )
        elif not valuation_verify(valuation).reproducible:
            problems.append(_("%(valuation)s: does not compute again to its stated range") % {"valuation": label})
        evidence.append(
            Evidence(
                f"{label} · {valuation.method} · ¥{valuation.value_low:,.0f}-¥{valuation.value_high:,.0f}",
                "extensions.accountvaluation",
                valuation.pk,
            )
        )
    if problems:
        return CheckResult(Status.NOT_MET, "; ".join(problems), evidence)
    return CheckResult(
        Status.MET,
        _("%(count)d valuations, each stating its method and all six factors, reproducible from their inputs.")
        % {"count": len(valuations)},
        evidence,
    )
