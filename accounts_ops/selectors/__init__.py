"""Reads of account operations. Chapter 6 (basic operations) lives in ``basic``; chapter 7's
landing page in ``overview``, its topics in ``hot_topics`` (7.2) and ``audience`` (7.3); the
platform's daily figures (charts, dashboards) in ``metrics``."""

from accounts_ops.selectors.audience import persona_sections
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
from accounts_ops.selectors.hot_topics import hot_topics_for_project
from accounts_ops.selectors.overview import advanced_operations_dashboard

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
