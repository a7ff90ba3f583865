"""What the production app contributes to today's work (chapter 5)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from agency.roles import DECIDE
from agency.today import WorkRow, WorkSection, client_waiting, first_rows, local, today_section
from production.models.common import ProbeState
from production.models.projects import Stage, VideoProject
from production.models.publishing import PROBLEM_PUBLICATION_STATUSES, Publication
from production.models.review import ReviewRound, RoundStatus
from production.models.scripts import Script, ScriptStatus
from production.models.shoots import Clip

DUE_SOON_DAYS = 7


@today_section(resource="video_project", order=20)
def projects_due(actor, today):
    queryset = (
        VideoProject.objects.visible_to(actor)
        .exclude(stage=Stage.PUBLISHED)
        .filter(due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .select_related("client")
        .only("title", "stage", "due_date", "client__name")
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
        .only("label", "original_name", "probe_state", "shoot")
        .order_by("created_at", "id")
    )
    count, rows = first_rows(
        queryset, lambda c: WorkRow(str(c), c.shoot.get_absolute_url(), c.get_probe_state_display())
    )
    return WorkSection(_("Clips waiting to be read"), count, reverse("production:index"), rows)


@today_section(resource="video_project", order=22)
def publications_failed(actor, today):
    """The producer's planned publications that failed or that the platform refused, with why,
    until they plan it again, record it by hand or close it."""
    queryset = (
        Publication.objects.visible_to(actor)
        .filter(producer=actor.user, status__in=PROBLEM_PUBLICATION_STATUSES)
        .exclude(project__stage=Stage.PUBLISHED)
        .select_related("project", "project__client")
        .order_by("scheduled_at", "id")
    )
    count, rows = first_rows(
        queryset,
        lambda p: WorkRow(
            f"{p.project.client} · {p.title} · {p.get_status_display()}: {p.problem}",
            p.get_absolute_url(),
            f"{local(p.scheduled_at, actor):%Y-%m-%d %H:%M}",
            True,
        ),
    )
    return WorkSection(_("Publications that failed or were refused"), count, reverse("production:calendar"), rows)


@client_waiting(resource="script", action=DECIDE, order=10)
def scripts_to_approve(actor, today):
    """5.1: the scripts sent to the client person's approver, waiting for their decision."""
    count = Script.objects.visible_to(actor).filter(status=ScriptStatus.SUBMITTED).count()
    return WorkSection(_("Scripts to approve"), count, reverse("production:client-home") + "#scripts")


@client_waiting(resource="review", action=DECIDE, order=20)
def cuts_to_approve(actor, today):
    """The cuts in an open review round, waiting for the client approver's decision."""
    count = ReviewRound.objects.visible_to(actor).filter(status=RoundStatus.OPEN).count()
    return WorkSection(_("Cuts to approve"), count, reverse("production:client-home") + "#cuts")
