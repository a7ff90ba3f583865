"""The rules of chapter 8, each written once: the live team a session needs to start (8.1), the
follower range an influencer must be within to be booked (8.2), and the agency settings they
read. Services enforce them; pages and conformance checks show them."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agency.adjustable import adjustable
from extensions.models import LIVE_TEAM_REQUIRED_ROLES, Influencer, LiveRole, LiveSession

# --- 8.1 live sessions -----------------------------------------------------------------------

# 8.1 "every finished session has results": the days the team has, after a session ends, to
# record its results before the session counts as missing them.
LIVE_RESULTS_DUE_DAYS = adjustable(
    "live_results_due_days",
    2,
    clause="8.1",
    minimum=0,
    maximum=30,
    label=_("Days after a live session to record its results (8.1)"),
)


def missing_live_roles(session: LiveSession) -> list[str]:
    """The roles of 8.1 (host assistant, product selector, transition assistant, field
    controller) that nobody holds in ``session``'s team, in the clause's order."""
    staffed = set(session.team.values_list("role", flat=True))
    return [role for role in LIVE_TEAM_REQUIRED_ROLES if role not in staffed]


def role_labels(roles) -> str:
    labels = dict(LiveRole.choices)
    return ", ".join(str(labels[role]) for role in roles)


# --- 8.2 influencer store visits ---------------------------------------------------------------

# 8.2: influencers with 30,000 to 5,000,000 followers ("3-500万粉丝"); the agency may set its own range.
INFLUENCER_FOLLOWERS_MIN = adjustable(
    "influencer_followers_min",
    30_000,
    clause="8.2",
    minimum=0,
    maximum=1_000_000_000,
    label=_("Fewest followers an influencer may have to be booked (8.2)"),
)
INFLUENCER_FOLLOWERS_MAX = adjustable(
    "influencer_followers_max",
    5_000_000,
    clause="8.2",
    minimum=1,
    maximum=1_000_000_000,
    label=_("Most followers an influencer may have to be booked (8.2)"),
)
# 8.2 "within the range at booking time": a follower count older than this is not "at booking".
INFLUENCER_FOLLOWERS_MAX_AGE_DAYS = adjustable(
    "influencer_followers_max_age_days",
    30,
    clause="8.2",
    minimum=0,
    maximum=365,
    label=_("Days a follower count stays valid for booking (8.2)"),
)


def follower_range(agency) -> tuple[int, int]:
    return agency.setting(INFLUENCER_FOLLOWERS_MIN), agency.setting(INFLUENCER_FOLLOWERS_MAX)


def follower_rule_refusal(influencer: Influencer, agency, today: dt.date) -> str | None:
    """Why ``influencer`` cannot be booked today under 8.2, or None when it can: the follower
    count must be within the agency's range and read no more than the allowed days ago."""
    low, high = follower_range(agency)
    followers = influencer.followers
    read_on = influencer.followers_read_on.isoformat()
    if not (low <= followers <= high):
        return gettext(
            "@%(handle)s has %(followers)s followers (read on %(read_on)s); "
            "clause 8.2 books influencers with %(low)s to %(high)s followers."
        ) % {
            "handle": influencer.handle,
            "followers": f"{followers:,}",
            "read_on": read_on,
            "low": f"{low:,}",
            "high": f"{high:,}",
        }
    max_age = agency.setting(INFLUENCER_FOLLOWERS_MAX_AGE_DAYS)
    age = (today - influencer.followers_read_on).days
    if age > max_age:
        return gettext(
            "The follower count of @%(handle)s (%(followers)s) was read on %(read_on)s, %(age)s days ago; "
            "a booking needs a count read no more than %(max_age)s days ago. Update the follower count first."
        ) % {
            "handle": influencer.handle,
            "followers": f"{followers:,}",
            "read_on": read_on,
            "age": age,
            "max_age": max_age,
        }
    return None
