"""What chapters 6 and 7 add to the records' reports (9 j, 9 k).

The data statistics report gets the accounts' daily metrics (fans over time, plays, engagement)
and the period's top videos by plays; the work assessment report gets first-response times to
private messages (6.4). ``records.selectors`` finds this module and shows its sections.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

from django.db.models import Max, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts_ops.models import AccountDailyMetric, VideoDailyMetric
from accounts_ops.models.inbox import InboxMessage, OutboxReply, ReplySource
from accounts_ops.rules import DM_FIRST_RESPONSE_TARGET_SECONDS
from accounts_ops.selectors.inbox import response_summaries
from accounts_ops.selectors.metrics import ENGAGEMENT_COUNTS, engagement_rate, latest_fans
from agency.conformance import Period
from clients.models import Client, PlatformAccount
from records.selectors.common import bounds
from records.selectors.reports import TOP_VIDEOS, Section, assessment_section, statistics_section

ENGAGEMENT = ENGAGEMENT_COUNTS


def rate_of(totals: dict) -> float | None:
    """The engagement rate (``selectors.metrics.engagement_rate``) of summed counts."""
    return engagement_rate(sum(totals.get(name) or 0 for name in ENGAGEMENT), totals.get("plays"))


def _metric_totals(client: Client, period: Period) -> dict:
    return AccountDailyMetric.objects.filter(client=client, date__range=(period.start, period.end)).aggregate(
        plays=Sum("plays"),
        likes=Sum("likes"),
        comments=Sum("comments"),
        shares=Sum("shares"),
        followers_gained=Sum("followers_gained"),
        last_day=Max("date"),
    )


def _fans_at(client: Client, day: dt.date) -> int | None:
    """Fans across the client's accounts on ``day``: each account's latest total read on or before it."""
    values = (
        PlatformAccount.objects.filter(client=client).annotate(fans=latest_fans(day)).values_list("fans", flat=True)
    )
    known = [v for v in values if v is not None]
    return sum(known) if known else None


@statistics_section
def fans_plays_engagement(client: Client, period: Period, previous: Period) -> Section:
    section = Section(_("Fans, plays and engagement (chapter 7 platform data)"))
    now, before = _metric_totals(client, period), _metric_totals(client, previous)
    section.has_data = now["last_day"] is not None
    if not section.has_data:
        section.notes.append(_("No daily account metrics were recorded for this period."))
        return section
    section.figure(_("Fans at the end of the period"), _fans_at(client, period.end), _fans_at(client, previous.end))
    section.figure(_("New followers"), now["followers_gained"] or 0, before["followers_gained"])
    section.figure(_("Plays"), now["plays"] or 0, before["plays"])
    section.figure(
        _("Likes, comments and shares"),
        sum(now[name] or 0 for name in ENGAGEMENT),
        sum(before[name] or 0 for name in ENGAGEMENT) if before["last_day"] is not None else None,
    )
    section.figure(_("Engagement rate (%)"), rate_of(now), rate_of(before))

    per_day = {
        row["date"]: row
        for row in AccountDailyMetric.objects.filter(client=client, date__range=(period.start, period.end))
        .values("date")
        .annotate(fans=Sum("followers_total"), plays=Sum("plays"))
        .order_by()
    }
    days = [period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    labels = [d.strftime("%m-%d") for d in days]
    section.chart(_("Plays per day"), labels, [(per_day.get(d) or {}).get("plays") or 0 for d in days])
    section.chart(
        _("Fans per day (accounts reporting)"), labels, [(per_day.get(d) or {}).get("fans") or 0 for d in days]
    )

    by_account = (
        AccountDailyMetric.objects.filter(client=client, date__range=(period.start, period.end))
        .values("account")
        .annotate(
            gained=Sum("followers_gained"),
            plays=Sum("plays"),
            likes=Sum("likes"),
            comments=Sum("comments"),
            shares=Sum("shares"),
        )
        .order_by("account")
    )
    accounts = PlatformAccount.objects.in_bulk([row["account"] for row in by_account])
    section.table(
        _("Per account"),
        [_("Account"), _("New followers"), _("Plays"), _("Likes, comments and shares"), _("Engagement rate (%)")],
        [
            [
                str(accounts[row["account"]]),
                row["gained"] or 0,
                row["plays"] or 0,
                sum(row[name] or 0 for name in ENGAGEMENT),
                rate_of(row),
            ]
            for row in by_account
        ],
    )
    return section


@statistics_section
def top_videos_by_plays(client: Client, period: Period, previous: Period) -> Section | None:
    rows = list(
        VideoDailyMetric.objects.filter(client=client, date__range=(period.start, period.end))
        .values("video", "video__title", "account__handle")
        .annotate(plays=Sum("plays"), likes=Sum("likes"), comments=Sum("comments"), shares=Sum("shares"))
        .order_by("-plays", "video")[:TOP_VIDEOS]
    )
    section = Section(_("Top videos by plays"), has_data=bool(rows))
    if not rows:
        section.notes.append(_("No daily video metrics were recorded for this period."))
        return section
    section.table(
        _("Top videos by plays in the period"),
        [_("Title"), _("Account"), _("Plays"), _("Likes"), pgettext("count", "Comments"), _("Shares")],
        [
            [
                row["video__title"],
                f"@{row['account__handle']}",
                row["plays"] or 0,
                row["likes"] or 0,
                row["comments"] or 0,
                row["shares"] or 0,
            ]
            for row in rows
        ],
    )
    section.chart(
        _("Plays of the top videos"), [row["video__title"][:20] for row in rows], [row["plays"] or 0 for row in rows]
    )
    return section


# --- the work assessment report: first responses (6.4) -------------------------------------------


def _seconds(value: float | None) -> int | None:
    """Whole seconds for the report's figures; None when nothing was answered or the middle
    message is still unanswered past the target (the share within the target tells that)."""
    if value is None or math.isinf(value):
        return None
    return round(value)


@assessment_section
def first_responses(subject, period: Period, previous: Period) -> Section:
    from agency.tenancy import require_agency

    agency = require_agency()
    target = agency.setting(DM_FIRST_RESPONSE_TARGET_SECONDS)
    section = Section(_("First responses to private messages (6.4)"))
    if isinstance(subject, Client):
        account_ids = list(PlatformAccount.objects.filter(client=subject).values_list("pk", flat=True))

        def figures(p: Period) -> tuple[int, float | None, float | None]:
            start, end = bounds(p, agency.tz)
            summaries = response_summaries(account_ids=account_ids, start=start, end=end, target=target).values()
            messages = sum(s.messages for s in summaries)
            counted = sum(s.answered + s.unanswered_late for s in summaries)
            within = sum(s.within_target for s in summaries)
            medians = [s.median_seconds for s in summaries if s.median_seconds is not None]
            return (
                messages,
                (statistics.median(medians) if medians else None),
                (round(within * 100 / counted, 1) if counted else None),
            )

        (messages, median, share), (messages_before, median_before, share_before) = figures(period), figures(previous)
        section.figure(_("Messages received"), messages, messages_before)
        section.figure(
            _("Median first response (s, middle of the accounts' medians)"), _seconds(median), _seconds(median_before)
        )
        section.figure(_("Answered within the target (%)"), share, share_before)
        section.has_data = messages > 0
        section.notes.append(_("Target: first response within %(seconds)s seconds.") % {"seconds": target})
        return section

    def by_person(p: Period) -> tuple[int, list[int]]:
        start, end = bounds(p, agency.tz)
        replies = OutboxReply.objects.filter(
            author=subject, source=ReplySource.MANUAL, created_at__gte=start, created_at__lt=end
        ).count()
        first_author = (
            OutboxReply.objects.filter(message=OuterRef("pk")).order_by("created_at", "pk").values("author")[:1]
        )
        firsts = list(
            InboxMessage.objects.filter(first_response_at__gte=start, first_response_at__lt=end)
            .annotate(first_author=Subquery(first_author))
            .filter(first_author=subject.pk)
            .values_list("first_response_seconds", flat=True)
        )
        return replies, [s for s in firsts if s is not None]

    (replies, firsts), (replies_before, firsts_before) = by_person(period), by_person(previous)
    section.figure(_("Replies written by hand"), replies, replies_before)
    section.figure(_("Messages first answered"), len(firsts), len(firsts_before))
    section.figure(
        _("Median first response of those (s)"),
        _seconds(statistics.median(firsts) if firsts else None),
        _seconds(statistics.median(firsts_before) if firsts_before else None),
    )
    section.has_data = bool(replies or firsts)
    return section
