"""The chapter 6 clause checks (6.1-6.7) at their boundaries, judged as the period stood at its end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts_ops.models import ProfileField
from accounts_ops.rules import DM_FIRST_RESPONSE_TARGET_SECONDS, PINNED_SLOTS_MAX
from agency.conformance import CHECKS, Period, Status, evaluate
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import (
    AccountDirectionFactory,
    AdBudgetApprovalFactory,
    AdCampaignFactory,
    AdSpendFactory,
    BoostRecordFactory,
    GroupBuyDealFactory,
    InboxMessageFactory,
    PinnedVideoFactory,
    PoiLinkFactory,
    ProfileChangeFactory,
    PromotionTaskFactory,
    ReplyRuleFactory,
)
from tests.factories import PlatformAccountFactory

NOVEMBER = Period.month(2025, 11)  # a past month: "today" plays no part
TZ = dt.timezone(dt.timedelta(hours=8))
BEFORE = dt.datetime(2025, 10, 1, 9, tzinfo=TZ)
TARGET = DM_FIRST_RESPONSE_TARGET_SECONDS.default


def old(*rows):
    """Record rows as made before the period, as the checks judge by when rows were recorded."""
    for row in rows:
        type(row).dangerously_all_agencies.filter(pk=row.pk).update(created_at=BEFORE)
    return rows[0]


def check(clause, client, period=NOVEMBER):
    with tenant_context(client.agency):
        return CHECKS[clause](client, period)


@pytest.fixture
def account(world):
    return old(PlatformAccountFactory(client=world.client_a1, handle="laojie"))


def test_every_chapter_6_clause_has_a_check():
    assert {"6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7"} <= set(CHECKS)


def test_checks_appear_on_the_conformance_report(world, account):
    with tenant_context(world.agency_a):
        report = {row.clause_id: row.status for row in evaluate(world.client_a1, NOVEMBER)}
    assert report["6.1"] == Status.NOT_MET and report["6.5"] == Status.NOT_APPLICABLE  # client lacks local_life


# --- 6.1 -------------------------------------------------------------------------------------


def test_61_an_account_without_a_direction_is_not_met(world, account):
    result = check("6.1", world.client_a1)
    assert result.status == Status.NOT_MET and "@laojie" in result.summary


def test_61_a_direction_effective_by_the_periods_end_is_met(world, account):
    old(AccountDirectionFactory(account=account, effective_from=NOVEMBER.end))
    result = check("6.1", world.client_a1)
    assert result.status == Status.MET and result.evidence[0].model == "accounts_ops.accountdirection"


def test_61_a_direction_effective_after_the_period_does_not_count(world, account):
    old(AccountDirectionFactory(account=account, effective_from=NOVEMBER.end + dt.timedelta(days=1)))
    assert check("6.1", world.client_a1).status == Status.NOT_MET


def test_61_no_active_account_is_not_applicable(world):
    assert check("6.1", world.client_a1).status == Status.NOT_APPLICABLE


# --- 6.2 -------------------------------------------------------------------------------------


def applied(account, part, on=dt.date(2025, 11, 5)):
    return old(ProfileChangeFactory(account=account, field=part, status="applied", applied_on=on))


def test_62_all_four_parts_applied_is_met(world, account):
    for part in ProfileField.values:
        applied(account, part)
    result = check("6.2", world.client_a1)
    assert result.status == Status.MET and len(result.evidence) == 4


def test_62_a_missing_or_unapplied_part_is_named(world, account):
    for part in ("avatar", "banner", "bio"):
        applied(account, part)
    old(ProfileChangeFactory(account=account, field="nickname", after_text="x"))  # requested, never applied
    result = check("6.2", world.client_a1)
    assert result.status == Status.NOT_MET and "Nickname" in result.summary


def test_62_a_change_applied_after_the_period_does_not_count(world, account):
    for part in ("avatar", "banner", "bio"):
        applied(account, part)
    applied(account, "nickname", on=dt.date(2025, 12, 1))
    assert check("6.2", world.client_a1).status == Status.NOT_MET


# --- 6.3 -------------------------------------------------------------------------------------


def pinned(account, slot, pinned_on=dt.date(2025, 11, 1), interval=7, **extra):
    return old(
        PinnedVideoFactory(account=account, slot=slot, pinned_on=pinned_on, boost_interval_days=interval, **extra)
    )


def test_63_no_pinned_video_is_not_met(world, account):
    result = check("6.3", world.client_a1)
    assert result.status == Status.NOT_MET and "0 pinned" in result.summary


def test_63_a_pin_boosted_within_its_interval_is_met_and_one_day_late_is_not(world, account):
    pin = pinned(account, 1, pinned_on=NOVEMBER.end - dt.timedelta(days=14))  # first boost due on the 23rd
    old(BoostRecordFactory(pinned_video=pin, boosted_on=NOVEMBER.end - dt.timedelta(days=7)))
    assert check("6.3", world.client_a1).status == Status.MET  # due on the 30th itself: not yet late
    late = Period(NOVEMBER.start, NOVEMBER.end + dt.timedelta(days=1))
    result = check("6.3", world.client_a1, late)
    assert result.status == Status.NOT_MET and "missed 1 boosts due on 2025-11-30" in result.summary


def test_63_the_maximum_of_pins_is_met_and_a_pin_unpinned_in_the_period_no_longer_counts(world, account):
    pins = [pinned(account, slot, interval=30) for slot in range(1, PINNED_SLOTS_MAX + 1)]
    for pin in pins:
        old(BoostRecordFactory(pinned_video=pin, boosted_on=dt.date(2025, 11, 28)))
    assert check("6.3", world.client_a1).status == Status.MET
    for pin in pins:
        type(pin).dangerously_all_agencies.filter(pk=pin.pk).update(unpinned_on=dt.date(2025, 11, 29))
    assert check("6.3", world.client_a1).status == Status.NOT_MET
    before_unpinning = Period(dt.date(2025, 11, 1), dt.date(2025, 11, 28))
    assert check("6.3", world.client_a1, before_unpinning).status == Status.MET  # still pinned on the 28th


# --- 6.4 -------------------------------------------------------------------------------------


def message(account, seconds, received=dt.datetime(2025, 11, 10, 12, tzinfo=TZ)):
    return InboxMessageFactory(
        account=account,
        received_at=received,
        status="answered",
        first_response_at=received + dt.timedelta(seconds=seconds),
        first_response_seconds=seconds,
    )


def test_64_no_active_rule_is_not_met(world, account):
    result = check("6.4", world.client_a1)
    assert result.status == Status.NOT_MET and "no active reply rule" in result.summary


def test_64_median_at_the_target_is_met_and_above_it_is_not(world, account):
    old(ReplyRuleFactory(account=account))
    for seconds in (TARGET - 10, TARGET, TARGET + 10):
        message(account, seconds)
    assert check("6.4", world.client_a1).status == Status.MET
    message(account, TARGET + 20)
    message(account, TARGET + 30)
    result = check("6.4", world.client_a1)
    assert result.status == Status.NOT_MET and "beyond the target" in result.summary


def test_64_the_agency_target_is_adjustable(world, account):
    old(ReplyRuleFactory(account=account))
    message(account, TARGET + 60)
    assert check("6.4", world.client_a1).status == Status.NOT_MET
    world.agency_a.settings = {DM_FIRST_RESPONSE_TARGET_SECONDS.key: TARGET + 60}
    world.agency_a.full_clean()
    world.agency_a.save()
    world.client_a1.refresh_from_db()
    assert check("6.4", world.client_a1).status == Status.MET


# --- 6.5 -------------------------------------------------------------------------------------


@pytest.fixture
def local_client(world):
    world.client_a1.services = ["basic_operations", "local_life"]
    world.client_a1.save()
    return world.client_a1


def test_65_a_live_deal_and_a_linked_poi_is_met(world, account, local_client):
    poi = old(PoiLinkFactory(account=account, status="linked"))
    old(
        GroupBuyDealFactory(
            account=account,
            poi=poi,
            first_live_on=dt.date(2025, 11, 2),
            valid_from=dt.date(2025, 11, 1),
            valid_until=dt.date(2025, 12, 31),
        )
    )
    assert check("6.5", local_client).status == Status.MET


def test_65_a_deal_that_expired_before_the_periods_end_is_not_live(world, account, local_client):
    poi = old(PoiLinkFactory(account=account, status="linked"))
    old(
        GroupBuyDealFactory(
            account=account,
            poi=poi,
            first_live_on=dt.date(2025, 11, 2),
            valid_from=dt.date(2025, 11, 1),
            valid_until=dt.date(2025, 11, 29),
        )
    )
    result = check("6.5", local_client)
    assert result.status == Status.NOT_MET and "no group-buy deal" in result.summary


def test_65_applies_only_to_clients_that_sell_locally(world, account):
    with tenant_context(world.agency_a):
        report = {row.clause_id: row.status for row in evaluate(world.client_a1, NOVEMBER)}
    assert report["6.5"] == Status.NOT_APPLICABLE


# --- 6.6 -------------------------------------------------------------------------------------


def test_66_a_promotion_done_in_each_month_is_met(world, account):
    october_november = Period(dt.date(2025, 10, 1), NOVEMBER.end)
    old(PromotionTaskFactory(account=account, status="done", done_on=dt.date(2025, 10, 31), outcome="ok"))
    assert check("6.6", world.client_a1, october_november).status == Status.NOT_MET
    old(PromotionTaskFactory(account=account, status="done", done_on=dt.date(2025, 11, 1), outcome="ok"))
    assert check("6.6", world.client_a1, october_november).status == Status.MET


def test_66_a_planned_but_undone_promotion_does_not_count(world, account):
    old(PromotionTaskFactory(account=account, planned_on=dt.date(2025, 11, 10)))
    result = check("6.6", world.client_a1)
    assert result.status == Status.NOT_MET and "2025-11" in result.summary


# --- 6.7 -------------------------------------------------------------------------------------


def campaign(account, **extra):
    values = {
        "starts_on": dt.date(2025, 11, 1),
        "ends_on": dt.date(2025, 11, 20),
        "budget": Decimal("1000.00"),
        "results_recorded_on": dt.date(2025, 11, 21),
        "sales": Decimal("2500.00"),
        **extra,
    }
    return old(AdCampaignFactory(account=account, **values))


def spent(ad, amount, on=dt.date(2025, 11, 5)):
    return old(AdSpendFactory(campaign=ad, amount=Decimal(amount), spent_on=on))


def test_67_no_campaign_is_not_applicable(world, account):
    assert check("6.7", world.client_a1).status == Status.NOT_APPLICABLE


def test_67_spend_at_the_budget_with_results_is_met(world, account):
    ad = campaign(account)
    spent(ad, "1000.00")
    result = check("6.7", world.client_a1)
    assert result.status == Status.MET and "ROI 2.50" in result.evidence[0].label


def test_67_spend_over_budget_needs_an_approval(world, account):
    ad = campaign(account)
    spent(ad, "1000.01")  # a row that slipped past the service
    assert check("6.7", world.client_a1).status == Status.NOT_MET
    approval = AdBudgetApprovalFactory(campaign=ad, extra_amount=Decimal("0.01"))
    type(approval).dangerously_all_agencies.filter(pk=approval.pk).update(
        approved_at=dt.datetime(2025, 11, 4, tzinfo=TZ)
    )
    assert check("6.7", world.client_a1).status == Status.MET


def test_67_an_ended_campaign_without_results_is_not_met(world, account):
    campaign(account, results_recorded_on=None)
    result = check("6.7", world.client_a1)
    assert result.status == Status.NOT_MET and "no result" in result.summary


def test_67_a_campaign_still_running_at_the_end_needs_no_result_yet(world, account):
    campaign(account, results_recorded_on=None, ends_on=dt.date(2025, 12, 15))
    assert check("6.7", world.client_a1).status == Status.MET


def test_checks_do_not_count_rows_recorded_after_the_period(world):
    account = PlatformAccountFactory(client=world.client_a1)  # recorded today, after November 2025
    AccountDirectionFactory(account=account, effective_from=dt.date(2025, 11, 1))
    assert check("6.1", world.client_a1).status == Status.NOT_APPLICABLE
    assert timezone.now().date() > NOVEMBER.end
