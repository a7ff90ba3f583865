"""What chapter 8 adds to the records' reports (9 j, 9 k).

The data statistics report gets the live sessions that ended in the period with their results
(the derived figures come from ``derive_live_figures``, the one place 8.1 defines them) and the
influencer store visits posted in the period with their videos' results; the work assessment
report gets the live sessions run (for a staff member: those they were on the team of).
``records.selectors`` finds this module.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from agency.conformance import Period
from agency.tenancy import require_agency
from clients.models import Client
from extensions.models import (
    BookingStatus,
    LiveSession,
    LiveSessionResult,
    LiveSessionStatus,
    StoreVisitBooking,
    derive_live_figures,
)
from records.selectors.common import bounds
from records.selectors.reports import Section, assessment_section, statistics_section

RESULT_SUMS = ("total_viewers", "views", "orders", "gmv", "new_followers", "refund_amount")


def _ended(period: Period, tz):
    start, end = bounds(period, tz)
    return LiveSession.objects.filter(status=LiveSessionStatus.ENDED, ended_at__gte=start, ended_at__lt=end)


def _money(value) -> float:
    return float(Decimal(value or 0).quantize(Decimal("0.01")))


@statistics_section
def live_sessions(client: Client, period: Period, previous: Period) -> Section:
    tz = client.agency.tz
    section = Section(_("Live sessions (8.1)"))

    def totals(p: Period) -> dict:
        sessions = _ended(p, tz).filter(client=client)
        results = LiveSessionResult.objects.filter(session__in=sessions).aggregate(
            **{name: Sum(name) for name in RESULT_SUMS}
        )
        return {"sessions": sessions.count(), **{k: v or 0 for k, v in results.items()}}

    now, before = totals(period), totals(previous)
    section.has_data = now["sessions"] > 0
    section.figure(_("Sessions held"), now["sessions"], before["sessions"])
    if not section.has_data:
        section.notes.append(_("No live session ended in this period."))
        return section
    section.figure(_("Viewers"), now["total_viewers"], before["total_viewers"])
    section.figure(_("Orders"), now["orders"], before["orders"])
    section.figure(_("GMV (yuan)"), _money(now["gmv"]), _money(before["gmv"]) if before["sessions"] else None)
    section.figure(_("Refunds (yuan)"), _money(now["refund_amount"]))
    overall = derive_live_figures(
        gmv=now["gmv"], viewers=now["total_viewers"], views=now["views"], orders=now["orders"]
    )
    section.figure(_("UV value (yuan per viewer)"), _money(overall.uv_value) if overall.uv_value is not None else None)
    section.figure(
        _("Conversion (%)"), float(overall.conversion_percent) if overall.conversion_rate is not None else None
    )
    sessions = list(
        _ended(period, tz).filter(client=client).select_related("account", "result").order_by("ended_at", "pk")
    )
    rows = []
    for session in sessions:
        result = getattr(session, "result", None)
        figures = result.figures if result is not None else None
        rows.append(
            [
                timezone.localtime(session.ended_at, tz).strftime("%Y-%m-%d"),
                session.theme,
                str(session.account),
                result.total_viewers if result else "—",
                result.orders if result else "—",
                _money(result.gmv) if result else "—",
                _money(figures.uv_value) if figures and figures.uv_value is not None else "—",
                _money(figures.gpm) if figures and figures.gpm is not None else "—",
            ]
        )
    section.table(
        _("Sessions of the period"),
        [_("Date"), _("Theme"), _("Account"), _("Viewers"), _("Orders"), _("GMV (yuan)"), _("UV value"), _("GPM")],
        rows,
    )
    with_results = [s for s in sessions if getattr(s, "result", None) is not None]
    if with_results:
        section.chart(
            _("GMV per session (yuan)"),
            [timezone.localtime(s.ended_at, tz).strftime("%m-%d") for s in with_results],
            [_money(s.result.gmv) for s in with_results],
        )
    if len(with_results) < len(sessions):
        section.notes.append(_("Some sessions have no results recorded yet."))
    return section


@statistics_section
def store_visits(client: Client, period: Period, previous: Period) -> Section:
    tz = client.agency.tz
    section = Section(_("Influencer store visits (8.2)"))

    def posted(p: Period):
        start, end = bounds(p, tz)
        return StoreVisitBooking.objects.filter(
            client=client,
            status__in=(BookingStatus.POSTED, BookingStatus.PAID),
            posted_at__gte=start,
            posted_at__lt=end,
        )

    now, before = posted(period), posted(previous)
    sums = now.aggregate(
        n=Count("pk"),
        plays=Sum("plays"),
        likes=Sum("likes"),
        comments=Sum("comments"),
        shares=Sum("shares"),
        coupons=Sum("coupon_redemptions"),
        fees=Sum("fee"),
    )
    section.has_data = sums["n"] > 0
    section.figure(_("Visit videos posted"), sums["n"], before.count())
    if not section.has_data:
        section.notes.append(_("No influencer's visit video was posted in this period."))
        return section
    section.figure(_("Plays of the visit videos"), sums["plays"] or 0)
    section.figure(_("Coupon redemptions attributed"), sums["coupons"] or 0)
    section.figure(_("Fees (yuan)"), _money(sums["fees"]))
    section.table(
        _("Visit videos of the period"),
        [
            _("Influencer"),
            pgettext("store visit", "Campaign"),
            _("Posted on"),
            _("Plays"),
            _("Likes"),
            pgettext("count", "Comments"),
            _("Coupons"),
        ],
        [
            [
                f"@{b.influencer_handle}",
                b.campaign.title,
                timezone.localtime(b.posted_at, tz).strftime("%Y-%m-%d"),
                b.plays if b.plays is not None else "—",
                b.likes if b.likes is not None else "—",
                b.comments if b.comments is not None else "—",
                b.coupon_redemptions if b.coupon_redemptions is not None else "—",
            ]
            for b in now.select_related("campaign").order_by("posted_at", "pk")
        ],
    )
    return section


@assessment_section
def live_sessions_run(subject, period: Period, previous: Period) -> Section:
    tz = require_agency().tz
    section = Section(_("Live sessions run (8.1)"))

    def sessions(p: Period):
        ended = _ended(p, tz)
        if isinstance(subject, Client):
            return ended.filter(client=subject)
        return ended.filter(team__person=subject).distinct()

    now, before = sessions(period).count(), sessions(previous).count()
    section.figure(_("Live sessions run"), now, before)
    with_review = sessions(period).exclude(result__isnull=True).exclude(result__review="").count()
    section.figure(_("Of which reviewed in writing"), with_review)
    section.has_data = now > 0
    return section
