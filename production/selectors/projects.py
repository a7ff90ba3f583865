"""Reads of video projects: the board, the calendar, a project's cockpit and the client's own view."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from agency.tenancy import Actor
from production.models.common import ProbeState
from production.models.post import Cut
from production.models.projects import STAGE_ORDER, Stage, VideoProject
from production.models.review import ReviewRound, RoundStatus
from production.models.scripts import Script, ScriptStatus
from production.models.shoots import ClipVerdict, Shoot
from production.rules import SHOOT_MAX_ACCEPTED_CLIPS, SHOOT_MIN_ACCEPTED_CLIPS
from production.selectors.publishing import calendar_posts
from production.services.projects import project_gate

# The published column shows the latest ones only; the list page has them all.
BOARD_PUBLISHED_LIMIT = 12


def projects_for_board(actor: Actor, queryset=None):
    queryset = queryset if queryset is not None else VideoProject.objects.visible_to(actor)
    return queryset.select_related("client", "account", "assignee")


# What a card of the board shows (``production/_card.html``): a board holds every open project,
# so it reads these columns only.
CARD_COLUMNS = (
    "title",
    "stage",
    "due_date",
    "client__name",
    "account__platform",
    "account__handle",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def board(actor: Actor, queryset=None) -> list[dict]:
    """One column per stage, projects by due date; the published column keeps the latest few."""
    columns: dict[str, list] = {stage: [] for stage in STAGE_ORDER}
    cards = projects_for_board(actor, queryset).only(*CARD_COLUMNS)
    for project in cards.exclude(stage=Stage.PUBLISHED).order_by("due_date", "id"):
        columns[project.stage].append(project)
    published = cards.filter(stage=Stage.PUBLISHED).order_by("-stage_changed_at", "-id")
    columns[Stage.PUBLISHED] = list(published[:BOARD_PUBLISHED_LIMIT])
    return [{"stage": stage, "label": Stage(stage).label, "projects": columns[stage]} for stage in STAGE_ORDER]


def calendar_month(actor: Actor, year: int, month: int, queryset=None) -> list[list[dict]]:
    """Weeks (Monday first) of the month, each day with the projects due on it and its posts:
    publications planned for it (also those that failed or were refused, until dealt with) and
    videos published on it (planned or recorded by hand), by the agency's local date."""
    first = dt.date(year, month, 1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start, end = weeks[0][0], weeks[-1][-1]
    due = defaultdict(list)
    for project in (
        projects_for_board(actor, queryset).filter(due_date__range=(start, end)).order_by("due_date", "stage", "id")
    ):
        due[project.due_date].append(project)
    posts = calendar_posts(actor, start, end, queryset)
    return [
        [{"date": day, "in_month": day.month == first.month, "projects": due[day], "posts": posts[day]} for day in week]
        for week in weeks
    ]


def project_cockpit(actor: Actor, project: VideoProject) -> dict:
    """Everything a producer needs on one page: where the project stands and what is missing."""
    scripts = list(
        Script.objects.visible_to(actor)
        .filter(project=project)
        .annotate(shot_count=Count("shots"))
        .order_by("-version")
    )
    shoots = list(
        Shoot.objects.visible_to(actor)
        .filter(project=project)
        .annotate(
            accepted=Count("clips", filter=Q(clips__verdict=ClipVerdict.ACCEPTED)),
            rejected=Count("clips", filter=Q(clips__verdict=ClipVerdict.REJECTED)),
            unread=Count("clips", filter=Q(clips__probe_state__in=[ProbeState.PENDING, ProbeState.PROBING])),
        )
        .order_by("date", "id")
    )
    for shoot in shoots:
        shoot.complete = not shoot.unread and SHOOT_MIN_ACCEPTED_CLIPS <= shoot.accepted <= SHOOT_MAX_ACCEPTED_CLIPS
    steps = list(project.steps.select_related("assignee").order_by("position"))
    cuts = list(Cut.objects.visible_to(actor).filter(project=project).order_by("-version"))
    rounds = list(
        ReviewRound.objects.visible_to(actor)
        .filter(project=project)
        .select_related("cut", "decided_by")
        .annotate(
            comment_count=Count("comments"),
            open_count=Count("comments", filter=Q(comments__parent__isnull=True, comments__resolved_at__isnull=True)),
        )
        .order_by("-number")
    )
    transitions = list(project.transitions.select_related("by").order_by("-at", "-id")[:20])
    gate = project_gate(project)
    return {
        "script": scripts[0] if scripts else None,
        "scripts": scripts,
        "shoots": shoots,
        "steps": steps,
        "cuts": cuts,
        "rounds": rounds,
        "transitions": transitions,
        "gate": gate,
        "gate_label": Stage(gate.stage).label if gate else "",
        "stages": [
            {"stage": s, "label": Stage(s).label, "done": STAGE_ORDER.index(s) < STAGE_ORDER.index(project.stage)}
            for s in STAGE_ORDER
        ],
        "earlier_stages": [(s, Stage(s).label) for s in STAGE_ORDER[: STAGE_ORDER.index(project.stage)]],
        "clip_rules": {"min": SHOOT_MIN_ACCEPTED_CLIPS, "max": SHOOT_MAX_ACCEPTED_CLIPS},
    }


def client_production(actor: Actor) -> dict:
    """The client person's view: their videos in production and what waits for their decision."""
    projects = list(
        VideoProject.objects.visible_to(actor).select_related("account").order_by("stage", "due_date", "id")
    )
    waiting_scripts = list(
        Script.objects.visible_to(actor)
        .filter(status=ScriptStatus.SUBMITTED)
        .select_related("project")
        .order_by("submitted_at", "id")
    )
    open_rounds = list(
        ReviewRound.objects.visible_to(actor)
        .filter(status=RoundStatus.OPEN)
        .select_related("project", "cut")
        .order_by("created_at", "id")
    )
    decided = list(
        ReviewRound.objects.visible_to(actor)
        .exclude(status=RoundStatus.OPEN)
        .select_related("project", "cut")
        .order_by("-decided_at", "-id")[:10]
    )
    return {"projects": projects, "waiting_scripts": waiting_scripts, "open_rounds": open_rounds, "decided": decided}
