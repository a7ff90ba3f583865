"""Reads for the production pages: the board, the calendar, a project's cockpit, a review thread
and the client's own view. Each runs a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from agency.tenancy import Actor
from production import services
from production.models import (
    ACTIVE_PUBLICATION_STATUSES,
    PROBLEM_PUBLICATION_STATUSES,
    STAGE_ORDER,
    ClipVerdict,
    Cut,
    ProbeState,
    Publication,
    PublicationStatus,
    ReviewComment,
    ReviewRound,
    RoundStatus,
    Script,
    ScriptStatus,
    Shoot,
    Stage,
    VideoProject,
)
from production.rules import SHOOT_MAX_ACCEPTED_CLIPS, SHOOT_MIN_ACCEPTED_CLIPS

# The published column shows the latest ones only; the list page has them all.
BOARD_PUBLISHED_LIMIT = 12


def projects_for_board(actor: Actor, queryset=None):
    queryset = queryset if queryset is not None else VideoProject.objects.visible_to(actor)
    return queryset.select_related("client", "account", "assignee")


def board(actor: Actor, queryset=None) -> list[dict]:
    """One column per stage, projects by due date; the published column keeps the latest few."""
    columns: dict[str, list] = {stage: [] for stage in STAGE_ORDER}
    open_projects = projects_for_board(actor, queryset).exclude(stage=Stage.PUBLISHED).order_by("due_date", "id")
    for project in open_projects:
        columns[project.stage].append(project)
    published = projects_for_board(actor, queryset).filter(stage=Stage.PUBLISHED).order_by("-stage_changed_at", "-id")
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


def calendar_posts(actor: Actor, start: dt.date, end: dt.date, queryset=None) -> dict[dt.date, list[dict]]:
    """``{local date: [post, ...]}`` between ``start`` and ``end`` (inclusive), in two queries.
    A post is ``{"kind": "planned" | "published", "at", "title", "url", "status", "status_label",
    "problem"}``."""
    tz = actor.agency.tz
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    projects = queryset if queryset is not None else VideoProject.objects.visible_to(actor)
    posts: dict[dt.date, list[dict]] = defaultdict(list)
    planned = (
        Publication.objects.visible_to(actor)
        .filter(
            project__in=projects,
            status__in=[*ACTIVE_PUBLICATION_STATUSES, *PROBLEM_PUBLICATION_STATUSES],
            scheduled_at__gte=since,
            scheduled_at__lt=until,
        )
        .order_by("scheduled_at", "id")
    )
    for publication in planned:
        at = timezone.localtime(publication.scheduled_at, tz)
        posts[at.date()].append(
            {
                "kind": "planned",
                "at": at,
                "title": publication.title,
                "url": publication.get_absolute_url(),
                "status": publication.status,
                "status_label": publication.get_status_display(),
                "problem": publication.problem,
            }
        )
    published = (
        projects.filter(stage=Stage.PUBLISHED, video__published_at__gte=since, video__published_at__lt=until)
        .select_related("video")
        .order_by("video__published_at", "id")
    )
    for project in published:
        at = timezone.localtime(project.video.published_at, tz)
        posts[at.date()].append(
            {
                "kind": "published",
                "at": at,
                "title": project.title,
                "url": project.get_absolute_url(),
                "status": PublicationStatus.PUBLISHED,
                "status_label": PublicationStatus.PUBLISHED.label,
                "problem": "",
            }
        )
    for day in posts.values():
        day.sort(key=lambda post: post["at"])
    return posts


def project_publications(actor: Actor, project: VideoProject) -> dict:
    """The project's publications (newest first), the one on its way, and whether a new one can
    be planned for its account (``publishing_problem`` says why not)."""
    publications = list(
        Publication.objects.visible_to(actor).filter(project=project).select_related("producer").order_by("-id")
    )
    active = next((p for p in publications if p.status in ACTIVE_PUBLICATION_STATUSES), None)
    problem = ""
    if project.stage == Stage.PUBLISHING and active is None:
        problem = services.account_publishing_problem(project.account)
    return {"publications": publications, "active_publication": active, "publishing_problem": problem}


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
    gate = services.project_gate(project)
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


def review_thread(actor: Actor, round_: ReviewRound) -> dict:
    """The round's comments (each with its replies) and, from earlier rounds of the project, the
    comments with whether a later cut resolved them."""
    replies = Prefetch("replies", queryset=ReviewComment.objects.select_related("author").order_by("created_at", "id"))
    comments = list(
        ReviewComment.objects.visible_to(actor)
        .filter(round=round_, parent__isnull=True)
        .select_related("author", "resolved_by", "resolved_in")
        .prefetch_related(replies)
        .order_by("timecode_seconds", "id")
    )
    earlier = list(
        ReviewComment.objects.visible_to(actor)
        .filter(round__project_id=round_.project_id, round__number__lt=round_.number, parent__isnull=True)
        .select_related("author", "resolved_in", "round")
        .order_by("-round__number", "timecode_seconds", "id")
    )
    return {"comments": comments, "earlier_comments": earlier}


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


PROBING = ProbeState.PROBING  # a shoot (or a project's cut) still being read
PROBED = ProbeState.DONE  # every file read (or found unreadable)


def shoot_probing(actor: Actor, shoot: Shoot) -> dict:
    """How far the reading of a shoot's clips has got (5.2), as a long job's status: ``status``
    (probing or done), ``progress`` (percent of clips read), ``unread`` and ``total``. One query."""
    from production.models import Clip

    return _probing(Clip.objects.visible_to(actor).filter(shoot=shoot))


def cut_probing(actor: Actor, project) -> dict:
    """The same for the reading of a project's cuts (5.3): a cut is sent to review once read."""
    from production.models import Cut

    return _probing(Cut.objects.visible_to(actor).filter(project=project))


def _probing(media) -> dict:
    counts = media.aggregate(
        total=Count("id"), unread=Count("id", filter=Q(probe_state__in=[ProbeState.PENDING, ProbeState.PROBING]))
    )
    total, unread = counts["total"], counts["unread"]
    return {
        "status": PROBING if unread else PROBED,
        "progress": round((total - unread) * 100 / total) if total else 100,
        "unread": unread,
        "total": total,
    }
