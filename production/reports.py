"""What chapter 5 adds to the work assessment report (9 k): videos delivered on time.

A video counts as delivered when its project reached "published" in the period; it was on time
when that happened on or before the project's due date (in the agency's time zone). For a staff
member the projects are those assigned to them. ``records.selectors`` finds this module.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from agency.conformance import Period
from agency.tenancy import require_agency
from clients.models import Client
from production.models.projects import Stage, StageTransition, VideoProject
from records.selectors.common import bounds
from records.selectors.reports import Section, assessment_section


def _delivered(subject, period: Period, tz) -> tuple[int, int, list[StageTransition]]:
    start, end = bounds(period, tz)
    transitions = StageTransition.objects.filter(to_stage=Stage.PUBLISHED, at__gte=start, at__lt=end)
    if isinstance(subject, Client):
        transitions = transitions.filter(client=subject)
    else:
        transitions = transitions.filter(project__assignee=subject)
    rows = list(transitions.select_related("project").order_by("at", "pk"))
    on_time = sum(1 for t in rows if timezone.localtime(t.at, tz).date() <= t.project.due_date)
    return len(rows), on_time, rows


@assessment_section
def videos_delivered_on_time(subject, period: Period, previous: Period) -> Section:
    tz = require_agency().tz
    section = Section(_("Videos delivered on time (chapter 5)"))
    (done, on_time, rows), (done_before, on_time_before, _rows) = (
        _delivered(subject, period, tz),
        _delivered(subject, previous, tz),
    )
    section.figure(_("Videos delivered (published)"), done, done_before)
    section.figure(_("Delivered by their due date"), on_time, on_time_before)
    projects = VideoProject.objects.exclude(stage=Stage.PUBLISHED).filter(due_date__range=(period.start, period.end))
    projects = projects.filter(client=subject) if isinstance(subject, Client) else projects.filter(assignee=subject)
    overdue = projects.count()
    section.figure(_("Due in the period and not yet published"), overdue)
    section.has_data = bool(done or overdue)
    if rows:
        section.table(
            _("Delivered in the period"),
            [_("Video project"), _("Due date"), _("Published on"), _("On time")],
            [
                [
                    t.project.title,
                    t.project.due_date.isoformat(),
                    timezone.localtime(t.at, tz).date().isoformat(),
                    _("yes") if timezone.localtime(t.at, tz).date() <= t.project.due_date else _("no"),
                ]
                for t in rows
            ],
        )
    return section
