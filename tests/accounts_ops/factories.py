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
    Conversation,
    GroupBuyDeal,
    InboxMessage,
    LocalLifeEnablement,
    OutboxReply,
    PinnedVideo,
    PoiLink,
    ProfileChange,
    PromotionTask,
    ReplyRule,
    SavedReply,
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


# --- chapter 7 and platform data ---------------------------------------------------------------
from django.core.files.base import ContentFile  # noqa: E402

from accounts_ops.models import (  # noqa: E402
    AccountDailyMetric,
    AudiencePersonaReport,
    AudienceSnapshot,
    CommentAction,
    ContentPlan,
    ContentPlanTopic,
    DataImport,
    HotTopic,
    IpPersona,
    OpinionAlert,
    VideoComment,
    VideoDailyMetric,
)
from tests.production.factories import VideoProjectFactory  # noqa: E402

PORTRAIT = {
    "gender": {"male": 0.38, "female": 0.62},
    "age": {"1-23": 0.18, "24-30": 0.41, "31-40": 0.27, "41-50": 0.1, "50-": 0.04},
    "provinces": {"四川": 0.55, "重庆": 0.2},
    "cities": {"成都": 0.48, "重庆": 0.2},
    "devices": {"iPhone": 0.46, "华为": 0.3},
    "interests": {"美食": 0.72, "旅行": 0.35},
    "active_days": {"mon": 0.1, "tue": 0.1, "wed": 0.12, "thu": 0.13, "fri": 0.17, "sat": 0.22, "sun": 0.16},
    "active_hours": {str(h): (0.1 if h in (12, 18, 19, 20, 21) else 0.5 / 19) for h in range(24)},
}


class AccountDailyMetricFactory(AccountRowFactory):
    class Meta:
        model = AccountDailyMetric

    date = factory.Sequence(lambda n: today() - dt.timedelta(days=1 + n % 300))
    followers_total = 12000
    followers_gained = 35
    active_fans = 2400
    plays = 18000
    likes = 900
    comments = 80
    shares = 40


class VideoDailyMetricFactory(AccountRowFactory):
    class Meta:
        model = VideoDailyMetric

    video = factory.LazyAttribute(lambda o: VideoFactory(account=o.account))
    date = factory.Sequence(lambda n: today() - dt.timedelta(days=1 + n % 300))
    plays = 5200
    likes = 310
    comments = 22
    shares = 9
    avg_watch_seconds = Decimal("11.50")
    completion_rate = Decimal("0.3100")


class DataImportFactory(TenantFactory):
    class Meta:
        model = DataImport

    account = factory.SubFactory(PlatformAccountFactory)
    agency = factory.SelfAttribute("account.agency")
    kind = "account_metrics"
    file = factory.LazyFunction(lambda: ContentFile("日期,播放量\n2026-01-01,10\n".encode(), name="metrics.csv"))
    original_name = "metrics.csv"


class VideoCommentFactory(AccountRowFactory):
    class Meta:
        model = VideoComment

    video = factory.LazyAttribute(lambda o: VideoFactory(account=o.account))
    platform_comment_id = factory.Sequence(lambda n: f"c{n}")
    author_uid = factory.Sequence(lambda n: f"fan{n}")
    author_nickname = "吃货小王"
    text = "请问周末需要排队吗"
    posted_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    sentiment = "neutral"
    sentiment_score = 0.5


class CommentActionFactory(AccountRowFactory):
    class Meta:
        model = CommentAction

    comment = factory.LazyAttribute(lambda o: VideoCommentFactory(account=o.account))
    kind = "reply"
    text = "周末建议提前在小程序取号哦"


class OpinionAlertFactory(AccountRowFactory):
    class Meta:
        model = OpinionAlert

    window_start = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=24))
    window_end = factory.LazyFunction(timezone.now)
    comments_count = 20
    negative_count = 9
    negative_share = Decimal("0.4500")
    threshold = Decimal("0.3000")
    peak_share = Decimal("0.4500")
    raised_at = factory.LazyFunction(timezone.now)


class HotTopicFactory(TenantFactory):
    class Meta:
        model = HotTopic

    agency = factory.SubFactory("tests.factories.AgencyFactory")
    platform = "douyin"
    title = factory.Sequence(lambda n: f"秋天的第一杯奶茶 {n}")
    heat = 5_200_000
    peak_heat = 5_200_000
    rank = 3
    seen_at = factory.LazyFunction(timezone.now)
    first_seen_at = factory.LazyFunction(timezone.now)
    source = "douyin hot list"


class ContentPlanFactory(AccountRowFactory):
    class Meta:
        model = ContentPlan

    title = "Autumn hotpot set rides the first-milk-tea topic"
    angle = "Pair the season's first milk tea with the new autumn set; ask fans which they'd pick"
    planned_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=3))
    video_project = factory.LazyAttribute(lambda o: VideoProjectFactory(account=o.account))


class ContentPlanTopicFactory(TenantFactory):
    class Meta:
        model = ContentPlanTopic

    plan = factory.SubFactory(ContentPlanFactory)
    client = factory.SelfAttribute("plan.client")
    agency = factory.SelfAttribute("plan.agency")
    topic = factory.LazyAttribute(lambda o: HotTopicFactory(agency=o.plan.agency))
    note = "The set comes with a cup of osmanthus milk tea"


class AudienceSnapshotFactory(AccountRowFactory):
    class Meta:
        model = AudienceSnapshot

    date = factory.Sequence(lambda n: today() - dt.timedelta(days=1 + n % 300))
    fans_total = 12000
    gender = factory.LazyFunction(lambda: dict(PORTRAIT["gender"]))
    age = factory.LazyFunction(lambda: dict(PORTRAIT["age"]))
    provinces = factory.LazyFunction(lambda: dict(PORTRAIT["provinces"]))
    cities = factory.LazyFunction(lambda: dict(PORTRAIT["cities"]))
    devices = factory.LazyFunction(lambda: dict(PORTRAIT["devices"]))
    interests = factory.LazyFunction(lambda: dict(PORTRAIT["interests"]))
    active_days = factory.LazyFunction(lambda: dict(PORTRAIT["active_days"]))
    active_hours = factory.LazyFunction(lambda: dict(PORTRAIT["active_hours"]))


class AudiencePersonaReportFactory(AccountRowFactory):
    class Meta:
        model = AudiencePersonaReport

    snapshot = factory.LazyAttribute(lambda o: AudienceSnapshotFactory(account=o.account))
    period_start = factory.Sequence(lambda n: today() - dt.timedelta(days=7 * (n % 50) + 6))
    period_end = factory.LazyAttribute(lambda o: o.period_start + dt.timedelta(days=6))
    dominant = factory.LazyFunction(lambda: {"gender": {"key": "female", "share": 0.62}})
    shifts = factory.LazyFunction(dict)
    summary_zh = "粉丝以女性为主（62%）。"
    summary_en = "Fans are mostly women (62%)."


class IpPersonaFactory(AccountRowFactory):
    class Meta:
        model = IpPersona

    version = 1
    name = "火锅阿姐"
    age = "30岁左右"
    gender = "女"
    personality = "爽快、热心，说话带点川味幽默"
    cultural_background = "成都本地人，从小在老街长大"
    specialty = "识货：一眼看出毛肚黄喉新不新鲜"
    style = "街头实拍、快节奏、方言口播"
    effective_from = factory.LazyFunction(lambda: today() - dt.timedelta(days=10))


def _report(agency, client):
    account = _account(client)
    previous = AudiencePersonaReportFactory(account=account)
    return AudiencePersonaReportFactory(
        account=account, previous=previous, period_start=previous.period_end + dt.timedelta(days=1)
    )


ROW_MAKERS.update(
    {
        AccountDailyMetric: lambda agency, client: AccountDailyMetricFactory(account=_account(client)),
        VideoDailyMetric: lambda agency, client: VideoDailyMetricFactory(account=_account(client)),
        DataImport: lambda agency, client: DataImportFactory(account=_account(client)),
        VideoComment: lambda agency, client: VideoCommentFactory(account=_account(client)),
        CommentAction: lambda agency, client: CommentActionFactory(account=_account(client)),
        OpinionAlert: lambda agency, client: OpinionAlertFactory(account=_account(client)),
        HotTopic: lambda agency, client: HotTopicFactory(agency=agency),
        ContentPlan: lambda agency, client: ContentPlanFactory(account=_account(client)),
        ContentPlanTopic: lambda agency, client: ContentPlanTopicFactory(
            plan=ContentPlanFactory(account=_account(client))
        ),
        AudienceSnapshot: lambda agency, client: AudienceSnapshotFactory(account=_account(client)),
        AudiencePersonaReport: _report,
        IpPersona: lambda agency, client: IpPersonaFactory(account=_account(client)),
    }
)


# --- the one inbox (6.4 and 7.1) ---------------------------------------------------------------


class ConversationFactory(AccountRowFactory):
    """A fan's conversation with one private message from them waiting for a reply."""

    class Meta:
        model = Conversation
        skip_postgeneration_save = True  # the hook adds a message; the conversation itself is unchanged

    fan_uid = factory.Sequence(lambda n: f"fan-{n}")
    fan_nickname = "吃货小张"
    last_activity_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=20))

    @factory.post_generation
    def message(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            InboxMessageFactory(
                account=obj.account,
                sender_uid=obj.fan_uid,
                sender_nickname=obj.fan_nickname,
                received_at=obj.last_activity_at,
                matched_rule=None,
            )


class SavedReplyFactory(TenantFactory):
    class Meta:
        model = SavedReply

    title = factory.Sequence(lambda n: f"Welcome {n}")
    text = "您好{fan}，欢迎光临{store}！"


ROW_MAKERS.update(
    {
        Conversation: lambda agency, client: ConversationFactory(account=_account(client)),
        SavedReply: lambda agency, client: SavedReplyFactory(agency=agency),
    }
)
