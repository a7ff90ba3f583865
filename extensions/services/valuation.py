"""Writes of 8.3: adverse events of an account, and account valuations by the stated method
(``extensions.selectors.valuation``), kept as dated records with every factor.

Each validates before it writes and raises ``ValidationError`` naming the field; nothing is
half-written (each runs in one transaction)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agency.services import validated_save
from agency.tenancy import Actor
from clients.models import PlatformAccount
from extensions.models import AccountValuation, AdverseEvent, FactorSource, ValuationFactor
from extensions.selectors.valuation import METRICS, compute
from extensions.selectors.valuation_inputs import EnteredValue, default_window, gather_inputs


@transaction.atomic
def adverse_event_record(
    *,
    actor: Actor,
    account: PlatformAccount,
    kind: str,
    severity: str,
    occurred_on: dt.date,
    description: str,
    resolved_on: dt.date | None = None,
) -> AdverseEvent:
    """Record an adverse event of an account (8.3 e); it counts in the account's valuations."""
    event = AdverseEvent(
        agency=actor.agency,
        account=account,
        kind=kind,
        severity=severity,
        occurred_on=occurred_on,
        resolved_on=resolved_on,
        description=(description or "").strip(),
    )
    return validated_save(event)


@transaction.atomic
def account_valuation_create(
    *,
    actor: Actor,
    account: PlatformAccount,
    style: str,
    style_note: str = "",
    valued_on: dt.date | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
    entered: dict[str, EnteredValue] | None = None,
    other_multiplier: Decimal = Decimal("1"),
    other_note: str = "",
    weights: dict[str, Decimal] | None = None,
    notes: str = "",
    recomputed_from: AccountValuation | None = None,
) -> AccountValuation:
    """Value a platform account by the stated method (8.3) and keep the dated record with every
    factor, the inputs and the explanation. Metrics not entered are computed from the metric
    sources over the window; with no metrics there, nothing is written and the message says so."""
    today = actor.agency.today()
    valued_on = valued_on or today
    if valued_on > today:
        raise ValidationError({"valued_on": _("A valuation cannot be dated in the future.")})
    if window_start is None and window_end is None:
        window_start, window_end = default_window(actor.agency, valued_on)
    elif window_start is None or window_end is None:
        raise ValidationError({"window_start": _("Give both ends of the metrics window, or neither.")})
    if window_end < window_start:
        raise ValidationError({"window_end": _("The metrics window ends before it starts.")})
    if window_end > valued_on:
        raise ValidationError({"window_end": _("The metrics window cannot end after the valuation date.")})
    inputs = gather_inputs(
        account=account,
        agency=actor.agency,
        valued_on=valued_on,
        window_start=window_start,
        window_end=window_end,
        entered=entered or {},
        style=style,
        style_note=style_note,
        other_multiplier=other_multiplier,
        other_note=other_note,
        weights=weights,
    )
    result = compute(inputs)
    valuation = AccountValuation(
        agency=actor.agency,
        account=account,
        valued_on=valued_on,
        window_start=window_start,
        window_end=window_end,
        method=result.method,
        inputs=inputs,
        value_low=result.value_low,
        value_point=result.value_point,
        value_high=result.value_high,
        steps=result.steps,
        recomputed_from=recomputed_from,
        notes=notes or "",
    )
    validated_save(valuation)
    for position, outcome in enumerate(result.factors):
        factor = ValuationFactor(
            agency=actor.agency,
            valuation=valuation,
            factor=outcome.factor,
            value=outcome.value,
            value_number=outcome.value_number,
            source=outcome.source,
            source_detail=outcome.source_detail,
            weight=outcome.weight,
            effect=outcome.effect,
            effect_text=outcome.effect_text,
            position=position,
        )
        validated_save(factor)
    return valuation


@transaction.atomic
def account_valuation_recompute(*, actor: Actor, valuation: AccountValuation) -> AccountValuation:
    """Value the account again today, over the same metrics window, with the metrics as they
    are now and the agency's current coefficients. Values entered by hand (and weights given
    for that valuation) carry over. The earlier record is kept; the new one names it."""
    inputs = valuation.inputs
    factors = inputs["factors"]
    entered = {
        name: EnteredValue(value=Decimal(factors[name]["value"]), note=factors[name].get("detail", ""))
        for name in METRICS
        if factors.get(name, {}).get("source") == FactorSource.ENTERED
    }
    weights = (
        {name: Decimal(value) for name, value in inputs["weights"].items()}
        if inputs.get("weights_source") == "entered"
        else None
    )
    return account_valuation_create(
        actor=actor,
        account=valuation.account,
        style=factors["style"]["value"],
        style_note=factors["style"].get("note", ""),
        window_start=valuation.window_start,
        window_end=valuation.window_end,
        entered=entered,
        other_multiplier=Decimal(factors["other"]["value"]),
        other_note=factors["other"].get("note", ""),
        weights=weights,
        notes=valuation.notes,
        recomputed_from=valuation,
    )
