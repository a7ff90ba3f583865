"""What the clients app contributes to today's work (4.1 requirements)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from agency.today import WorkRow, WorkSection, first_rows, today_section
from clients.models import ClientRequirement, RequirementStatus

DUE_SOON_DAYS = 7


@today_section(resource="requirement", order=10)
def requirements_to_decide(actor, today):
    queryset = (
        ClientRequirement.objects.visible_to(actor)
        .filter(status=RequirementStatus.OPEN)
        .select_related("client")
        .order_by("raised_at", "id")
    )
    count, rows = first_rows(
        queryset, lambda r: WorkRow(f"{r.client} · {r.title}", r.get_absolute_url(), f"{r.raised_at:%Y-%m-%d}")
    )
    url = reverse("clients:requirement-list") + "?status=open"
    return WorkSection(_("Client requirements to decide (4.1)"), count, url, rows)


@today_section(resource="requirement", order=11)
def requirements_due(actor, today):
    queryset = (
        ClientRequirement.objects.visible_to(actor)
        .filter(status=RequirementStatus.ACCEPTED, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .select_related("client")
        .order_by("due_date", "id")
    )
    count, rows = first_rows(
        queryset,
        lambda r: WorkRow(
            f"{r.client} · {r.title}", r.get_absolute_url(), f"{r.due_date:%Y-%m-%d}", r.due_date < today
        ),
    )
    url = reverse("clients:requirement-list") + "?status=accepted"
    return WorkSection(_("Accepted requirements due within a week"), count, url, rows)
