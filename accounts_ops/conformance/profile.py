"""Clause check of 6.2, the account's profile.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext as _

from accounts_ops.conformance.common import active_accounts, end_of_period, no_active_accounts, page_url, result_of
from accounts_ops.models import ProfileChange, ProfileChangeStatus, ProfileField
from agency.conformance import CheckResult, Evidence, Period, clause_check
from clients.models import Client


@clause_check("6.2", reads=("clients.PlatformAccount", ProfileChange))
def every_account_is_personalised(client: Client, period: Period) -> CheckResult:
    """Every active account has its avatar, banner, bio and nickname set, each as a recorded change."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    # A change recorded after the period, dated back into it, was not on record then.
    applied = (
        ProfileChange.objects.filter(
            account__in=accounts,
            status=ProfileChangeStatus.APPLIED,
            applied_on__lte=period.end,
            created_at__lte=end_of_period(period, client),
        )
        .values("account_id", "field")
        .annotate(last=Max("id"))
    )
    found: dict[int, dict[str, int]] = {}
    for row in applied:
        found.setdefault(row["account_id"], {})[row["field"]] = row["last"]
    labels = dict(ProfileField.choices)
    problems, evidence = [], []
    for account in accounts:
        parts = found.get(account.pk, {})
        missing = [str(labels[part]) for part in ProfileField.values if part not in parts]
        if missing:
            problems.append(_("@%(handle)s lacks %(parts)s") % {"handle": account.handle, "parts": ", ".join(missing)})
        for part, change_id in parts.items():
            evidence.append(
                Evidence(
                    _("@%(handle)s: %(part)s") % {"handle": account.handle, "part": labels[part]},
                    "accounts_ops.profilechange",
                    change_id,
                    page_url("profile-detail", change_id),
                )
            )
    return result_of(
        problems,
        evidence,
        _("%(count)d active accounts with all four parts of the profile set.") % {"count": len(accounts)},
    )
