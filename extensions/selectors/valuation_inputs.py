"""Clause 8.3: gathering the inputs of a valuation. Metrics not entered by hand come from their
metric sources over the window, adverse events from the records, coefficients and weights from the
agency's settings (``extensions.rules``); ``gather_inputs`` returns them as the one JSON-safe dict
that ``extensions.selectors.valuation.compute`` reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from clients.models import PlatformAccount
from extensions.models.valuation import AdverseEvent, FactorSource, StylePositioning
from extensions.rules import (
    ADJUSTMENT_FACTORS,
    ADVERSE_DISCOUNT,
    ADVERSE_LOOKBACK_DAYS,
    COUNT_PLACES,
    ENGAGEMENT_BENCHMARK,
    OTHER_MULTIPLIER_BOUNDS,
    RANGE_SPREAD,
    RANGE_SPREAD_PER_ENTERED,
    RETURNING_BENCHMARK,
    SHARE_PLACES,
    STYLE_PREMIUM,
    VALUATION_WINDOW_DAYS,
    WEIGHTS,
    YUAN_PER_ACTIVE_FAN,
)
from extensions.selectors.valuation import METHOD, METRICS, ONE, as_decimal, metric_source, other_out_of_bounds


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
    return {name: str(as_decimal(agency.setting(value), name)) for name, value in WEIGHTS.items()}


def agency_coefficients(agency, platform: str) -> dict:
    return {
        "yuan_per_active_fan": str(as_decimal(agency.setting(YUAN_PER_ACTIVE_FAN[platform]), "yuan_per_active_fan")),
        "engagement_benchmark": str(as_decimal(agency.setting(ENGAGEMENT_BENCHMARK), "engagement_benchmark")),
        "returning_benchmark": str(as_decimal(agency.setting(RETURNING_BENCHMARK), "returning_benchmark")),
        "style_premium": str(as_decimal(agency.setting(STYLE_PREMIUM), "style_premium")),
        "adverse_discounts": {
            severity: str(as_decimal(agency.setting(value), "adverse_discounts"))
            for severity, value in ADVERSE_DISCOUNT.items()
        },
        "adverse_lookback_days": int(agency.setting(ADVERSE_LOOKBACK_DAYS)),
        "range_spread": str(as_decimal(agency.setting(RANGE_SPREAD), "range_spread")),
        "range_spread_per_entered": str(
            as_decimal(agency.setting(RANGE_SPREAD_PER_ENTERED), "range_spread_per_entered")
        ),
    }


def no_metrics_message(account: PlatformAccount, start: dt.date, end: dt.date, metric: str) -> str:
    return gettext(
        "no metrics for @%(handle)s between %(start)s and %(end)s (%(metric)s) — enter the value or import metrics"
    ) % {"handle": account.handle, "start": start.isoformat(), "end": end.isoformat(), "metric": METRICS[metric][0]}


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
            value = as_decimal(item.value, name).quantize(SHARE_PLACES if is_share else COUNT_PLACES, ROUND_HALF_UP)
            metric_inputs[name] = {"value": str(value), "source": FactorSource.ENTERED, "detail": item.note.strip()}
        else:
            source = metric_source(name)
            raw = source(account, window_start, window_end) if source is not None else None
            if raw is None:
                errors[name] = no_metrics_message(account, window_start, window_end, name)
                continue
            value = as_decimal(raw, name).quantize(SHARE_PLACES if is_share else COUNT_PLACES, ROUND_HALF_UP)
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
    other = as_decimal(other_multiplier, "other_multiplier")
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
        weight_values = {name: str(as_decimal(weights.get(name), f"weights.{name}")) for name in ADJUSTMENT_FACTORS}
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
