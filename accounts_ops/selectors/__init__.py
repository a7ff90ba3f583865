"""Reads of account operations. Chapter 6 (basic operations) lives in one module per
topic (``profile``, ``pinned``, ``inbox``, ``ads``; the chapter's dashboards in ``overview``),
chapter 7 in ``advanced``."""

from accounts_ops.rules import DM_FIRST_RESPONSE_TARGET_SECONDS, RESPONSE_PERCENTILE
from accounts_ops.selectors.ads import with_money
from accounts_ops.selectors.advanced import advanced_operations_dashboard, hot_topics_for_project, persona_sections
from accounts_ops.selectors.inbox import (
    ResponseSummary,
    inbox_overview,
    message_response_seconds,
    nearest_rank,
    response_summaries,
)
from accounts_ops.selectors.overview import account_operations, basic_operations_dashboard
from accounts_ops.selectors.pinned import flagged_accounts, open_boost_tasks
from accounts_ops.selectors.profile import current_profile

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
