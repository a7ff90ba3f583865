"""What the clients app contributes to today's work (4.1 requirements)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.today import WorkRow, WorkSection, client_waiting, first_rows, today_section
from clients.models import ClientRequirement, RequirementStatus

DUE_SOON_DAYS = 7
# The agency's answers (a decision or a fulfilment) a client person is shown as new for this many days.
ANSWERED_RECENTLY_DAYS = 7


@today_section(resource="requirement", order=10)
def requirements_to_decide(actor, today):
    queryset = (
        ClientRequirement.objects.visible_to(actor)
        .filter(status=RequirementStatus.OPEN)
        .select_related("client")
        .only("title", "raised_at", "client__name")
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
        .only("title", "due_date", "client__name")
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


@client_waiting(resource="requirement", order=30)
def requirements_answered(actor, today):
    """4.1: the client's requirements the agency decided or fulfilled in the last week, for the
    client person to read (the answer is on their dashboard's list of requirements)."""
    since = timezone.now() - dt.timedelta(days=ANSWERED_RECENTLY_DAYS)
    count = (
        ClientRequirement.objects.visible_to(actor)
        .filter(Q(decided_at__gte=since) | Q(fulfilled_at__gte=since))
        .exclude(status=RequirementStatus.OPEN)
        .count()
    )
    url = reverse("client-area:dashboard") + "#requirements"
    title = _("Requirements answered in the last %(days)s days") % {"days": ANSWERED_RECENTLY_DAYS}
    return WorkSection(title, count, url)
