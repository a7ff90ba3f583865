"""The simulated platform's state: app credentials, accounts and their generated data, codes and
tokens, rate-limit windows, faults to inject, the clock, and what was delivered.

Everything a request reads or writes goes through one ``World`` under its lock. Generated data is
deterministic: an account's videos, comments and daily figures come from a random generator seeded
with the account's seed (its ``open_id`` unless given), and a day's figures from that seed and the
date, so two runs of the simulator answer the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import secrets
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field

CHINA = dt.timezone(dt.timedelta(hours=8))
DAY = 86400
LOG_MAX = 10_000  # calls and webhook deliveries remembered for the control endpoints
EPOCH = dt.date(2020, 1, 1)  # daily totals are counted from here, so a day's figures never depend on "today"


@dataclass
class Config:
    client_key: str = "sim-douyin-app"
    client_secret: str = "sim-douyin-secret"
    tiktok_client_key: str = "sim-tiktok-app"
    tiktok_client_secret: str = "sim-tiktok-secret"
    access_lifetime: int = 15 * DAY  # documented: access_token 15 days
    refresh_lifetime: int = 30 * DAY  # documented: refresh_token 30 days
    code_lifetime: int = 600  # an authorisation code is short-lived and single-use
    renew_limit: int = 5  # documented: at most 5 renewals of a refresh token
    rate_limit: int = 100  # calls per token per endpoint per window
    rate_window: int = 60  # seconds
    review_delay: int = 30  # seconds a created video stays "reviewing"
    # The app's one webhook address, as set in Douyin's developer console: events of an account with
    # no address of its own go there, signed with the app's secret (sha1 of secret + body).
    webhook_url: str = ""
    banned_words: list = field(default_factory=lambda: ["违禁词"])
    min_part_size: int = 5 * 1024 * 1024  # documented: parts of at least 5 MB (the last may be smaller)
    max_single_upload: int = 128 * 1024 * 1024  # documented: over 128 MB must be uploaded in parts
    page_max: int = 50  # the largest page ``count`` accepted
    videos_per_account: int = 12


DEFAULT_ACCOUNTS = (
    {"open_id": "sim-open-0001", "nickname": "川味小厨房", "handle": "chuanwei_kitchen"},
    {"open_id": "sim-open-0002", "nickname": "城市穿搭日记", "handle": "city_outfit"},
    {"open_id": "sim-open-0003", "nickname": "萌宠研究所", "handle": "pet_lab"},
)

TITLES = ("家常做法", "三分钟学会", "周末探店", "新品开箱", "粉丝问答", "幕后花絮", "一日vlog", "避坑指南")
COMMENT_TEXTS = ("太好看了", "求链接", "在哪里买", "学到了", "下次还来", "价格多少", "已关注", "好吃！")
REPLY_TEXTS = ("谢谢支持", "私信你了", "主页有链接", "马上安排")
NICKNAMES = ("小王", "阿花", "吃货一枚", "路人甲", "momo", "大橙子", "夏天", "阿杰")
PROVINCES = ("广东", "四川", "浙江", "江苏", "北京", "上海", "山东", "河南")
DEVICES = ("苹果", "华为", "小米", "OPPO", "vivo")
INTERESTS = ("美食", "旅行", "生活", "时尚", "萌宠", "科技")
AGES = ("1-23", "24-30", "31-40", "41-50", "50-")
ACTIVE_DAYS = ("0~4", "5~8", "9~12", "13~16", "17~20", "20+")


def seed_rng(*parts) -> random.Random:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


def new_token(prefix: str) -> str:
    return f"{prefix}.{secrets.token_hex(20)}"


class SimError(Exception):
    """A documented error answer: ``{"data": {"error_code": code, "description": ...}}``."""

    def __init__(self, code: int, description: str, *, headers: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.headers = headers or {}


@dataclass
class Account:
    open_id: str
    nickname: str
    handle: str = ""
    seed: str = ""
    avatar: str = ""
    created_day: str = ""  # the simulator's date when the account was made; generated videos are older
    videos: list = field(default_factory=list)  # dicts, newest first
    comments: dict = field(default_factory=dict)  # item_id → list of comment dicts (top level and replies)
    messages: list = field(default_factory=list)  # received and sent private messages
    webhook_url: str = ""
    webhook_secret: str = ""

    def public(self) -> dict:
        return {"open_id": self.open_id, "nickname": self.nickname, "handle": self.handle, "seed": self.seed}


@dataclass
class Fault:
    path: str  # the endpoint's path under the platform prefix, e.g. "/item/comment/reply/"
    kind: str  # status | timeout | garbage | wrong_type | error_code
    count: int = 1
    status: int = 500
    seconds: float = 5.0
    code: int = 0
    description: str = ""
    field: str = ""  # wrong_type: a dotted path inside "data"
    after: bool = False  # apply after the request was carried out (the answer is lost, the write is done)


class World:
    """All the simulator's state, behind one lock."""

    def __init__(self, config: Config | None = None) -> None:
        self.lock = threading.RLock()
        self.reset(config)

    # --- lifecycle ------------------------------------------------------------------------------

    def reset(self, config: Config | None = None) -> None:
        with self.lock:
            self.config = config or Config()
            self.offset = 0.0
            self.accounts: dict[str, Account] = {}
            self.codes: dict[str, dict] = {}
            self.access: dict[str, dict] = {}
            self.refresh: dict[str, dict] = {}
            self.revoked: set[str] = set()
            self.windows: dict[tuple[str, str], list] = {}
            self.faults: list[Fault] = []
            self.uploads: dict[str, dict] = {}
            self.uploaded: dict[str, dict] = {}  # video_id → {"open_id", "size"}
            self.calls: deque[dict] = deque(maxlen=LOG_MAX)  # the latest platform calls
            self.webhook_log: deque[dict] = deque(maxlen=LOG_MAX)
            self.counter = 0
            self.extra: dict[str, dict] = {}  # each further platform's own state, by platform
            for spec in DEFAULT_ACCOUNTS:
                self.create_account(**spec)

    def configure(self, values: dict) -> dict:
        with self.lock:
            known = asdict(self.config)
            for key, value in values.items():
                if key not in known:
                    raise ValueError(f"Unknown setting {key!r}; known: {', '.join(sorted(known))}.")
                expected = type(known[key])
                if expected is int and isinstance(value, bool) or not isinstance(value, expected):
                    raise ValueError(f"Setting {key!r} must be a {expected.__name__}.")
                setattr(self.config, key, value)
            return asdict(self.config)

    # --- the clock: real time plus an offset tests can move -------------------------------------

    def now(self) -> float:
        return time.time() + self.offset

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.now(), CHINA).date()

    def advance(self, seconds: float) -> float:
        with self.lock:
            self.offset += seconds
            return self.now()

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self.counter += 1
            return f"{prefix}{self.counter:06d}"

    # --- accounts and their generated data ------------------------------------------------------

    def create_account(self, open_id: str, nickname: str = "", handle: str = "", seed: str = "") -> Account:
        if not isinstance(open_id, str) or not open_id.strip():
            raise ValueError("open_id is required, as a non-empty string.")
        with self.lock:
            account = Account(
                open_id=open_id.strip(),
                nickname=nickname or f"模拟账号{open_id[-4:]}",
                handle=handle,
                seed=seed or open_id.strip(),
                avatar=f"https://sim.invalid/avatar/{open_id.strip()}.png",
                created_day=self.today().isoformat(),
            )
            self._generate(account)
            self.accounts[account.open_id] = account
            return account

    def account(self, open_id: str) -> Account:
        account = self.accounts.get(open_id)
        if account is None:
            raise KeyError(open_id)
        return account

    def _generate(self, account: Account) -> None:
        rng = seed_rng(account.seed, "videos")
        created = dt.date.fromisoformat(account.created_day)
        base = dt.datetime.combine(created, dt.time(0, 0), CHINA).timestamp()  # generated data is all in the past
        tag = hashlib.sha256(account.seed.encode()).hexdigest()[:10]
        for index in range(self.config.videos_per_account):
            item_id = f"@sim{tag}{index:04d}"
            video = {
                "item_id": item_id,
                "title": f"{rng.choice(TITLES)} 第{index + 1}期 #{rng.choice(INTERESTS)}",
                "create_time": int(base - (index * 2 + 1) * DAY - rng.randint(0, 36000)),
                "share_url": f"https://www.iesdouyin.com/share/video/{tag}{index:04d}/",
                "cover": f"https://sim.invalid/cover/{tag}{index:04d}.jpg",
                "play_count": rng.randint(500, 200000),
                "digg_count": rng.randint(10, 20000),
                "comment_count": 0,
                "share_count": rng.randint(0, 3000),
                "download_count": rng.randint(0, 500),
                "forward_count": rng.randint(0, 800),
                "is_top": index == 0,
                "review_until": 0,
                "refused": False,
                "video_id": "",
                "poi_id": "",
            }
            comments = []
            for number in range(rng.randint(0, 7)):
                comment_id = f"{item_id}-c{number:03d}"
                posted = min(video["create_time"] + rng.randint(60, 3 * DAY), int(base) - 4 * 3600)
                replies = []
                for reply_number in range(rng.randint(0, 3)):
                    from_account = rng.random() < 0.5
                    replies.append(
                        {
                            "comment_id": f"{comment_id}-r{reply_number:02d}",
                            "parent": comment_id,
                            "content": rng.choice(REPLY_TEXTS) if from_account else rng.choice(COMMENT_TEXTS),
                            "create_time": min(posted + (reply_number + 1) * rng.randint(60, 3600), int(base) - 60),
                            "digg_count": rng.randint(0, 50),
                            "comment_user_id": account.open_id if from_account else f"fan-{rng.randint(1, 99999)}",
                            "nick_name": account.nickname if from_account else rng.choice(NICKNAMES),
                            "top": False,
                        }
                    )
                comments.append(
                    {
                        "comment_id": comment_id,
                        "parent": "",
                        "content": rng.choice(COMMENT_TEXTS),
                        "create_time": posted,
                        "digg_count": rng.randint(0, 500),
                        "comment_user_id": f"fan-{rng.randint(1, 99999)}",
                        "nick_name": rng.choice(NICKNAMES),
                        "top": False,
                    }
                )
                comments.extend(replies)
            account.comments[item_id] = comments
            video["comment_count"] = len(comments)
            account.videos.append(video)

    def day_figures(self, account: Account, day: dt.date) -> dict:
        """A day's figures: the same for the same seed and date, whatever the run."""

        def total_fans(d: dt.date) -> int:
            jitter = seed_rng(account.seed, "fans", d.isoformat()).randint(0, 30)
            return 1000 + 40 * (d - EPOCH).days + jitter

        rng = seed_rng(account.seed, "day", day.isoformat())
        return {
            "date": day.isoformat(),
            "total_fans": total_fans(day),
            "new_fans": total_fans(day) - total_fans(day - dt.timedelta(days=1)),
            "new_play": rng.randint(1000, 50000),
            "new_issue": rng.randint(0, 2),
            "total_issue": self.config.videos_per_account,
            "new_like": rng.randint(50, 5000),
            "new_comment": rng.randint(0, 400),
            "new_share": rng.randint(0, 300),
            "profile_uv": rng.randint(20, 3000),
        }

    def portrait(self, account: Account) -> dict:
        rng = seed_rng(account.seed, "portrait")

        def spread(keys) -> list:
            return [{"item": key, "value": rng.randint(1, 1000)} for key in keys]

        today = self.today() - dt.timedelta(days=1)
        return {
            "all_fans_num": self.day_figures(account, today)["total_fans"],
            "gender_distributions": spread(("1", "2")),
            "age_distributions": spread(AGES),
            "geographical_distributions": spread(PROVINCES),
            "device_distributions": spread(DEVICES),
            "interest_distributions": spread(INTERESTS),
            "active_days_distributions": spread(ACTIVE_DAYS),
            "flow_contributions": [
                {"flow": flow, "all_sum": rng.randint(1000, 90000), "fans_sum": rng.randint(100, 9000)}
                for flow in ("vv", "like_cnt", "comment_cnt", "share_video_cnt")
            ],
        }

    def video_status(self, video: dict) -> int:
        """Documented ``video_status``: 1 published, 2 not fit to be public, 4 under review."""
        if video["review_until"] and self.now() < video["review_until"]:
            return 4
        return 2 if video["refused"] else 1

    def banned(self, text: str) -> bool:
        return any(word and word in text for word in self.config.banned_words)

    # --- codes and tokens -----------------------------------------------------------------------

    def issue_code(self, open_id: str, scopes: list[str], redirect_uri: str) -> str:
        with self.lock:
            self.account(open_id)
            code = secrets.token_hex(16)
            self.codes[code] = {
                "open_id": open_id,
                "scopes": scopes,
                "redirect_uri": redirect_uri,
                "expires_at": self.now() + self.config.code_lifetime,
                "used": False,
            }
            self.revoked.discard(open_id)  # authorising again gives the authorisation back
            return code

    def grant(self, open_id: str, scopes: list[str]) -> dict:
        now = self.now()
        access = new_token("act")
        refresh = new_token("rft")
        self.access[access] = {"open_id": open_id, "scopes": scopes, "expires_at": now + self.config.access_lifetime}
        self.refresh[refresh] = {
            "open_id": open_id,
            "scopes": scopes,
            "expires_at": now + self.config.refresh_lifetime,
            "renewals": 0,
            "valid": True,
        }
        return {"access_token": access, "refresh_token": refresh}

    def check_access(self, token: str, open_id: str, *, new_codes: bool) -> dict:
        """The token's grant; the documented error otherwise (the newer endpoints answer the
        newer codes)."""
        grant = self.access.get(token or "")
        if grant is None or grant["open_id"] in self.revoked:
            raise SimError(28001003 if new_codes else 2190002, "access_token无效")
        if self.now() >= grant["expires_at"]:
            raise SimError(28001008 if new_codes else 2190008, "access_token过期")
        if open_id and open_id != grant["open_id"]:
            raise SimError(28001015, "请求参数access_token与open_id不匹配")
        return grant

    def expire_tokens(self, open_id: str, *, refresh: bool = False) -> int:
        with self.lock:
            count = 0
            for grant in self.access.values():
                if grant["open_id"] == open_id and grant["expires_at"] > self.now():
                    grant["expires_at"] = self.now() - 1
                    count += 1
            if refresh:
                for grant in self.refresh.values():
                    if grant["open_id"] == open_id:
                        grant["expires_at"] = self.now() - 1
            return count

    def revoke(self, open_id: str) -> None:
        with self.lock:
            self.account(open_id)
            self.revoked.add(open_id)
            for grant in self.refresh.values():
                if grant["open_id"] == open_id:
                    grant["valid"] = False

    # --- rate limits and faults -----------------------------------------------------------------

    def count_call(self, token: str, path: str) -> None:
        """Counts a call of ``path`` with ``token`` in its fixed window; over the limit, the
        documented "请求频率过高" (with the seconds left in the window as ``Retry-After``)."""
        with self.lock:
            now = self.now()
            window = self.windows.get((token, path))
            if window is None or now >= window[0] + self.config.rate_window:
                window = [now, 0]
                self.windows[(token, path)] = window
            window[1] += 1
            if window[1] > self.config.rate_limit:
                left = max(1, int(window[0] + self.config.rate_window - now + 0.999))
                raise SimError(28003018, "请求频率过高", headers={"Retry-After": str(left)})

    def add_fault(self, spec: dict) -> Fault:
        kinds = ("status", "timeout", "garbage", "wrong_type", "error_code")
        if spec.get("kind") not in kinds:
            raise ValueError(f"kind must be one of {', '.join(kinds)}.")
        if not isinstance(spec.get("path"), str) or not spec["path"].startswith("/"):
            raise ValueError("path must be the endpoint's path, starting with '/'.")
        known = set(Fault.__dataclass_fields__)
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"Unknown fault field(s): {', '.join(sorted(unknown))}.")
        fault = Fault(**spec)
        if fault.kind == "wrong_type" and not fault.field:
            raise ValueError("A wrong_type fault names the field (a dotted path inside data).")
        if fault.kind == "error_code" and not fault.code:
            raise ValueError("An error_code fault names the code.")
        if not isinstance(fault.count, int) or fault.count < 1:
            raise ValueError("count must be a whole number of calls, at least 1.")
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path == path and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # --- persistence (optional) -----------------------------------------------------------------

    def dump(self) -> dict:
        with self.lock:
            return {
                "config": asdict(self.config),
                "offset": self.offset,
                "accounts": {key: asdict(value) for key, value in self.accounts.items()},
                "access": self.access,
                "refresh": self.refresh,
                "revoked": sorted(self.revoked),
                "counter": self.counter,
                "extra": self.extra,
            }

    def load(self, data: dict) -> None:
        with self.lock:
            self.reset(Config(**data.get("config", {})))
            self.offset = float(data.get("offset", 0))
            self.accounts = {key: Account(**value) for key, value in data.get("accounts", {}).items()}
            self.access = data.get("access", {})
            self.refresh = data.get("refresh", {})
            self.revoked = set(data.get("revoked", []))
            self.counter = int(data.get("counter", 0))
            self.extra = data.get("extra", {})

    def save(self, path: str) -> None:
        """Write the state beside the file and swap it in: a stop in the middle of a write (the saver
        thread runs every few seconds) leaves the previous state whole, never an empty file."""
        partial = f"{path}.partial"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(self.dump(), handle, ensure_ascii=False)
        os.replace(partial, path)
