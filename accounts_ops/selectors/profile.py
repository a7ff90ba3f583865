"""Reads of clause 6.2, profile changes (avatar, banner, bio, nickname). Fixed numbers of
queries."""

from __future__ import annotations

from accounts_ops.models.profile import ProfileChange, ProfileChangeStatus, ProfileField
from clients.models import PlatformAccount


def current_profile(account: PlatformAccount) -> dict[str, ProfileChange | None]:
    """The latest applied change of each of the four parts (6.2), in one query."""
    changes = ProfileChange.objects.filter(account=account, status=ProfileChangeStatus.APPLIED).order_by(
        "field", "-applied_on", "-id"
    )
    profile: dict[str, ProfileChange | None] = dict.fromkeys(ProfileField.values)
    for change in changes:
        if profile[change.field] is None:
            profile[change.field] = change
    return profile
