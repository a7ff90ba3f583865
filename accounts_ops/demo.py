"""Demo data of chapter 6 (basic account operations), made by ``manage.py seed_demo`` through
``accounts_ops.services``.

- 6.1 a current direction for every active account of the demo clients;
- for the clients who bought basic operations, on every active account: the profile as found
  (6.2), a pinned video (6.3), auto-reply settings and rules with a first-contact greeting,
  an outside-hours notice and keyword rules (6.4), and a promotion done this month (6.6); on the
  main account also a profile change waiting for approval, a second pinned video whose boost
  was done and whose next boost falls due today, private messages answered automatically, by
  hand, and one still waiting, and more promotion tasks;
- for the local-life clients: the enablement checklist, the store's POI and a live group-buy
  deal (6.5); for the clients who bought advertising: a running ad campaign with spend under its
  budget and its results (6.7).

Idempotent: each part is skipped when the account (or client) already has rows of that kind.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from collections import Counter
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts_ops import demo_platform
from accounts_ops.models.ads import AdCampaign, AdKind, AdProduct, CampaignStatus
from accounts_ops.models.conversations import SavedReply
from accounts_ops.models.direction import AccountDirection
from accounts_ops.models.inbox import (
    AutoReplySettings,
    InboxMessage,
    OutboxReply,
    OutboxStatus,
    ReplyRule,
    ReplyTrigger,
)
from accounts_ops.models.local import DealStatus, GroupBuyDeal, PoiLink, PoiStatus
from accounts_ops.models.pinned import BoostChannel, PinnedVideo
from accounts_ops.models.profile import ProfileChange, ProfileField
from accounts_ops.models.promotion import PromotionChannel, PromotionTarget, PromotionTask
from accounts_ops.services.ads import ad_spend_record, campaign_create, campaign_record_results
from accounts_ops.services.conversations import saved_reply_create
from accounts_ops.services.direction import direction_record
from accounts_ops.services.inbox import (
    IncomingMessage,
    autoreply_settings_save,
    inbox_receive,
    inbox_reply,
    outbox_confirm_sent,
    reply_rule_create,
)
from accounts_ops.services.local import deal_save, enablement_record_qualification, poi_save
from accounts_ops.services.pinned import boost_record, boost_tasks_create_due, pinned_video_pin
from accounts_ops.services.profile import profile_change_request, profile_record_baseline
from accounts_ops.services.promotion import promotion_complete, promotion_plan
from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import Actor, tenant_context
from clients.models import AccountStatus, Client, ClientStatus, PlatformAccount, Service, Video

PLATFORM_NAMES = {
    "zh": {
        "douyin": "抖音",
        "kuaishou": "快手",
        "wechat_channels": "视频号",
        "xiaohongshu": "小红书",
        "bilibili": "B站",
        "tiktok": "TikTok",
    },
    "en": {
        "douyin": "Douyin",
        "kuaishou": "Kuaishou",
        "wechat_channels": "WeChat Channels",
        "xiaohongshu": "Xiaohongshu",
        "bilibili": "Bilibili",
        "tiktok": "TikTok",
    },
}

AVATAR_COLOURS = [(176, 38, 30), (222, 140, 40), (60, 120, 70), (40, 70, 140), (120, 60, 130)]

# Per client (by name). ``hours`` are the private-message business hours in the agency's time zone.
CONTENT: dict[str, dict] = {
    "老街火锅": {
        "direction": {
            "positioning": "成都老街的地道牛油火锅，{platform}上做“接地气、有烟火气”的本地美食号。",
            "target_audience": "成都本地 20-40 岁的上班族、家庭聚餐和外地游客。",
            "content_pillars": ["招牌菜品特写", "门店烟火气日常", "团购套餐与优惠", "老板讲火锅"],
            "platform_rules": "遵守平台本地生活内容规范：团购信息以平台商品为准，不做绝对化用语，不诱导站外交易。",
            "operating_goals": "季度新增粉丝 3 万；团购核销月均 2,000 单；到店转化率提升 10%。",
        },
        "bio": "成都老街火锅 · 30 年牛油老锅底\n营业 11:00-02:00 · 团购点主页",
        "bio_change": "成都老街火锅 · 30 年牛油老锅底\n新店装修开业 · 包间可预订",
        "bio_change_reason": "新店装修完成，简介加上包间预订信息。",
        "hours": (dt.time(11, 0), dt.time(2, 0)),
        "store_address": "成都市锦江区老街 88 号",
        "coupon_link": "https://example.com/douyin/laojie/deal",
        "rules": [
            (
                "首次私信问候",
                ReplyTrigger.FIRST_CONTACT,
                [],
                20,
                "你好{nickname}，欢迎来到老街火锅！想订位、看团购，直接发“订位”或“团购”给我们哦。",
            ),
            (
                "打烊时段回复",
                ReplyTrigger.OUTSIDE_HOURS,
                [],
                10,
                "我们已经打烊啦（营业时间 11:00-02:00），开门后第一时间回复你！",
            ),
            (
                "门店地址",
                ReplyTrigger.KEYWORDS,
                ["地址", "在哪", "怎么走", "停车"],
                30,
                "门店地址：{store_address}，门口有停车场，导航搜“老街火锅”即可。",
            ),
            (
                "团购优惠",
                ReplyTrigger.KEYWORDS,
                ["团购", "优惠", "套餐"],
                40,
                "团购套餐在这里：{coupon_link} 双人餐 168 元，工作日可用。",
            ),
        ],
        "messages": [
            # (sender, nickname, local time yesterday, text, answer by hand)
            ("dy_u_58201", "吃货小张", dt.time(14, 5), "你好，今天营业吗？", None),
            ("dy_u_58201", "吃货小张", dt.time(14, 7), "店在哪里？好停车吗", None),
            ("dy_u_77310", "成都妹儿", dt.time(3, 10), "明天晚上能订包间吗？", None),
            ("dy_u_77310", "成都妹儿", dt.time(12, 40), "可以开发票吗？", "可以的，结账时告诉服务员抬头和税号就行。"),
            ("dy_u_77310", "成都妹儿", dt.time(15, 20), "我们二十个人过生日，可以包场吗？", ""),
        ],
        "pins": [
            ("boosted", 3, Decimal("300.00"), BoostChannel.DOU_PLUS),
            ("fresh", 7, Decimal("200.00"), BoostChannel.DOU_PLUS),
        ],
        "boost_note": "DOU+ 定向 5 公里内 18-40 岁",
        "promotions": [
            {
                "channel": PromotionChannel.SEARCH_KEYWORDS,
                "target_kind": PromotionTarget.PRODUCT,
                "target": "双人火锅套餐",
                "content": "优化团购商品标题和视频字幕，抢占“成都火锅团购”搜索。",
                "search_keywords": ["成都火锅", "火锅团购", "老街火锅"],
                "planned_in": 2,
            },
            {
                "channel": PromotionChannel.COMMENT_SECTIONS,
                "target_kind": PromotionTarget.CLIP,
                "target": "招牌毛肚视频",
                "content": "在本地美食达人的探店视频评论区互动，引导到招牌毛肚视频。",
                "planned_in": -5,
                "done": (4, "在 12 条达人视频下互动，带来约 3,800 次主页访问。", 3800),
            },
        ],
        "repost": {
            "channel": PromotionChannel.OWN_MATERIAL,
            "target_kind": PromotionTarget.CLIP,
            "target": "招牌毛肚视频",
            "content": "把主账号的招牌毛肚视频按本平台尺寸重新剪辑后发布。",
            "planned_in": -3,
            "done": (2, "已发布，两天播放 1.2 万。", 12000),
        },
        "poi": ("老街火锅（总店）", "成都市锦江区老街 88 号", "poi-cd-laojie-088"),
        "qualification": "营业执照、食品经营许可证已提交平台审核。",
        "deal": ("双人牛油火锅套餐", Decimal("168.00"), Decimal("238.00"), 500, "deal-laojie-2p"),
        "ad": {
            "name": "一人食套餐 DOU+ 加热",
            "kind": AdKind.PLATFORM_ADS,
            "ad_product": AdProduct.DOU_PLUS,
            "budget": Decimal("6000.00"),
            "spend": [(-10, Decimal("800.00")), (-7, Decimal("1200.00")), (-3, Decimal("950.00"))],
            "results": (420_000, 12_600, 860, 410, Decimal("68880.00")),
            "note": "定向门店 5 公里",
        },
    },
    "花间茶饮": {
        "direction": {
            "positioning": "东方花茶新式茶饮品牌，{platform}上讲“一杯花茶里的四季”。",
            "target_audience": "18-30 岁的学生和年轻白领，喜欢国风和新品尝鲜。",
            "content_pillars": ["新品上市", "门店日常", "花茶知识", "联名与活动"],
            "platform_rules": "商品信息与电商页一致；不夸大功效；使用授权音乐。",
            "operating_goals": "新品首周话题播放 500 万；小店 GMV 月增 15%。",
        },
        "bio": "花间茶饮 · 一杯花茶里的四季\n全国 120 家门店 · 新品每月上",
        "hours": (dt.time(9, 0), dt.time(21, 0)),
        "store_address": "杭州市西湖区满觉陇路 12 号",
        "coupon_link": "https://example.com/douyin/huajian/coupon",
        "rules": [
            (
                "首次私信问候",
                ReplyTrigger.FIRST_CONTACT,
                [],
                20,
                "嗨{nickname}，欢迎来到花间茶饮！新品桂花乌龙已上市，回复“门店”查看附近门店。",
            ),
            ("非工作时间", ReplyTrigger.OUTSIDE_HOURS, [], 10, "客服在线时间 9:00-21:00，明天一早回复你～"),
            (
                "门店查询",
                ReplyTrigger.KEYWORDS,
                ["门店", "地址", "在哪"],
                30,
                "旗舰店地址：{store_address}，其他门店请在小程序查看。",
            ),
        ],
        "messages": [
            ("dy_u_31007", "奶茶续命", dt.time(10, 15), "桂花乌龙什么时候上？", None),
            ("dy_u_31007", "奶茶续命", dt.time(10, 18), "杭州门店在哪", None),
            ("dy_u_45512", "小鹿", dt.time(8, 10), "可以加盟吗？", None),
            ("dy_u_45512", "小鹿", dt.time(11, 30), "想了解一下企业团购下午茶", ""),
        ],
        "pins": [
            ("boosted", 3, Decimal("500.00"), BoostChannel.DOU_PLUS),
            ("fresh", 7, Decimal("0.00"), BoostChannel.ORGANIC_REPOST),
        ],
        "boost_note": "新品期间每 3 天加热一次",
        "promotions": [
            {
                "channel": PromotionChannel.OWN_MATERIAL,
                "target_kind": PromotionTarget.PRODUCT,
                "target": "桂花乌龙",
                "content": "用门店实拍素材剪三条 15 秒新品种草视频。",
                "planned_in": 3,
            },
            {
                "channel": PromotionChannel.COMMENT_SECTIONS,
                "target_kind": PromotionTarget.PRODUCT,
                "target": "桂花乌龙",
                "content": "在杭州探店达人的秋季视频评论区介绍桂花乌龙。",
                "planned_in": -4,
                "done": (3, "在 8 条视频下互动，新品话题页访问约 5,600 次。", 5600),
            },
        ],
        "repost": {
            "channel": PromotionChannel.OWN_MATERIAL,
            "target_kind": PromotionTarget.PRODUCT,
            "target": "桂花乌龙",
            "content": "把抖音的新品视频改成快手竖版发布。",
            "planned_in": -3,
            "done": (2, "已发布，播放 8,300。", 8300),
        },
        "ad": {
            "name": "桂花乌龙千川推广",
            "kind": AdKind.PLATFORM_ADS,
            "ad_product": AdProduct.QIANCHUAN,
            "budget": Decimal("20000.00"),
            "spend": [(-9, Decimal("3500.00")), (-5, Decimal("4200.00")), (-2, Decimal("3900.00"))],
            "results": (1_250_000, 31_000, 2_400, 2_150, Decimal("40850.00")),
            "note": "千川 小店随心推",
        },
    },
    "云上家居": {
        "direction": {
            "positioning": "佛山源头家居分销商，{platform}上做“懂行的家居买手”，以直播带货为主。",
            "target_audience": "25-45 岁准备装修或换家具的家庭，关注性价比。",
            "content_pillars": ["选购干货", "工厂源头探访", "直播预告与切片"],
            "platform_rules": "直播间商品须挂平台小店；价格对比须有依据；不使用极限词。",
            "operating_goals": "直播场均观看 5 万；场均 GMV 15 万。",
        },
    },
    "Harbor Coffee": {
        "direction": {
            "positioning": "A neighbourhood specialty coffee shop in Shekou; "
            "on {platform} it shows the craft behind the cup.",
            "target_audience": "Office workers and expats in Shekou and Nanshan, 22-40, who care about good coffee.",
            "content_pillars": ["Brewing craft", "Behind the bar", "New seasonal drinks", "Local life in Shekou"],
            "platform_rules": "No health claims for coffee; licensed music only; "
            "deals shown exactly as listed on the platform.",
            "operating_goals": "5,000 new followers a quarter; 600 voucher redemptions a month.",
        },
        "bio": "Specialty coffee in Shekou ☕ Slow bar from 7:30\nVouchers on our profile",
        "bio_change": "Specialty coffee in Shekou ☕ Slow bar from 7:30\nNew: oat-milk flat white",
        "bio_change_reason": "The client wants the new oat-milk drink in the bio.",
        "hours": (dt.time(7, 30), dt.time(19, 0)),
        "store_address": "Harbor Coffee, 21 Taizi Road, Shekou, Shenzhen",
        "coupon_link": "https://example.com/tiktok/harborcoffee/voucher",
        "rules": [
            (
                "First message greeting",
                ReplyTrigger.FIRST_CONTACT,
                [],
                20,
                "Hi {nickname}, thanks for writing to Harbor Coffee! "
                "Ask us about opening hours, the menu or our vouchers.",
            ),
            (
                "Closed hours",
                ReplyTrigger.OUTSIDE_HOURS,
                [],
                10,
                "We're closed right now (open 7:30-19:00) and will reply first thing tomorrow.",
            ),
            (
                "Where to find us",
                ReplyTrigger.KEYWORDS,
                ["address", "where", "location", "parking"],
                30,
                "Find us at {store_address}. Street parking on Taizi Road.",
            ),
            (
                "Vouchers",
                ReplyTrigger.KEYWORDS,
                ["voucher", "discount", "deal"],
                40,
                "Our two-drink voucher is here: {coupon_link}",
            ),
        ],
        "messages": [
            ("tt_u_90211", "coffeelover_sz", dt.time(8, 20), "Hi! Are you open on Sundays?", None),
            ("tt_u_90211", "coffeelover_sz", dt.time(8, 22), "What's your address?", None),
            ("tt_u_66102", "anna.w", dt.time(6, 45), "Do you roast your own beans?", None),
            (
                "tt_u_66102",
                "anna.w",
                dt.time(9, 10),
                "Can I bring my dog?",
                "Of course, dogs are welcome on the terrace and we have water bowls.",
            ),
            ("tt_u_66102", "anna.w", dt.time(10, 5), "Could we book the back room for a team meeting of 12?", ""),
        ],
        "pins": [
            ("boosted", 3, Decimal("150.00"), BoostChannel.PAID_OTHER),
            ("fresh", 7, Decimal("0.00"), BoostChannel.ORGANIC_REPOST),
        ],
        "boost_note": "Promote to 3 km around the store, weekday mornings",
        "promotions": [
            {
                "channel": PromotionChannel.SEARCH_KEYWORDS,
                "target_kind": PromotionTarget.PRODUCT,
                "target": "Two-drink voucher",
                "content": "Rework voucher titles and captions for 'Shekou coffee' searches.",
                "search_keywords": ["Shekou coffee", "Shenzhen specialty coffee"],
                "planned_in": 2,
            },
            {
                "channel": PromotionChannel.COMMENT_SECTIONS,
                "target_kind": PromotionTarget.PERSON,
                "target": "Head barista Leo",
                "content": "Leo answers brewing questions under local food creators' videos.",
                "planned_in": -6,
                "done": (5, "Replied under 9 creator videos; 1,200 profile visits.", 1200),
            },
        ],
        "repost": {
            "channel": PromotionChannel.OWN_MATERIAL,
            "target_kind": PromotionTarget.CLIP,
            "target": "Morning pour-over clip",
            "content": "Re-cut the pour-over video for this account and post it.",
            "planned_in": -3,
            "done": (2, "Posted; 4,100 plays in two days.", 4100),
        },
        "poi": ("Harbor Coffee (Shekou)", "21 Taizi Road, Shekou, Shenzhen", "poi-sz-harbor-021"),
        "qualification": "Business licence and food permit submitted for review.",
        "deal": ("Two-drink voucher", Decimal("39.90"), Decimal("56.00"), 300, "deal-harbor-2cups"),
    },
    "Lumen Skincare": {
        "direction": {
            "positioning": "An evidence-led skincare brand; on {platform} it explains ingredients plainly.",
            "target_audience": "Women 22-35 in tier-1 cities who read ingredient lists.",
            "content_pillars": ["Ingredient explainers", "Routines", "Product launches", "Lab stories"],
            "platform_rules": "No medical or whitening claims; results shown with 'results vary'; ads labelled.",
            "operating_goals": "30,000 new followers a quarter; 4% engagement on launch posts.",
        },
    },
}


def _lang(agency: Agency) -> str:
    return "zh" if agency.language.startswith("zh") else "en"


def _actor(agency: Agency, user) -> Actor:
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


def _as(actor: Actor):
    return tenant_context(actor.agency, actor=actor, channel="command")


def _local(agency: Agency, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=agency.tz)


def _image(colour: tuple[int, int, int], size: tuple[int, int], name: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.3, h * 0.2, w * 0.7, h * 0.8), fill=(250, 245, 235))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _main_account(client: Client) -> PlatformAccount | None:
    return (
        PlatformAccount.objects.filter(client=client, status=AccountStatus.ACTIVE).order_by("-followers", "pk").first()
    )


# --- 6.1 ------------------------------------------------------------------------------------------


def _directions(agency, client, spec, operator, today, made) -> None:
    names = PLATFORM_NAMES[_lang(agency)]
    start = client.contract_start or today - dt.timedelta(days=60)
    for account in PlatformAccount.objects.filter(client=client, status=AccountStatus.ACTIVE).order_by("pk"):
        if AccountDirection.objects.filter(account=account).exists():
            continue
        direction_record(
            actor=operator,
            account=account,
            effective_from=min(start, today),
            positioning=spec["positioning"].format(platform=names.get(account.platform, account.platform)),
            target_audience=spec["target_audience"],
            content_pillars=spec["content_pillars"],
            platform_rules=spec["platform_rules"],
            operating_goals=spec["operating_goals"],
        )
        made["directions"] += 1


# --- 6.2 ------------------------------------------------------------------------------------------


def _profile(agency, client, account, spec, operator, today, made, *, main: bool) -> None:
    if ProfileChange.objects.filter(account=account).exists():
        return
    found_on = min(client.contract_start or today, today)
    colour = AVATAR_COLOURS[zlib.crc32(account.handle.encode()) % len(AVATAR_COLOURS)]
    for part, text, image in (
        (ProfileField.NICKNAME, account.nickname, None),
        (ProfileField.BIO, spec["bio"], None),
        (ProfileField.AVATAR, "", _image(colour, (400, 400), "avatar.png")),
        (ProfileField.BANNER, "", _image(colour, (1125, 633), "banner.png")),
    ):
        profile_record_baseline(
            actor=operator, account=account, field=part, applied_on=found_on, after_text=text, after_image=image
        )
        made["profile parts recorded"] += 1
    if main and spec.get("bio_change"):
        profile_change_request(
            actor=operator,
            account=account,
            field=ProfileField.BIO,
            after_text=spec["bio_change"],
            reason=spec["bio_change_reason"],
            requested_by_name=client.contact_name,
        )
        made["profile changes waiting"] += 1


# --- 6.3 ------------------------------------------------------------------------------------------


def _pins(agency, account, spec, operator, today, made, *, main: bool) -> None:
    if PinnedVideo.objects.filter(account=account).exists():
        return
    videos = list(Video.objects.filter(account=account, published_at__isnull=False).order_by("published_at", "pk"))
    if not videos:
        return
    # Main account: the oldest video has been pinned long enough to have had a boost, and the next
    # one falls due today; the newest was pinned when it came out. Other accounts: the newest.
    if main:
        chosen = list(zip(spec["pins"], [videos[0]] if len(videos) == 1 else [videos[0], videos[-1]], strict=False))
    else:
        chosen = [(("fresh", 7, Decimal("0.00"), BoostChannel.ORGANIC_REPOST), videos[-1])]
    for (kind, interval, budget, channel), video in chosen:
        pinned_on = min(timezone.localtime(video.published_at, agency.tz).date(), today)
        pinned = pinned_video_pin(
            actor=operator,
            account=account,
            video=video,
            pinned_on=pinned_on,
            boost_interval_days=interval,
            boost_budget=budget,
            boost_channel=channel,
            note=spec.get("boost_note", "") if main else "",
        )
        made["pinned videos"] += 1
        boosted_on = today - dt.timedelta(days=interval)
        if kind == "boosted" and boosted_on >= pinned_on:
            boost_record(
                actor=operator,
                pinned_video=pinned,
                boosted_on=boosted_on,
                spend=budget,
                platform_order_id=f"{account.handle}-boost-{boosted_on:%Y%m%d}" if budget else "",
                plays_gained=12_000 if budget else 2_500,
                followers_gained=180 if budget else 40,
            )
            made["boosts recorded"] += 1
    made["boost tasks due"] += boost_tasks_create_due(today=today)


# --- 6.4 ------------------------------------------------------------------------------------------


def _replies(agency, account, spec, operator, today, made, *, main: bool) -> None:
    if not AutoReplySettings.objects.filter(account=account).exists():
        opens_at, closes_at = spec["hours"]
        autoreply_settings_save(
            actor=operator,
            account=account,
            opens_at=opens_at,
            closes_at=closes_at,
            business_days=[],
            store_address=spec["store_address"],
            coupon_link=spec["coupon_link"],
        )
    if not ReplyRule.objects.filter(account=account).exists():
        for name, trigger, keywords, priority, reply in spec["rules"]:
            reply_rule_create(
                actor=operator,
                account=account,
                name=name,
                trigger=trigger,
                keywords=keywords,
                priority=priority,
                reply_text=reply,
            )
            made["reply rules"] += 1
    if not main or InboxMessage.objects.filter(account=account).exists():
        return
    yesterday = today - dt.timedelta(days=1)
    for index, (sender, nickname, time, text, by_hand) in enumerate(spec["messages"], start=1):
        received_at = _local(agency, yesterday, time)
        result = inbox_receive(
            account=account,
            items=[
                IncomingMessage(
                    platform_message_id=f"{account.handle}-msg-{index:03d}",
                    sender_uid=sender,
                    sender_nickname=nickname,
                    received_at=received_at,
                    text=text,
                    conversation_id=f"{account.handle}-{sender}",
                )
            ],
        )
        message = result.messages[0]
        made["inbox messages"] += 1
        if by_hand:
            inbox_reply(actor=operator, message=message, text=by_hand)
        # The connector sends what the engine queued within seconds; a reply by hand takes minutes.
        delay = dt.timedelta(minutes=4, seconds=20) if by_hand else dt.timedelta(seconds=4)
        for reply in OutboxReply.objects.filter(message=message, status=OutboxStatus.QUEUED).order_by("pk"):
            outbox_confirm_sent(
                reply=reply,
                sent_at=min(received_at + delay, timezone.now()),
                platform_message_id=f"{account.handle}-out-{index:03d}",
            )


# --- 6.5 ------------------------------------------------------------------------------------------


def _local_life(agency, client, account, spec, operator, today, made) -> None:
    if PoiLink.objects.filter(client=client).exists() or "poi" not in spec:
        return
    enablement_record_qualification(
        actor=operator, client=client, submitted_on=today - dt.timedelta(days=40), note=spec["qualification"]
    )
    store_name, address, poi_id = spec["poi"]
    poi = poi_save(
        actor=operator,
        account=account,
        store_name=store_name,
        address=address,
        platform_poi_id=poi_id,
        status=PoiStatus.LINKED,
    )
    made["POIs"] += 1
    if GroupBuyDeal.objects.filter(client=client).exists():
        return
    title, price, list_price, stock, deal_id = spec["deal"]
    deal_save(
        actor=operator,
        account=account,
        poi=poi,
        title=title,
        price=price,
        list_price=list_price,
        valid_from=today - dt.timedelta(days=14),
        valid_until=today + dt.timedelta(days=76),
        stock=stock,
        platform_status=DealStatus.LIVE,
        platform_deal_id=deal_id,
    )
    made["group-buy deals"] += 1


# --- 6.6 ------------------------------------------------------------------------------------------


def _this_month(today: dt.date, days_ago: int) -> dt.date:
    """``days_ago`` days before today, but not before the 1st of this month."""
    return max(today - dt.timedelta(days=days_ago), today.replace(day=1))


def _promotions(agency, account, spec, operator, today, made, *, main: bool) -> None:
    if PromotionTask.objects.filter(account=account).exists():
        return
    videos = list(Video.objects.filter(account=account).order_by("-published_at", "pk")[:1])
    items = spec.get("promotions", []) if main else [spec["repost"]]
    for item in items:
        done = item.get("done")
        planned_on = today + dt.timedelta(days=item["planned_in"])
        if done is not None:
            planned_on = _this_month(today, -item["planned_in"])
        task = promotion_plan(
            actor=operator,
            account=account,
            channel=item["channel"],
            target_kind=item["target_kind"],
            target=item["target"],
            target_video=videos[0] if item["target_kind"] == PromotionTarget.CLIP and videos else None,
            content=item["content"],
            search_keywords=item.get("search_keywords", []),
            planned_on=planned_on,
        )
        made["promotion tasks"] += 1
        if done is not None:
            done_ago, outcome, reach = done
            promotion_complete(
                actor=operator,
                task=task,
                done_on=max(_this_month(today, done_ago), planned_on),
                outcome=outcome,
                reach=reach,
            )


# --- 6.7 ------------------------------------------------------------------------------------------


def _advertising(agency, client, account, spec, manager, today, made) -> None:
    ad = spec.get("ad")
    if ad is None or AdCampaign.objects.filter(client=client, name=ad["name"]).exists():
        return
    campaign = campaign_create(
        actor=manager,
        account=account,
        name=ad["name"],
        kind=ad["kind"],
        ad_product=ad["ad_product"],
        budget=ad["budget"],
        starts_on=today - dt.timedelta(days=12),
        ends_on=today + dt.timedelta(days=18),
        status=CampaignStatus.RUNNING,
    )
    made["ad campaigns"] += 1
    for days, amount in ad["spend"]:
        spent_on = today + dt.timedelta(days=days)
        ad_spend_record(
            actor=manager,
            campaign=campaign,
            spent_on=spent_on,
            amount=amount,
            platform_order_id=f"{account.handle}-ad-{spent_on:%Y%m%d}",
            note=ad["note"],
        )
        made["ad spend entries"] += 1
    impressions, clicks, conversions, orders, sales = ad["results"]
    campaign_record_results(
        actor=manager,
        campaign=campaign,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        orders=orders,
        sales=sales,
        recorded_on=today - dt.timedelta(days=1),
    )


def seed(*, agency: Agency, clients: list[Client], people: dict) -> Counter:
    """Make the chapter 6 demo rows of ``agency``'s clients (idempotent); returns what was made."""
    made: Counter = Counter()
    today = agency.today()
    operator = _actor(agency, people[Role.OPERATOR])
    manager = _actor(agency, people[Role.ACCOUNT_MANAGER])
    with translation.override(agency.language):
        for client in clients:
            spec = CONTENT.get(client.name)
            if spec is None or client.status != ClientStatus.ACTIVE:
                continue
            with _as(operator):
                _directions(agency, client, spec["direction"], operator, today, made)
            account = _main_account(client)
            if account is None:
                continue
            if Service.BASIC_OPERATIONS in client.services and "bio" in spec:
                others = PlatformAccount.objects.filter(client=client, status=AccountStatus.ACTIVE).exclude(
                    pk=account.pk
                )
                with _as(operator):
                    for each in [account, *others.order_by("pk")]:
                        main = each.pk == account.pk
                        _profile(agency, client, each, spec, operator, today, made, main=main)
                        _pins(agency, each, spec, operator, today, made, main=main)
                        _replies(agency, each, spec, operator, today, made, main=main)
                        _promotions(agency, each, spec, operator, today, made, main=main)
            if Service.LOCAL_LIFE in client.services:
                with _as(operator):
                    _local_life(agency, client, account, spec, operator, today, made)
            if Service.ADVERTISING in client.services:
                with _as(manager):
                    _advertising(agency, client, account, spec, manager, today, made)
        # Chapter 7: what the platform reports about every active account.
        made.update(demo_platform.seed(agency=agency, clients=clients, today=today))
        with _as(manager):
            _saved_replies(agency, manager, made)
    return made


SAVED_REPLIES = {
    "zh": (
        ("营业时间", "{fan}您好，{store}每天 11:00-23:00 营业，欢迎光临！"),
        ("到店路线", "{fan}您好，{store}在{address}，导航搜店名即可，到店报暗号有小惊喜。"),
        ("优惠券", "{fan}您好，本周的优惠券在这里：{coupon}，到店出示即可使用。"),
    ),
    "en": (
        ("Opening hours", "Hi {fan}, {store} is open every day from 11:00 to 23:00. See you soon!"),
        ("Finding us", "Hi {fan}, {store} is at {address}; search for our name in your maps app."),
        ("Coupon", "Hi {fan}, this week's coupon is here: {coupon}. Show it at the counter."),
    ),
}


def _saved_replies(agency, manager, made) -> None:
    """The replies the agency keeps ready for its inbox (6.4 and 7.1), in its own language."""
    if SavedReply.objects.exists():
        return
    for title, text in SAVED_REPLIES[_lang(agency)]:
        saved_reply_create(actor=manager, title=title, text=text)
        made["saved replies"] += 1
