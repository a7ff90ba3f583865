"""Demo data: two agencies, a person of every role, clients with client people, accounts on
several platforms, videos and requirements, and each chapter app's demo rows (its ``demo.seed``).
Idempotent: running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import functools
import zlib
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts_ops import demo as accounts_ops_demo
from agency import twofactor
from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import tenant_context
from clients import services
from clients.models import Client, ClientRequirement, PlatformAccount, Service, Video, VideoOrigin
from evaluation import demo as evaluation_demo
from extensions import demo as extensions_demo
from platforms.demo import connect_demo_accounts
from production import demo as production_demo
from records import demo as records_demo

DEMO_PASSWORD = "demo-pass-2026"
# Agency admins must sign in with two steps (agency.twofactor): on the demo their authenticator has
# this published secret (RFC 6238's test key; base32 DEMO_TOTP_SECRET), so that anyone trying the
# demo can add it to an authenticator app, or print the current code with
# ``manage.py demo_totp USERNAME``. Only the demo's people have it.
DEMO_TOTP_KEY = b"12345678901234567890".hex()
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

AGENCIES = [
    {
        "slug": "xinghe",
        "name": "星河代运营",
        "language": "zh-hans",
        "clients": [
            {
                "name": "老街火锅",
                "kind": "retail",
                "industry": "餐饮",
                "city": "成都",
                "contact_name": "王老板",
                "services": Service.values,
                "accounts": [
                    ("douyin", "laojie_hotpot", "老街火锅官方", 186_000),
                    ("xiaohongshu", "laojiehotpot", "老街火锅", 42_000),
                    ("wechat_channels", "laojie-hotpot", "老街火锅视频号", 12_500),
                ],
            },
            {
                "name": "花间茶饮",
                "kind": "brand",
                "industry": "茶饮",
                "city": "杭州",
                "contact_name": "李经理",
                "services": ["video_production", "basic_operations", "advanced_operations", "advertising"],
                "accounts": [
                    ("douyin", "huajian_tea", "花间茶饮", 520_000),
                    ("kuaishou", "huajiantea", "花间茶饮快手", 88_000),
                ],
            },
            {
                "name": "云上家居",
                "kind": "distribution",
                "industry": "家居",
                "city": "佛山",
                "contact_name": "陈总",
                "services": ["video_production", "live_streaming"],
                "accounts": [("douyin", "yunshang_home", "云上家居直播间", 35_000)],
            },
        ],
    },
    {
        "slug": "bright-media",
        "name": "Bright Media",
        "language": "en",
        "clients": [
            {
                "name": "Harbor Coffee",
                "kind": "retail",
                "industry": "Coffee",
                "city": "Shenzhen",
                "contact_name": "Amy Lin",
                "services": ["video_production", "basic_operations", "local_life", "store_visits"],
                "accounts": [
                    ("tiktok", "harborcoffee", "Harbor Coffee", 64_000),
                    ("douyin", "harbor_coffee_sz", "港湾咖啡", 21_000),
                ],
            },
            {
                "name": "Lumen Skincare",
                "kind": "brand",
                "industry": "Beauty",
                "city": "Shanghai",
                "contact_name": "Grace Wu",
                "services": ["video_production", "advanced_operations", "account_valuation"],
                "accounts": [
                    ("xiaohongshu", "lumen_skin", "Lumen 光感护肤", 230_000),
                    ("bilibili", "lumenskin", "Lumen", 9_800),
                ],
            },
        ],
    },
]

# Each chapter app's demo rows, made through its services once the clients and people exist.
CHAPTER_DEMOS = [
    ("production", production_demo.seed),
    ("accounts_ops", accounts_ops_demo.seed),
    ("extensions", extensions_demo.seed),
    ("evaluation", evaluation_demo.seed),
    ("records", records_demo.seed),  # last: its monthly reports read the other chapters' data
]

STAFF = [
    ("admin", Role.AGENCY_ADMIN),
    ("manager", Role.ACCOUNT_MANAGER),
    ("producer", Role.PRODUCER),
    ("operator", Role.OPERATOR),
    ("live", Role.LIVE_TEAM),
    ("analyst", Role.ANALYST),
]


def demo_authenticator(user) -> None:
    """A demo admin's authenticator, with the published demo secret (``DEMO_TOTP_KEY``)."""
    if twofactor.totp_device(user) is None:
        TOTPDevice.objects.create(user=user, name=twofactor.DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True)


@functools.cache
def demo_password_hash() -> str:
    """The published demo password, hashed once: a hash costs the hasher's full work factor (about
    half a second), and every demo login shares the one password."""
    return make_password(DEMO_PASSWORD)


class Command(BaseCommand):
    help = "Create the demo agencies, people and data (idempotent) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-connect",
            action="store_true",
            help="leave the Douyin accounts unconnected (no platform simulator is started or called)",
        )

    def handle(self, *args, **options):
        self._seed()
        if options["no_connect"]:
            return
        # Outside the seeding's transaction: connecting calls the (simulated) platform, whose tokens
        # must never be rolled back (platforms.services.calls).
        made = connect_demo_accounts(Agency.objects.filter(slug__in=[spec["slug"] for spec in AGENCIES]))
        described = ", ".join(f"{count} {what}" for what, count in made.items() if count)
        self.stdout.write(f"  platforms: {described or 'nothing new (already connected, or no simulator configured)'}")

    @transaction.atomic
    def _seed(self):
        logins: list[tuple[str, str, str]] = []
        made = {app: Counter() for app, _seed in CHAPTER_DEMOS}
        for spec in AGENCIES:
            agency, _ = Agency.objects.get_or_create(
                slug=spec["slug"], defaults={"name": spec["name"], "language": spec["language"]}
            )
            with tenant_context(agency, channel="command"):
                clients = [self._client(agency, client_spec) for client_spec in spec["clients"]]
            people = {}
            for suffix, role in STAFF:
                username = f"{agency.slug.split('-')[0]}_{suffix}"
                people[role] = self._member(username, agency, role)
                logins.append((username, agency.name, role.label))
            demo_authenticator(people[Role.AGENCY_ADMIN])
            prefix = agency.slug.split("-")[0]
            first = clients[0]
            people[Role.CLIENT_VIEWER] = self._member(f"{prefix}_client_viewer", agency, Role.CLIENT_VIEWER, first)
            people[Role.CLIENT_APPROVER] = self._member(
                f"{prefix}_client_approver", agency, Role.CLIENT_APPROVER, first
            )
            logins.append((f"{prefix}_client_viewer", f"{agency.name} · {first.name}", Role.CLIENT_VIEWER.label))
            logins.append((f"{prefix}_client_approver", f"{agency.name} · {first.name}", Role.CLIENT_APPROVER.label))
            with tenant_context(agency, channel="command"):
                self._requirements(agency, first)
                for app, seed in CHAPTER_DEMOS:
                    made[app].update(seed(agency=agency, clients=clients, people=people))
        # One person in both agencies, to show the agency switcher.
        xinghe, bright = Agency.objects.get(slug="xinghe"), Agency.objects.get(slug="bright-media")
        self._member("multi_agency", xinghe, Role.ACCOUNT_MANAGER)
        self._member("multi_agency", bright, Role.ANALYST)
        logins.append(("multi_agency", "星河代运营 + Bright Media", "Account manager / Analyst"))

        self.stdout.write("Chapter demo data made this run:")
        for app, counts in made.items():
            described = ", ".join(f"{count} {what}" for what, count in counts.items() if count)
            self.stdout.write(f"  {app}: {described or 'nothing new (already seeded)'}")
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/ with:"))
        self.stdout.write(f"  password for every demo login: {DEMO_PASSWORD}")
        self.stdout.write(
            f"  agency admins also give a code: authenticator secret {DEMO_TOTP_SECRET}, "
            "or `python manage.py demo_totp USERNAME` prints the current one"
        )
        for username, where, role in logins:
            self.stdout.write(f"  {username:<24} {role:<22} {where}")

    def _member(self, username: str, agency: Agency, role: str, client: Client | None = None):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.password = demo_password_hash()
            user.save()
        Membership.objects.get_or_create(user=user, agency=agency, defaults={"role": role, "client": client})
        return user

    def _client(self, agency: Agency, spec: dict) -> Client:
        today = agency.today()
        client, _ = Client.objects.get_or_create(
            name=spec["name"],
            defaults={
                "kind": spec["kind"],
                "industry": spec["industry"],
                "city": spec["city"],
                "contact_name": spec["contact_name"],
                "services": list(spec["services"]),
                "contract_start": today.replace(month=1, day=1),
                "contract_end": today.replace(month=12, day=31),
            },
        )
        for index, (platform, handle, nickname, followers) in enumerate(spec["accounts"]):
            account, _ = PlatformAccount.objects.get_or_create(
                platform=platform,
                handle=handle,
                defaults={
                    "client": client,
                    "nickname": nickname,
                    "followers": followers,
                    "platform_uid": f"{platform[:2]}{zlib.crc32(handle.encode()) % 10**9}",
                    "followers_updated_at": timezone.now(),
                },
            )
            for n in range(1, 4):
                Video.objects.get_or_create(
                    account=account,
                    platform_item_id=f"{handle}-{n:03d}",
                    defaults={
                        "client": client,
                        "title": f"{nickname} #{n}",
                        "url": f"https://example.com/{platform}/{handle}/{n}",
                        "published_at": timezone.now() - dt.timedelta(days=n * 3 + index),
                        "duration_seconds": 15 + n * 7,
                        "origin": VideoOrigin.PRODUCED if n % 2 else VideoOrigin.IMPORTED,
                    },
                )
        return client

    def _requirements(self, agency: Agency, client: Client) -> None:
        if ClientRequirement.objects.filter(client=client).exists():
            return
        manager = Membership.objects.filter(agency=agency, role=Role.ACCOUNT_MANAGER).select_related("user").first()
        actor = manager.as_actor()
        today = agency.today()
        now = timezone.now()
        open_one = services.requirement_raise(
            actor=actor,
            client=client,
            title="周末套餐视频",
            text="希望每周五发布一条周末套餐短视频。",
            raised_by_name=client.contact_name,
            raised_at=now - dt.timedelta(days=1),
        )
        accepted = services.requirement_raise(
            actor=actor,
            client=client,
            title="门店新装修展示",
            text="拍摄新装修的门店环境，突出包间。",
            raised_by_name=client.contact_name,
            raised_at=now - dt.timedelta(days=5),
        )
        services.requirement_accept(actor=actor, requirement=accepted, due_date=today + dt.timedelta(days=10))
        done = services.requirement_raise(
            actor=actor,
            client=client,
            title="置顶视频更换",
            text="把春节活动视频换成新品视频置顶。",
            raised_by_name=client.contact_name,
            raised_at=now - dt.timedelta(days=12),
        )
        services.requirement_accept(actor=actor, requirement=done, due_date=today + dt.timedelta(days=1))
        services.requirement_fulfil(actor=actor, requirement=done, note="已更换置顶视频并发布。")
        declined = services.requirement_raise(
            actor=actor,
            client=client,
            title="购买粉丝",
            text="能否直接购买一万粉丝？",
            raised_by_name=client.contact_name,
            raised_at=now - dt.timedelta(days=3),
        )
        services.requirement_decline(
            actor=actor, requirement=declined, reason="违反平台规则，可能导致限流或封号；建议改为 DOU+ 投放。"
        )
        assert open_one.pk
