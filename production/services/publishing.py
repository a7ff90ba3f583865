"""Publishing a finished video: recorded by hand (``project_publish``), or planned for a date and
time and sent to the platform by the connectors (``publication_schedule`` and what follows).

A planned publication is a ``Publication`` row. Production does not know the platforms: the
connectors (``platforms.services.publishing``) watch these rows, send each when its time comes,
and report back through the ``publication_*`` functions below that take no actor (the platform's
answer is the actor). They also tell production which accounts can be published to
(``register_publisher``); an account they cannot publish to keeps the publication by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import UNCHANGED, given, validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount, Video, VideoOrigin
from production.models.post import Cut
from production.models.projects import Stage, VideoProject
from production.models.publishing import (
    ACTIVE_PUBLICATION_STATUSES,
    PROBLEM_PUBLICATION_STATUSES,
    Publication,
    PublicationStatus,
)
from production.models.review import RoundStatus
from production.services.common import latest_cut, lock_row, record_transition, require_stage

# A publication planned for a moment this far in the past is taken as "now" (the form was filled
# a little before it was sent); further back is refused.
SCHEDULE_PAST_TOLERANCE = dt.timedelta(minutes=5)
# The platform takes topics in the text, each as "#topic" (see platforms.services.publishing).
PUBLICATION_MAX_TOPICS = 10
TOPIC_MAX_LENGTH = 50
PUBLICATION_FIELDS = ("scheduled_at", "title", "topics", "poi_id")

# --- who can be published to -----------------------------------------------------------------

# ``account -> ""`` when the connectors can publish to it, else why not (in the person's words).
_publisher_check: Callable[[PlatformAccount], str] | None = None


def register_publisher(check: Callable[[PlatformAccount], str]) -> None:
    """Called by the connectors when they load: ``check(account)`` answers "" when a publication
    of ``account`` can be sent to its platform, or why it cannot."""
    global _publisher_check
    _publisher_check = check


def account_publishing_problem(account: PlatformAccount) -> str:
    """Why a publication of ``account`` cannot be planned ("" when it can)."""
    if _publisher_check is None:
        return _("No platform connector is installed: record the publication by hand once the video is online.")
    return _publisher_check(account)


# --- recorded by hand --------------------------------------------------------------------------


def _approved_cut(project: VideoProject) -> Cut | None:
    round_ = project.review_rounds.filter(status=RoundStatus.APPROVED).order_by("-number").first()
    return round_.cut if round_ else latest_cut(project)


def approved_cut(project: VideoProject) -> Cut | None:
    """The cut the client approved (the last approved round's), which is what gets published."""
    return _approved_cut(project)


@transaction.atomic
def project_publish(
    *,
    actor: Actor | None,
    project: VideoProject,
    platform_item_id: str,
    url: str = "",
    published_at: dt.datetime | None = None,
    publication: Publication | None = None,
) -> VideoProject:
    """Record the publication: create (or link, when the platform's data already brought it in)
    the account's ``clients.Video``, and close the project. ``actor`` is None when the platform's
    answer records it, for ``publication`` (a planned publication that became public); a person
    recording by hand cannot while a planned publication is on its way (it would post twice)."""
    project = lock_row(VideoProject, project)
    require_stage(project, {Stage.PUBLISHING}, _("A video is published"))
    active = project.publications.filter(status__in=ACTIVE_PUBLICATION_STATUSES)
    if publication is not None:
        active = active.exclude(pk=publication.pk)
    active = active.first()
    if active is not None:
        raise ValidationError(
            {
                "platform_item_id": _(
                    "A publication of this project is %(status)s (planned for %(when)s): cancel it, or wait for the "
                    "platform's answer."
                )
                % {"status": active.get_status_display(), "when": _local_text(active.scheduled_at, project)}
            }
        )
    platform_item_id = (platform_item_id or "").strip()
    if not platform_item_id:
        raise ValidationError({"platform_item_id": _("Give the platform's id of the published video.")})
    published_at = published_at or timezone.now()
    if published_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"published_at": _("Record the publication once the video is live, not before.")})
    cut = _approved_cut(project)
    video = Video.objects.select_for_update().filter(account=project.account, platform_item_id=platform_item_id).first()
    if video is not None:
        other = VideoProject.objects.filter(video=video).exclude(pk=project.pk).first()
        if other is not None:
            raise ValidationError(
                {
                    "platform_item_id": _("That video is already the publication of project %(project)s.")
                    % {"project": other.title}
                }
            )
        video.origin = VideoOrigin.PRODUCED
        video.title = video.title or project.title
        video.url = video.url or (url or "").strip()
        video.published_at = video.published_at or published_at
    else:
        video = Video(
            agency=project.agency,
            client_id=project.client_id,
            account_id=project.account_id,
            platform_item_id=platform_item_id,
            title=project.title,
            url=(url or "").strip(),
            published_at=published_at,
            origin=VideoOrigin.PRODUCED,
        )
    if cut is not None and cut.duration_seconds is not None and video.duration_seconds is None:
        video.duration_seconds = cut.duration_seconds.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    validated_save(video)
    project.video = video
    project.save(update_fields=["video", "updated_at", "updated_by"])
    snapshot = {"video": video.pk, "platform_item_id": platform_item_id, "cut": cut.pk if cut else None}
    if publication is not None:
        snapshot["publication"] = publication.pk
    record_transition(actor=actor, project=project, to_stage=Stage.PUBLISHED, snapshot=snapshot)
    return project


def _local_text(moment: dt.datetime, project: VideoProject) -> str:
    return f"{timezone.localtime(moment, project.agency.tz):%Y-%m-%d %H:%M}"


# --- planned -----------------------------------------------------------------------------------


def publication_text(title: str, topics: list[str]) -> str:
    """The text the platform takes: the title, then each topic as ``#topic``."""
    return " ".join([title, *(f"#{topic}" for topic in topics)])


def _clean_topics(topics) -> list[str]:
    if topics in (None, ""):
        return []
    if isinstance(topics, str):
        topics = topics.replace(",", " ").replace("，", " ").split()
    if not isinstance(topics, (list, tuple)):
        raise ValidationError({"topics": _("Give the topics as a list of words.")})
    cleaned: list[str] = []
    for position, raw in enumerate(topics, start=1):
        if not isinstance(raw, str):
            raise ValidationError({"topics": _("Topic %(n)d is not text.") % {"n": position}})
        topic = raw.strip().lstrip("#").strip()
        if not topic:
            raise ValidationError({"topics": _("Topic %(n)d is empty.") % {"n": position}})
        if any(char.isspace() or char == "#" for char in topic):
            raise ValidationError(
                {"topics": _("Topic %(topic)s holds a space or a # sign: one word per topic.") % {"topic": topic}}
            )
        if len(topic) > TOPIC_MAX_LENGTH:
            raise ValidationError(
                {
                    "topics": _("Topic %(topic)s is longer than %(max)d characters.")
                    % {"topic": topic, "max": TOPIC_MAX_LENGTH}
                }
            )
        if topic not in cleaned:
            cleaned.append(topic)
    if len(cleaned) > PUBLICATION_MAX_TOPICS:
        raise ValidationError({"topics": _("At most %(max)d topics.") % {"max": PUBLICATION_MAX_TOPICS}})
    return cleaned


def _check_time(scheduled_at) -> dt.datetime:
    now = timezone.now()
    if scheduled_at is None:
        return now
    if not isinstance(scheduled_at, dt.datetime):
        raise ValidationError({"scheduled_at": _("Give a date and time.")})
    if timezone.is_naive(scheduled_at):
        raise ValidationError({"scheduled_at": _("Give the time with its time zone.")})
    if scheduled_at < now - SCHEDULE_PAST_TOLERANCE:
        raise ValidationError({"scheduled_at": _("That time has passed: choose a time from now on.")})
    return max(scheduled_at, now)


def _apply(publication: Publication, *, scheduled_at, title, topics, poi_id) -> None:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the title the video is published with.")})
    publication.title = title
    publication.topics = _clean_topics(topics)
    publication.poi_id = (poi_id or "").strip()
    publication.scheduled_at = _check_time(scheduled_at)
    publication.text = publication_text(publication.title, publication.topics)


@transaction.atomic
def publication_schedule(
    *,
    actor: Actor,
    project: VideoProject,
    scheduled_at: dt.datetime | None,
    title: str = "",
    topics=(),
    poi_id: str = "",
) -> Publication:
    """Plan the publication of the approved cut on the project's account at ``scheduled_at`` (now
    when None): the connectors send it when the time comes. A failed or refused earlier attempt
    is closed by this new one. ``title`` defaults to the project's."""
    project = lock_row(VideoProject, project)
    require_stage(project, {Stage.PUBLISHING}, _("A publication is planned"), field_name="project")
    active = project.publications.filter(status__in=ACTIVE_PUBLICATION_STATUSES).first()
    if active is not None:
        raise ValidationError(
            {
                "project": _("A publication of this project is already %(status)s: change or cancel it.")
                % {"status": active.get_status_display()}
            }
        )
    problem = account_publishing_problem(project.account)
    if problem:
        raise ValidationError({"project": problem})
    cut = _approved_cut(project)
    if cut is None or not cut.file:
        raise ValidationError({"project": _("The approved cut has no file to publish.")})
    now = timezone.now()
    for earlier in project.publications.select_for_update().filter(status__in=PROBLEM_PUBLICATION_STATUSES):
        earlier.status = PublicationStatus.CANCELLED
        earlier.cancelled_at = now
        earlier.save(update_fields=["status", "cancelled_at", "updated_at", "updated_by"])
    publication = Publication(
        agency=project.agency,
        project=project,
        account_id=project.account_id,
        producer=actor.user,
    )
    _apply(publication, scheduled_at=scheduled_at, title=title or project.title, topics=topics, poi_id=poi_id)
    return validated_save(publication)


@transaction.atomic
def publication_update(
    *,
    actor: Actor,
    publication: Publication,
    scheduled_at: dt.datetime = UNCHANGED,
    title: str = UNCHANGED,
    topics=UNCHANGED,
    poi_id: str = UNCHANGED,
) -> Publication:
    """Change a planned publication's time, title, topics or POI (the fields given; the
    connectors move its sending to the new time)."""
    changes = given(scheduled_at=scheduled_at, title=title, topics=topics, poi_id=poi_id)
    publication = lock_row(Publication, publication)
    if publication.status != PublicationStatus.PLANNED:
        raise ValidationError(
            {
                "status": _("Only a planned publication changes; this one is %(status)s.")
                % {"status": publication.get_status_display()}
            }
        )
    values = {name: changes.get(name, getattr(publication, name)) for name in PUBLICATION_FIELDS}
    if "scheduled_at" not in changes:
        values["scheduled_at"] = max(publication.scheduled_at, timezone.now())
    _apply(publication, **values)
    return validated_save(publication)


@transaction.atomic
def publication_cancel(*, actor: Actor, publication: Publication) -> Publication:
    """Cancel a planned publication before it is sent (its sending is called off), or close a
    failed or refused one (it leaves Today)."""
    publication = lock_row(Publication, publication)
    if publication.status not in (PublicationStatus.PLANNED, *PROBLEM_PUBLICATION_STATUSES):
        raise ValidationError(
            {
                "status": _("A publication that is %(status)s cannot be cancelled.")
                % {"status": publication.get_status_display()}
            }
        )
    publication.status = PublicationStatus.CANCELLED
    publication.cancelled_at = timezone.now()
    publication.save(update_fields=["status", "cancelled_at", "updated_at", "updated_by"])
    return publication


# --- the platform's answers (called by the connectors, outside any person's request) ------------


@transaction.atomic
def publication_sending(*, publication: Publication) -> Publication | None:
    """The connectors start sending ``publication``: None when it may not be sent any more
    (cancelled, or its project left the publishing stage, which fails it)."""
    publication = Publication.objects.select_for_update().select_related("project").get(pk=publication.pk)
    if publication.status not in (PublicationStatus.PLANNED, PublicationStatus.SENDING):
        return None
    if publication.project.stage != Stage.PUBLISHING:
        publication.status = PublicationStatus.FAILED
        publication.problem = _("The project left the publishing stage (%(stage)s) before the video was sent.") % {
            "stage": publication.project.get_stage_display()
        }
        publication.save(update_fields=["status", "problem", "updated_at", "updated_by"])
        return None
    if publication.status == PublicationStatus.PLANNED:
        publication.status = PublicationStatus.SENDING
        publication.send_started_at = timezone.now()
        publication.save(update_fields=["status", "send_started_at", "updated_at", "updated_by"])
    return publication


@transaction.atomic
def publication_sent(*, publication: Publication, platform_item_id: str, accepted_at: dt.datetime) -> Publication:
    """The platform created the post: it is in the platform's review from now on."""
    publication = lock_row(Publication, publication)
    if publication.status in (PublicationStatus.PLANNED, PublicationStatus.SENDING):
        publication.status = PublicationStatus.REVIEWING
        publication.platform_item_id = platform_item_id
        publication.accepted_at = accepted_at
        publication.problem = ""
        publication.save(
            update_fields=["status", "platform_item_id", "accepted_at", "problem", "updated_at", "updated_by"]
        )
    return publication


@transaction.atomic
def publication_failed(*, publication: Publication, reason: str) -> Publication:
    """Sending failed for good: the producer sees it on Today with ``reason``."""
    publication = lock_row(Publication, publication)
    if publication.status in (PublicationStatus.PLANNED, PublicationStatus.SENDING):
        publication.status = PublicationStatus.FAILED
        publication.problem = (reason or "").strip() or _("The platform gave no reason.")
        publication.save(update_fields=["status", "problem", "updated_at", "updated_by"])
    return publication


@transaction.atomic
def publication_reviewed(
    *, publication: Publication, public: bool | None, reason: str = "", url: str = "", now: dt.datetime | None = None
) -> Publication:
    """The platform's review answered: ``public`` True (the video is online: the project closes
    with it, published at the time the platform accepted the post), False (refused, for
    ``reason``), None (still in review)."""
    publication = Publication.objects.select_for_update().select_related("project").get(pk=publication.pk)
    now = now or timezone.now()
    publication.reviewed_at = now
    if publication.status != PublicationStatus.REVIEWING or public is None:
        publication.save(update_fields=["reviewed_at", "updated_at", "updated_by"])
        return publication
    if not public:
        publication.status = PublicationStatus.REFUSED
        publication.problem = (reason or "").strip() or _("The platform gave no reason.")
        publication.save(update_fields=["status", "problem", "reviewed_at", "updated_at", "updated_by"])
        return publication
    publication.status = PublicationStatus.PUBLISHED
    publication.published_at = publication.accepted_at or now
    publication.url = (url or "")[:500]
    publication.save(update_fields=["status", "published_at", "url", "reviewed_at", "updated_at", "updated_by"])
    if publication.project.stage == Stage.PUBLISHING:
        project_publish(
            actor=None,
            project=publication.project,
            platform_item_id=publication.platform_item_id,
            url=publication.url,
            published_at=publication.published_at,
            publication=publication,
        )
    return publication
