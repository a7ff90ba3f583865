"""The figures of the statistics (9 j) and work assessment (9 k) reports.

The reports are built from sections. Each section is a function ``(subject, period, previous)
-> Section | None``; the ones below read the records' own data and the clients' accounts and
videos. Every other chapter adds its figures in its app's ``reports`` module, found at start-up
by ``autodiscover``: plays and engagement from the daily metrics and first-response times
(``accounts_ops.reports``), videos delivered on time (``production.reports``), live sessions and
store visits (``extensions.reports``). The reports, their pages and their exports show every
registered section without further change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from agency.conformance import Period
from clients.models import AccountStatus, Client, ClientRequirement, PlatformAccount, Video
from records.models.inspections import DailyInspection, FollowUpStatus, InspectionFollowUp, InspectionStatus
from records.models.usage import UsageRecord
from records.selectors.common import agency_tz, bounds, change_pct, person_label, previous_period

TOP_VIDEOS = 10  # rows in the report's video table


@dataclass
class Section:
    """A part of a report: headline figures (with the previous period's value), tables, bar
    charts and notes. ``has_data`` says whether the period produced anything in this section."""

    title: str
    figures: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_data: bool = False

    def figure(self, label: str, value, previous=None) -> None:
        self.figures.append({"label": label, "value": value, "previous": previous})

    def table(self, title: str, columns: list[str], rows: list[list]) -> None:
        self.tables.append({"title": title, "columns": columns, "rows": rows})

    def chart(self, title: str, labels: list[str], values: list[float]) -> None:
        self.charts.append({"title": title, "labels": labels, "values": values})


SectionBuilder = Callable[..., "Section | None"]
STATISTICS_SECTIONS: list[SectionBuilder] = []


ASSESSMENT_SECTIONS: list[SectionBuilder] = []


def statistics_section(builder: SectionBuilder) -> SectionBuilder:
    """Register a section of the data statistics report (9 j): ``builder(client, period, previous)``."""
    STATISTICS_SECTIONS.append(builder)
    return builder


def assessment_section(builder: SectionBuilder) -> SectionBuilder:
    """Register a section of the work assessment report (9 k): ``builder(subject, period, previous)``
    where ``subject`` is a ``Client`` or a staff member (a user)."""
    ASSESSMENT_SECTIONS.append(builder)
    return builder


@statistics_section
def accounts_and_fans(client: Client, period: Period, previous: Period) -> Section:
    section = Section(_("Accounts and fans"))
    accounts = list(
        PlatformAccount.objects.filter(client=client, status=AccountStatus.ACTIVE).order_by("platform", "handle")
    )
    section.figure(_("Active accounts"), len(accounts))
    section.figure(_("Fans across accounts (when the report was built)"), sum(a.followers for a in accounts))
    section.table(
        _("Accounts"),
        [_("Platform"), _("Handle"), _("Nickname"), _("Fans")],
        [[a.get_platform_display(), a.handle, a.nickname, a.followers] for a in accounts],
    )
    if accounts:
        section.chart(_("Fans per account"), [f"@{a.handle}" for a in accounts], [a.followers for a in accounts])
    return section


@statistics_section
def videos_published(client: Client, period: Period, previous: Period) -> Section:
    tz = client.agency.tz
    start, end = bounds(period, tz)
    before_start, before_end = bounds(previous, tz)
    videos = Video.objects.filter(client=client)
    now = videos.filter(published_at__gte=start, published_at__lt=end)
    count = now.count()
    count_before = videos.filter(published_at__gte=before_start, published_at__lt=before_end).count()
    section = Section(_("Videos published"), has_data=count > 0)
    section.figure(_("Videos published"), count, count_before)
    per_day = dict(
        now.annotate(day=TruncDate("published_at", tzinfo=tz)).values_list("day").annotate(n=Count("id")).order_by()
    )
    days = [period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    if count:
        section.chart(
            _("Videos published per day"), [d.strftime("%m-%d") for d in days], [per_day.get(d, 0) for d in days]
        )
    top = list(now.select_related("account").order_by("-published_at", "-id")[:TOP_VIDEOS])
    section.table(
        _("Videos of the period (latest first)"),
        [_("Title"), _("Account"), _("Published at")],
        [[str(v), str(v.account), timezone.localtime(v.published_at, tz).strftime("%Y-%m-%d %H:%M")] for v in top],
    )
    return section


def statistics_for(client: Client, period: Period) -> dict:
    previous = previous_period(period)
    return _compose(
        title=_("Data statistics report"),
        subject=str(client),
        period=period,
        previous=previous,
        sections=[builder(client, period, previous) for builder in STATISTICS_SECTIONS],
    )


@assessment_section
def inspections_done(subject, period: Period, previous: Period) -> Section:
    section = Section(_("Daily inspections"))
    lists = DailyInspection.objects.filter(voided_at__isnull=True)
    if isinstance(subject, Client):
        lists = lists.filter(client=subject)

        def counts(p: Period) -> dict:
            return lists.filter(inspection_date__range=(p.start, p.end)).aggregate(
                total=Count("id"), done=Count("id", filter=Q(status=InspectionStatus.DONE))
            )

        now, before = counts(period), counts(previous)
        section.figure(_("Inspections due"), now["total"], before["total"])
        section.figure(_("Inspections done"), now["done"], before["done"])
        section.figure(_("Inspections missed"), now["total"] - now["done"], before["total"] - before["done"])
        section.has_data = now["total"] > 0
        return section
    tz = agency_tz()

    def by_person(p: Period) -> dict:
        start, end = bounds(p, tz)
        return lists.filter(inspected_by=subject, completed_at__gte=start, completed_at__lt=end).aggregate(
            done=Count("id"), on_the_day=Count("id", filter=Q(completed_at__date=F("inspection_date")))
        )

    now, before = by_person(period), by_person(previous)
    section.figure(_("Inspections done"), now["done"], before["done"])
    section.figure(_("Done on their day"), now["on_the_day"], before["on_the_day"])
    section.has_data = now["done"] > 0
    return section


@assessment_section
def requirements_fulfilled(subject, period: Period, previous: Period) -> Section:
    section = Section(_("Client requirements (4.1)"))
    tz = agency_tz()
    requirements = ClientRequirement.objects.all()
    requirements = (
        requirements.filter(client=subject)
        if isinstance(subject, Client)
        else requirements.filter(fulfilled_by=subject)
    )

    def counts(p: Period) -> tuple[int, int]:
        start, end = bounds(p, tz)
        rows = list(
            requirements.filter(fulfilled_at__gte=start, fulfilled_at__lt=end).values("fulfilled_at", "due_date")
        )
        on_time = sum(
            1
            for r in rows
            if r["due_date"] is None or timezone.localtime(r["fulfilled_at"], tz).date() <= r["due_date"]
        )
        return len(rows), on_time

    (done, on_time), (done_before, on_time_before) = counts(period), counts(previous)
    section.figure(_("Requirements fulfilled"), done, done_before)
    section.figure(_("Fulfilled by their due date"), on_time, on_time_before)
    section.has_data = done > 0
    return section


@assessment_section
def work_recorded(subject, period: Period, previous: Period) -> Section | None:
    """A staff member's uses of assets and accounts and the follow-ups they resolved."""
    if isinstance(subject, Client):
        return None
    tz = agency_tz()
    section = Section(_("Usage and follow-ups"))
    start, end = bounds(period, tz)
    before_start, before_end = bounds(previous, tz)
    usage = UsageRecord.objects.filter(user=subject, voided_at__isnull=True)
    now = usage.filter(started_at__gte=start, started_at__lt=end).count()
    before = usage.filter(started_at__gte=before_start, started_at__lt=before_end).count()
    section.figure(_("Uses of assets and accounts"), now, before)
    resolved = InspectionFollowUp.objects.filter(
        assignee=subject, status=FollowUpStatus.DONE, resolved_at__gte=start, resolved_at__lt=end
    ).count()
    section.figure(_("Inspection follow-ups resolved"), resolved)
    section.has_data = bool(now or resolved)
    return section


def assessment_for(subject, period: Period) -> dict:
    previous = previous_period(period)
    name = str(subject) if isinstance(subject, Client) else person_label(subject)
    return _compose(
        title=_("Work assessment report"),
        subject=name,
        period=period,
        previous=previous,
        sections=[builder(subject, period, previous) for builder in ASSESSMENT_SECTIONS],
    )


def autodiscover() -> None:
    """Import every app's ``reports`` module, where it registers its sections."""
    autodiscover_modules("reports")


def _compose(*, title: str, subject: str, period: Period, previous: Period, sections) -> dict:
    sections = [s for s in sections if s is not None]
    has_data = any(s.has_data for s in sections)
    for section in sections:
        for figure in section.figures:
            figure["change_pct"] = change_pct(figure["value"], figure["previous"])
    return {
        "title": title,
        "subject": subject,
        "period": [period.start.isoformat(), period.end.isoformat()],
        "previous_period": [previous.start.isoformat(), previous.end.isoformat()],
        "has_data": has_data,
        "sections": [asdict(s) for s in sections],
    }
