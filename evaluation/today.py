"""What the evaluation app contributes to today's work (chapter 10): complaints near their deadline."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.roles import CHANGE
from agency.today import WorkRow, WorkSection, client_waiting, first_rows, local, today_section
from evaluation.models import CampaignStatus, Complaint, ComplaintStatus, SurveyInvitation

# A complaint shows once its answer or resolution is due within this many hours (or overdue).
NEAR_DEADLINE_HOURS = 48


@today_section(resource="complaint", order=60, action=CHANGE)
def complaints_near_deadline(actor, today):
    """10.1 (customer protection): open complaints whose first answer or resolution is due within
    ``NEAR_DEADLINE_HOURS`` hours, or already late (earliest deadline first)."""
    now = timezone.now()
    soon = now + dt.timedelta(hours=NEAR_DEADLINE_HOURS)
    queryset = (
        Complaint.objects.visible_to(actor)
        .filter(status=ComplaintStatus.OPEN)
        .filter(Q(resolve_by__lte=soon) | Q(first_response_at__isnull=True, respond_by__lte=soon))
        .select_related("client")
        .only("subject", "first_response_at", "respond_by", "resolve_by", "client__name")
        .order_by("resolve_by", "id")
    )

    def row(c):
        answer_first = c.first_response_at is None and c.respond_by < c.resolve_by
        deadline = c.respond_by if answer_first else c.resolve_by
        values = {"when": f"{local(deadline, actor):%m-%d %H:%M}"}
        note = _("answer by %(when)s") % values if answer_first else _("resolve by %(when)s") % values
        return WorkRow(f"{c.client or '—'} · {c.subject}", c.get_absolute_url(), note, deadline < now)

    count, rows = first_rows(queryset, row)
    url = reverse("evaluation:complaint-list") + "?status=open"
    return WorkSection(_("Complaints near their deadline (10.1)"), count, url, rows)


@client_waiting(resource="evaluation_campaign", order=40)
def surveys_to_answer(actor, today):
    """10.1: the open evaluations (and 10.2 follow-ups) the client person is invited to and has not
    answered; the section leads to the first one's personal link."""
    email = actor.user.email
    mine = Q(user=actor.user) | Q(email__iexact=email) if email else Q(user=actor.user)
    queryset = (
        SurveyInvitation.objects.visible_to(actor)
        .filter(mine, campaign__status=CampaignStatus.OPEN, responded_at__isnull=True)
        .select_related("campaign", "campaign__client")
        .order_by("campaign__closes_on", "id")
    )
    count, rows = first_rows(
        queryset, lambda i: WorkRow(str(i.campaign), reverse("evaluation:public-survey", args=[i.token]))
    )
    url = rows[0].url if rows else reverse("evaluation:client-home")
    return WorkSection(_("Surveys to answer"), count, url, rows)
