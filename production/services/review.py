"""The client's review of a cut, with time-coded comments."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from math import ceil

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import validated_save
from agency.tenancy import Actor
from production.models.post import Cut
from production.models.projects import Stage, VideoProject
from production.models.review import ReviewComment, ReviewRound, RoundStatus
from production.rules import seconds_text
from production.services.common import latest_cut, lock_row, record_transition, require_decider


def open_review_round(*, project: VideoProject, cut: Cut) -> ReviewRound:
    number = (project.review_rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = ReviewRound(agency=project.agency, project=project, cut=cut, number=number)
    return validated_save(round_)


def _ensure_open_round(round_: ReviewRound) -> None:
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(
            {
                "round": _("Review round %(number)d is closed (%(status)s).")
                % {"number": round_.number, "status": round_.get_status_display()}
            }
        )


def _check_timecode(cut: Cut, seconds: Decimal | None, frame: int | None) -> None:
    if seconds is None:
        raise ValidationError({"timecode_seconds": _("Say where in the video: a time code in seconds.")})
    if seconds < 0:
        raise ValidationError({"timecode_seconds": _("A time code cannot be negative.")})
    if cut.duration_seconds is not None and seconds > cut.duration_seconds:
        raise ValidationError(
            {
                "timecode_seconds": _("%(at)s s is past the end of cut v%(version)d (%(length)s s).")
                % {"at": seconds_text(seconds), "version": cut.version, "length": seconds_text(cut.duration_seconds)}
            }
        )
    if frame is not None:
        if not cut.frame_rate:
            raise ValidationError({"frame": _("The cut's frame rate is unknown: give the time code only.")})
        frames = ceil(cut.frame_rate)
        if frame >= frames:
            raise ValidationError(
                {
                    "frame": _("Frame %(frame)d does not exist: a second of this cut has frames 0-%(last)d.")
                    % {"frame": frame, "last": frames - 1}
                }
            )


@transaction.atomic
def review_comment_add(
    *,
    actor: Actor,
    round: ReviewRound,  # noqa: A002 - the standard's word
    body: str,
    timecode_seconds: Decimal | None = None,
    frame: int | None = None,
    parent: ReviewComment | None = None,
) -> ReviewComment:
    """Comment on the round's cut at a time code, or reply to a comment (staff and the client's
    approver see the same thread)."""
    round_ = round
    if actor.is_client_person and actor.client_id != round_.client_id:
        raise PermissionDenied(_("This belongs to another client."))
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the comment.")})
    if round_.project.stage == Stage.PUBLISHED:
        raise ValidationError({"round": _("A published project is closed.")})
    if parent is not None:
        if parent.round_id != round_.pk:
            raise ValidationError({"parent": _("The comment replied to belongs to another review round.")})
        if parent.parent_id is not None:
            parent = parent.parent  # replies stay one level deep
        timecode_seconds, frame = None, None
    else:
        _ensure_open_round(round_)
        if timecode_seconds is not None:
            timecode_seconds = Decimal(str(timecode_seconds)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        _check_timecode(round_.cut, timecode_seconds, frame)
    comment = ReviewComment(
        agency=round_.agency,
        round=round_,
        cut_id=round_.cut_id,
        parent=parent,
        author=actor.user,
        body=body.strip(),
        timecode_seconds=timecode_seconds,
        frame=frame,
    )
    return validated_save(comment)


@transaction.atomic
def review_comment_resolve(*, actor: Actor, comment: ReviewComment, resolved: bool = True) -> ReviewComment:
    """Mark a comment as dealt with, in the project's latest cut (or open it again)."""
    comment = lock_row(ReviewComment, comment)
    if comment.parent_id is not None:
        raise ValidationError({"parent": _("Replies are not resolved; resolve the comment they answer.")})
    if resolved:
        comment.resolved_at = timezone.now()
        comment.resolved_by = actor.user
        comment.resolved_in = latest_cut(comment.round.project)
    else:
        comment.resolved_at = comment.resolved_by = comment.resolved_in = None
    return validated_save(comment)


def _decide_round(actor: Actor, round_: ReviewRound, status: str, comment: str, to_stage: str) -> ReviewRound:
    round_ = lock_row(ReviewRound, round_)
    require_decider(actor, "review", round_)
    _ensure_open_round(round_)
    project = lock_row(VideoProject, round_.project)
    round_.status = status
    round_.decided_by = actor.user
    round_.decided_at = timezone.now()
    round_.decision_comment = (comment or "").strip()
    validated_save(round_)
    record_transition(
        actor=actor,
        project=project,
        to_stage=to_stage,
        note=round_.decision_comment,
        snapshot={"round": round_.pk, "cut": {"id": round_.cut_id, "version": round_.cut.version}},
    )
    return round_


@transaction.atomic
def review_round_approve(*, actor: Actor, round: ReviewRound, comment: str = "") -> ReviewRound:  # noqa: A002
    """The client approves the cut: the project is ready to publish."""
    return _decide_round(actor, round, RoundStatus.APPROVED, comment, Stage.PUBLISHING)


@transaction.atomic
def review_round_request_changes(*, actor: Actor, round: ReviewRound, comment: str) -> ReviewRound:  # noqa: A002
    """The client asks for changes: the project goes back to post-production for a new cut."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change.")})
    return _decide_round(actor, round, RoundStatus.CHANGES_REQUESTED, comment, Stage.POST_PRODUCTION)
