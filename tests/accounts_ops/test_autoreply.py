"""6.4: the reply engine: priority, keywords, patterns (and the ones refused), first contact,
business hours across midnight in the agency's time zone, the input cap and the rule cache."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts_ops import autoreply
from accounts_ops.autoreply import (
    MESSAGE_MATCH_MAX_CHARS,
    REGEX_MAX_PATTERN_CHARS,
    compile_rules,
    compiled_rules_for,
    validate_pattern,
    within_business_hours,
)
from accounts_ops.models import InboxMessage, ReplyRule
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import AutoReplySettingsFactory, ReplyRuleFactory
from tests.factories import PlatformAccountFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def rule(id, trigger="keywords", priority=100, keywords=(), pattern="", mode="any", reply="r{nickname}"):
    return {
        "id": id,
        "name": f"rule {id}",
        "trigger": trigger,
        "priority": priority,
        "reply_text": reply,
        "keywords": list(keywords),
        "keyword_mode": mode,
        "pattern": pattern,
    }


def decide(rules, text, first_contact=False, outside_hours=False):
    return compile_rules(rules).decide(text, first_contact=first_contact, outside_hours=outside_hours)


# --- priority and matching ---------------------------------------------------------------------


def test_lowest_priority_number_wins_wherever_its_keyword_appears():
    rules = [rule(1, priority=50, keywords=["价格"]), rule(2, priority=10, keywords=["团购"])]
    decision = decide(rules, "价格多少？团购还有吗")
    assert decision.rule_id == 2 and "团购" in decision.reason


def test_equal_priority_goes_to_the_older_rule():
    rules = [rule(7, priority=10, keywords=["券"]), rule(3, priority=10, keywords=["优惠"])]
    assert decide(rules, "优惠券").rule_id == 3


def test_all_keywords_mode_needs_every_keyword():
    rules = [rule(1, keywords=["停车", "免费"], mode="all")]
    assert not decide(rules, "可以停车吗").fired
    assert decide(rules, "停车免费吗").rule_id == 1


def test_keywords_ignore_case_and_full_width_forms():
    rules = [rule(1, keywords=["WiFi"])]
    assert decide(rules, "有ｗｉｆｉ吗").rule_id == 1


def test_pattern_rule_beats_a_later_keyword_rule_and_loses_to_an_earlier_one():
    phone = rule(1, trigger="regex", priority=20, pattern=r"1[3-9]\d{9}")
    early = rule(2, priority=10, keywords=["电话"])
    late = rule(3, priority=30, keywords=["电话"])
    assert decide([phone, late], "我的电话13812345678").rule_id == 1
    assert decide([phone, early], "我的电话13812345678").rule_id == 2


def test_first_contact_and_fallback_rules():
    rules = [rule(1, trigger="first_contact", priority=5), rule(2, trigger="any", priority=900)]
    assert decide(rules, "hi", first_contact=True).rule_id == 1
    assert decide(rules, "hi", first_contact=False).rule_id == 2


def test_outside_hours_rule_fires_only_outside_hours():
    rules = [rule(1, trigger="outside_hours", priority=1), rule(2, keywords=["hi"], priority=5)]
    assert decide(rules, "hi", outside_hours=True).rule_id == 1
    assert decide(rules, "hi", outside_hours=False).rule_id == 2


def test_no_matching_rule_is_no_reply():
    decision = decide([rule(1, keywords=["团购"])], "你好")
    assert not decision.fired and decision.reply == ""


def test_text_beyond_the_match_cap_is_not_read():
    rules = [rule(1, keywords=["团购"])]
    assert decide(rules, "x" * (MESSAGE_MATCH_MAX_CHARS - 2) + "团购").fired
    assert not decide(rules, "x" * (MESSAGE_MATCH_MAX_CHARS - 1) + "团购").fired


def test_reply_placeholders_are_filled():
    compiled = compile_rules([rule(1, keywords=["地址"], reply="{nickname}，门店在{store_address}，券：{coupon_link}")])
    decision = compiled.decide(
        "地址在哪",
        first_contact=False,
        outside_hours=False,
        values={"nickname": "小王", "store_address": "春熙路88号", "coupon_link": "https://x.test/c"},
    )
    assert decision.reply == "小王，门店在春熙路88号，券：https://x.test/c"


def test_a_thousand_rules_still_pick_the_right_one():
    rules = [rule(i, priority=100 + i, keywords=[f"词{i}号", f"kw{i}x"]) for i in range(1, 1001)]
    rules.append(rule(5000, trigger="regex", priority=150, pattern=r"订单\d+"))
    compiled = compile_rules(rules)
    assert len(compiled) == 1001
    assert compiled.decide("kw777x 和 词999号", first_contact=False, outside_hours=False).rule_id == 777
    assert compiled.decide("订单123 词60号", first_contact=False, outside_hours=False).rule_id == 5000
    assert compiled.decide("订单123 词40号", first_contact=False, outside_hours=False).rule_id == 40


# --- patterns refused at save ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(", "does not compile"),
        ("(a+)+$", "Nested repetition"),
        ("(a|a)*", "repeated alternation"),
        ("(\\w+\\s?)*x", "Nested repetition"),
        (".*a.*b", "repeats without bound"),
        ("(a)\\1", "Back-references"),
        ("a" * (REGEX_MAX_PATTERN_CHARS + 1), "characters long"),
    ],
)
def test_risky_or_broken_patterns_are_refused_with_the_reason(pattern, words):
    with pytest.raises(ValidationError) as caught:
        validate_pattern(pattern)
    assert words in caught.value.message_dict["pattern"][0]


@pytest.mark.parametrize(
    "pattern", [r"1[3-9]\d{9}", "预约.*(今天|明天)", "(价格|多少钱)", "a" * REGEX_MAX_PATTERN_CHARS]
)
def test_ordinary_patterns_are_accepted(pattern):
    validate_pattern(pattern)


def test_unknown_placeholder_is_refused(world):
    account = PlatformAccountFactory(client=world.client_a1)
    with tenant_context(world.agency_a):
        row = ReplyRule(account=account, client=world.client_a1, name="x", trigger="any", reply_text="hi {phone}")
        with pytest.raises(ValidationError) as caught:
            row.full_clean()
    assert "{phone}" in caught.value.message_dict["reply_text"][0]


def test_api_refuses_a_catastrophic_pattern_and_stores_nothing(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    response = api(world.staff_a).post(
        reverse("replyrule-list"),
        {"account": account.pk, "name": "evil", "trigger": "regex", "pattern": "(a+)+$", "reply_text": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "Nested repetition" in response.json()["error"]["fields"]["pattern"][0]
    assert not ReplyRule.dangerously_all_agencies.filter(account=account).exists()


# --- business hours (agency time zone, windows across midnight) ---------------------------------


def shanghai(day: int, hour: int, minute: int = 0) -> dt.datetime:
    # 2026-11-02 is a Monday
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


NIGHT = {"opens_at": dt.time(20, 0), "closes_at": dt.time(2, 0)}


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (shanghai(2, 19, 59), False),
        (shanghai(2, 20, 0), True),
        (shanghai(2, 23, 59), True),
        (shanghai(3, 1, 59), True),
        (shanghai(3, 2, 0), False),
        (shanghai(3, 12, 0), False),
    ],
)
def test_window_across_midnight(moment, inside):
    assert within_business_hours(moment, tz=SHANGHAI, **NIGHT) is inside


def test_after_midnight_belongs_to_the_previous_days_window():
    monday_only = {**NIGHT, "days": [1]}
    assert within_business_hours(shanghai(3, 1, 0), tz=SHANGHAI, **monday_only)  # Tuesday 01:00, Monday's window
    assert not within_business_hours(shanghai(3, 21, 0), tz=SHANGHAI, **monday_only)  # Tuesday evening
    assert not within_business_hours(shanghai(2, 1, 0), tz=SHANGHAI, **monday_only)  # Monday 01:00: Sunday's window


def test_hours_are_read_in_the_agency_time_zone_not_utc():
    utc_moment = dt.datetime(2026, 11, 2, 13, 30, tzinfo=dt.UTC)  # 21:30 in Shanghai
    assert within_business_hours(utc_moment, tz=SHANGHAI, **NIGHT)
    assert not within_business_hours(utc_moment, tz=ZoneInfo("UTC"), **NIGHT)


def test_no_hours_means_always_open():
    assert within_business_hours(shanghai(2, 4, 0), tz=SHANGHAI, opens_at=None, closes_at=None)


# --- compiled rules are cached per account and refreshed when a rule changes --------------------


def test_compiled_rules_are_reused_until_a_rule_changes(world):
    account = PlatformAccountFactory(client=world.client_a1)
    with tenant_context(world.agency_a):
        first = ReplyRuleFactory(account=account, keywords=["营业"], reply_text="10:00-22:00")
        compiled = compiled_rules_for(account.pk)
        assert compiled_rules_for(account.pk) is compiled
        first.keywords = ["几点"]
        first.save()
        refreshed = compiled_rules_for(account.pk)
        assert refreshed is not compiled
        assert refreshed.decide("几点开门", first_contact=False, outside_hours=False).rule_id == first.pk
        first.delete()
        assert not compiled_rules_for(account.pk).decide("几点开门", first_contact=False, outside_hours=False).fired


# --- "try a message" ---------------------------------------------------------------------------


def test_try_a_message_shows_the_rule_that_would_fire_and_stores_nothing(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    AutoReplySettingsFactory(account=account, opens_at=dt.time(10), closes_at=dt.time(22))
    coupon = ReplyRuleFactory(account=account, name="coupon", keywords=["优惠"], priority=20)
    night = ReplyRuleFactory(
        account=account, name="night", trigger="outside_hours", keywords=[], priority=1, reply_text="We open at ten."
    )
    url = reverse("replyrule-try-message")
    daytime = api(world.staff_a).post(
        url, {"account": account.pk, "text": "有优惠吗", "sender_nickname": "小王", "at": "2026-11-02T15:00:00+08:00"}
    )
    assert daytime.status_code == 200, daytime.content
    assert daytime.json()["rule"] == coupon.pk and daytime.json()["reply"].startswith("小王")
    night_reply = api(world.staff_a).post(
        url, {"account": account.pk, "text": "有优惠吗", "at": "2026-11-03T01:00:00+08:00"}
    )
    assert night_reply.json()["rule"] == night.pk and night_reply.json()["outside_business_hours"] is True
    assert not InboxMessage.dangerously_all_agencies.exists()


def test_try_a_message_on_another_agencys_account_is_refused(world, api):
    account = PlatformAccountFactory(client=world.client_b)
    response = api(world.staff_a).post(reverse("replyrule-try-message"), {"account": account.pk, "text": "hi"})
    assert response.status_code == 400 and "account" in response.json()["error"]["fields"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    autoreply.clear_cache()
    yield
    autoreply.clear_cache()
