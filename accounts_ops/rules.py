"""The rules of account operations, written once: the standard's numbers for chapters 6 and 7."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from agency.adjustable import adjustable
from agency.roles import Role
from extensions.rules import INFLUENCER_FOLLOWERS_MIN

# Chapter 6

# --- 6.3 pinned videos and boosts ------------------------------------------------------------
# 6.3: an account keeps 1 to 3 pinned videos. Pinning a fourth is refused; an account with none
# is flagged.
PINNED_SLOTS_MIN = 1  # 6.3
PINNED_SLOTS_MAX = 3  # 6.3
BOOST_INTERVAL_DAYS_MAX = 365  # a plan longer than a year is no plan

# --- 6.4 private-message auto-replies --------------------------------------------------------
# 6.4: a platform's clock may run a little ahead of ours; a message further in the future is refused.
MESSAGE_CLOCK_SKEW = dt.timedelta(minutes=5)  # 6.4
INBOX_BULK_MAX = 500  # 6.4: messages per bulk call

# 6.4: the agency's promise for answering a private message, measured from the message's arrival
# to the first reply sent. The standard asks for "timely" answers; the platforms' own service
# figure counts replies within 3 minutes.
DM_FIRST_RESPONSE_TARGET_SECONDS = adjustable(
    "dm_first_response_target_seconds",
    180,
    clause="6.4",
    minimum=10,
    maximum=7 * 24 * 3600,
    label=gettext_lazy("Target first-response time for private messages, in seconds (6.4)"),
)
RESPONSE_PERCENTILE = 90  # 6.4: the summary shows the median and this percentile

# --- 6.7 advertising -------------------------------------------------------------------------
# 6.7: only an agency admin may approve spend beyond a campaign's budget.
OVERSPEND_APPROVER_ROLE = Role.AGENCY_ADMIN  # 6.7

# 6.7 "投放 to high-follower accounts": the fewest followers a creator-collaboration partner may
# have. The standard states no figure for 6.7; its one follower figure is the influencer band of
# 8.2, whose lower end is the default here. An agency may state its own threshold.
AD_PARTNER_FOLLOWERS_MIN = adjustable(
    "ad_partner_followers_min",
    INFLUENCER_FOLLOWERS_MIN.default,
    clause="6.7",
    minimum=1,
    maximum=1_000_000_000,
    label=gettext_lazy("Fewest followers of a high-follower account to advertise with (6.7)"),
)
