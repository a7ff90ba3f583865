"""Clause check of 6.4, private messages answered in time.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.conformance.common import active_accounts, end_of_period, no_active_accounts, page_url, result_of
from accounts_ops.models import ReplyRule
from accounts_ops.rules import DM_FIRST_RESPONSE_TARGET_SECONDS
from accounts_ops.selectors.inbox import ResponseSummary, response_summaries
from agency.conformance import CheckResult, Evidence, Period, clause_check
from clients.models import Client


@clause_check("6.4", reads=("clients.PlatformAccount", "accounts_ops.InboxMessage", ReplyRule))
def private_messages_are_answered_in_time(client: Client, period: Period) -> CheckResult:
    """Every active account has active reply rules, and the median first response to the
    period's messages is within the agency's target."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    end = end_of_period(period, client)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=client.agency.tz)
    target = client.agency.setting(DM_FIRST_RESPONSE_TARGET_SECONDS)
    rules_per_account = dict(
        ReplyRule.objects.filter(account__in=accounts, is_active=True, created_at__lte=end)
        .values("account")
        .annotate(count=Count("id"))
        .values_list("account", "count")
    )
    as_of = min(end, timezone.now())
    summaries = response_summaries(
        account_ids=[a.pk for a in accounts], start=start, end=end, target=target, as_of=as_of
    )
    problems, evidence = [], []
    for account in accounts:
        if not rules_per_account.get(account.pk):
            problems.append(_("@%(handle)s has no active reply rule") % {"handle": account.handle})
        summary: ResponseSummary = summaries[account.pk]
        evidence.append(
            Evidence(
                _("@%(handle)s: %(rules)d active rules; %(messages)d messages, median %(median)s, p90 %(p90)s")
                % {
                    "handle": account.handle,
                    "rules": rules_per_account.get(account.pk, 0),
                    "messages": summary.messages,
                    "median": summary.median_display,
                    "p90": summary.p90_display,
                },
                "clients.platformaccount",
                account.pk,
                page_url("account", account.pk),
            )
        )
        if summary.reported:
            # Timed to when the report arrived, so never earlier than the truth; shown as such.
            evidence.append(
                Evidence(
                    _(
                        "@%(handle)s: %(count)d first responses were reported through the API, not confirmed "
                        "by the platform; they are timed from when the report arrived"
                    )
                    % {"handle": account.handle, "count": summary.reported},
                    "clients.platformaccount",
                    account.pk,
                    page_url("account", account.pk),
                )
            )
        if summary.meets_target is False:
            problems.append(
                _("@%(handle)s answers in a median of %(median)s, beyond the target of %(target)d s")
                % {"handle": account.handle, "median": summary.median_display, "target": target}
            )
    result = result_of(
        problems,
        evidence,
        _("Every active account has reply rules; first responses meet the target of %(target)d s.")
        % {"target": target},
    )
    # Measured as of now within an open period: the figures move on with the clock until its end.
    moments = [s.changes_at for s in summaries.values() if s.changes_at is not None and s.changes_at <= end]
    result.changes_at = min(moments, default=None) if as_of < end else None
    return result
