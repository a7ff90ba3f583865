"""Shared pieces of the clause checks of chapters 6 and 7: the accounts that answer for a period
(active at its end, as they stood then), the period's end in the agency's time, and the result."""

from __future__ import annotations

import calendar
import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from agency.conformance import CheckResult, Evidence, Period, Status
from clients.models import AccountStatus, Client, PlatformAccount
from records.selectors.audit import values_as_they_stood


def page_url(name: str, *args) -> str:
    return reverse(f"accounts_ops:{name}", args=args)


def end_of_period(period: Period, client: Client) -> dt.datetime:
    return dt.datetime.combine(period.end, dt.time.max, tzinfo=client.agency.tz)


def as_of_date(period: Period, client: Client) -> dt.date:
    return min(period.end, client.agency.today())


def active_accounts(client: Client, period: Period) -> list[PlatformAccount]:
    """The client's accounts active at the period's end, their status as it stood then: an account
    paused or closed after the period still answers for it (chapters 6 and 7)."""
    end = end_of_period(period, client)
    rows = list(PlatformAccount.objects.filter(client=client, created_at__lte=end).order_by("platform", "handle"))
    stood = values_as_they_stood(rows, ("status",), end)
    return [account for account in rows if stood[account.pk]["status"] == AccountStatus.ACTIVE]


def no_active_accounts() -> CheckResult:
    return CheckResult(Status.NOT_APPLICABLE, _("The client has no active account."))


def result_of(problems: list[str], evidence: list[Evidence], met_summary: str) -> CheckResult:
    if problems:
        return CheckResult(Status.NOT_MET, "; ".join(problems), evidence)
    return CheckResult(Status.MET, met_summary, evidence)


def months_of(start: dt.date, end: dt.date) -> list[Period]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        months.append(Period(max(first, start), min(last, end)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
