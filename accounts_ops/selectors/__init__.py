"""Reads of account operations. Chapter 6 (basic operations) lives in ``basic``, chapter 7 in
``advanced``."""

from accounts_ops.selectors.advanced import advanced_operations_dashboard, hot_topics_for_project, persona_sections
from accounts_ops.selectors.basic import (
    DM_FIRST_RESPONSE_TARGET_SECONDS,
    RESPONSE_PERCENTILE,
    ResponseSummary,
    account_operations,
    basic_operations_dashboard,
    current_profile,
    flagged_accounts,
    inbox_overview,
    message_response_seconds,
    nearest_rank,
    open_boost_tasks,
    response_summaries,
    with_money,
)

__all__ = [
    "DM_FIRST_RESPONSE_TARGET_SECONDS",
    "RESPONSE_PERCENTILE",
    "ResponseSummary",
    "account_operations",
    "basic_operations_dashboard",
    "current_profile",
    "flagged_accounts",
    "hot_topics_for_project",
    "inbox_overview",
    "message_response_seconds",
    "nearest_rank",
    "open_boost_tasks",
    "response_summaries",
    "with_money",
    "advanced_operations_dashboard",
    "persona_sections",
]
