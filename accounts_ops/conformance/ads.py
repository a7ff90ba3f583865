"""Clause check of 6.7, ad campaigns: results, and within budget.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts_ops.conformance.common import as_of_date, end_of_period, page_url, result_of
from accounts_ops.models import AdBudgetApproval, AdCampaign, AdSpend, CampaignStatus, campaign_roi, yuan
from accounts_ops.services.ads import partner_followers_problem
from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import Client


@clause_check("6.7", reads=(AdCampaign, AdSpend, AdBudgetApproval))
def campaigns_have_results_and_stay_within_budget(client: Client, period: Period) -> CheckResult:
    """Every campaign of the period has a budget, a period and, once ended, its results; spend
    never passes the budget plus the extra an agency admin approved; a collaboration's partner is
    a high-follower account by the agency's threshold."""
    end = end_of_period(period, client)
    as_of = as_of_date(period, client)
    campaigns = list(
        AdCampaign.objects.filter(
            client=client, starts_on__lte=period.end, ends_on__gte=period.start, created_at__lte=end
        )
        .exclude(status=CampaignStatus.CANCELLED)
        .order_by("starts_on", "id")
    )
    if not campaigns:
        return CheckResult(Status.NOT_APPLICABLE, _("No ad campaign ran in the period."))
    spent = dict(
        AdSpend.objects.filter(campaign__in=campaigns, spent_on__lte=period.end, created_at__lte=end)
        .values("campaign")
        .annotate(total=Sum("amount"))
        .values_list("campaign", "total")
    )
    extra = dict(
        AdBudgetApproval.objects.filter(campaign__in=campaigns, approved_at__lte=end)
        .values("campaign")
        .annotate(total=Sum("extra_amount"))
        .values_list("campaign", "total")
    )
    problems, evidence = [], []
    with_results = 0
    for campaign in campaigns:
        total = spent.get(campaign.pk) or 0
        allowed = campaign.budget + (extra.get(campaign.pk) or 0)
        roi = campaign_roi(sales=campaign.sales, spend=total) if campaign.results_recorded_on else None
        evidence.append(
            Evidence(
                _("%(name)s: budget %(budget)s, spent %(spent)s, ROI %(roi)s")
                % {"name": campaign.name, "budget": yuan(campaign.budget), "spent": yuan(total), "roi": roi or "—"},
                "accounts_ops.adcampaign",
                campaign.pk,
                page_url("campaign-detail", campaign.pk),
            )
        )
        if total > allowed:
            problems.append(
                _("%(name)s spent %(spent)s against a budget of %(budget)s without an approval")
                % {"name": campaign.name, "spent": yuan(total), "budget": yuan(allowed)}
            )
        ended = campaign.ends_on < as_of
        has_result = campaign.results_recorded_on is not None and campaign.results_recorded_on <= period.end
        if has_result:
            with_results += 1
        elif ended:
            problems.append(
                _("%(name)s ended on %(day)s with no result recorded")
                % {"name": campaign.name, "day": campaign.ends_on}
            )
        partner_problem = partner_followers_problem(campaign, client.agency)
        if partner_problem:
            problems.append(_("%(name)s: %(problem)s") % {"name": campaign.name, "problem": partner_problem})
    running = len(campaigns) - with_results
    summary = _("%(count)d campaigns with budget and period, all within budget; %(results)d with results") % {
        "count": len(campaigns),
        "results": with_results,
    }
    if running:
        summary += _(", %(running)d still running without results yet") % {"running": running}
    return result_of(problems, evidence, summary + ".")
