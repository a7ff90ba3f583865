"""Rule constants of account operations (chapters 6 and 7), each with its clause id."""

from django.utils.translation import gettext_lazy

from agency.adjustable import adjustable

# Chapter 7

# --- 7.1 comments and public opinion ---------------------------------------------------------

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
