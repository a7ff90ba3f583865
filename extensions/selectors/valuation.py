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

Every coefficient is an agency setting (``agency.adjustable``) declared in ``extensions.rules``
with the default documented beside it. ``gather_inputs`` (``extensions.selectors.valuation_inputs``)
collects everything the method needs into one JSON-safe dict (decimals as strings); ``compute`` is
a pure function of that dict, so the same inputs always give the same range and a stored valuation
can be computed again from its ``inputs`` (``valuation_verify``).

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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clients.models import Platform, PlatformAccount
from extensions.models import AccountValuation
from extensions.models.valuation import FactorSource, Severity, StylePositioning, ValuationFactorKind
from extensions.rules import (
    ADJUSTMENT_FACTORS,
    OTHER_MULTIPLIER_BOUNDS,
    RANGE_SPREAD_CAP,
    STICKINESS_SCORE_BOUNDS,
    WEIGHT_PLACES,
    WEIGHTS_TOTAL,
)

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


def as_decimal(value, name: str) -> Decimal:
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
    weights = {name: as_decimal(inputs["weights"].get(name), f"weights.{name}") for name in ADJUSTMENT_FACTORS}
    _check_weights(weights)
    platform = inputs["account"]["platform"]

    # 1. base = average daily active fans × yuan per active fan (factors a and b)
    coefficient = as_decimal(coefficients["yuan_per_active_fan"], "yuan_per_active_fan")
    fans = as_decimal(factors["daily_active_fans"]["value"], "daily_active_fans")
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
    engagement = as_decimal(factors["engagement_rate"]["value"], "engagement_rate")
    returning = as_decimal(factors["returning_viewer_share"]["value"], "returning_viewer_share")
    engagement_benchmark = as_decimal(coefficients["engagement_benchmark"], "engagement_benchmark")
    returning_benchmark = as_decimal(coefficients["returning_benchmark"], "returning_benchmark")
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
    premium = as_decimal(coefficients["style_premium"], "style_premium")
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
    discount_total = sum(
        (as_decimal(discounts[event["severity"]], "adverse_discounts") for event in events), Decimal(0)
    )
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

    other = as_decimal(factors["other"]["value"], "other_multiplier")
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
    base_spread = as_decimal(coefficients["range_spread"], "range_spread")
    per_entered = as_decimal(coefficients["range_spread_per_entered"], "range_spread_per_entered")
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


def other_out_of_bounds(other: Decimal) -> str:
    low, high = OTHER_MULTIPLIER_BOUNDS
    return gettext("The other-factors multiplier %(value)s is outside %(low)s-%(high)s.") % {
        "value": other,
        "low": low,
        "high": high,
    }


# --- checking a stored valuation -----------------------------------------------------------------


@dataclass
class Verification:
    """Whether a stored valuation computes again, from its stored inputs, to what it states."""

    reproducible: bool
    differences: list[str] = field(default_factory=list)
    recomputed: dict = field(default_factory=dict)


def valuation_verify(valuation: AccountValuation) -> Verification:
    try:
        result = compute(valuation.inputs)
    except (ValidationError, KeyError, TypeError) as exc:
        return Verification(False, [f"the stored inputs cannot be computed: {exc}"])
    differences = []
    for name in ("value_low", "value_point", "value_high"):
        stored, again = getattr(valuation, name), getattr(result, name)
        if stored != again:
            differences.append(f"{name}: stored {stored}, computed {again}")
    if valuation.steps != result.steps:
        differences.append("explanation differs")
    stored_factors = {
        f.factor: (f.value_number, f.weight, f.effect) for f in valuation.factors.all().order_by("position")
    }
    for outcome in result.factors:
        stored = stored_factors.get(outcome.factor)
        again = (outcome.value_number, outcome.weight, outcome.effect)
        if stored is None or any(
            (a is None) != (b is None) or (a is not None and a.compare(b) != 0)
            for a, b in zip(stored, again, strict=True)
        ):
            differences.append(f"factor {outcome.factor}: stored {stored}, computed {again}")
    return Verification(
        reproducible=not differences,
        differences=differences,
        recomputed={
            "value_low": str(result.value_low),
            "value_point": str(result.value_point),
            "value_high": str(result.value_high),
        },
    )
