"""Clause checks of chapter 6 (6.1-6.7). Each judges the period as it stood at its end: rows
recorded after the period's end do not count for it."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.models.ads import AdBudgetApproval, AdCampaign, AdSpend, CampaignStatus, campaign_roi
from accounts_ops.models.common import yuan
from accounts_ops.models.direction import AccountDirection
from accounts_ops.models.inbox import ReplyRule
from accounts_ops.models.local import DealStatus, GroupBuyDeal, LocalLifeEnablement, PoiLink, PoiStatus
from accounts_ops.models.pinned import BoostRecord, PinnedVideo
from accounts_ops.models.profile import ProfileChange, ProfileChangeStatus, ProfileField
from accounts_ops.models.promotion import PromotionStatus, PromotionTask
from accounts_ops.rules import DM_FIRST_RESPONSE_TARGET_SECONDS, PINNED_SLOTS_MAX, PINNED_SLOTS_MIN
from accounts_ops.selectors.inbox import ResponseSummary, response_summaries
from accounts_ops.services.ads import partner_followers_problem
from accounts_ops.services.pinned import boost_next_due
from agency.conformance import CheckResult, Evidence, Period, Status, clause_check
from clients.models import AccountStatus, Client, PlatformAccount
from records.selectors import values_as_they_stood


def _page(name: str, *args) -> str:
    return reverse(f"accounts_ops:{name}", args=args)


def _end_of(period: Period, client: Client) -> dt.datetime:
    return dt.datetime.combine(period.end, dt.time.max, tzinfo=client.agency.tz)


def _as_of(period: Period, client: Client) -> dt.date:
    return min(period.end, timezone.localdate(timezone=client.agency.tz))


def _accounts(client: Client, period: Period) -> list[PlatformAccount]:
    """The client's accounts active at the period's end, their status as it stood then: an account
    paused or closed after the period still answers for it (chapters 6 and 7)."""
    end = _end_of(period, client)
    rows = list(PlatformAccount.objects.filter(client=client, created_at__lte=end).order_by("platform", "handle"))
    stood = values_as_they_stood(rows, ("status",), end)
    return [account for account in rows if stood[account.pk]["status"] == AccountStatus.ACTIVE]


def _no_accounts() -> CheckResult:
    return CheckResult(Status.NOT_APPLICABLE, _("The client has no active account."))


def _result(problems: list[str], evidence: list[Evidence], met_summary: str) -> CheckResult:
    if problems:
        return CheckResult(Status.NOT_MET, "; ".join(problems), evidence)
    return CheckResult(Status.MET, met_summary, evidence)


@clause_check("6.1")
def every_account_has_a_direction(client: Client, period: Period) -> CheckResult:
    """Every account active at the period's end has a direction in force then."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    end = _end_of(period, client)
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
                _page("account", account.pk),
            )
        )
    return _result(
        problems, evidence, _("%(count)d active accounts, each with a direction.") % {"count": len(accounts)}
    )


@clause_check("6.2")
def every_account_is_personalised(client: Client, period: Period) -> CheckResult:
    """Every active account has its avatar, banner, bio and nickname set, each as a recorded change."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    # A change recorded after the period, dated back into it, was not on record then.
    applied = (
        ProfileChange.objects.filter(
            account__in=accounts,
            status=ProfileChangeStatus.APPLIED,
            applied_on__lte=period.end,
            created_at__lte=_end_of(period, client),
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
                    _page("profile-detail", change_id),
                )
            )
    return _result(
        problems,
        evidence,
        _("%(count)d active accounts with all four parts of the profile set.") % {"count": len(accounts)},
    )


def missed_boosts(pinned: PinnedVideo, boosts: list[dt.date], *, start: dt.date, until: dt.date) -> list[dt.date]:
    """6.3: the due days of the boosts ``pinned`` did not get, that became missed in
    ``start``..``until``.

    The plan puts the next boost one interval after the last boost (or the pinning). A boost made
    on its due day is on time; from the next day the boost is missed, and stays missed: the plan
    runs on from the missed due day, and a late boost restarts it only from the day it was made.
    ``until`` is the last day judged (today, the period's end, or the day the video was unpinned)."""
    one_day = dt.timedelta(days=1)
    missed = []
    anchor = pinned.pinned_on
    for boosted_on in [*sorted(boosts), None]:
        limit = until if boosted_on is None else min(boosted_on, until)
        due = boost_next_due(pinned, anchor)
        while due + one_day <= limit:
            if due + one_day >= start:
                missed.append(due)
            due = boost_next_due(pinned, due)
        if boosted_on is None or boosted_on > until:
            break
        anchor = boosted_on
    return missed


@clause_check("6.3")
def pinned_videos_are_kept_and_boosted(client: Client, period: Period) -> CheckResult:
    """1-3 pinned videos per active account at the period's end, and every boost that fell due in
    the period made on time: a boost missed in the period stays missed, whatever came after it."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    as_of = _as_of(period, client)
    end = _end_of(period, client)
    # Every pin that stood at some time in the period: one unpinned mid-period had its boosts due too.
    pins = list(
        PinnedVideo.objects.filter(account__in=accounts, pinned_on__lte=as_of, created_at__lte=end)
        .filter(Q(unpinned_on__isnull=True) | Q(unpinned_on__gte=period.start))
        .select_related("video")
        .order_by("account_id", "slot", "pinned_on")
    )
    boosts: dict[int, list[dt.date]] = {}
    for pinned_id, boosted_on in BoostRecord.objects.filter(
        pinned_video__in=pins, boosted_on__lte=as_of, created_at__lte=end
    ).values_list("pinned_video", "boosted_on"):
        boosts.setdefault(pinned_id, []).append(boosted_on)
    by_account: dict[int, list[PinnedVideo]] = {}
    for pinned in pins:
        by_account.setdefault(pinned.account_id, []).append(pinned)
    problems, evidence = [], []
    for account in accounts:
        mine = by_account.get(account.pk, [])
        standing = [p for p in mine if p.unpinned_on is None or p.unpinned_on > as_of]
        if not PINNED_SLOTS_MIN <= len(standing) <= PINNED_SLOTS_MAX:
            problems.append(
                _("@%(handle)s has %(count)d pinned videos (6.3: %(min)d to %(max)d)")
                % {
                    "handle": account.handle,
                    "count": len(standing),
                    "min": PINNED_SLOTS_MIN,
                    "max": PINNED_SLOTS_MAX,
                }
            )
        for pinned in mine:
            made = boosts.get(pinned.pk, [])
            until = as_of if pinned.unpinned_on is None else min(as_of, pinned.unpinned_on)
            missed = missed_boosts(pinned, made, start=period.start, until=until)
            label = _("@%(handle)s slot %(slot)d: %(video)s, %(count)d boosts, last %(last)s") % {
                "handle": account.handle,
                "slot": pinned.slot,
                "video": pinned.video,
                "count": len([d for d in made if d >= period.start]),
                "last": max(made) if made else "—",
            }
            evidence.append(Evidence(label, "accounts_ops.pinnedvideo", pinned.pk, _page("account", account.pk)))
            if missed:
                problems.append(
                    _("%(video)s on @%(handle)s missed %(count)d boosts due on %(days)s (every %(interval)d days)")
                    % {
                        "video": pinned.video,
                        "handle": account.handle,
                        "count": len(missed),
                        "days": ", ".join(day.isoformat() for day in missed),
                        "interval": pinned.boost_interval_days,
                    }
                )
    return _result(
        problems,
        evidence,
        _("%(count)d active accounts with 1-3 pinned videos, each boost of the period made when due.")
        % {"count": len(accounts)},
    )


@clause_check("6.4")
def private_messages_are_answered_in_time(client: Client, period: Period) -> CheckResult:
    """Every active account has active reply rules, and the median first response to the
    period's messages is within the agency's target."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    end = _end_of(period, client)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=client.agency.tz)
    target = client.agency.setting(DM_FIRST_RESPONSE_TARGET_SECONDS)
    rules_per_account = dict(
        ReplyRule.objects.filter(account__in=accounts, is_active=True, created_at__lte=end)
        .values("account")
        .annotate(count=Count("id"))
        .values_list("account", "count")
    )
    summaries = response_summaries(
        account_ids=[a.pk for a in accounts], start=start, end=end, target=target, as_of=min(end, timezone.now())
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
                _page("account", account.pk),
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
                    _page("account", account.pk),
                )
            )
        if summary.meets_target is False:
            problems.append(
                _("@%(handle)s answers in a median of %(median)s, beyond the target of %(target)d s")
                % {"handle": account.handle, "median": summary.median_display, "target": target}
            )
    return _result(
        problems,
        evidence,
        _("Every active account has reply rules; first responses meet the target of %(target)d s.")
        % {"target": target},
    )


DEAL_STATE = ("platform_status", "first_live_on", "valid_from", "valid_until")


@clause_check("6.5")
def group_buy_and_poi_are_open(client: Client, period: Period) -> CheckResult:
    """A client that sells locally has at least one live deal and a claimed or linked POI at the
    period's end (the clause applies only to clients who bought the local-life service)."""
    end = _end_of(period, client)
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
            _("Deal: %(title)s") % {"title": d.title}, "accounts_ops.groupbuydeal", d.pk, _page("deal-update", d.pk)
        )
        for d in deals
    ]
    evidence += [
        Evidence(_("POI: %(store)s") % {"store": p.store_name}, "accounts_ops.poilink", p.pk, _page("poi-update", p.pk))
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
                _page("enablement-list"),
            )
        )
    problems = []
    if not deals:
        problems.append(_("no group-buy deal live at the period's end"))
    if not pois:
        problems.append(_("no claimed or linked POI"))
    return _result(
        problems,
        evidence,
        _("%(deals)d live deals and %(pois)d linked POIs.") % {"deals": len(deals), "pois": len(pois)},
    )


def _months(start: dt.date, end: dt.date) -> list[Period]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        months.append(Period(max(first, start), min(last, end)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@clause_check("6.6")
def promotion_each_month(client: Client, period: Period) -> CheckResult:
    """Every active account has a promotion done in each month of the period (up to today; a
    month in progress needs one too)."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    as_of = _as_of(period, client)
    if as_of < period.start:
        return CheckResult(Status.NOT_APPLICABLE, _("The period has not started yet."))
    # As it stood at the period's end: a task marked done after the period and dated back into
    # it was not done then (its status and day are read back from the audit trail).
    tasks = list(PromotionTask.objects.filter(account__in=accounts, created_at__lte=_end_of(period, client)))
    then = values_as_they_stood(tasks, ("status", "done_on"), _end_of(period, client))
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
    for month in _months(period.start, as_of):
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
            _page("promotion-list") + f"?account={t.account_id}",
        )
        for t in done
    ]
    return _result(
        problems, evidence, _("%(count)d promotions done, every account in every month.") % {"count": len(done)}
    )


@clause_check("6.7")
def campaigns_have_results_and_stay_within_budget(client: Client, period: Period) -> CheckResult:
    """Every campaign of the period has a budget, a period and, once ended, its results; spend
    never passes the budget plus the extra an agency admin approved; a collaboration's partner is
    a high-follower account by the agency's threshold."""
    end = _end_of(period, client)
    as_of = _as_of(period, client)
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
                _page("campaign-detail", campaign.pk),
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
    return _result(problems, evidence, summary + ".")


# --- chapter 7, advanced account operations ------------------------------------------------------
from django.utils.translation import gettext_lazy  # noqa: E402

from accounts_ops.models import (  # noqa: E402
    AlertStatus,
    AudiencePersonaReport,
    CommentStatus,
    ContentPlan,
    ContentPlanTopic,
    IpPersona,
    OpinionAlert,
    PlanStatus,
    VideoComment,
)
from accounts_ops.services import PERSONA_MAX_AGE_DAYS  # noqa: E402
from agency.adjustable import adjustable  # noqa: E402

# 7.1: comments are answered: at least this share of the period's comments from users is handled
# (replied, hidden or marked handled) by the period's end...
COMMENT_ANSWERED_SHARE = adjustable(
    "comment_answered_share",
    0.9,
    clause="7.1",
    minimum=0,
    maximum=1,
    label=gettext_lazy("Comments: share that must be answered (7.1)"),
)
# ...counting only comments posted at least this long before the end (time to answer them).
COMMENT_ANSWER_HOURS = adjustable(
    "comment_answer_hours",
    24,
    clause="7.1",
    minimum=1,
    maximum=24 * 14,
    label=gettext_lazy("Comments: hours staff have to answer one (7.1)"),
)


@clause_check("7.1")
def comments_answered_and_alerts_handled(client: Client, period: Period) -> CheckResult:
    """The period's comments from users are answered (the agency's share, counting comments old
    enough to have been answered by the period's end), and every opinion alert open during the
    period was handled by its end."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    end = _end_of(period, client)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=client.agency.tz)
    judged_until = end - dt.timedelta(hours=client.agency.setting(COMMENT_ANSWER_HOURS))
    target = client.agency.setting(COMMENT_ANSWERED_SHARE)
    figures = {
        row["account_id"]: row
        for row in VideoComment.objects.filter(
            account__in=accounts, is_from_account=False, posted_at__gte=start, posted_at__lte=judged_until
        )
        .values("account_id")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=Q(status=CommentStatus.HANDLED, handled_at__lte=end)),
        )
    }
    alerts = list(
        OpinionAlert.objects.filter(account__in=accounts, raised_at__lte=end)
        .filter(Q(handled_at__isnull=True) | Q(handled_at__gte=start))
        .order_by("raised_at")
    )
    problems, evidence = [], []
    total = sum(row["total"] for row in figures.values())
    answered = sum(row["answered"] for row in figures.values())
    for account in accounts:
        row = figures.get(account.pk, {"total": 0, "answered": 0})
        evidence.append(
            Evidence(
                _("@%(handle)s: %(answered)d of %(total)d comments answered")
                % {"handle": account.handle, "answered": row["answered"], "total": row["total"]},
                "clients.platformaccount",
                account.pk,
                _page("comment-list") + f"?account={account.pk}",
            )
        )
    if total and answered / total < target:
        problems.append(
            _("%(answered)d of %(total)d comments answered (%(share).0f%%), below the target of %(target).0f%%")
            % {"answered": answered, "total": total, "share": answered / total * 100, "target": target * 100}
        )
    for alert in alerts:
        handled = alert.status == AlertStatus.HANDLED and alert.handled_at is not None and alert.handled_at <= end
        evidence.append(
            Evidence(
                _("Opinion alert of %(day)s (%(share).0f%% negative): %(state)s")
                % {
                    "day": timezone.localtime(alert.raised_at, client.agency.tz).date(),
                    "share": alert.negative_share * 100,
                    "state": _("handled") if handled else _("open"),
                },
                "accounts_ops.opinionalert",
                alert.pk,
                _page("alert-detail", alert.pk),
            )
        )
        if not handled:
            problems.append(
                _("the opinion alert of %(day)s was not handled by the period's end")
                % {"day": timezone.localtime(alert.raised_at, client.agency.tz).date()}
            )
    return _result(
        problems,
        evidence,
        _("%(answered)d of %(total)d comments answered; %(alerts)d opinion alerts, all handled.")
        % {"answered": answered, "total": total, "alerts": len(alerts)},
    )


@clause_check("7.2")
def accounts_plan_content_from_hot_topics(client: Client, period: Period) -> CheckResult:
    """Each active account has content planned within the period that rides at least one hot topic."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    end = _end_of(period, client)
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
                    _page("plan-detail", plan.pk),
                )
            )
    return _result(
        problems,
        evidence,
        _("%(count)d active accounts, each with content planned from hot topics.") % {"count": len(accounts)},
    )


@clause_check("7.3")
def audience_persona_is_analysed_regularly(client: Client, period: Period) -> CheckResult:
    """Each active account has a persona report no older than the agency's analysis period
    (default 30 days) at the period's end (or today, for a period still running)."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    end = _end_of(period, client)
    as_of = _as_of(period, client)
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
                _page("persona-detail", report.pk),
            )
        )
        if age > max_age:
            problems.append(
                _("@%(handle)s's latest persona report is %(age)d days old (at most %(max)d)")
                % {"handle": account.handle, "age": age, "max": max_age}
            )
    return _result(
        problems,
        evidence,
        _("%(count)d active accounts, each with a persona report within %(max)d days.")
        % {"count": len(accounts), "max": max_age},
    )


@clause_check("7.4")
def ip_personas_are_complete(client: Client, period: Period) -> CheckResult:
    """Every account with an IP persona at the period's end has all five facets and the style."""
    accounts = _accounts(client, period)
    if not accounts:
        return _no_accounts()
    end = _end_of(period, client)
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
                _page("persona-ip-list") + f"?account={account_id}",
            )
        )
        if not persona.is_complete:
            problems.append(
                _("@%(handle)s's IP persona lacks %(missing)s")
                % {"handle": handles[account_id], "missing": ", ".join(persona.missing)}
            )
    return _result(
        problems,
        evidence,
        _("%(count)d IP personas, each complete with a style.") % {"count": len(current)},
    )
