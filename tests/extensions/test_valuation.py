"""Clause 8.3, account valuation: the stated method, every factor with its source, weight and
effect, reproducibility, metric sources, adverse events, and the inputs it refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.tenancy import tenant_context
from extensions.models import AccountValuation, FactorSource, ValuationFactor, ValuationFactorKind
from extensions.rules import ADVERSE_DISCOUNT, RANGE_SPREAD, RANGE_SPREAD_PER_ENTERED, WEIGHTS, YUAN_PER_ACTIVE_FAN
from extensions.selectors.valuation import (
    METHOD,
    METRIC_DAILY_ACTIVE_FANS,
    METRIC_ENGAGEMENT_RATE,
    METRIC_RETURNING_VIEWER_SHARE,
    METRICS,
    compute,
    metric_sources,
    valuation_verify,
)
from extensions.selectors.valuation_inputs import EnteredValue
from extensions.services.valuation import account_valuation_create, account_valuation_recompute
from tests.extensions.factories import AdverseEventFactory, actor_for
from tests.factories import PlatformAccountFactory

FANS, ENGAGEMENT, RETURNING = Decimal("12000"), Decimal("0.06"), Decimal("0.3")


@pytest.fixture
def ctx(world):
    actor = actor_for(world.agency_a, user=world.staff_a)
    with tenant_context(world.agency_a, actor):
        yield actor


@pytest.fixture
def account(world):
    return PlatformAccountFactory(client=world.client_a1, platform="douyin", handle="laojie_hotpot")


@pytest.fixture
def metrics():
    """A fake chapter-7 metric source: ``metrics[(name, account_id)] = value``."""
    readings: dict = {}

    def source_for(name):
        return lambda account, start, end: readings.get((name, account.pk))

    with metric_sources(**{name: source_for(name) for name in METRICS}):
        yield readings


def fill(metrics, account):
    metrics[(METRIC_DAILY_ACTIVE_FANS, account.pk)] = FANS
    metrics[(METRIC_ENGAGEMENT_RATE, account.pk)] = float(ENGAGEMENT)
    metrics[(METRIC_RETURNING_VIEWER_SHARE, account.pk)] = RETURNING


def value(ctx, account, **kwargs):
    kwargs.setdefault("style", "clear")
    return account_valuation_create(actor=ctx, account=account, **kwargs)


def test_a_valuation_states_the_method_and_all_six_factors(ctx, account, metrics):
    fill(metrics, account)
    valuation = value(ctx, account)
    assert valuation.method == METHOD and valuation.inputs["method"] == METHOD
    factors = {f.factor: f for f in valuation.factors.all()}
    assert set(factors) == set(ValuationFactorKind.values)
    for factor in factors.values():
        assert factor.value and factor.source and factor.weight is not None and factor.effect_text
    assert factors["daily_active_fans"].source == FactorSource.COMPUTED
    assert "2026" in factors["daily_active_fans"].source_detail or ".." in factors["daily_active_fans"].source_detail
    adjustment = [f.weight for k, f in factors.items() if k in WEIGHTS]
    assert sum(adjustment) == Decimal("1")
    assert valuation.value_low <= valuation.value_point <= valuation.value_high
    assert len(valuation.steps) >= 6


def test_the_method_computes_base_times_weighted_scores(ctx, account, metrics):
    fill(metrics, account)
    valuation = value(ctx, account)
    coefficient = Decimal(str(YUAN_PER_ACTIVE_FAN["douyin"].default))
    base = FANS * coefficient
    stickiness = Decimal("0.5") * ENGAGEMENT / Decimal("0.05") + Decimal("0.5") * RETURNING / Decimal("0.30")
    weight = Decimal(str(WEIGHTS["stickiness"].default))
    point = (base * (1 + weight * (stickiness - 1))).quantize(Decimal("1"))
    spread = Decimal(str(RANGE_SPREAD.default))
    assert valuation.value_point == point
    assert valuation.value_low == (point * (1 - spread)).quantize(Decimal("1"))
    assert valuation.value_high == (point * (1 + spread)).quantize(Decimal("1"))


def test_same_inputs_give_the_same_range(ctx, account, metrics):
    fill(metrics, account)
    first = value(ctx, account, valued_on=timezone.localdate())
    second = value(ctx, account, valued_on=timezone.localdate())
    assert first.inputs == second.inputs
    assert (first.value_low, first.value_point, first.value_high) == (
        second.value_low,
        second.value_point,
        second.value_high,
    )


def test_a_stored_valuation_computes_again_to_the_same_result(ctx, account, metrics):
    fill(metrics, account)
    valuation = value(ctx, account, notes="Before the brand deal")
    again = compute(AccountValuation.objects.get(pk=valuation.pk).inputs)
    assert again.range() == (valuation.value_low, valuation.value_point, valuation.value_high)
    assert again.steps == valuation.steps
    check = valuation_verify(valuation)
    assert check.reproducible and not check.differences


def test_a_tampered_valuation_is_reported_as_not_reproducible(ctx, account, metrics):
    fill(metrics, account)
    valuation = value(ctx, account)
    AccountValuation.objects.filter(pk=valuation.pk).update(value_point=valuation.value_point + 1)
    valuation.refresh_from_db()
    assert not valuation_verify(valuation).reproducible


def test_no_metrics_in_the_window_is_refused_and_nothing_is_written(ctx, account):
    with metric_sources(**dict.fromkeys(METRICS)), pytest.raises(ValidationError) as exc:
        value(ctx, account, window_start=dt.date(2026, 10, 1), window_end=dt.date(2026, 10, 30))
    message = " ".join(exc.value.message_dict[METRIC_DAILY_ACTIVE_FANS])
    assert "@laojie_hotpot" in message and "2026-10-01" in message and "2026-10-30" in message
    assert not AccountValuation.objects.exists() and not ValuationFactor.objects.exists()


def test_a_metric_source_with_nothing_for_the_window_is_refused(ctx, account, metrics):
    metrics[(METRIC_ENGAGEMENT_RATE, account.pk)] = 0.05  # fans and returning viewers missing
    with pytest.raises(ValidationError) as exc:
        value(ctx, account)
    assert {METRIC_DAILY_ACTIVE_FANS, METRIC_RETURNING_VIEWER_SHARE} <= set(exc.value.message_dict)
    assert not AccountValuation.objects.exists()


def test_entered_values_need_a_note_and_widen_the_range(ctx, account, metrics):
    fill(metrics, account)
    computed = value(ctx, account)
    with pytest.raises(ValidationError) as exc:
        value(ctx, account, entered={METRIC_DAILY_ACTIVE_FANS: EnteredValue(FANS, "")})
    assert f"{METRIC_DAILY_ACTIVE_FANS}_note" in exc.value.message_dict
    entered = value(ctx, account, entered={METRIC_DAILY_ACTIVE_FANS: EnteredValue(FANS, "screenshot of 30 Oct")})
    assert entered.value_point == computed.value_point
    widened = Decimal(str(RANGE_SPREAD.default)) + Decimal(str(RANGE_SPREAD_PER_ENTERED.default))
    assert entered.value_high == (entered.value_point * (1 + widened)).quantize(Decimal("1"))
    fans = entered.factors.get(factor="daily_active_fans")
    assert fans.source == FactorSource.ENTERED and fans.source_detail == "screenshot of 30 Oct"


def test_weights_that_do_not_sum_to_one_are_refused(ctx, account, metrics):
    fill(metrics, account)
    weights = {"stickiness": Decimal("0.4"), "style": Decimal("0.2"), "adverse_events": Decimal("0.2"), "other": 0}
    with pytest.raises(ValidationError) as exc:
        value(ctx, account, weights=weights)
    assert "0.8" in " ".join(exc.value.message_dict["weights"])
    assert not AccountValuation.objects.exists()


def test_an_agency_whose_weights_do_not_sum_to_one_cannot_value(world, account, metrics):
    fill(metrics, account)
    world.agency_a.settings = {WEIGHTS["other"].key: 0.5}
    world.agency_a.save()
    actor = actor_for(world.agency_a, user=world.staff_a)
    with tenant_context(world.agency_a, actor), pytest.raises(ValidationError) as exc:
        value(actor, account)
    assert "weights" in exc.value.message_dict


def test_adverse_events_lower_the_value_by_severity(ctx, account, metrics):
    fill(metrics, account)
    clean = value(ctx, account)
    AdverseEventFactory(account=account, severity="severe", kind="ban")
    hit = value(ctx, account)
    discount = Decimal(str(ADVERSE_DISCOUNT["severe"].default))
    weight = Decimal(str(WEIGHTS["adverse_events"].default))
    assert hit.value_point < clean.value_point
    factor = hit.factors.get(factor="adverse_events")
    assert factor.effect == -(weight * discount) and factor.source == FactorSource.RECORDS
    assert "ban" in factor.source_detail


def test_adverse_events_before_the_look_back_do_not_count(ctx, account, metrics):
    fill(metrics, account)
    AdverseEventFactory(account=account, occurred_on=timezone.localdate() - dt.timedelta(days=400))
    assert value(ctx, account).factors.get(factor="adverse_events").value == "0"


def test_the_agency_sets_the_platform_coefficient(world, account, metrics):
    fill(metrics, account)
    actor = actor_for(world.agency_a, user=world.staff_a)
    with tenant_context(world.agency_a, actor):
        before = value(actor, account)
    world.agency_a.settings = {YUAN_PER_ACTIVE_FAN["douyin"].key: 6.0}
    world.agency_a.save()
    actor = actor_for(world.agency_a, user=world.staff_a)
    with tenant_context(world.agency_a, actor):
        after = value(actor, account)
    assert after.value_point == before.value_point * 2


def test_recompute_keeps_the_old_record_and_makes_a_new_dated_one(ctx, account, metrics):
    fill(metrics, account)
    first = value(ctx, account, entered={METRIC_RETURNING_VIEWER_SHARE: EnteredValue(RETURNING, "survey")})
    metrics[(METRIC_DAILY_ACTIVE_FANS, account.pk)] = FANS * 2
    second = account_valuation_recompute(actor=ctx, valuation=first)
    assert second.pk != first.pk and second.recomputed_from_id == first.pk
    assert (second.window_start, second.window_end) == (first.window_start, first.window_end)
    assert second.value_point > first.value_point
    assert second.factors.get(factor="stickiness").source == FactorSource.ENTERED
    assert AccountValuation.objects.count() == 2


def test_a_valuation_cannot_be_dated_in_the_future_or_read_metrics_after_its_date(ctx, account, metrics):
    fill(metrics, account)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        value(ctx, account, valued_on=today + dt.timedelta(days=1))
    assert "valued_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        value(ctx, account, valued_on=today - dt.timedelta(days=5), window_start=today - dt.timedelta(days=10),
              window_end=today)  # fmt: skip
    assert "window_end" in exc.value.message_dict


def test_a_share_above_one_from_a_metric_source_is_refused(ctx, account, metrics):
    fill(metrics, account)
    metrics[(METRIC_ENGAGEMENT_RATE, account.pk)] = 1.5
    with pytest.raises(ValidationError) as exc:
        value(ctx, account)
    assert METRIC_ENGAGEMENT_RATE in exc.value.message_dict
