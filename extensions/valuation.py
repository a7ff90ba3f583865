"""Clause 8.3: the account valuation method, its coefficients, and where its metrics come from.

The method (``activefans-v1``), stated once here and stored by name with every valuation:

1. **Base value** = average daily active fans over the window (factor b) × the platform's yuan
   per daily active fan (factor a). The base factors enter at full weight.
2. Each adjustment factor gets a **score**, a multiplier around 1 (1 = a typical account):

   - c) user stickiness = ½ × engagement rate ÷ engagement benchmark + ½ × returning-viewer share
     ÷ returning benchmark, kept within [0.5, 1.5];
   - d) style positioning = 1 + style premium (distinct), 1 (clear) or 1 − style premium (unclear);
   - e) adverse events = 1 − the sum of the discounts of the events in the look-back period,
     by severity (minor, major, severe), never below 0;
   - f) other factors = a multiplier entered with a note, within [0.5, 1.5].

3. The adjustment weights (c, d, e, f) are each between 0 and 1 and **sum to exactly 1**. A
   factor's **effect** = weight × (score − 1); the **central value** = base × (1 + Σ effects),
   rounded to the yuan.
4. The **range** is the central value ± a spread: the base spread plus a step for each metric
   that was entered rather than computed (less certain), at most 50%.

Every coefficient is an agency setting (``agency.adjustable``) with the default documented
beside it. ``gather_inputs`` collects everything the method needs into one JSON-safe dict
(decimals as strings); ``compute`` is a pure function of that dict, so the same inputs always
give the same range and a stored valuation can be computed again from its ``inputs``.

Metrics (chapter 7 brings them in) reach the method through **metric sources**: a function
``source(account, start, end)`` returning the value over the window, or ``None`` when there are
no metrics for it. ``register_metric_source(name, func)`` installs one for a metric name below.
With no source (or ``None``), the value must be entered with a note; a valuation is never
made from a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agency.adjustable import AdjustableValue, adjustable
from clients.models import Platform, PlatformAccount
from extensions.models.valuation import AdverseEvent, FactorSource, Severity, StylePositioning, ValuationFactorKind

METHOD = "activefans-v1"

# --- metric sources ----------------------------------------------------------------------------

METRIC_DAILY_ACTIVE_FANS = "daily_active_fans"  # average daily active fans over the window
METRIC_ENGAGEMENT_RATE = "engagement_rate"  # (likes + comments + shares) ÷ plays over the window
METRIC_RETURNING_VIEWER_SHARE = "returning_viewer_share"  # share of viewers who came back, 0-1

# name → (label, is a share between 0 and 1)
METRICS: dict[str, tuple[Any, bool]] = {
    METRIC_DAILY_ACTIVE_FANS: (_("average daily active fans"), False),
    METRIC_ENGAGEMENT_RATE: (_("engagement rate"), True),
    METRIC_RETURNING_VIEWER_SHARE: (_("returning-viewer share"), True),
}

MetricSource = Callable[[PlatformAccount, dt.date, dt.date], Any]
_SOURCES: dict[str, MetricSource] = {}


def register_metric_source(name: str, func: MetricSource) -> MetricSource | None:
    """Install ``func(account, start, end) -> value | None`` as the source of metric ``name``
    (one of ``METRICS``); returns the source it replaces."""
    if name not in METRICS:
        raise KeyError(f"Unknown metric {name!r}; the valuation reads {', '.join(METRICS)}.")
    previous = _SOURCES.get(name)
    _SOURCES[name] = func
    return previous


def unregister_metric_source(name: str) -> None:
    _SOURCES.pop(name, None)


def metric_source(name: str) -> MetricSource | None:
    return _SOURCES.get(name)


@contextmanager
def metric_sources(**sources: MetricSource | None) -> Iterator[None]:
    """Use these sources inside the block (``None`` removes one), restoring the previous after."""
    saved = {name: _SOURCES.get(name) for name in sources}
    try:
        for name, func in sources.items():
            if func is None:
                unregister_metric_source(name)
            else:
                register_metric_source(name, func)
        yield
    finally:
        for name, func in saved.items():
            if func is None:
                unregister_metric_source(name)
            else:
                _SOURCES[name] = func


# --- coefficients: agency settings with their defaults (clause 8.3) ---------------------------

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

# Fixed by the method's version (changing them makes a new version).
STICKINESS_SCORE_BOUNDS = (Decimal("0.5"), Decimal("1.5"))
OTHER_MULTIPLIER_BOUNDS = (Decimal("0.5"), Decimal("1.5"))
RANGE_SPREAD_CAP = Decimal("0.5")
WEIGHTS_TOTAL = Decimal("1")
WEIGHT_PLACES = Decimal("0.0001")
# Metrics are kept to these places: counts to the cent of a fan, shares to a millionth.
COUNT_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.000001")
ADJUSTMENT_FACTORS = (
    ValuationFactorKind.STICKINESS,
    ValuationFactorKind.STYLE,
    ValuationFactorKind.ADVERSE_EVENTS,
    ValuationFactorKind.OTHER,
)


# --- the method ------------------------------------------------------------------------------

STEP_TEXTS = {
    "base": _(
        "Base value: %(fans)s average daily active fans × ¥%(coefficient)s per active fan on %(platform)s = ¥%(base)s."
    ),
    "stickiness": _(
        "User stickiness: ½ × %(engagement)s ÷ %(engagement_benchmark)s + ½ × %(returning)s ÷ "
        "%(returning_benchmark)s = %(raw)s, kept within %(low)s-%(high)s → score %(score)s."
    ),
    "style": _("Style positioning %(style)s → score %(score)s (premium %(premium)s)."),
    "adverse_events": _("Adverse events since %(since)s: %(count)s, discounts %(discounts)s → score %(score)s."),
    "other": _("Other factors: multiplier %(score)s (%(note)s)."),
    "effects": _(
        "Effects (weight × (score − 1)): %(effects)s; weights sum to %(weights)s → multiplier %(multiplier)s."
    ),
    "point": _("Central value: ¥%(base)s × %(multiplier)s = ¥%(point)s."),
    "range": _(
        "Range: ±%(spread)s (%(base_spread)s + %(per_entered)s × %(entered)s entered metric(s)) "
        "→ ¥%(low)s to ¥%(high)s."
    ),
}


def render_step(step: dict) -> str:
    """One stored step of the explanation, in the current language."""
    params = dict(step.get("params", {}))
    if "platform" in params:
        params["platform"] = str(dict(Platform.choices).get(params["platform"], params["platform"]))
    if "style" in params:
        params["style"] = str(dict(StylePositioning.choices).get(params["style"], params["style"]))
    if step.get("key") == "adverse_events" and isinstance(params.get("discounts"), str):
        severities = dict(Severity.choices)
        params["discounts"] = re.sub(
            r"\b(" + "|".join(severities) + r")\b", lambda m: str(severities[m.group(1)]), params["discounts"]
        )
    text = STEP_TEXTS.get(step.get("key", ""))
    return str(text) % params if text is not None else str(params)


@dataclass(frozen=True)
class FactorOutcome:
    factor: str
    value: str
    value_number: Decimal | None
    source: str
    source_detail: str
    weight: Decimal
    effect: Decimal | None
    effect_text: str


@dataclass(frozen=True)
class ValuationResult:
    method: str
    base: Decimal
    multiplier: Decimal
    spread: Decimal
    value_low: Decimal
    value_point: Decimal
    value_high: Decimal
    factors: list[FactorOutcome] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)

    def range(self) -> tuple[Decimal, Decimal, Decimal]:
        return self.value_low, self.value_point, self.value_high


YUAN = Decimal("1")
CENTS = Decimal("0.01")
SCORE = Decimal("0.0001")
EFFECT = Decimal("0.000001")
HALF = Decimal("0.5")
ONE = Decimal("1")


def _dec(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({name: gettext("%(name)s: %(value)r is not a number.") % {"name": name, "value": value}})
    if not number.is_finite():
        raise ValidationError({name: gettext("%(name)s: %(value)r is not a number.") % {"name": name, "value": value}})
    return number


def _fmt(number: Decimal, places: str = "0.01") -> str:
    quantized = number.quantize(Decimal(places), ROUND_HALF_UP)
    return f"{quantized:,}"


def _count(number: Decimal) -> str:
    """A count of fans: whole numbers without decimals."""
    return _fmt(number, "1") if number == number.to_integral_value() else _fmt(number)


def _pct(number: Decimal) -> str:
    return f"{(number * 100).quantize(Decimal('0.01'), ROUND_HALF_UP):+}%"


def compute(inputs: dict) -> ValuationResult:
    """The value range from stored inputs, by the method the inputs name. Pure and exact:
    the same inputs always give the same result."""
    method = inputs.get("method")
    if method not in METHODS:
        raise ValidationError(
            {
                "method": gettext("Unknown valuation method %(method)r; known: %(known)s.")
                % {"method": method, "known": ", ".join(METHODS)}
            }
        )
    # A fixed decimal context, whatever the caller's: reproducible to the last digit.
    with localcontext(Context(prec=34, rounding=ROUND_HALF_EVEN)):
        return METHODS[method](inputs)


def _check_weights(weights: dict[str, Decimal]) -> None:
    """Method activefans-v1: each adjustment weight is between 0 and 1 and they sum to exactly 1."""
    errors = [
        gettext("The weight of %(factor)s is %(weight)s; each weight is between 0 and 1.")
        % {"factor": name, "weight": value}
        for name, value in weights.items()
        if not (0 <= value <= 1)
    ]
    errors += [
        gettext("The weight of %(factor)s (%(weight)s) has more than %(places)s decimal places.")
        % {"factor": name, "weight": value, "places": -WEIGHT_PLACES.as_tuple().exponent}
        for name, value in weights.items()
        if value != value.quantize(WEIGHT_PLACES)
    ]
    if errors:
        raise ValidationError({"weights": errors})
    total = sum(weights.values(), Decimal(0))
    if total != WEIGHTS_TOTAL:
        raise ValidationError(
            {
                "weights": gettext(
                    "The weights (%(weights)s) sum to %(total)s; method %(method)s needs them to sum to exactly "
                    "%(required)s."
                )
                % {
                    "weights": ", ".join(f"{name} {value}" for name, value in weights.items()),
                    "total": total,
                    "method": METHOD,
                    "required": WEIGHTS_TOTAL,
                }
            }
        )


def _compute_activefans_v1(inputs: dict) -> ValuationResult:
    coefficients = inputs["coefficients"]
    factors = inputs["factors"]
    weights = {name: _dec(inputs["weights"].get(name), f"weights.{name}") for name in ADJUSTMENT_FACTORS}
    _check_weights(weights)
    platform = inputs["account"]["platform"]

    # 1. base = average daily active fans × yuan per active fan (factors a and b)
    coefficient = _dec(coefficients["yuan_per_active_fan"], "yuan_per_active_fan")
    fans = _dec(factors["daily_active_fans"]["value"], "daily_active_fans")
    base = (fans * coefficient).quantize(CENTS, ROUND_HALF_UP)
    steps = [
        {
            "key": "base",
            "params": {
                "fans": _count(fans),
                "coefficient": _fmt(coefficient),
                "platform": platform,
                "base": _fmt(base),
            },
        }
    ]

    # 2. scores of the adjustment factors
    engagement = _dec(factors["engagement_rate"]["value"], "engagement_rate")
    returning = _dec(factors["returning_viewer_share"]["value"], "returning_viewer_share")
    engagement_benchmark = _dec(coefficients["engagement_benchmark"], "engagement_benchmark")
    returning_benchmark = _dec(coefficients["returning_benchmark"], "returning_benchmark")
    raw = HALF * engagement / engagement_benchmark + HALF * returning / returning_benchmark
    low, high = STICKINESS_SCORE_BOUNDS
    stickiness = min(max(raw, low), high).quantize(SCORE, ROUND_HALF_UP)
    steps.append(
        {
            "key": "stickiness",
            "params": {
                "engagement": _fmt(engagement, "0.0001"),
                "engagement_benchmark": _fmt(engagement_benchmark, "0.0001"),
                "returning": _fmt(returning, "0.0001"),
                "returning_benchmark": _fmt(returning_benchmark, "0.0001"),
                "raw": _fmt(raw, "0.0001"),
                "low": str(low),
                "high": str(high),
                "score": str(stickiness),
            },
        }
    )

    style = factors["style"]["value"]
    premium = _dec(coefficients["style_premium"], "style_premium")
    style_score = {
        StylePositioning.DISTINCT: ONE + premium,
        StylePositioning.CLEAR: ONE,
        StylePositioning.UNCLEAR: ONE - premium,
    }.get(style)
    if style_score is None:
        raise ValidationError({"style": gettext("Unknown style positioning %(style)r.") % {"style": style}})
    style_score = max(style_score, Decimal(0)).quantize(SCORE, ROUND_HALF_UP)
    steps.append({"key": "style", "params": {"style": style, "score": str(style_score), "premium": str(premium)}})

    events = factors["adverse_events"]["events"]
    discounts = coefficients["adverse_discounts"]
    discount_total = sum((_dec(discounts[event["severity"]], "adverse_discounts") for event in events), Decimal(0))
    adverse_score = max(ONE - discount_total, Decimal(0)).quantize(SCORE, ROUND_HALF_UP)
    steps.append(
        {
            "key": "adverse_events",
            "params": {
                "since": factors["adverse_events"]["since"],
                "count": str(len(events)),
                "discounts": ", ".join(f"{e['severity']} −{discounts[e['severity']]}" for e in events) or "—",
                "score": str(adverse_score),
            },
        }
    )

    other = _dec(factors["other"]["value"], "other_multiplier")
    low, high = OTHER_MULTIPLIER_BOUNDS
    if not (low <= other <= high):
        raise ValidationError({"other_multiplier": other_out_of_bounds(other)})
    other_score = other.quantize(SCORE, ROUND_HALF_UP)
    steps.append({"key": "other", "params": {"score": str(other_score), "note": factors["other"].get("note") or "—"}})

    # 3. effects and the central value
    scores = {
        ValuationFactorKind.STICKINESS: stickiness,
        ValuationFactorKind.STYLE: style_score,
        ValuationFactorKind.ADVERSE_EVENTS: adverse_score,
        ValuationFactorKind.OTHER: other_score,
    }
    effects = {name: (weights[name] * (scores[name] - ONE)).quantize(EFFECT, ROUND_HALF_UP) for name in scores}
    multiplier = ONE + sum(effects.values(), Decimal(0))
    point = max((base * multiplier).quantize(YUAN, ROUND_HALF_UP), Decimal(0))
    steps.append(
        {
            "key": "effects",
            "params": {
                "effects": ", ".join(f"{name} {_pct(effect)}" for name, effect in effects.items()),
                "weights": str(sum(weights.values(), Decimal(0))),
                "multiplier": str(multiplier),
            },
        }
    )
    steps.append({"key": "point", "params": {"base": _fmt(base), "multiplier": str(multiplier), "point": _fmt(point)}})

    # 4. the range: wider for each metric entered instead of computed
    entered = sum(
        1
        for name in (METRIC_DAILY_ACTIVE_FANS, METRIC_ENGAGEMENT_RATE, METRIC_RETURNING_VIEWER_SHARE)
        if factors[name]["source"] == FactorSource.ENTERED
    )
    base_spread = _dec(coefficients["range_spread"], "range_spread")
    per_entered = _dec(coefficients["range_spread_per_entered"], "range_spread_per_entered")
    spread = min(base_spread + per_entered * entered, RANGE_SPREAD_CAP)
    value_low = max((point * (ONE - spread)).quantize(YUAN, ROUND_HALF_UP), Decimal(0))
    value_high = (point * (ONE + spread)).quantize(YUAN, ROUND_HALF_UP)
    steps.append(
        {
            "key": "range",
            "params": {
                "spread": _pct(spread).lstrip("+"),
                "base_spread": str(base_spread),
                "per_entered": str(per_entered),
                "entered": str(entered),
                "low": _fmt(value_low),
                "high": _fmt(value_high),
            },
        }
    )

    def metric_detail(name: str) -> str:
        item = factors[name]
        return item.get("detail", "")

    full = Decimal("1")
    outcomes = [
        FactorOutcome(
            ValuationFactorKind.PLATFORM,
            platform,
            coefficient,
            FactorSource.ACCOUNT,
            f"@{inputs['account']['handle']} · ¥{coefficient} / active fan",
            full,
            None,
            f"base × ¥{coefficient} per active fan",
        ),
        FactorOutcome(
            ValuationFactorKind.DAILY_ACTIVE_FANS,
            _count(fans),
            fans,
            factors["daily_active_fans"]["source"],
            metric_detail(METRIC_DAILY_ACTIVE_FANS),
            full,
            None,
            f"base = {_count(fans)} × ¥{coefficient} = ¥{_fmt(base)}",
        ),
        FactorOutcome(
            ValuationFactorKind.STICKINESS,
            f"engagement {_fmt(engagement, '0.0001')}, returning {_fmt(returning, '0.0001')}",
            stickiness,
            _combined_source(
                factors[METRIC_ENGAGEMENT_RATE]["source"], factors[METRIC_RETURNING_VIEWER_SHARE]["source"]
            ),
            "; ".join(
                part
                for part in (metric_detail(METRIC_ENGAGEMENT_RATE), metric_detail(METRIC_RETURNING_VIEWER_SHARE))
                if part
            ),
            weights[ValuationFactorKind.STICKINESS],
            effects[ValuationFactorKind.STICKINESS],
            f"score {stickiness} × weight {weights[ValuationFactorKind.STICKINESS]} → "
            f"{_pct(effects[ValuationFactorKind.STICKINESS])}",
        ),
        FactorOutcome(
            ValuationFactorKind.STYLE,
            style,
            style_score,
            FactorSource.ENTERED,
            factors["style"].get("note", ""),
            weights[ValuationFactorKind.STYLE],
            effects[ValuationFactorKind.STYLE],
            f"score {style_score} × weight {weights[ValuationFactorKind.STYLE]} → "
            f"{_pct(effects[ValuationFactorKind.STYLE])}",
        ),
        FactorOutcome(
            ValuationFactorKind.ADVERSE_EVENTS,
            str(len(events)),
            adverse_score,
            FactorSource.RECORDS,
            "; ".join(f"#{e['id']} {e['occurred_on']} {e['kind']} ({e['severity']})" for e in events)
            or f"none since {factors['adverse_events']['since']}",
            weights[ValuationFactorKind.ADVERSE_EVENTS],
            effects[ValuationFactorKind.ADVERSE_EVENTS],
            f"score {adverse_score} × weight {weights[ValuationFactorKind.ADVERSE_EVENTS]} → "
            f"{_pct(effects[ValuationFactorKind.ADVERSE_EVENTS])}",
        ),
        FactorOutcome(
            ValuationFactorKind.OTHER,
            str(other_score),
            other_score,
            FactorSource.ENTERED,
            factors["other"].get("note", ""),
            weights[ValuationFactorKind.OTHER],
            effects[ValuationFactorKind.OTHER],
            f"score {other_score} × weight {weights[ValuationFactorKind.OTHER]} → "
            f"{_pct(effects[ValuationFactorKind.OTHER])}",
        ),
    ]
    return ValuationResult(
        method=METHOD,
        base=base,
        multiplier=multiplier,
        spread=spread,
        value_low=value_low,
        value_point=point,
        value_high=value_high,
        factors=outcomes,
        steps=steps,
    )


def _combined_source(*sources: str) -> str:
    return FactorSource.ENTERED if FactorSource.ENTERED in sources else FactorSource.COMPUTED


METHODS: dict[str, Callable[[dict], ValuationResult]] = {METHOD: _compute_activefans_v1}

METHOD_DESCRIPTION = _(
    "Method activefans-v1: base value = average daily active fans × the platform's yuan per active fan; "
    "user stickiness, style positioning, adverse events and other factors each score a multiplier around 1; "
    "their weights sum to 1 and each moves the value by weight × (score − 1); the range widens for each "
    "metric entered by hand."
)


# --- gathering the inputs --------------------------------------------------------------------


@dataclass(frozen=True)
class EnteredValue:
    """A metric entered by hand instead of computed, with where it came from."""

    value: Decimal
    note: str


def default_window(agency, valued_on: dt.date) -> tuple[dt.date, dt.date]:
    """The metrics window when none is given: the agency's number of days before ``valued_on``."""
    days = agency.setting(VALUATION_WINDOW_DAYS)
    end = valued_on - dt.timedelta(days=1)
    return end - dt.timedelta(days=days - 1), end


def agency_weights(agency) -> dict[str, str]:
    return {name: str(_dec(agency.setting(value), name)) for name, value in WEIGHTS.items()}


def agency_coefficients(agency, platform: str) -> dict:
    return {
        "yuan_per_active_fan": str(_dec(agency.setting(YUAN_PER_ACTIVE_FAN[platform]), "yuan_per_active_fan")),
        "engagement_benchmark": str(_dec(agency.setting(ENGAGEMENT_BENCHMARK), "engagement_benchmark")),
        "returning_benchmark": str(_dec(agency.setting(RETURNING_BENCHMARK), "returning_benchmark")),
        "style_premium": str(_dec(agency.setting(STYLE_PREMIUM), "style_premium")),
        "adverse_discounts": {
            severity: str(_dec(agency.setting(value), "adverse_discounts"))
            for severity, value in ADVERSE_DISCOUNT.items()
        },
        "adverse_lookback_days": int(agency.setting(ADVERSE_LOOKBACK_DAYS)),
        "range_spread": str(_dec(agency.setting(RANGE_SPREAD), "range_spread")),
        "range_spread_per_entered": str(_dec(agency.setting(RANGE_SPREAD_PER_ENTERED), "range_spread_per_entered")),
    }


def no_metrics_message(account: PlatformAccount, start: dt.date, end: dt.date, metric: str) -> str:
    return gettext(
        "no metrics for @%(handle)s between %(start)s and %(end)s (%(metric)s) — enter the value or import metrics"
    ) % {"handle": account.handle, "start": start.isoformat(), "end": end.isoformat(), "metric": METRICS[metric][0]}


def other_out_of_bounds(other: Decimal) -> str:
    low, high = OTHER_MULTIPLIER_BOUNDS
    return gettext("The other-factors multiplier %(value)s is outside %(low)s-%(high)s.") % {
        "value": other,
        "low": low,
        "high": high,
    }


def gather_inputs(
    *,
    account: PlatformAccount,
    agency,
    valued_on: dt.date,
    window_start: dt.date,
    window_end: dt.date,
    entered: dict[str, EnteredValue],
    style: str,
    style_note: str,
    other_multiplier: Decimal,
    other_note: str,
    weights: dict[str, Decimal] | None,
) -> dict:
    """Everything the method needs for ``account``, as one JSON-safe dict. Metrics not entered
    are read from their metric source over the window; any metric with neither is refused,
    naming the account and the window."""
    errors: dict[str, str] = {}
    metric_inputs: dict[str, dict] = {}
    for name, (_label, is_share) in METRICS.items():
        if name in entered:
            item = entered[name]
            if not (item.note or "").strip():
                errors[f"{name}_note"] = gettext("Say where the entered %(metric)s comes from.") % {
                    "metric": METRICS[name][0]
                }
                continue
            value = _dec(item.value, name).quantize(SHARE_PLACES if is_share else COUNT_PLACES, ROUND_HALF_UP)
            metric_inputs[name] = {"value": str(value), "source": FactorSource.ENTERED, "detail": item.note.strip()}
        else:
            source = metric_source(name)
            raw = source(account, window_start, window_end) if source is not None else None
            if raw is None:
                errors[name] = no_metrics_message(account, window_start, window_end, name)
                continue
            value = _dec(raw, name).quantize(SHARE_PLACES if is_share else COUNT_PLACES, ROUND_HALF_UP)
            metric_inputs[name] = {
                "value": str(value),
                "source": FactorSource.COMPUTED,
                "detail": f"{name} {window_start.isoformat()}..{window_end.isoformat()}",
            }
        if value < 0:
            errors[name] = gettext("%(metric)s cannot be negative (%(value)s).") % {
                "metric": METRICS[name][0],
                "value": value,
            }
        elif is_share and value > 1:
            errors[name] = gettext("%(metric)s is a share between 0 and 1, got %(value)s.") % {
                "metric": METRICS[name][0],
                "value": value,
            }
    if style not in StylePositioning.values:
        errors["style"] = gettext("Choose a style positioning: %(choices)s.") % {
            "choices": ", ".join(StylePositioning.values)
        }
    low, high = OTHER_MULTIPLIER_BOUNDS
    other = _dec(other_multiplier, "other_multiplier")
    if not (low <= other <= high):
        errors["other_multiplier"] = other_out_of_bounds(other)
    elif other != ONE and not (other_note or "").strip():
        errors["other_note"] = gettext("Say what the other factors are when they move the value.")
    if errors:
        raise ValidationError(errors)

    coefficients = agency_coefficients(agency, account.platform)
    since = valued_on - dt.timedelta(days=coefficients["adverse_lookback_days"])
    events = [
        {"id": event.pk, "kind": event.kind, "severity": event.severity, "occurred_on": event.occurred_on.isoformat()}
        for event in AdverseEvent.objects.filter(
            account=account, occurred_on__gt=since, occurred_on__lte=valued_on
        ).order_by("occurred_on", "pk")
    ]
    if weights is None:
        weight_values, weights_source = agency_weights(agency), "agency"
    else:
        weight_values = {name: str(_dec(weights.get(name), f"weights.{name}")) for name in ADJUSTMENT_FACTORS}
        weights_source = "entered"
    return {
        "method": METHOD,
        "account": {"id": account.pk, "handle": account.handle, "platform": account.platform},
        "valued_on": valued_on.isoformat(),
        "window": {"start": window_start.isoformat(), "end": window_end.isoformat()},
        "coefficients": coefficients,
        "weights": weight_values,
        "weights_source": weights_source,
        "factors": {
            **metric_inputs,
            "style": {"value": style, "note": (style_note or "").strip()},
            "adverse_events": {"since": since.isoformat(), "events": events},
            "other": {"value": str(other), "note": (other_note or "").strip()},
        },
    }
