"""Reads of the client's review: a round's comment thread."""

from __future__ import annotations

from django.db.models import Prefetch

from agency.tenancy import Actor
from production.models.review import ReviewComment, ReviewRound


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


def open_review_comments(actor: Actor, round_: ReviewRound) -> list[ReviewComment]:
    """The time-coded comments still open (not resolved) on the project's cuts up to this round: what
    an approver is warned of before approving the cut."""
    return list(
        ReviewComment.objects.visible_to(actor)
        .filter(
            round__project_id=round_.project_id,
            round__number__lte=round_.number,
            parent__isnull=True,
            resolved_at__isnull=True,
        )
        .select_related("author", "round")
        .order_by("-round__number", "timecode_seconds", "id")
    )
