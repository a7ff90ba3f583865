"""Demo data of chapter 8 (extension services), made by ``manage.py seed_demo`` through
``extensions.services`` (and, for the rows without rules of their own, the pages' forms).

- 8.1 for the clients who bought live streaming: a finished session, fully staffed, with its
  products, run sheet and recorded results; and a planned one still missing two roles, so its
  start gate shows what is missing;
- 8.2 the agency's influencer registry, with influencers inside and outside the follower range,
  and for the clients who bought store visits a campaign with one influencer's visit posted and
  its results read, and another invited;
- 8.3 for the clients who bought account valuation: an adverse event and a valuation of the main
  account from metrics entered with their source.

Idempotent: rows are looked up by their natural keys (session theme, influencer handle, campaign
title, the account's events and valuations) and left alone when they exist.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import Actor, tenant_context
from clients.models import AccountStatus, Client, ClientStatus, PlatformAccount, Service
from extensions.forms.visits import InfluencerForm, StoreVisitCampaignForm
from extensions.models import (
    AccountValuation,
    AdverseEvent,
    AdverseEventKind,
    BookingStatus,
    Deliverable,
    Influencer,
    LiveRole,
    LiveSession,
    SegmentKind,
    Severity,
    StoreVisitCampaign,
    StylePositioning,
)
from extensions.selectors.valuation import (
    METRIC_DAILY_ACTIVE_FANS,
    METRIC_ENGAGEMENT_RATE,
    METRIC_RETURNING_VIEWER_SHARE,
)
from extensions.selectors.valuation_inputs import EnteredValue
from extensions.services.live import (
    live_product_add,
    live_result_record,
    live_session_end,
    live_session_plan,
    live_session_start,
    live_team_assign,
    run_sheet_segment_add,
)
from extensions.services.valuation import account_valuation_create, adverse_event_record
from extensions.services.visits import store_visit_advance, store_visit_book, store_visit_record_results

# --- content -------------------------------------------------------------------------------------

LIVE: dict[str, dict] = {
    "老街火锅": {
        "ended": {
            "theme": "周末团购专场：双人套餐直播间专享价",
            "days_ago": 3,
            "start": dt.time(19, 0),
            "minutes": 180,
            "goal_gmv": Decimal("150000.00"),
            "goal_viewers": 40_000,
            "host": "主播 小雨（签约主播）",
            "products": [
                ("双人牛油火锅套餐券", Decimal("158.00"), 800, Decimal("8.00")),
                ("四人聚餐套餐券", Decimal("288.00"), 300, Decimal("8.00")),
                ("招牌毛肚拼盘券", Decimal("39.90"), 1000, Decimal("10.00")),
            ],
            "segments": [
                (SegmentKind.WARM_UP, "开场暖场，介绍老街火锅", 0, 10, None),
                (SegmentKind.PRODUCT_SLOT, "双人套餐讲解 + 上链接", 10, 35, 0),
                (SegmentKind.GIVEAWAY, "福袋：免单券 5 张", 45, 10, None),
                (SegmentKind.PRODUCT_SLOT, "四人聚餐套餐", 55, 35, 1),
                (SegmentKind.INTERACTION, "后厨探访，现场炒锅底", 90, 30, None),
                (SegmentKind.PRODUCT_SLOT, "毛肚拼盘返场", 120, 40, 2),
                (SegmentKind.CLOSE, "下期预告，引导关注", 160, 20, None),
            ],
            "result": {
                "peak_concurrent_viewers": 3_200,
                "average_concurrent_viewers": 1_150,
                "total_viewers": 48_000,
                "views": 61_500,
                "average_watch_seconds": 96,
                "comments": 5_600,
                "new_followers": 2_100,
                "orders": 1_320,
                "gmv": Decimal("158400.00"),
                "refund_orders": 36,
                "refund_amount": Decimal("4320.00"),
                "review": "GMV 达成目标的 106%。福袋环节在线人数最高；"
                "四人套餐讲解偏长，下次压缩到 25 分钟，并提前备好后厨机位。",
            },
        },
    },
    "云上家居": {
        "planned": {
            "theme": "冬季新品沙发专场",
            "days_ahead": 5,
            "start": dt.time(20, 0),
            "minutes": 150,
            "goal_gmv": Decimal("200000.00"),
            "goal_viewers": 50_000,
            "host": "主播 阿杰（云上家居店长）",
            "products": [
                ("奶油风布艺沙发 三人位", Decimal("2999.00"), 60, Decimal("12.00")),
                ("科技布小户型沙发", Decimal("1899.00"), 80, Decimal("12.00")),
            ],
            "segments": [
                (SegmentKind.WARM_UP, "开场：小户型选沙发三要点", 0, 15, None),
                (SegmentKind.PRODUCT_SLOT, "奶油风三人位", 15, 40, 0),
                (SegmentKind.PRODUCT_SLOT, "科技布小户型沙发", 55, 40, 1),
            ],
        },
    },
}

# (platform, handle, nickname, followers, days since read, category, city, fee per video)
INFLUENCERS: dict[str, list[tuple]] = {
    "zh": [
        ("douyin", "chengdu_chihuo", "成都吃货阿毛", 860_000, 5, "美食探店", "成都", "6000.00"),
        ("douyin", "shudi_xiaomei", "蜀地小美", 128_000, 12, "美食探店", "成都", "1800.00"),
        ("douyin", "tea_time_lily", "Lily 的下午茶", 45_000, 20, "茶饮", "杭州", "800.00"),
        ("douyin", "meishi_xiaobai", "美食小白", 8_200, 3, "美食", "成都", "200.00"),
        ("douyin", "quanguo_chihuo_wang", "全国吃货王", 7_300_000, 9, "美食", "北京", "80000.00"),
    ],
    "en": [
        ("tiktok", "sz_food_diary", "SZ Food Diary", 240_000, 6, "Food", "Shenzhen", "2500.00"),
        ("tiktok", "coffee_with_kai", "Coffee with Kai", 58_000, 14, "Coffee", "Shenzhen", "900.00"),
        ("tiktok", "shekou_weekends", "Shekou Weekends", 12_500, 4, "Lifestyle", "Shenzhen", "300.00"),
        ("tiktok", "asia_eats_global", "Asia Eats", 6_100_000, 8, "Food", "Singapore", "60000.00"),
    ],
}

VISITS: dict[str, dict] = {
    "老街火锅": {
        "title": "冬季新店探店季",
        "store": ("老街火锅（总店）", "成都市锦江区老街 88 号", "poi-cd-laojie-088"),
        "days_ago": 6,
        "window": ("14:00", "17:00"),
        "deliverables": [Deliverable.VIDEO, Deliverable.PHOTO_POST],
        "rights": "客户可在自有账号转发视频 6 个月，不得用于付费广告。",
        "budget": "12000.00",
        "posted": (
            "shudi_xiaomei",
            "1800.00",
            {"plays": 186_000, "likes": 9_400, "comments": 620, "shares": 310, "coupon_redemptions": 240},
        ),
        "invited": ("chengdu_chihuo", "6000.00"),
        "notes": "探店视频需带门店 POI 和团购链接。",
    },
    "Harbor Coffee": {
        "title": "Autumn slow-bar visits",
        "store": ("Harbor Coffee (Shekou)", "21 Taizi Road, Shekou, Shenzhen", "poi-sz-harbor-021"),
        "days_ago": 6,
        "window": ("09:00", "11:30"),
        "deliverables": [Deliverable.VIDEO],
        "rights": "The client may repost the video on its own accounts for 6 months; no paid ads.",
        "budget": "5000.00",
        "posted": (
            "coffee_with_kai",
            "900.00",
            {"plays": 64_000, "likes": 3_900, "comments": 210, "shares": 95, "coupon_redemptions": 88},
        ),
        "invited": ("sz_food_diary", "2500.00"),
        "notes": "Tag the store's POI and the two-drink voucher.",
    },
}

VALUATIONS: dict[str, dict] = {
    "老街火锅": {
        "event": (
            AdverseEventKind.TRAFFIC_LIMIT,
            Severity.MINOR,
            40,
            33,
            "一条视频因背景音乐版权被限流 7 天，已更换音乐并申诉恢复。",
        ),
        "style": StylePositioning.DISTINCT,
        "style_note": "“老街烟火气”风格统一，评论区常被认出。",
        "entered": {
            METRIC_DAILY_ACTIVE_FANS: ("5200", "抖音创作者中心：近 30 天日均活跃粉丝"),
            METRIC_ENGAGEMENT_RATE: ("0.062", "抖音创作者中心：近 30 天互动率"),
            METRIC_RETURNING_VIEWER_SHARE: ("0.34", "巨量算数：近 30 天回访观众占比"),
        },
        "other": ("1.05", "团购核销稳定，账号带货能力强。"),
        "notes": "年度续约前的账号价值评估。",
    },
    "Lumen Skincare": {
        "event": (
            AdverseEventKind.VIOLATION,
            Severity.MAJOR,
            75,
            60,
            "A post was taken down for an unsupported 'whitening' claim; captions were reviewed and corrected.",
        ),
        "style": StylePositioning.CLEAR,
        "style_note": "Consistent ingredient-led voice, like several other brands.",
        "entered": {
            METRIC_DAILY_ACTIVE_FANS: ("9800", "Xiaohongshu Pro dashboard, 30-day average of daily active fans"),
            METRIC_ENGAGEMENT_RATE: ("0.041", "Xiaohongshu Pro dashboard, 30-day engagement rate"),
            METRIC_RETURNING_VIEWER_SHARE: ("0.27", "Xiaohongshu Pro dashboard, returning readers, 30 days"),
        },
        "other": ("1", ""),
        "notes": "Requested by the client before its brand review.",
    },
}


# --- helpers -------------------------------------------------------------------------------------


def _actor(agency: Agency, user) -> Actor:
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


def _as(actor: Actor):
    return tenant_context(actor.agency, actor=actor, channel="command")


def _local(agency: Agency, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=agency.tz)


def _main_account(client: Client) -> PlatformAccount | None:
    return (
        PlatformAccount.objects.filter(client=client, status=AccountStatus.ACTIVE).order_by("-followers", "pk").first()
    )


def _form_save(form_class, data: dict, actor: Actor):
    """Save through the page's form, so the row is checked as the page checks it."""
    form = form_class(data=data, actor=actor)
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    return form.save()


# --- 8.1 ------------------------------------------------------------------------------------------


def _plan_session(agency, account, spec, start: dt.datetime, live: Actor, made: Counter) -> LiveSession:
    session = live_session_plan(
        actor=live,
        account=account,
        theme=spec["theme"],
        planned_start=start,
        planned_end=start + dt.timedelta(minutes=spec["minutes"]),
        goal_gmv=spec["goal_gmv"],
        goal_viewers=spec["goal_viewers"],
    )
    made["live sessions"] += 1
    return session


def _team(session, roles: dict, live: Actor, host: str, made: Counter) -> None:
    live_team_assign(actor=live, session=session, role=LiveRole.HOST, external_name=host)
    made["live team members"] += 1
    for role, person in roles.items():
        live_team_assign(actor=live, session=session, role=role, person=person)
        made["live team members"] += 1


def _products_and_run_sheet(session, spec, selector, live: Actor, made: Counter) -> None:
    products = [
        live_product_add(
            actor=live,
            session=session,
            name=name,
            price=price,
            stock=stock,
            commission_rate=commission,
            selected_by=selector,
        )
        for name, price, stock, commission in spec["products"]
    ]
    made["live products"] += len(products)
    for kind, title, start_minute, duration, product in spec["segments"]:
        run_sheet_segment_add(
            actor=live,
            session=session,
            kind=kind,
            title=title,
            start_minute=start_minute,
            duration_minutes=duration,
            product=products[product] if product is not None else None,
        )


def _live(agency, client, people, today, made) -> None:
    spec = LIVE.get(client.name)
    account = _main_account(client)
    if spec is None or account is None:
        return
    live = _actor(agency, people[Role.LIVE_TEAM])
    full_team = {
        LiveRole.HOST_ASSISTANT: people[Role.OPERATOR],
        LiveRole.PRODUCT_SELECTOR: people[Role.ACCOUNT_MANAGER],
        LiveRole.TRANSITION_ASSISTANT: people[Role.PRODUCER],
        LiveRole.FIELD_CONTROLLER: people[Role.LIVE_TEAM],
    }
    ended = spec.get("ended")
    if ended and not LiveSession.objects.filter(client=client, theme=ended["theme"]).exists():
        start = _local(agency, today - dt.timedelta(days=ended["days_ago"]), ended["start"])
        session = _plan_session(agency, account, ended, start, live, made)
        _team(session, full_team, live, ended["host"], made)
        _products_and_run_sheet(session, ended, people[Role.ACCOUNT_MANAGER], live, made)
        live_session_start(actor=live, session=session, started_at=start + dt.timedelta(minutes=1))
        live_session_end(actor=live, session=session, ended_at=start + dt.timedelta(minutes=ended["minutes"] + 4))
        live_result_record(actor=live, session=session, **ended["result"])
        made["live results"] += 1
    planned = spec.get("planned")
    if planned and not LiveSession.objects.filter(client=client, theme=planned["theme"]).exists():
        start = _local(agency, today + dt.timedelta(days=planned["days_ahead"]), planned["start"])
        session = _plan_session(agency, account, planned, start, live, made)
        # Host assistant and transition assistant are still to be found: the start gate names them.
        partial = {
            LiveRole.PRODUCT_SELECTOR: people[Role.OPERATOR],
            LiveRole.FIELD_CONTROLLER: people[Role.LIVE_TEAM],
        }
        _team(session, partial, live, planned["host"], made)
        _products_and_run_sheet(session, planned, people[Role.OPERATOR], live, made)


# --- 8.2 ------------------------------------------------------------------------------------------


def _influencers(agency, manager: Actor, today, made) -> None:
    lang = "zh" if agency.language.startswith("zh") else "en"
    for platform, handle, nickname, followers, age, category, city, fee in INFLUENCERS[lang]:
        if Influencer.objects.filter(platform=platform, handle=handle).exists():
            continue
        _form_save(
            InfluencerForm,
            {
                "platform": platform,
                "handle": handle,
                "nickname": nickname,
                "followers": str(followers),
                "followers_read_on": (today - dt.timedelta(days=age)).isoformat(),
                "category": category,
                "city": city,
                "fee_per_video": fee,
                "is_active": "on",
            },
            manager,
        )
        made["influencers"] += 1


def _store_visits(agency, client, manager: Actor, today, made) -> None:
    spec = VISITS.get(client.name)
    if spec is None or StoreVisitCampaign.objects.filter(client=client, title=spec["title"]).exists():
        return
    account = _main_account(client)
    store_name, address, poi_id = spec["store"]
    visit_date = today - dt.timedelta(days=spec["days_ago"])
    campaign = _form_save(
        StoreVisitCampaignForm,
        {
            "client": str(client.pk),
            "account": str(account.pk) if account else "",
            "title": spec["title"],
            "store_name": store_name,
            "store_address": address,
            "poi_id": poi_id,
            "visit_date": visit_date.isoformat(),
            "window_start": spec["window"][0],
            "window_end": spec["window"][1],
            "deliverables": list(spec["deliverables"]),
            "rights": spec["rights"],
            "budget": spec["budget"],
            "notes": spec["notes"],
        },
        manager,
    )
    made["store-visit campaigns"] += 1
    handle, fee, results = spec["posted"]
    booking = store_visit_book(
        actor=manager, campaign=campaign, influencer=Influencer.objects.get(handle=handle), fee=Decimal(fee)
    )
    made["bookings"] += 1
    now = timezone.now()
    visited = _local(agency, visit_date, dt.time.fromisoformat(spec["window"][0])) + dt.timedelta(minutes=40)
    steps = [
        (BookingStatus.CONFIRMED, visited - dt.timedelta(days=4), ""),
        (BookingStatus.VISITED, visited, ""),
        (BookingStatus.POSTED, visited + dt.timedelta(days=2), f"https://example.com/{handle}/store-visit"),
    ]
    for status, at, url in steps:
        store_visit_advance(actor=manager, booking=booking, status=status, video_url=url, at=min(at, now))
    store_visit_record_results(actor=manager, booking=booking, **results)
    handle, fee = spec["invited"]
    store_visit_book(
        actor=manager, campaign=campaign, influencer=Influencer.objects.get(handle=handle), fee=Decimal(fee)
    )
    made["bookings"] += 1


# --- 8.3 ------------------------------------------------------------------------------------------


def _valuation(agency, client, manager: Actor, today, made) -> None:
    spec = VALUATIONS.get(client.name)
    account = _main_account(client)
    if spec is None or account is None:
        return
    if not AdverseEvent.objects.filter(account=account).exists():
        kind, severity, occurred_ago, resolved_ago, description = spec["event"]
        adverse_event_record(
            actor=manager,
            account=account,
            kind=kind,
            severity=severity,
            occurred_on=today - dt.timedelta(days=occurred_ago),
            resolved_on=today - dt.timedelta(days=resolved_ago),
            description=description,
        )
        made["adverse events"] += 1
    if AccountValuation.objects.filter(account=account).exists():
        return
    other, other_note = spec["other"]
    account_valuation_create(
        actor=manager,
        account=account,
        style=spec["style"],
        style_note=spec["style_note"],
        valued_on=today,
        entered={
            name: EnteredValue(value=Decimal(value), note=note) for name, (value, note) in spec["entered"].items()
        },
        other_multiplier=Decimal(other),
        other_note=other_note,
        notes=spec["notes"],
    )
    made["valuations"] += 1


def seed(*, agency: Agency, clients: list[Client], people: dict) -> Counter:
    """Make the chapter 8 demo rows of ``agency``'s clients (idempotent); returns what was made."""
    made: Counter = Counter()
    today = agency.today()
    manager = _actor(agency, people[Role.ACCOUNT_MANAGER])
    live = _actor(agency, people[Role.LIVE_TEAM])
    with translation.override(agency.language):
        active = [client for client in clients if client.status == ClientStatus.ACTIVE]
        for client in active:
            if Service.LIVE_STREAMING in client.services:
                with _as(live):
                    _live(agency, client, people, today, made)
        if any(Service.STORE_VISITS in client.services for client in active):
            with _as(manager):
                _influencers(agency, manager, today, made)
        for client in active:
            if Service.STORE_VISITS in client.services:
                with _as(manager):
                    _store_visits(agency, client, manager, today, made)
            if Service.ACCOUNT_VALUATION in client.services:
                with _as(manager):
                    _valuation(agency, client, manager, today, made)
    return made
