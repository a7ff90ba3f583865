"""What the extension services app contributes to today's work (chapter 8): live sessions today."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from agency.roles import CHANGE
from agency.today import WorkRow, WorkSection, first_rows, local, today_section
from extensions.models import LiveSession, LiveSessionStatus


@today_section(resource="live_session", order=40, action=CHANGE)
def live_sessions_today(actor, today):
    """8.1: sessions planned to start today (in the agency's time zone) or live now."""
    tz = actor.agency.tz
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    queryset = (
        LiveSession.objects.visible_to(actor)
        .filter(
            Q(status=LiveSessionStatus.LIVE)
            | Q(
                status=LiveSessionStatus.PLANNED,
                planned_start__gte=start,
                planned_start__lt=start + dt.timedelta(days=1),
            )
        )
        .select_related("client")
        .only("theme", "status", "planned_start", "planned_end", "client__name")
        .order_by("planned_start", "id")
    )
    count, rows = first_rows(
        queryset,
        lambda s: WorkRow(
            f"{s.client} · {s.theme}",
            s.get_absolute_url(),
            f"{local(s.planned_start, actor):%H:%M}–{local(s.planned_end, actor):%H:%M} · {s.get_status_display()}",
        ),
    )
    return WorkSection(_("Live sessions today (8.1)"), count, reverse("extensions:live-list"), rows)
