"""Clause check of 6.3, pinned videos and their boosts.
Judged as the period stood at its end: rows recorded after the period's end do not count for it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts_ops.conformance.common import (
    active_accounts,
    as_of_date,
    end_of_period,
    no_active_accounts,
    page_url,
    result_of,
)
from accounts_ops.models import BoostRecord, PinnedVideo
from accounts_ops.rules import PINNED_SLOTS_MAX, PINNED_SLOTS_MIN
from accounts_ops.services.pinned import boost_next_due
from agency.conformance import CheckResult, Evidence, Period, clause_check
from clients.models import Client


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


@clause_check("6.3", reads=("clients.PlatformAccount", "clients.Video", PinnedVideo, BoostRecord))
def pinned_videos_are_kept_and_boosted(client: Client, period: Period) -> CheckResult:
    """1-3 pinned videos per active account at the period's end, and every boost that fell due in
    the period made on time: a boost missed in the period stays missed, whatever came after it."""
    accounts = active_accounts(client, period)
    if not accounts:
        return no_active_accounts()
    as_of = as_of_date(period, client)
    end = end_of_period(period, client)
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
            evidence.append(Evidence(label, "accounts_ops.pinnedvideo", pinned.pk, page_url("account", account.pk)))
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
    return result_of(
        problems,
        evidence,
        _("%(count)d active accounts with 1-3 pinned videos, each boost of the period made when due.")
        % {"count": len(accounts)},
    )
