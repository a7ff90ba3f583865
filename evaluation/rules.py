"""The rules of chapter 10 that this app enforces, each with its clause id: the standard's own
numbers (a follow-up within a month, 10.2) and the values it leaves to the agency, declared as
adjustable settings (read with ``agency.setting(...)``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from agency.adjustable import adjustable
from evaluation.models import Severity

# --- 10.1 the yearly evaluation ----------------------------------------------------------------

# 10.1: "at least once a year". The agency picks the month its yearly evaluation goes out, how
# long it stays open, and how long before the year's end a client without answers is flagged.
EVALUATION_MONTH = adjustable(
    "evaluation_month",
    10,
    clause="10.1",
    minimum=1,
    maximum=12,
    label=gettext_lazy("Month in which the yearly evaluation is sent (10.1)"),
)
EVALUATION_OPEN_DAYS = adjustable(
    "evaluation_open_days",
    30,
    clause="10.1",
    minimum=3,
    maximum=120,
    label=gettext_lazy("Days a yearly evaluation stays open (10.1)"),
)
EVALUATION_YEAR_END_WARNING_DAYS = adjustable(
    "evaluation_year_end_warning_days",
    45,
    clause="10.1",
    minimum=1,
    maximum=180,
    label=gettext_lazy("Days before the year's end to flag clients with no evaluation answers (10.1)"),
)

# --- 10.1 customer protection ----------------------------------------------------------------

# 10.1 customer protection: the agency's deadline to resolve a complaint, by severity, and to
# give a first response (a guarantee may promise a shorter one).
COMPLAINT_RESOLVE_HOURS = {
    Severity.CRITICAL: adjustable(
        "complaint_resolve_hours_critical",
        24,
        clause="10.1",
        minimum=1,
        maximum=24 * 90,
        label=gettext_lazy("Hours to resolve a critical complaint (10.1)"),
    ),
    Severity.HIGH: adjustable(
        "complaint_resolve_hours_high",
        72,
        clause="10.1",
        minimum=1,
        maximum=24 * 90,
        label=gettext_lazy("Hours to resolve a high-severity complaint (10.1)"),
    ),
    Severity.MEDIUM: adjustable(
        "complaint_resolve_hours_medium",
        7 * 24,
        clause="10.1",
        minimum=1,
        maximum=24 * 90,
        label=gettext_lazy("Hours to resolve a medium-severity complaint (10.1)"),
    ),
    Severity.LOW: adjustable(
        "complaint_resolve_hours_low",
        14 * 24,
        clause="10.1",
        minimum=1,
        maximum=24 * 90,
        label=gettext_lazy("Hours to resolve a low-severity complaint (10.1)"),
    ),
}
COMPLAINT_RESPONSE_HOURS = adjustable(
    "complaint_response_hours",
    24,
    clause="10.1",
    minimum=1,
    maximum=24 * 30,
    label=gettext_lazy("Hours to give a complaint its first response (10.1)"),
)

# Escalation, one level at a time: 1 = past the deadline (the owner and the client's account
# manager are told); 2 = past it by as long again (the agency's admins too).
TOP_ESCALATION_LEVEL = 2

# 10.1 customer protection: the share of complaints due in the period that must be resolved by
# their deadline. The standard names no figure; the agency sets its own promise.
COMPLAINTS_ON_TIME_PERCENT = adjustable(
    "complaints_on_time_percent",
    100,
    clause="10.1",
    minimum=1,
    maximum=100,
    label=gettext_lazy("Share of complaints resolved by their deadline (%) (10.1)"),
)

# --- 10.2 improvement and its follow-up surveys -----------------------------------------------

# 10.2: "within 1 month after the improvement, ask the users again". The one place this number lives.
FOLLOW_UP_WITHIN_DAYS = 30
# A follow-up not yet sent this many days before its deadline is flagged to the account manager.
FOLLOW_UP_WARNING_DAYS = 5

# 10.2: "until users and the client are satisfied": the agency's bar, as a CSAT percentage that
# both audiences must reach, each with at least this many answers.
SATISFACTION_THRESHOLD = adjustable(
    "satisfaction_threshold_percent",
    80,
    clause="10.2",
    minimum=1,
    maximum=100,
    label=gettext_lazy("Satisfaction (CSAT %) that closes an improvement cycle, for users and client (10.2)"),
)
FOLLOW_UP_MIN_RESPONSES = adjustable(
    "follow_up_min_responses",
    1,
    clause="10.2",
    minimum=1,
    maximum=1000,
    label=gettext_lazy("Answers needed from each audience before a follow-up can close a cycle (10.2)"),
)
FOLLOW_UP_WAIT_DAYS = adjustable(
    "follow_up_wait_days",
    14,
    clause="10.2",
    minimum=0,
    maximum=FOLLOW_UP_WITHIN_DAYS,
    label=gettext_lazy("Days after an improvement before the follow-up survey is sent (10.2)"),
)
FOLLOW_UP_OPEN_DAYS = adjustable(
    "follow_up_open_days",
    14,
    clause="10.2",
    minimum=1,
    maximum=60,
    label=gettext_lazy("Days a follow-up survey stays open (10.2)"),
)
