"""The sign-in lockout (django-axes), with a limit of its own for each way of guessing.

django-axes counts failed sign-ins per set of ``AXES_LOCKOUT_PARAMETERS`` but holds every set to the
one ``AXES_FAILURE_LIMIT``. Guessing comes in three shapes, each with its own sensible limit:

- one username from one address (someone trying passwords): ``AXES_FAILURE_LIMIT``;
- one address, many usernames (password spraying): ``SIGNIN_FAILURE_LIMIT_PER_ADDRESS``;
- one username, many addresses (a distributed guess at one account): ``SIGNIN_FAILURE_LIMIT_PER_USERNAME``.

Failures are counted by the username typed, whether or not such a person exists, so a known and an
unknown username are locked and answered alike. Every count covers the last ``AXES_COOLOFF_TIME``.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings

# The order of AXES_LOCKOUT_PARAMETERS in settings; each set's limit is read by position.
PAIR, ADDRESS, USERNAME = ["username", "ip_address"], "ip_address", "username"
LOCKOUT_PARAMETERS = [PAIR, ADDRESS, USERNAME]


def limits() -> list[int]:
    """The failure limit of each set of LOCKOUT_PARAMETERS, in the same order."""
    return [
        settings.AXES_FAILURE_LIMIT,
        settings.SIGNIN_FAILURE_LIMIT_PER_ADDRESS,
        settings.SIGNIN_FAILURE_LIMIT_PER_USERNAME,
    ]


class LockoutHandler(AxesDatabaseHandler):
    """AxesDatabaseHandler whose count reaches ``AXES_FAILURE_LIMIT`` as soon as any set reaches its own limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        counts = [
            sum(attempts.values_list("failures_since_start", flat=True))
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if len(counts) != len(LOCKOUT_PARAMETERS):  # another AXES_LOCKOUT_PARAMETERS: axes' own rule
            return max(counts, default=0)
        if any(count >= limit for count, limit in zip(counts, limits(), strict=True)):
            return settings.AXES_FAILURE_LIMIT
        return counts[0]

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful sign-in clears the failures of that username from that address only: signing
        into one's own account must not wipe an address's failures on other usernames (spraying) nor
        other addresses' failures on this one."""
        deleted, _details = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return deleted
