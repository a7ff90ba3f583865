"""Publishing a finished video."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.tenancy import Actor
from clients.models import Video, VideoOrigin
from production.models import (
    RoundStatus,
    Stage,
    VideoProject,
)
from production.services._common import _lock, _record_transition, _require_stage, latest_cut


@transaction.atomic
def project_publish(
    *,
    actor: Actor,
    project: VideoProject,
    platform_item_id: str,
    url: str = "",
    published_at: dt.datetime | None = None,
) -> VideoProject:
    """Record the publication: create (or link, when the platform's data already brought it in)
    the account's ``clients.Video``, and close the project."""
    project = _lock(VideoProject, project)
    _require_stage(project, {Stage.PUBLISHING}, _("A video is published"))
    platform_item_id = (platform_item_id or "").strip()
    if not platform_item_id:
        raise ValidationError({"platform_item_id": _("Give the platform's id of the published video.")})
    published_at = published_at or timezone.now()
    if published_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"published_at": _("Record the publication once the video is live, not before.")})
    round_ = project.review_rounds.filter(status=RoundStatus.APPROVED).order_by("-number").first()
    cut = round_.cut if round_ else latest_cut(project)
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
    video.full_clean()
    video.save()
    project.video = video
    project.save(update_fields=["video", "updated_at", "updated_by"])
    _record_transition(
        actor=actor,
        project=project,
        to_stage=Stage.PUBLISHED,
        snapshot={"video": video.pk, "platform_item_id": platform_item_id, "cut": cut.pk if cut else None},
    )
    return project
