"""Clause check of 7.3, the audience persona analysed regularly.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext as _

from accounts_ops.conformance.common import (
    active_accounts,
    as_of_date,
    end_of_period,
    no_active_accounts,
    page_url,
    result_of,
)
from accounts_ops.models.audience import AudiencePersonaReport
from accounts_ops.rules import PERSONA_MAX_AGE_DAYS
from agency.conformance import CheckResult, Evidence, Period, clause_check
from clients.models import Client


@clause_check("7.3", reads=("clients.PlatformAccount", AudiencePersonaReport))
def audience_persona_is_analysed_regularly(client: Client, period: Period) -> CheckResult:
    """Each active account has a persona report no older than the agency's analysis period
    (default 30 days) at the period's end (or today, for a period still running)."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    end = end_of_period(period, client)
    as_of = as_of_date(period, client)
    max_age = client.agency.setting(PERSONA_MAX_AGE_DAYS)
    # 7.3: a report on a snapshot with no portrait in it (no dominant segment) analysed nothing.
    analysed = AudiencePersonaReport.objects.filter(account__in=accounts, created_at__lte=end).exclude(dominant={})
    latest = dict(
        analysed.filter(period_end__lte=as_of)
        .values("account_id")
        .annotate(last=Max("period_end"))
        .values_list("account_id", "last")
    )
    reports = {(r.account_id, r.period_end): r for r in analysed.filter(period_end__in=set(latest.values()))}
    problems, evidence = [], []
    for account in accounts:
        last = latest.get(account.pk)
        if last is None:
            problems.append(_("@%(handle)s has no persona report") % {"handle": account.handle})
            continue
        report = reports[(account.pk, last)]
        age = (as_of - last).days
        evidence.append(
            Evidence(
                _("@%(handle)s: persona report for %(start)s..%(end)s")
                % {"handle": account.handle, "start": report.period_start, "end": last},
                "accounts_ops.audiencepersonareport",
                report.pk,
                page_url("persona-detail", report.pk),
            )
        )
        if age > max_age:
            problems.append(
                _("@%(handle)s's latest persona report is %(age)d days old (at most %(max)d)")
                % {"handle": account.handle, "age": age, "max": max_age}
            )
    return result_of(
        problems,
        evidence,
        _("%(count)d active accounts, each with a persona report within %(max)d days.")
        % {"count": len(accounts), "max": max_age},
    )
