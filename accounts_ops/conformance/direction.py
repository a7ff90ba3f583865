"""Clause check of 6.1, the account's direction.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts_ops.conformance.common import active_accounts, end_of_period, no_active_accounts, page_url, result_of
from accounts_ops.models import AccountDirection
from agency.conformance import CheckResult, Evidence, Period, clause_check
from clients.models import Client


@clause_check("6.1", reads=("clients.PlatformAccount", AccountDirection))
def every_account_has_a_direction(client: Client, period: Period) -> CheckResult:
    """Every account active at the period's end has a direction in force then."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    end = end_of_period(period, client)
    directions = {}
    for direction in AccountDirection.objects.filter(
        account__in=accounts, effective_from__lte=period.end, created_at__lte=end
    ).order_by("account_id", "version"):
        directions[direction.account_id] = direction  # the latest version wins
    problems, evidence = [], []
    for account in accounts:
        direction = directions.get(account.pk)
        if direction is None:
            problems.append(_("@%(handle)s has no direction") % {"handle": account.handle})
            continue
        evidence.append(
            Evidence(
                _("@%(handle)s: direction v%(version)d from %(day)s")
                % {"handle": account.handle, "version": direction.version, "day": direction.effective_from},
                "accounts_ops.accountdirection",
                direction.pk,
                page_url("account", account.pk),
            )
        )
    return result_of(
        problems, evidence, _("%(count)d active accounts, each with a direction.") % {"count": len(accounts)}
    )
