"""Clause check of 7.2, content planned from hot topics.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts_ops.conformance.common import active_accounts, end_of_period, no_active_accounts, page_url, result_of
from accounts_ops.models.hot_topics import ContentPlan, ContentPlanTopic, PlanStatus
from agency.conformance import CheckResult, Evidence, Period, clause_check
from clients.models import Client
from records.selectors.audit import values_as_they_stood


@clause_check("7.2", reads=("clients.PlatformAccount", ContentPlan, ContentPlanTopic))
def accounts_plan_content_from_hot_topics(client: Client, period: Period) -> CheckResult:
    """Each active account has content planned within the period that rides at least one hot topic."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    end = end_of_period(period, client)
    linked = set(
        ContentPlanTopic.objects.filter(plan__account__in=accounts, created_at__lte=end).values_list(
            "plan_id", flat=True
        )
    )
    # 7.2: a plan's day and status as they stood at the period's end: a plan moved into the period,
    # or revived from dropped, after its end does not count for it; one dropped after it still does.
    candidates = list(
        ContentPlan.objects.filter(account__in=accounts, pk__in=linked, created_at__lte=end).filter(
            Q(planned_on__gte=period.start, planned_on__lte=period.end) | Q(updated_at__gt=end)
        )
    )
    stood = values_as_they_stood(candidates, ("planned_on", "status"), end)
    plans: dict[int, list[ContentPlan]] = {}
    for plan in candidates:
        then = stood[plan.pk]
        if period.start <= then["planned_on"] <= period.end and then["status"] != PlanStatus.DROPPED:
            plan.planned_on = then["planned_on"]
            plans.setdefault(plan.account_id, []).append(plan)
    problems, evidence = [], []
    for account in accounts:
        found = plans.get(account.pk, [])
        if not found:
            problems.append(_("@%(handle)s has no planned content riding a hot topic") % {"handle": account.handle})
            continue
        for plan in found:
            evidence.append(
                Evidence(
                    _("@%(handle)s: “%(title)s” planned for %(day)s")
                    % {"handle": account.handle, "title": plan.title, "day": plan.planned_on},
                    "accounts_ops.contentplan",
                    plan.pk,
                    page_url("plan-detail", plan.pk),
                )
            )
    return result_of(
        problems,
        evidence,
        _("%(count)d active accounts, each with content planned from hot topics.") % {"count": len(accounts)},
    )
