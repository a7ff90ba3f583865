"""The rules of account operations, written once, each with its clause id: the standard's numbers for
chapters 6 and 7."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from agency.adjustable import adjustable
from agency.roles import Role
from extensions.rules import INFLUENCER_FOLLOWERS_MIN

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
# 6.4 and 7.1, the one inbox: conversations one bulk action (handled, assign, hide) takes at once.
INBOX_BULK_CONVERSATIONS_MAX = 100

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


# 7.1: an alert is raised when, within the window, more than the threshold share of an account's
# comments read as negative, counting only windows with at least the minimum of comments.
OPINION_WINDOW_HOURS = adjustable(
    "opinion_window_hours",
    24,
    clause="7.1",
    minimum=1,
    maximum=24 * 30,
    label=gettext_lazy("Opinion alerts: hours of comments looked at (7.1)"),
)
OPINION_NEGATIVE_SHARE = adjustable(
    "opinion_negative_share",
    0.30,
    clause="7.1",
    minimum=0.01,
    maximum=1,
    label=gettext_lazy("Opinion alerts: share of negative comments that raises an alert (7.1)"),
)
OPINION_MIN_COMMENTS = adjustable(
    "opinion_min_comments",
    10,
    clause="7.1",
    minimum=1,
    maximum=100_000,
    label=gettext_lazy("Opinion alerts: fewest comments in the window to judge (7.1)"),
)

# 7.1: comments are answered: at least this share of the period's comments from users is handled
# (replied, hidden or marked handled) by the period's end...
COMMENT_ANSWERED_SHARE = adjustable(
    "comment_answered_share",
    0.9,
    clause="7.1",
    minimum=0,
    maximum=1,
    label=gettext_lazy("Comments: share that must be answered (7.1)"),
)
# ...counting only comments posted at least this long before the end (time to answer them).
COMMENT_ANSWER_HOURS = adjustable(
    "comment_answer_hours",
    24,
    clause="7.1",
    minimum=1,
    maximum=24 * 14,
    label=gettext_lazy("Comments: hours staff have to answer one (7.1)"),
)

# --- 7.3 audience persona --------------------------------------------------------------------

# 7.3: the scheduled job analyses each active account once per period (default every 7 days); the
# check wants a report no older than the analysis period (default 30 days).
PERSONA_PERIOD_DAYS = adjustable(
    "persona_period_days",
    7,
    clause="7.3",
    minimum=1,
    maximum=90,
    label=gettext_lazy("Audience persona: days between scheduled reports (7.3)"),
)
PERSONA_MAX_AGE_DAYS = adjustable(
    "persona_max_age_days",
    30,
    clause="7.3",
    minimum=1,
    maximum=365,
    label=gettext_lazy("Audience persona: oldest a current report may be (7.3)"),
)
