"""What the clause checks of chapter 5 share: the period's bounds in the client's time and the stage
changes recorded in it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from agency.conformance import Period
from clients.models import Client
from production.models.projects import StageTransition


def period_bounds(client: Client, period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = client.agency.tz
    return (
        dt.datetime.combine(period.start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(period.end, dt.time.max, tzinfo=tz),
    )


def stage_entries(client: Client, period: Period, stage: str, **extra) -> list[StageTransition]:
    start, end = period_bounds(client, period)
    return list(
        StageTransition.objects.filter(client=client, to_stage=stage, at__range=(start, end), **extra)
        .select_related("project")
        .order_by("at", "id")
    )


def project_url(project_id: int) -> str:
    return reverse("production:project-detail", args=[project_id])


def local_day(moment: dt.datetime, client: Client) -> str:
    return moment.astimezone(client.agency.tz).strftime("%Y-%m-%d")
