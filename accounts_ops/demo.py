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
What each demo client's accounts say and do is in ``accounts_ops.demo_content``.
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
from accounts_ops.demo_content import AVATAR_COLOURS, CONTENT, PLATFORM_NAMES
from accounts_ops.models.ads import AdCampaign, CampaignStatus
from accounts_ops.models.conversations import SavedReply
from accounts_ops.models.direction import AccountDirection
from accounts_ops.models.inbox import (
    AutoReplySettings,
    InboxMessage,
    OutboxReply,
    OutboxStatus,
    ReplyRule,
)
from accounts_ops.models.local import DealStatus, GroupBuyDeal, PoiLink, PoiStatus
from accounts_ops.models.pinned import BoostChannel, PinnedVideo
from accounts_ops.models.profile import ProfileChange, ProfileField
from accounts_ops.models.promotion import PromotionTarget, PromotionTask
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
