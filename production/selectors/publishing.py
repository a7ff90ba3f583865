"""Reads of publications: the posts of the calendar and a project's publications."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from agency.tenancy import Actor
from production.models.projects import Stage, VideoProject
from production.models.publishing import (
    ACTIVE_PUBLICATION_STATUSES,
    PROBLEM_PUBLICATION_STATUSES,
    Publication,
    PublicationStatus,
)
from production.services.publishing import account_publishing_problem


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
        problem = account_publishing_problem(project.account)
    return {"publications": publications, "active_publication": active, "publishing_problem": problem}
