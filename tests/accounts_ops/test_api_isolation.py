"""The isolation mixin on every chapter 6 endpoint: nothing crosses agencies or clients."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts_ops.models import (
    AccountDirection,
    AdBudgetApproval,
    AdCampaign,
    AdSpend,
    AutoReplySettings,
    BoostRecord,
    BoostTask,
    GroupBuyDeal,
    InboxMessage,
    LocalLifeEnablement,
    OutboxReply,
    PinnedVideo,
    PoiLink,
    ProfileChange,
    PromotionTask,
    ReplyRule,
)
from tests.accounts_ops.factories import AdCampaignFactory, InboxMessageFactory, PinnedVideoFactory, PoiLinkFactory
from tests.factories import PlatformAccountFactory, VideoFactory
from tests.isolation import TenantAPITestCases


def day(offset: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=offset)).isoformat()


class TestAccountDirectionAPI(TenantAPITestCases):
    basename = "accountdirection"
    model = AccountDirection

    def create_payload(self, world):
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "effective_from": day(),
            "positioning": "Hotpot for office workers",
            "target_audience": "22-35",
            "content_pillars": ["store tours"],
            "platform_rules": "Community rules 2026",
            "operating_goals": "20k followers",
        }


class TestProfileChangeAPI(TenantAPITestCases):
    basename = "profilechange"
    model = ProfileChange

    def create_payload(self, world):
        return {"account": PlatformAccountFactory(client=world.client_a1).pk, "field": "bio", "after_text": "New bio"}


class TestPinnedVideoAPI(TenantAPITestCases):
    basename = "pinnedvideo"
    model = PinnedVideo

    def create_payload(self, world):
        account = PlatformAccountFactory(client=world.client_a1)
        return {
            "account": account.pk,
            "video": VideoFactory(account=account).pk,
            "pinned_on": day(),
            "boost_interval_days": 7,
            "boost_budget": "200.00",
            "boost_channel": "dou_plus",
        }

    def update_payload(self, world, obj):
        return {"boost_interval_days": 14}


class TestBoostTaskAPI(TenantAPITestCases):
    basename = "boosttask"
    model = BoostTask


class TestBoostRecordAPI(TenantAPITestCases):
    basename = "boostrecord"
    model = BoostRecord

    def create_payload(self, world):
        pinned = PinnedVideoFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"pinned_video": pinned.pk, "boosted_on": day(), "spend": "120.50"}

    def update_payload(self, world, obj):
        return {"plays_gained": 5000}


class TestAutoReplySettingsAPI(TenantAPITestCases):
    basename = "autoreplysettings"
    model = AutoReplySettings

    def create_payload(self, world):
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "opens_at": "10:00",
            "closes_at": "02:00",
            "store_address": "Chunxi Road",
        }

    def update_payload(self, world, obj):
        return {"store_address": "changed"}


class TestReplyRuleAPI(TenantAPITestCases):
    basename = "replyrule"
    model = ReplyRule

    def create_payload(self, world):
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "name": "Coupon",
            "trigger": "keywords",
            "keywords": ["优惠", "券"],
            "reply_text": "{nickname}: {coupon_link}",
        }

    def update_payload(self, world, obj):
        return {"priority": 5}


class TestInboxMessageAPI(TenantAPITestCases):
    basename = "inboxmessage"
    model = InboxMessage

    def create_payload(self, world):
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "platform_message_id": "m-1",
            "sender_uid": "u-1",
            "text": "hello",
            "received_at": timezone.now().isoformat(),
        }


class TestOutboxReplyAPI(TenantAPITestCases):
    basename = "outboxreply"
    model = OutboxReply

    def create_payload(self, world):
        message = InboxMessageFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"message": message.pk, "text": "We open at ten."}


class TestPoiLinkAPI(TenantAPITestCases):
    basename = "poilink"
    model = PoiLink

    def create_payload(self, world):
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "store_name": "Chunxi store",
            "address": "88 Chunxi Road",
        }

    def update_payload(self, world, obj):
        return {"status": "claimed"}


class TestGroupBuyDealAPI(TenantAPITestCases):
    basename = "groupbuydeal"
    model = GroupBuyDeal

    def create_payload(self, world):
        account = PlatformAccountFactory(client=world.client_a1)
        return {
            "account": account.pk,
            "poi": PoiLinkFactory(account=account).pk,
            "title": "Set for two",
            "price": "99.00",
            "list_price": "168.00",
            "valid_from": day(),
            "valid_until": day(30),
            "stock": 100,
        }

    def update_payload(self, world, obj):
        return {"stock": 50}


class TestLocalLifeEnablementAPI(TenantAPITestCases):
    basename = "locallifeenablement"
    model = LocalLifeEnablement

    def create_payload(self, world):
        return {"client": world.client_a1.pk, "qualification_submitted_on": day(-1)}

    def update_payload(self, world, obj):
        return {"qualification_note": "licence uploaded"}


class TestPromotionTaskAPI(TenantAPITestCases):
    basename = "promotiontask"
    model = PromotionTask

    def create_payload(self, world):
        account = PlatformAccountFactory(client=world.client_a1)
        return {
            "account": account.pk,
            "channel": "search_keywords",
            "target_kind": "product",
            "target": "Set for two",
            "content": "Bid on the keywords",
            "search_keywords": ["成都火锅"],
            "planned_on": day(),
        }

    def update_payload(self, world, obj):
        return {"content": "changed"}


class TestAdCampaignAPI(TenantAPITestCases):
    basename = "adcampaign"
    model = AdCampaign

    def create_payload(self, world):
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "name": "Spring sale",
            "kind": "platform_ads",
            "ad_product": "qianchuan",
            "budget": "5000.00",
            "starts_on": day(),
            "ends_on": day(30),
        }

    def update_payload(self, world, obj):
        return {"name": "changed"}


class TestAdSpendAPI(TenantAPITestCases):
    basename = "adspend"
    model = AdSpend

    def create_payload(self, world):
        campaign = AdCampaignFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"campaign": campaign.pk, "spent_on": day(), "amount": "100.00"}


class TestAdBudgetApprovalAPI(TenantAPITestCases):
    basename = "adbudgetapproval"
    model = AdBudgetApproval

    def create_payload(self, world):
        campaign = AdCampaignFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"campaign": campaign.pk, "extra_amount": "300.00", "reason": "Strong sales"}
