"""Clause check of 6.5, group-buy deals and POI links (local life).
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts_ops.conformance.common import end_of_period, page_url, result_of
from accounts_ops.models import DealStatus, GroupBuyDeal, LocalLifeEnablement, PoiLink, PoiStatus
from agency.conformance import CheckResult, Evidence, Period, clause_check
from clients.models import Client
from records.selectors.audit import values_as_they_stood

DEAL_STATE = ("platform_status", "first_live_on", "valid_from", "valid_until")


@clause_check("6.5", reads=(LocalLifeEnablement, GroupBuyDeal, PoiLink))
def group_buy_and_poi_are_open(client: Client, period: Period) -> CheckResult:
    """A client that sells locally has at least one live deal and a claimed or linked POI at the
    period's end (the clause applies only to clients who bought the local-life service)."""
    end = end_of_period(period, client)
    # 6.5 judged as it stood at the period's end: a status or date changed since is read back
    # from the audit trail, so a POI linked (or a deal put live) after the period does not count
    # for it, and one unlinked (or paused) after it still does.
    all_deals = list(GroupBuyDeal.objects.filter(client=client, created_at__lte=end))
    deals_then = values_as_they_stood(all_deals, DEAL_STATE, end)
    deals = [
        d
        for d in all_deals
        if (then := deals_then[d.pk])["platform_status"] == DealStatus.LIVE
        and then["first_live_on"] is not None
        and then["first_live_on"] <= period.end
        and then["valid_from"] <= period.end <= then["valid_until"]
    ]
    all_pois = list(PoiLink.objects.filter(client=client, created_at__lte=end))
    pois_then = values_as_they_stood(all_pois, ("status",), end)
    pois = [p for p in all_pois if pois_then[p.pk]["status"] in (PoiStatus.CLAIMED, PoiStatus.LINKED)]
    evidence = [
        Evidence(
            _("Deal: %(title)s") % {"title": d.title}, "accounts_ops.groupbuydeal", d.pk, page_url("deal-update", d.pk)
        )
        for d in deals
    ]
    evidence += [
        Evidence(
            _("POI: %(store)s") % {"store": p.store_name}, "accounts_ops.poilink", p.pk, page_url("poi-update", p.pk)
        )
        for p in pois
    ]
    checklist = LocalLifeEnablement.objects.filter(client=client).first()
    if checklist is not None:
        done = sum(1 for _label, day in checklist.steps if day and day <= period.end)
        evidence.append(
            Evidence(
                _("Enablement checklist: %(done)d of 3 steps") % {"done": done},
                "accounts_ops.locallifeenablement",
                checklist.pk,
                page_url("enablement-list"),
            )
        )
    problems = []
    if not deals:
        problems.append(_("no group-buy deal live at the period's end"))
    if not pois:
        problems.append(_("no claimed or linked POI"))
    return result_of(
        problems,
        evidence,
        _("%(deals)d live deals and %(pois)d linked POIs.") % {"deals": len(deals), "pois": len(pois)},
    )
