"""What the reads of chapter 5 share: how far the reading of a set of video files has got."""

from __future__ import annotations

from django.db.models import Count, Q

from production.models.common import ProbeState

PROBING = ProbeState.PROBING  # a shoot (or a project's cut) still being read
PROBED = ProbeState.DONE  # every file read (or found unreadable)


def probing_status(media) -> dict:
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
