"""Clause check of 7.4, complete IP personas.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts_ops.conformance.common import active_accounts, end_of_period, no_active_accounts, page_url, result_of
from accounts_ops.models.ip_persona import IpPersona
from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import Client


@clause_check("7.4", reads=("clients.PlatformAccount", IpPersona))
def ip_personas_are_complete(client: Client, period: Period) -> CheckResult:
    """Every account with an IP persona at the period's end has all five facets and the style."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    end = end_of_period(period, client)
    current: dict[int, IpPersona] = {}
    for persona in IpPersona.objects.filter(
        account__in=accounts, effective_from__lte=period.end, created_at__lte=end
    ).order_by("account_id", "version"):
        current[persona.account_id] = persona  # the latest version in force wins
    if not current:
        return CheckResult(Status.NOT_APPLICABLE, _("No account of the client has an IP persona."))
    handles = {account.pk: account.handle for account in accounts}
    problems, evidence = [], []
    for account_id, persona in current.items():
        evidence.append(
            Evidence(
                _("@%(handle)s: “%(name)s” v%(version)d")
                % {"handle": handles[account_id], "name": persona.name, "version": persona.version},
                "accounts_ops.ippersona",
                persona.pk,
                page_url("persona-ip-list") + f"?account={account_id}",
            )
        )
        if not persona.is_complete:
            problems.append(
                _("@%(handle)s's IP persona lacks %(missing)s")
                % {"handle": handles[account_id], "missing": ", ".join(persona.missing)}
            )
    return result_of(
        problems,
        evidence,
        _("%(count)d IP personas, each complete with a style.") % {"count": len(current)},
    )
