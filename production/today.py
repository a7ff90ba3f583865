"""What the production app contributes to today's work (chapter 5)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from agency.today import WorkRow, WorkSection, first_rows, today_section
from production.models import Clip, ProbeState, Stage, VideoProject

DUE_SOON_DAYS = 7


@today_section(resource="video_project", order=20)
def projects_due(actor, today):
    queryset = (
        VideoProject.objects.visible_to(actor)
        .exclude(stage=Stage.PUBLISHED)
        .filter(due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .select_related("client")
        .order_by("due_date", "id")
    )
    count, rows = first_rows(
        queryset,
        lambda p: WorkRow(
            f"{p.client} · {p.title} · {p.get_stage_display()}",
            p.get_absolute_url(),
            f"{p.due_date:%Y-%m-%d}",
            p.due_date < today,
        ),
    )
    return WorkSection(_("Video projects due within a week"), count, reverse("production:calendar"), rows)


@today_section(resource="shoot", order=21)
def clips_being_read(actor, today):
    queryset = (
        Clip.objects.visible_to(actor)
        .filter(probe_state__in=[ProbeState.PENDING, ProbeState.PROBING])
        .select_related("shoot")
        .order_by("created_at", "id")
    )
    count, rows = first_rows(
        queryset, lambda c: WorkRow(str(c), c.shoot.get_absolute_url(), c.get_probe_state_display())
    )
    return WorkSection(_("Clips waiting to be read"), count, reverse("production:index"), rows)
