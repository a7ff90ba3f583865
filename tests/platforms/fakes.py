"""An in-memory platform for the connectors' service tests: the adapter interface without HTTP.

``use_fake_platform`` (a fixture in ``tests/platforms/conftest.py``) installs ``FakeAdapter`` as the
Douyin adapter and gives the test its ``FakePlatform``: the state the adapter reads and writes
(tokens, data, what was delivered) and knobs to make it fail (``fail_next``). The HTTP adapters
are tested against the simulator (``platforms.simulator``) instead."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils import timezone

from platforms.adapters.base import (
    AccountDay,
    Adapter,
    Capability,
    CommentItem,
    Delivered,
    Page,
    Portrait,
    Profile,
    Publication,
    PublishStatus,
    ReconnectNeeded,
    TokenExpired,
    Tokens,
    VideoItem,
)

PAGE_SIZE = 2


@dataclass
class FakePlatform:
    open_id: str = "fake-open-id"
    nickname: str = "测试账号"
    access_lifetime: dt.timedelta = dt.timedelta(days=15)
    refresh_lifetime: dt.timedelta = dt.timedelta(days=30)
    days: dict[dt.date, AccountDay] = field(default_factory=dict)
    portrait: Portrait | None = None
    videos: list[VideoItem] = field(default_factory=list)
    comments: dict[str, list[CommentItem]] = field(default_factory=dict)  # item_id → comments
    delivered: list[tuple[str, dict]] = field(default_factory=list)  # (method, kwargs) accepted
    calls: list[str] = field(default_factory=list)
    valid_access: set[str] = field(default_factory=set)
    valid_refresh: set[str] = field(default_factory=set)
    revoked: bool = False
    # method name → exceptions raised by its next calls, in order
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, method: str, *errors: Exception) -> None:
        self.failures.setdefault(method, []).extend(errors)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._counter)}"

    def issue(self, scopes=()) -> Tokens:
        access, refresh = self.next_id("act"), self.next_id("rft")
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        now = timezone.now()
        return Tokens(
            access, refresh, now + self.access_lifetime, now + self.refresh_lifetime, self.open_id, tuple(scopes)
        )

    def expire_access_tokens(self) -> None:
        self.valid_access.clear()


class FakeAdapter(Adapter):
    platform = "douyin"
    capabilities = frozenset(Capability.ALL)
    scopes = {
        Capability.ACCOUNT_DATA: ("data.external.user",),
        Capability.PORTRAIT: ("fans.data",),
        Capability.VIDEOS: ("video.list.bind", "video.data.bind"),
        Capability.COMMENTS: ("item.comment",),
        Capability.COMMENT_REPLY: ("item.comment",),
        Capability.COMMENT_TOP: ("item.comment",),
        Capability.COMMENT_HIDE: ("item.comment",),
        Capability.MESSAGES: ("im.direct_message",),
        Capability.PUBLISH: ("video.create.bind",),
    }
    state: FakePlatform  # set by the fixture

    def _enter(self, method: str, tokens: Tokens | None = None) -> None:
        self.state.calls.append(method)
        pending = self.state.failures.get(method)
        if pending:
            raise pending.pop(0)
        if tokens is not None and tokens.access_token not in self.state.valid_access:
            raise TokenExpired("access_token过期", code=2190008)

    def authorize_url(self, *, state, redirect_uri, scopes):
        query = urlencode({"client_key": self.client_key, "state": state, "redirect_uri": redirect_uri})
        return f"{self.base_url}/platform/oauth/connect/?{query}&scope={','.join(scopes)}"

    def exchange_code(self, *, code, redirect_uri):
        self._enter("exchange_code")
        return self.state.issue(scopes=tuple(code.split(",")) if "," in code else ())

    def refresh(self, tokens):
        self._enter("refresh")
        if self.state.revoked or tokens.refresh_token not in self.state.valid_refresh:
            raise ReconnectNeeded("refresh_token过期", code=10010)
        access = self.state.next_id("act")
        self.state.valid_access.add(access)
        return Tokens(
            access,
            tokens.refresh_token,
            timezone.now() + self.state.access_lifetime,
            tokens.refresh_expires_at,
            tokens.open_id,
            tokens.scopes,
        )

    def renew_refresh_token(self, tokens):
        self._enter("renew_refresh_token")
        self.state.valid_refresh.discard(tokens.refresh_token)
        refresh = self.state.next_id("rft")
        self.state.valid_refresh.add(refresh)
        return Tokens(
            tokens.access_token,
            refresh,
            tokens.expires_at,
            timezone.now() + self.state.refresh_lifetime,
            tokens.open_id,
            tokens.scopes,
        )

    def revoke(self, tokens):
        self._enter("revoke")
        self.state.revoked = True

    def profile(self, tokens):
        self._enter("profile", tokens)
        return Profile(open_id=self.state.open_id, nickname=self.state.nickname)

    def account_days(self, tokens, *, start, end):
        self._enter("account_days", tokens)
        return [day for date, day in sorted(self.state.days.items()) if start <= date <= end]

    def portrait(self, tokens):
        self._enter("portrait", tokens)
        return self.state.portrait

    def _page(self, items, cursor):
        start = int(cursor or 0)
        chunk = items[start : start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(items)
        return Page(chunk, str(start + PAGE_SIZE) if more else "", more)

    def videos(self, tokens, *, cursor=""):
        self._enter("videos", tokens)
        return self._page(self.state.videos, cursor)

    def video_stats(self, tokens, *, item_ids):
        self._enter("video_stats", tokens)
        return [video for video in self.state.videos if video.item_id in set(item_ids)]

    def comments(self, tokens, *, item_id, cursor=""):
        self._enter("comments", tokens)
        return self._page([c for c in self.state.comments.get(item_id, []) if not c.parent_comment_id], cursor)

    def comment_replies(self, tokens, *, item_id, comment_id, cursor=""):
        self._enter("comment_replies", tokens)
        replies = [c for c in self.state.comments.get(item_id, []) if c.parent_comment_id == comment_id]
        return self._page(replies, cursor)

    def _accept(self, method: str, prefix: str, **kwargs) -> Delivered:
        delivered = Delivered(self.state.next_id(prefix), timezone.now())
        self.state.delivered.append((method, {**kwargs, "platform_id": delivered.platform_id}))
        return delivered

    def reply_comment(self, tokens, *, item_id, comment_id, text):
        self._enter("reply_comment", tokens)
        delivered = self._accept("reply_comment", "cmt", item_id=item_id, comment_id=comment_id, text=text)
        self.state.comments.setdefault(item_id, []).append(
            CommentItem(
                delivered.platform_id,
                item_id,
                text,
                delivered.accepted_at,
                parent_comment_id=comment_id,
                author_id=self.state.open_id,
                is_from_account=True,
            )
        )
        return delivered

    def top_comment(self, tokens, *, item_id, comment_id, top):
        self._enter("top_comment", tokens)
        return self._accept("top_comment", "top", item_id=item_id, comment_id=comment_id, top=top)

    def hide_comment(self, tokens, *, item_id, comment_id, hidden):
        self._enter("hide_comment", tokens)
        return self._accept("hide_comment", "hide", item_id=item_id, comment_id=comment_id, hidden=hidden)

    def send_message(self, tokens, *, conversation_id, to_user_id, text, reply_to=""):
        self._enter("send_message", tokens)
        return self._accept(
            "send_message", "msg", conversation_id=conversation_id, to_user_id=to_user_id, text=text, reply_to=reply_to
        )

    def upload_video(self, tokens, *, file, size):
        self._enter("upload_video", tokens)
        file.read()
        return self.state.next_id("v")

    def create_video(self, tokens, *, video_id, text, poi_id=""):
        self._enter("create_video", tokens)
        delivered = self._accept("create_video", "item", video_id=video_id, text=text, poi_id=poi_id)
        self.state.videos.append(
            VideoItem(
                delivered.platform_id, title=text, published_at=delivered.accepted_at, status=PublishStatus.REVIEWING
            )
        )
        return delivered

    def publication(self, tokens, *, item_id):
        self._enter("publication", tokens)
        video = next(v for v in self.state.videos if v.item_id == item_id)
        return Publication(item_id, video.status or PublishStatus.PUBLIC)

    def find_comment_reply(self, tokens, *, item_id, comment_id, text, since):
        self._enter("find_comment_reply", tokens)
        for method, kwargs in self.state.delivered:
            if method == "reply_comment" and kwargs["comment_id"] == comment_id and kwargs["text"] == text:
                return Delivered(kwargs["platform_id"], since)
        return None

    def find_post(self, tokens, *, text, since):
        self._enter("find_post", tokens)
        for method, kwargs in self.state.delivered:
            if method == "create_video" and kwargs["text"] == text:
                return Delivered(kwargs["platform_id"], since)
        return None
