"""Clause check of 6.6, promotion each month.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts_ops.conformance.common import (
    active_accounts,
    as_of_date,
    end_of_period,
    months_of,
    no_active_accounts,
    page_url,
    result_of,
)
from accounts_ops.models import PromotionStatus, PromotionTask
from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import Client
from records.selectors.audit import values_as_they_stood


@clause_check("6.6", reads=("clients.PlatformAccount", PromotionTask))
def promotion_each_month(client: Client, period: Period) -> CheckResult:
    """Every active account has a promotion done in each month of the period (up to today; a
    month in progress needs one too)."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    as_of = as_of_date(period, client)
    if as_of < period.start:
        return CheckResult(Status.NOT_APPLICABLE, _("The period has not started yet."))
    # As it stood at the period's end: a task marked done after the period and dated back into
    # it was not done then (its status and day are read back from the audit trail).
    tasks = list(PromotionTask.objects.filter(account__in=accounts, created_at__lte=end_of_period(period, client)))
    then = values_as_they_stood(tasks, ("status", "done_on"), end_of_period(period, client))
    done = sorted(
        (
            t
            for t in tasks
            if then[t.pk]["status"] == PromotionStatus.DONE
            and then[t.pk]["done_on"] is not None
            and period.start <= then[t.pk]["done_on"] <= as_of
        ),
        key=lambda t: then[t.pk]["done_on"],
    )
    seen = {(t.account_id, then[t.pk]["done_on"].year, then[t.pk]["done_on"].month) for t in done}
    problems = []
    for month in months_of(period.start, as_of):
        for account in accounts:
            if (account.pk, month.start.year, month.start.month) not in seen:
                problems.append(
                    _("@%(handle)s has no promotion done in %(month)s")
                    % {"handle": account.handle, "month": month.start.strftime("%Y-%m")}
                )
    evidence = [
        Evidence(
            f"{then[t.pk]['done_on']} {t.get_channel_display()}: {t.target}",
            "accounts_ops.promotiontask",
            t.pk,
            page_url("promotion-list") + f"?account={t.account_id}",
        )
        for t in done
    ]
    return result_of(
        problems, evidence, _("%(count)d promotions done, every account in every month.") % {"count": len(done)}
    )
