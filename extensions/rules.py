"""The rules of chapter 8, each written once: the live team a session needs to start (8.1), the
follower range an influencer must be within to be booked (8.2), the coefficients and bounds of the
account valuation method (8.3), and the agency settings they read. Services enforce them; pages,
the valuation method and conformance checks show them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agency.adjustable import AdjustableValue, adjustable
from clients.models import Platform
from extensions.models import Influencer, LiveRole, LiveSession, Severity, ValuationFactorKind

# --- 8.1 live sessions -----------------------------------------------------------------------

# 8.1: a live team includes at least these four roles; a session cannot start until each is staffed.
LIVE_TEAM_REQUIRED_ROLES: tuple[str, ...] = (
    LiveRole.HOST_ASSISTANT,
    LiveRole.PRODUCT_SELECTOR,
    LiveRole.TRANSITION_ASSISTANT,
    LiveRole.FIELD_CONTROLLER,
)

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


# --- 8.3 account valuation: coefficients, agency settings with their defaults ---------------------

# Yuan of account value per average daily active fan, by platform: a rule of thumb of what
# accounts trade at, higher where fans buy more readily (Xiaohongshu) and lower where they
# mostly watch (Bilibili). Agencies set their own market's figures.
YUAN_PER_ACTIVE_FAN_DEFAULTS = {
    Platform.DOUYIN: 3.0,
    Platform.KUAISHOU: 2.5,
    Platform.WECHAT_CHANNELS: 2.5,
    Platform.XIAOHONGSHU: 4.0,
    Platform.BILIBILI: 2.0,
    Platform.TIKTOK: 3.0,
}
YUAN_PER_ACTIVE_FAN: dict[str, AdjustableValue] = {
    platform: adjustable(
        f"valuation_yuan_per_active_fan_{platform}",
        default,
        clause="8.3",
        minimum=0,
        maximum=1000,
        label=format_lazy(
            _("Valuation: yuan per daily active fan on {platform} (8.3)"), platform=Platform(platform).label
        ),
    )
    for platform, default in YUAN_PER_ACTIVE_FAN_DEFAULTS.items()
}
# Interactions per play that count as a typical (score 1) account: 5%.
ENGAGEMENT_BENCHMARK = adjustable(
    "valuation_engagement_benchmark",
    0.05,
    clause="8.3",
    minimum=0.0001,
    maximum=1,
    label=_("Valuation: engagement rate of a typical account (8.3)"),
)
# Share of returning viewers that counts as typical: 30%.
RETURNING_BENCHMARK = adjustable(
    "valuation_returning_benchmark",
    0.30,
    clause="8.3",
    minimum=0.0001,
    maximum=1,
    label=_("Valuation: returning-viewer share of a typical account (8.3)"),
)
# A distinct, consistent style scores 1 + premium; an unclear one 1 − premium: 20%.
STYLE_PREMIUM = adjustable(
    "valuation_style_premium",
    0.20,
    clause="8.3",
    minimum=0,
    maximum=1,
    label=_("Valuation: premium for a distinct style (8.3)"),
)
# Discount of the adverse-events score per event, by severity: 5%, 15%, 35%.
ADVERSE_DISCOUNT: dict[str, AdjustableValue] = {
    Severity.MINOR: adjustable(
        "valuation_adverse_discount_minor",
        0.05,
        clause="8.3",
        minimum=0,
        maximum=1,
        label=_("Valuation: discount per minor adverse event (8.3)"),
    ),
    Severity.MAJOR: adjustable(
        "valuation_adverse_discount_major",
        0.15,
        clause="8.3",
        minimum=0,
        maximum=1,
        label=_("Valuation: discount per major adverse event (8.3)"),
    ),
    Severity.SEVERE: adjustable(
        "valuation_adverse_discount_severe",
        0.35,
        clause="8.3",
        minimum=0,
        maximum=1,
        label=_("Valuation: discount per severe adverse event (8.3)"),
    ),
}
# Adverse events count for a year before the valuation date.
ADVERSE_LOOKBACK_DAYS = adjustable(
    "valuation_adverse_lookback_days",
    365,
    clause="8.3",
    minimum=1,
    maximum=3650,
    label=_("Valuation: days adverse events count for (8.3)"),
)
# The adjustment weights; they must sum to exactly 1.
WEIGHTS: dict[str, AdjustableValue] = {
    ValuationFactorKind.STICKINESS: adjustable(
        "valuation_weight_stickiness",
        0.40,
        clause="8.3",
        minimum=0,
        maximum=1,
        label=_("Valuation: weight of user stickiness (8.3)"),
    ),
    ValuationFactorKind.STYLE: adjustable(
        "valuation_weight_style",
        0.20,
        clause="8.3",
        minimum=0,
        maximum=1,
        label=_("Valuation: weight of style positioning (8.3)"),
    ),
    ValuationFactorKind.ADVERSE_EVENTS: adjustable(
        "valuation_weight_adverse_events",
        0.30,
        clause="8.3",
        minimum=0,
        maximum=1,
        label=_("Valuation: weight of adverse events (8.3)"),
    ),
    ValuationFactorKind.OTHER: adjustable(
        "valuation_weight_other",
        0.10,
        clause="8.3",
        minimum=0,
        maximum=1,
        label=_("Valuation: weight of other factors (8.3)"),
    ),
}
# The range: ±15%, plus 5 points for each metric entered by hand instead of computed.
RANGE_SPREAD = adjustable(
    "valuation_range_spread",
    0.15,
    clause="8.3",
    minimum=0,
    maximum=0.5,
    label=_("Valuation: spread of the value range (8.3)"),
)
RANGE_SPREAD_PER_ENTERED = adjustable(
    "valuation_range_spread_per_entered",
    0.05,
    clause="8.3",
    minimum=0,
    maximum=0.5,
    label=_("Valuation: extra spread per entered metric (8.3)"),
)
# The metrics window when none is given: the 30 days before the valuation date.
VALUATION_WINDOW_DAYS = adjustable(
    "valuation_window_days",
    30,
    clause="8.3",
    minimum=7,
    maximum=365,
    label=_("Valuation: days of metrics a valuation reads (8.3)"),
)

# 8.3, fixed by the method's version (activefans-v1; changing them makes a new version): the bounds
# of the stickiness score and of the other-factors multiplier, the widest range, the weights' sum.
STICKINESS_SCORE_BOUNDS = (Decimal("0.5"), Decimal("1.5"))
OTHER_MULTIPLIER_BOUNDS = (Decimal("0.5"), Decimal("1.5"))
RANGE_SPREAD_CAP = Decimal("0.5")
WEIGHTS_TOTAL = Decimal("1")
WEIGHT_PLACES = Decimal("0.0001")
# 8.3 b), c): metrics are kept to these places: counts to the cent of a fan, shares to a millionth.
COUNT_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.000001")
# 8.3 c)-f): the adjustment factors, weighted around the base value of a) and b).
ADJUSTMENT_FACTORS = (
    ValuationFactorKind.STICKINESS,
    ValuationFactorKind.STYLE,
    ValuationFactorKind.ADVERSE_EVENTS,
    ValuationFactorKind.OTHER,
)
