"""Factories for chapter 6 rows, registered in ``tests.factories.ROW_MAKERS``. Every optional
relation to another tenant row is filled, so the isolation mixin can filter by each of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
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
from tests.factories import (
    ROW_MAKERS,
    MembershipFactory,
    PlatformAccountFactory,
    TenantFactory,
    UserFactory,
    VideoFactory,
)


def today() -> dt.date:
    return timezone.localdate()


class AccountRowFactory(TenantFactory):
    class Meta:
        abstract = True

    account = factory.SubFactory(PlatformAccountFactory)
    client = factory.SelfAttribute("account.client")
    agency = factory.SelfAttribute("account.agency")


class AccountDirectionFactory(AccountRowFactory):
    class Meta:
        model = AccountDirection

    version = 1
    effective_from = factory.LazyFunction(lambda: today() - dt.timedelta(days=30))
    positioning = "Chengdu hotpot for young office workers"
    target_audience = "22-35, Chengdu, eats out twice a week"
    content_pillars = factory.LazyFunction(lambda: ["store tours", "recipes"])
    platform_rules = "Douyin community rules 2026; no medical claims"
    operating_goals = "20k followers and 300 coupon sales a month"
    is_current = True


class ProfileChangeFactory(AccountRowFactory):
    class Meta:
        model = ProfileChange

    field = "bio"
    after_text = "Open 11:00-02:00, 3 stores in Chengdu"
    requested_at = factory.LazyFunction(timezone.now)


class PinnedVideoFactory(AccountRowFactory):
    class Meta:
        model = PinnedVideo

    video = factory.LazyAttribute(lambda o: VideoFactory(account=o.account))
    slot = 1
    pinned_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=10))
    boost_interval_days = 7
    boost_budget = Decimal("200.00")
    boost_channel = "dou_plus"


class PinnedRowFactory(TenantFactory):
    class Meta:
        abstract = True

    pinned_video = factory.SubFactory(PinnedVideoFactory)
    account = factory.SelfAttribute("pinned_video.account")
    client = factory.SelfAttribute("pinned_video.client")
    agency = factory.SelfAttribute("pinned_video.agency")


class BoostTaskFactory(PinnedRowFactory):
    class Meta:
        model = BoostTask

    due_on = factory.LazyFunction(today)


class BoostRecordFactory(PinnedRowFactory):
    class Meta:
        model = BoostRecord

    boost_task = factory.LazyAttribute(lambda o: BoostTaskFactory(pinned_video=o.pinned_video, status="done"))
    boosted_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=1))
    channel = "dou_plus"
    spend = Decimal("150.00")


class AutoReplySettingsFactory(AccountRowFactory):
    class Meta:
        model = AutoReplySettings

    opens_at = dt.time(10, 0)
    closes_at = dt.time(22, 0)
    store_address = "88 Chunxi Road, Chengdu"
    coupon_link = "https://example.com/coupon"
    webhook_secret = "test-secret"


class ReplyRuleFactory(AccountRowFactory):
    class Meta:
        model = ReplyRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    trigger = "keywords"
    keywords = factory.LazyFunction(lambda: ["优惠"])
    priority = 10
    reply_text = "{nickname}, the coupon is here: {coupon_link}"


class InboxMessageFactory(AccountRowFactory):
    class Meta:
        model = InboxMessage

    platform_message_id = factory.Sequence(lambda n: f"msg-{n}")
    sender_uid = factory.Sequence(lambda n: f"user-{n}")
    sender_nickname = "小王"
    text = "有优惠吗"
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=30))
    matched_rule = factory.LazyAttribute(lambda o: ReplyRuleFactory(account=o.account))


class OutboxReplyFactory(TenantFactory):
    class Meta:
        model = OutboxReply

    message = factory.SubFactory(InboxMessageFactory)
    account = factory.SelfAttribute("message.account")
    client = factory.SelfAttribute("message.client")
    agency = factory.SelfAttribute("message.agency")
    text = "Here you are"
    source = "auto"
    rule = factory.SelfAttribute("message.matched_rule")


class PoiLinkFactory(AccountRowFactory):
    class Meta:
        model = PoiLink

    store_name = factory.Sequence(lambda n: f"Store {n}")
    address = "88 Chunxi Road, Chengdu"
    status = "linked"


class GroupBuyDealFactory(AccountRowFactory):
    class Meta:
        model = GroupBuyDeal

    poi = factory.LazyAttribute(lambda o: PoiLinkFactory(account=o.account))
    title = "Hotpot for two"
    price = Decimal("99.00")
    list_price = Decimal("168.00")
    valid_from = factory.LazyFunction(lambda: today() - dt.timedelta(days=5))
    valid_until = factory.LazyFunction(lambda: today() + dt.timedelta(days=60))
    stock = 500
    platform_status = "live"


class LocalLifeEnablementFactory(TenantFactory):
    class Meta:
        model = LocalLifeEnablement

    client = factory.LazyAttribute(lambda o: PlatformAccountFactory().client)
    agency = factory.SelfAttribute("client.agency")
    qualification_submitted_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=20))


class PromotionTaskFactory(AccountRowFactory):
    class Meta:
        model = PromotionTask

    channel = "own_material"
    target_kind = "clip"
    target = "Weekend set menu clip"
    target_video = factory.LazyAttribute(lambda o: VideoFactory(account=o.account))
    content = "Cut a 15 s teaser from the clip and post it with the store's POI"
    planned_on = factory.LazyFunction(today)


class AdCampaignFactory(AccountRowFactory):
    class Meta:
        model = AdCampaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    kind = "platform_ads"
    ad_product = "qianchuan"
    budget = Decimal("1000.00")
    starts_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=20))
    status = "running"


class CampaignRowFactory(TenantFactory):
    class Meta:
        abstract = True

    campaign = factory.SubFactory(AdCampaignFactory)
    account = factory.SelfAttribute("campaign.account")
    client = factory.SelfAttribute("campaign.client")
    agency = factory.SelfAttribute("campaign.agency")


class AdSpendFactory(CampaignRowFactory):
    class Meta:
        model = AdSpend

    spent_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=1))
    amount = Decimal("100.00")


class AdBudgetApprovalFactory(CampaignRowFactory):
    class Meta:
        model = AdBudgetApproval

    extra_amount = Decimal("500.00")
    reason = "Sales are strong; keep the ads running"
    approved_by = factory.LazyAttribute(
        lambda o: MembershipFactory(agency=o.campaign.agency, role="agency_admin", user=UserFactory()).user
    )
    approved_at = factory.LazyFunction(timezone.now)


def _account(client):
    return PlatformAccountFactory(client=client)


ROW_MAKERS.update(
    {
        AccountDirection: lambda agency, client: AccountDirectionFactory(account=_account(client)),
        ProfileChange: lambda agency, client: ProfileChangeFactory(account=_account(client)),
        PinnedVideo: lambda agency, client: PinnedVideoFactory(account=_account(client)),
        BoostTask: lambda agency, client: BoostTaskFactory(pinned_video=PinnedVideoFactory(account=_account(client))),
        BoostRecord: lambda agency, client: BoostRecordFactory(
            pinned_video=PinnedVideoFactory(account=_account(client))
        ),
        AutoReplySettings: lambda agency, client: AutoReplySettingsFactory(account=_account(client)),
        ReplyRule: lambda agency, client: ReplyRuleFactory(account=_account(client)),
        InboxMessage: lambda agency, client: InboxMessageFactory(account=_account(client)),
        OutboxReply: lambda agency, client: OutboxReplyFactory(message=InboxMessageFactory(account=_account(client))),
        PoiLink: lambda agency, client: PoiLinkFactory(account=_account(client)),
        GroupBuyDeal: lambda agency, client: GroupBuyDealFactory(account=_account(client)),
        LocalLifeEnablement: lambda agency, client: LocalLifeEnablementFactory(client=client),
        PromotionTask: lambda agency, client: PromotionTaskFactory(account=_account(client)),
        AdCampaign: lambda agency, client: AdCampaignFactory(account=_account(client)),
        AdSpend: lambda agency, client: AdSpendFactory(campaign=AdCampaignFactory(account=_account(client))),
        AdBudgetApproval: lambda agency, client: AdBudgetApprovalFactory(
            campaign=AdCampaignFactory(account=_account(client))
        ),
    }
)
