"""The chapter 6 staff pages: they render, write through the services, show refusals on the form
and never reach another agency's rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts_ops.models import AdSpend, PinnedVideo, ReplyRule
from tests.accounts_ops.factories import (
    AccountDirectionFactory,
    AdCampaignFactory,
    AutoReplySettingsFactory,
    BoostTaskFactory,
    GroupBuyDealFactory,
    InboxMessageFactory,
    LocalLifeEnablementFactory,
    PinnedVideoFactory,
    PoiLinkFactory,
    ProfileChangeFactory,
    PromotionTaskFactory,
    ReplyRuleFactory,
)
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory, VideoFactory


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


@pytest.fixture
def busy_account(world):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie_hotpot")
    AccountDirectionFactory(account=account)
    ProfileChangeFactory(account=account, status="applied", applied_on=timezone.localdate())
    pin = PinnedVideoFactory(account=account)
    BoostTaskFactory(pinned_video=pin)
    AutoReplySettingsFactory(account=account)
    ReplyRuleFactory(account=account, name="coupon")
    InboxMessageFactory(account=account, text="有优惠吗")
    AdCampaignFactory(account=account, name="Spring sale")
    PromotionTaskFactory(account=account)
    GroupBuyDealFactory(account=account)
    LocalLifeEnablementFactory(client=world.client_a1)
    return account


def test_every_chapter_6_page_renders(world, busy_account):
    b = browser(world.staff_a)
    pin = PinnedVideo.dangerously_all_agencies.get(account=busy_account)
    rule = ReplyRule.dangerously_all_agencies.get(account=busy_account, name="coupon")
    campaign = AdCampaignFactory(account=busy_account)
    message = InboxMessageFactory(account=busy_account)
    change = ProfileChangeFactory(account=busy_account, field="nickname", after_text="新名")
    deal = GroupBuyDealFactory(account=busy_account)
    poi = PoiLinkFactory(account=busy_account)
    promotion = PromotionTaskFactory(account=busy_account)
    pages = [
        ("accounts_ops:index", []),
        ("accounts_ops:advanced", []),
        ("accounts_ops:account", [busy_account.pk]),
        ("accounts_ops:direction-list", []),
        ("accounts_ops:direction-create", []),
        ("accounts_ops:profile-list", []),
        ("accounts_ops:profile-create", []),
        ("accounts_ops:profile-baseline", []),
        ("accounts_ops:profile-detail", [change.pk]),
        ("accounts_ops:pin-list", []),
        ("accounts_ops:pin-create", []),
        ("accounts_ops:pin-plan", [pin.pk]),
        ("accounts_ops:boost-list", []),
        ("accounts_ops:boost-create", []),
        ("accounts_ops:rule-list", []),
        ("accounts_ops:rule-create", []),
        ("accounts_ops:rule-update", [rule.pk]),
        ("accounts_ops:settings", [busy_account.pk]),
        ("accounts_ops:try", []),
        ("accounts_ops:inbox-list", []),
        ("accounts_ops:inbox-detail", [message.pk]),
        ("accounts_ops:outbox-list", []),
        ("accounts_ops:deal-list", []),
        ("accounts_ops:deal-create", []),
        ("accounts_ops:deal-update", [deal.pk]),
        ("accounts_ops:poi-list", []),
        ("accounts_ops:poi-create", []),
        ("accounts_ops:poi-update", [poi.pk]),
        ("accounts_ops:enablement-list", []),
        ("accounts_ops:enablement-edit", []),
        ("accounts_ops:promotion-list", []),
        ("accounts_ops:promotion-create", []),
        ("accounts_ops:promotion-complete", [promotion.pk]),
        ("accounts_ops:campaign-list", []),
        ("accounts_ops:campaign-create", []),
        ("accounts_ops:campaign-detail", [campaign.pk]),
    ]
    for name, args in pages:
        response = b.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
    dashboard = b.get(reverse("accounts_ops:index")).content.decode()
    assert "laojie_hotpot" in dashboard and "6.7" in dashboard


def test_the_account_page_shows_direction_profile_pins_rules_and_campaigns(world, busy_account):
    page = browser(world.staff_a).get(reverse("accounts_ops:account", args=[busy_account.pk])).content.decode()
    for text in ("Chengdu hotpot for young office workers", "Open 11:00-02:00", "coupon", "Spring sale", "有优惠吗"):
        assert text in page


def test_pages_of_another_agency_are_404(world):
    account = PlatformAccountFactory(client=world.client_b)
    theirs = PinnedVideoFactory(account=account)
    b = browser(world.staff_a)
    assert b.get(reverse("accounts_ops:account", args=[account.pk])).status_code == 404
    assert b.get(reverse("accounts_ops:pin-plan", args=[theirs.pk])).status_code == 404
    assert b.post(reverse("accounts_ops:pin-unpin", args=[theirs.pk])).status_code == 404
    assert PinnedVideo.dangerously_all_agencies.get(pk=theirs.pk).unpinned_on is None


def test_lists_never_show_other_agencies_rows(world):
    ReplyRuleFactory(account=PlatformAccountFactory(client=world.client_a1), name="ours")
    ReplyRuleFactory(account=PlatformAccountFactory(client=world.client_b), name="theirs")
    page = browser(world.staff_a).get(reverse("accounts_ops:rule-list")).content.decode()
    assert "ours" in page and "theirs" not in page


def test_pinning_a_fourth_video_in_the_page_shows_the_refusal(world):
    account = PlatformAccountFactory(client=world.client_a1)
    for slot in (1, 2, 3):
        PinnedVideoFactory(account=account, slot=slot)
    body = {
        "account": account.pk,
        "video": VideoFactory(account=account).pk,
        "pinned_on": timezone.localdate().isoformat(),
        "boost_interval_days": 7,
        "boost_budget": "100.00",
        "boost_channel": "dou_plus",
    }
    response = browser(world.staff_a).post(reverse("accounts_ops:pin-create"), body)
    assert response.status_code == 400 and "6.3" in response.content.decode()
    assert PinnedVideo.dangerously_all_agencies.filter(account=account).count() == 3


def test_a_rule_with_a_risky_pattern_is_refused_in_the_page(world):
    account = PlatformAccountFactory(client=world.client_a1)
    body = {
        "account": account.pk,
        "name": "evil",
        "trigger": "regex",
        "pattern": "(a|a)*",
        "keyword_mode": "any",
        "priority": 10,
        "reply_text": "hi",
        "is_active": "on",
    }
    response = browser(world.staff_a).post(reverse("accounts_ops:rule-create"), body)
    assert response.status_code == 400 and "repeated alternation" in response.content.decode()
    body.update(pattern="", trigger="keywords", keywords="营业时间\n几点")
    assert browser(world.staff_a).post(reverse("accounts_ops:rule-create"), body).status_code == 302
    assert ReplyRule.dangerously_all_agencies.get(account=account).keywords == ["营业时间", "几点"]


def test_try_a_message_page_names_the_rule(world):
    account = PlatformAccountFactory(client=world.client_a1)
    ReplyRuleFactory(account=account, name="coupon rule", keywords=["优惠"])
    page = browser(world.staff_a).get(reverse("accounts_ops:try"), {"account": account.pk, "text": "有优惠吗"})
    assert page.status_code == 200 and "coupon rule" in page.content.decode()


def test_overspend_in_the_page_is_refused_and_an_admin_can_approve(world):
    campaign = AdCampaignFactory(account=PlatformAccountFactory(client=world.client_a1), budget=Decimal("100.00"))
    url = reverse("accounts_ops:campaign-detail", args=[campaign.pk])
    operator = MembershipFactory(agency=world.agency_a, role="operator", user=UserFactory()).user
    day = timezone.localdate().isoformat()
    over = browser(operator).post(url, {"action": "spend", "spend-spent_on": day, "spend-amount": "100.01"})
    assert over.status_code == 400 and "¥100.00" in over.content.decode()
    assert (
        browser(operator)
        .post(url, {"action": "approval", "approval-extra_amount": "1", "approval-reason": "x"})
        .status_code
        == 403
    )
    approve = {"action": "approval", "approval-extra_amount": "0.01", "approval-reason": "Good sales"}
    assert browser(world.staff_a).post(url, approve).status_code == 302
    ok = browser(operator).post(url, {"action": "spend", "spend-spent_on": day, "spend-amount": "100.01"})
    assert ok.status_code == 302
    assert AdSpend.dangerously_all_agencies.filter(campaign=campaign).count() == 1


def test_answering_a_message_by_hand_queues_the_reply(world):
    message = InboxMessageFactory(account=PlatformAccountFactory(client=world.client_a1))
    url = reverse("accounts_ops:inbox-detail", args=[message.pk])
    assert browser(world.staff_a).post(url, {"text": "在的，欢迎光临"}).status_code == 302
    assert "欢迎光临" in browser(world.staff_a).get(url).content.decode()


def test_profile_change_is_approved_and_applied_in_the_page(world):
    change = ProfileChangeFactory(account=PlatformAccountFactory(client=world.client_a1))
    url = reverse("accounts_ops:profile-detail", args=[change.pk])
    b = browser(world.staff_a)
    assert b.post(url, {"action": "approve", "approve-note": ""}).status_code == 302
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert b.post(url, {"action": "apply", "apply-applied_on": future}).status_code == 400
    assert b.post(url, {"action": "apply", "apply-applied_on": timezone.localdate().isoformat()}).status_code == 302
    change.refresh_from_db()
    assert change.status == "applied"


def test_an_analyst_reads_but_cannot_pin(world):
    analyst = MembershipFactory(agency=world.agency_a, role="analyst", user=UserFactory()).user
    assert browser(analyst).get(reverse("accounts_ops:pin-list")).status_code == 200
    assert browser(analyst).get(reverse("accounts_ops:pin-create")).status_code == 403


def test_unpinning_the_last_video_in_the_page_warns_and_the_dashboard_lists_the_account(world):
    account = PlatformAccountFactory(client=world.client_a1, handle="lonely_shop")
    pin = PinnedVideoFactory(account=account)
    b = browser(world.staff_a)
    response = b.post(reverse("accounts_ops:pin-unpin", args=[pin.pk]), follow=True)
    assert "no pinned video now" in response.content.decode()
    dashboard = b.get(reverse("accounts_ops:index")).content.decode()
    assert "lonely_shop" in dashboard.split("Accounts without a pinned video")[1]
