"""Reads of clause 6.3, pinned videos and their boosts. Fixed numbers of queries."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from accounts_ops.models.pinned import BoostTask, BoostTaskStatus, PinnedVideo
from agency.tenancy import Actor
from clients.models import AccountStatus, PlatformAccount


def open_pins():
    return PinnedVideo.objects.filter(account=OuterRef("pk"), unpinned_on__isnull=True)


def flagged_accounts(actor: Actor):
    """Active accounts with no pinned video (6.3 wants 1-3), e.g. after the last was unpinned."""
    return (
        PlatformAccount.objects.visible_to(actor)
        .filter(status=AccountStatus.ACTIVE)
        .filter(~Exists(open_pins()))
        .select_related("client")
        .order_by("client__name", "handle")
    )


def open_boost_tasks(actor: Actor):
    """The boosts operators have to do (6.3), oldest due first."""
    return (
        BoostTask.objects.visible_to(actor)
        .filter(status=BoostTaskStatus.OPEN)
        .select_related("pinned_video__video", "account", "client")
        .order_by("due_on", "id")
    )
