"""Douyin Open Platform (抖音开放平台, https://developer.open-douyin.com): the adapter.

Request shapes, from the platform's documentation (each method cites its page):

- OAuth endpoints (``/oauth/access_token/``, ``/oauth/refresh_token/``,
  ``/oauth/renew_refresh_token/``, ``/oauth/userinfo/``) take an ``application/x-www-form-urlencoded``
  POST body and answer ``{"data": {..., "error_code": 0, "description": ""}, "message": "success"}``.
- Every other endpoint takes the user's token in the ``access-token`` header and the account's
  ``open_id`` in the query, JSON (or multipart, for uploads) bodies, and answers
  ``{"data": {..., "error_code": 0, "description": ""}, "extra": {"error_code": 0, "logid": ...,
  "now": <ms>}}``. An error is HTTP 200 with a non-zero ``error_code`` (sometimes as a digit string).

Error codes are mapped one by one (``ERRORS``; status-code page:
https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/status-code): expired or
invalid access token → ``TokenExpired`` (refresh and retry once; a revoked authorisation then fails
the refresh), refresh token expired or renewed too often → ``ReconnectNeeded``, scope not authorised
→ ``ScopeMissing`` naming the endpoint's scope, rate limited or quota spent → ``RateLimited``
(``Retry-After`` when the answer carries it, else the platform's one-minute window), system busy →
``PlatformUnavailable``, anything else (a parameter the platform refuses, text that breaks its
content rules) → ``Refused``. Timeouts, transport errors, HTTP 5xx, bodies that are not JSON and
fields of the wrong type → ``PlatformUnavailable``, with ``maybe_done`` for a write whose request
may have reached the platform. No ``KeyError`` or ``TypeError`` leaves this module for a garbage
answer.

What Douyin's open API cannot do is left out: hiding a comment (no endpoint: ``COMMENT_HIDE`` is
not a capability), and revoking an authorisation (the user cancels it in the app, 抖音-我-设置-
账号与安全-授权管理; ``revoke`` does nothing and the connection forgets its tokens).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import BinaryIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx

from platforms.adapters import answers
from platforms.adapters.base import (
    AccountDay,
    Adapter,
    Capability,
    CommentItem,
    Delivered,
    Page,
    PlatformError,
    PlatformUnavailable,
    Portrait,
    Profile,
    Publication,
    PublishStatus,
    RateLimited,
    ReconnectNeeded,
    Refused,
    ScopeMissing,
    TokenExpired,
    Tokens,
    VideoItem,
)

CHINA = ZoneInfo("Asia/Shanghai")
DOCS = "https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi"

# Error codes → the error class the caller acts on.
TOKEN_EXPIRED_CODES = frozenset({2190002, 2190008, 10008, 28001003, 28001008})
RECONNECT_CODES = frozenset({10010, 10020, 28001045, 28001046})
SCOPE_CODES = frozenset({10004, 2100007, 2190004, 28001012, 28001014, 28001018, 28001042})
RATE_CODES = frozenset({2190001, 28001052, 28003017, 28003018})
UNAVAILABLE_CODES = frozenset({-1, 2100004, 28001005, 28001006})
ERRORS = {
    **dict.fromkeys(TOKEN_EXPIRED_CODES, TokenExpired),
    **dict.fromkeys(RECONNECT_CODES, ReconnectNeeded),
    **dict.fromkeys(SCOPE_CODES, ScopeMissing),
    **dict.fromkeys(RATE_CODES, RateLimited),
    **dict.fromkeys(UNAVAILABLE_CODES, PlatformUnavailable),
}
RATE_WINDOW = 60.0  # seconds to wait when a rate-limit answer states no window

# The account-data endpoints (data.external.user) and the figure each gives.
USER_DATA = {
    "fans": {"new_fans": "new_followers", "total_fans": "followers"},
    "item": {"new_play": "plays"},
    "like": {"new_like": "likes"},
    "comment": {"new_comment": "comments"},
    "share": {"new_share": "shares"},
    "profile": {"profile_uv": "profile_visits"},
}
DATE_TYPES = (7, 15, 30)  # documented: the last 7, 15 or 30 days
VIDEO_STATUS = {1: PublishStatus.PUBLIC, 2: PublishStatus.REFUSED, 4: PublishStatus.REVIEWING}


class DouyinAdapter(Adapter):
    """Douyin's open API for web apps (移动/网站应用), user-authorised (``access-token``)."""

    platform = "douyin"
    capabilities = frozenset(
        {
            Capability.ACCOUNT_DATA,
            Capability.PORTRAIT,
            Capability.VIDEOS,
            Capability.COMMENTS,
            Capability.COMMENT_REPLY,
            Capability.COMMENT_TOP,
            Capability.MESSAGES,
            Capability.PUBLISH,
        }
    )
    scopes = {
        Capability.ACCOUNT_DATA: ("user_info", "data.external.user"),
        Capability.PORTRAIT: ("fans.data.bind",),
        Capability.VIDEOS: ("video.list.bind", "video.data.bind"),
        Capability.COMMENTS: ("item.comment",),
        Capability.COMMENT_REPLY: ("item.comment",),
        Capability.COMMENT_TOP: ("item.comment",),
        Capability.MESSAGES: ("im.direct_message",),
        Capability.PUBLISH: ("video.create.bind", "video.data.bind"),
    }
    rate_limits = {
        "published_numbers": (
            "none: Douyin does not publish per-endpoint call rates for web apps; each app's quotas are shown "
            "in its console, and a call over them answers 28003018 (请求频率过高) or 28003017 (quota 已用完)"
        ),
        "window": "per minute; the adapter waits 60 s unless the answer states Retry-After",
        "planning_assumption": (
            "100 calls per minute per user token per endpoint (the simulator's default, configurable): "
            "replace with the quota the app's console shows"
        ),
        "calls_per_account_day": "10 for one day's sync: 6 account-data, 1 portrait, 1+ video list, 1+ video data, "
        "plus comment pages",
        "data_delay": "T+1: a day's account figures are available the next day; date_type 7/15/30 days back",
        "uploads": "over 50 MB should and over 128 MB must go in parts of 5 MB (minimum) to 20 MB; 4 GB at most",
        "access_token": "15 days",
        "refresh_token": "30 days; renewed at most 5 times, then the user must authorise again",
    }

    page_size = 20  # count per list call (the platform accepts up to 50)
    single_upload_max = 50 * 1024 * 1024  # documented: over 50 MB, upload in parts
    part_size = 20 * 1024 * 1024  # documented: parts of 20 MB recommended, 5 MB at least
    find_pages = 10  # pages looked through when checking whether a lost write arrived
    find_slack = dt.timedelta(minutes=2)  # clocks differ: a write made just before ``since`` still counts

    # --- HTTP ----------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        tokens: Tokens | None = None,
        params: dict | None = None,
        form: dict | None = None,
        json: dict | None = None,
        files: dict | None = None,
        write: bool = False,
        scope: str = "",
        oauth: bool = False,
    ) -> tuple[dict, dict]:
        """The ``data`` and ``extra`` of the answer, or the error the answer means."""
        headers = {}
        query = dict(params or {})
        if tokens is not None:
            headers["access-token"] = tokens.access_token
            query["open_id"] = tokens.open_id
        try:
            response = answers.client().request(
                method,
                self.base_url + path,
                params=query or None,
                data=form,
                json=json,
                files=files,
                headers=headers,
                timeout=self.timeout,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise PlatformUnavailable(f"Douyin could not be reached ({path}): {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(
                f"Douyin did not answer ({path}): {type(exc).__name__}", maybe_done=write
            ) from None
        if response.status_code >= 500:
            raise PlatformUnavailable(
                f"Douyin answered HTTP {response.status_code} ({path}).", code=response.status_code, maybe_done=write
            )
        if response.status_code == 429:
            raise RateLimited(f"Douyin answered HTTP 429 ({path}).", code=429, retry_after=self._retry_after(response))
        try:
            body = response.json()
        except ValueError:
            raise PlatformUnavailable(
                f"Douyin answered something that is not JSON ({path}, HTTP {response.status_code}).",
                code=response.status_code,
                maybe_done=write,
            ) from None
        try:
            body = answers.obj(body, "body")
            data = answers.obj(body.get("data"), "data", optional=True)
            extra = answers.obj(body.get("extra"), "extra", optional=True)
            code = answers.number(data.get("error_code"), "data.error_code")
            if code is None:
                code = answers.number(extra.get("error_code"), "extra.error_code") or 0
            description = answers.text(data.get("description") or extra.get("description"), "description")
            log_id = answers.text(extra.get("logid") or data.get("log_id"), "logid")
        except answers.Garbage as exc:
            raise PlatformUnavailable(f"Douyin's answer is not as documented ({path}): {exc}.", maybe_done=write)
        if code != 0:
            raise self._error(code, description, log_id, scope=scope, response=response, oauth=oauth)
        if response.status_code != 200:
            raise PlatformUnavailable(
                f"Douyin answered HTTP {response.status_code} ({path}).", code=response.status_code, maybe_done=write
            )
        return data, extra

    @staticmethod
    def _retry_after(response: httpx.Response) -> float:
        value = response.headers.get("Retry-After", "")
        try:
            seconds = float(value)
        except ValueError:
            return RATE_WINDOW
        return seconds if math.isfinite(seconds) and seconds > 0 else RATE_WINDOW

    def _error(
        self, code: int, description: str, log_id: str, *, scope: str, response: httpx.Response, oauth: bool
    ) -> PlatformError:
        message = f"Douyin error {code}: {description or 'no description'}"
        kind = ERRORS.get(code, Refused)
        if oauth and kind is TokenExpired:
            kind = ReconnectNeeded  # a token endpoint refusing a token: only authorising again helps
        if kind is ScopeMissing:
            return ScopeMissing(message, scope=scope, code=code, log_id=log_id)
        if kind is RateLimited:
            return RateLimited(message, retry_after=self._retry_after(response), code=code, log_id=log_id)
        return kind(message, code=code, log_id=log_id)

    @staticmethod
    def _accepted_at(extra: dict) -> dt.datetime:
        """The platform's time of its answer (``extra.now``, milliseconds) when it says, else ours."""
        try:
            moment = answers.moment(extra.get("now"), "extra.now")
        except answers.Garbage:
            moment = None
        return moment or dt.datetime.now(dt.UTC)

    @staticmethod
    def _garbage(path: str, exc: Exception, *, write: bool = False) -> PlatformUnavailable:
        return PlatformUnavailable(f"Douyin's answer is not as documented ({path}): {exc}.", maybe_done=write)

    # --- OAuth ---------------------------------------------------------------------------------

    def authorize_url(self, *, state: str, redirect_uri: str, scopes: Sequence[str]) -> str:
        """The authorisation page (抖音获取授权码).

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/sdk/web-app/web/permission
        """
        query = urlencode(
            {
                "client_key": self.client_key,
                "response_type": "code",
                "scope": ",".join(scopes),
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{self.base_url}/platform/oauth/connect/?{query}"

    def _tokens(self, data: dict, path: str, *, previous: Tokens | None = None) -> Tokens:
        try:
            now = dt.datetime.now(dt.UTC)
            access = answers.text(data.get("access_token"), "access_token", optional=False)
            expires_in = answers.number(data.get("expires_in"), "expires_in", optional=False)
            refresh = answers.text(data.get("refresh_token"), "refresh_token", optional=previous is not None)
            refresh_in = answers.number(data.get("refresh_expires_in"), "refresh_expires_in")
            open_id = answers.text(data.get("open_id"), "open_id", optional=previous is not None)
            scope = answers.text(data.get("scope"), "scope")
        except answers.Garbage as exc:
            raise self._garbage(path, exc)
        if previous is not None:
            refresh_expires = previous.refresh_expires_at if not refresh_in else now + dt.timedelta(seconds=refresh_in)
            return Tokens(
                access_token=access,
                refresh_token=refresh or previous.refresh_token,
                expires_at=now + dt.timedelta(seconds=expires_in),
                refresh_expires_at=refresh_expires,
                open_id=open_id or previous.open_id,
                scopes=tuple(s for s in scope.split(",") if s) or previous.scopes,
            )
        return Tokens(
            access_token=access,
            refresh_token=refresh,
            expires_at=now + dt.timedelta(seconds=expires_in),
            refresh_expires_at=now + dt.timedelta(seconds=refresh_in) if refresh_in else None,
            open_id=open_id,
            scopes=tuple(s for s in scope.split(",") if s),
        )

    def exchange_code(self, *, code: str, redirect_uri: str) -> Tokens:
        """POST /oauth/access_token/ (form: client_key, client_secret, code, grant_type).

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/get-access-token
        """
        path = "/oauth/access_token/"
        data, _ = self._send(
            "POST",
            path,
            form={
                "client_key": self.client_key,
                "client_secret": self.client_secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        return self._tokens(data, path)

    def refresh(self, tokens: Tokens) -> Tokens:
        """POST /oauth/refresh_token/ (form: client_key, grant_type, refresh_token): a new access
        token for 15 days; the refresh token keeps its lifetime. 10010: refresh token expired.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token
        """
        path = "/oauth/refresh_token/"
        data, _ = self._send(
            "POST",
            path,
            form={"client_key": self.client_key, "grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
            oauth=True,
        )
        return self._tokens(data, path, previous=tokens)

    def renew_refresh_token(self, tokens: Tokens) -> Tokens:
        """POST /oauth/renew_refresh_token/ (form: client_key, refresh_token): a new refresh token
        for 30 days; the old one stops working at once. At most 5 renewals (10020), then the user
        must authorise again.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-token
        """
        path = "/oauth/renew_refresh_token/"
        data, _ = self._send(
            "POST", path, form={"client_key": self.client_key, "refresh_token": tokens.refresh_token}, oauth=True
        )
        try:
            refresh = answers.text(data.get("refresh_token"), "refresh_token", optional=False)
            expires_in = answers.number(data.get("expires_in"), "expires_in", optional=False)
        except answers.Garbage as exc:
            raise self._garbage(path, exc)
        return Tokens(
            access_token=tokens.access_token,
            refresh_token=refresh,
            expires_at=tokens.expires_at,
            refresh_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in),
            open_id=tokens.open_id,
            scopes=tokens.scopes,
        )

    def revoke(self, tokens: Tokens) -> None:
        """Douyin offers web apps no endpoint to give a user's authorisation back: the user cancels
        it in the app (抖音-我-设置-账号与安全-授权管理), which invalidates the access token at once.
        Disconnecting forgets the tokens; nothing is sent.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token
        """

    def profile(self, tokens: Tokens) -> Profile:
        """POST /oauth/userinfo/ (form: access_token, open_id; scope user_info).

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/get-user-info
        """
        path = "/oauth/userinfo/"
        data, _ = self._send(
            "POST", path, form={"access_token": tokens.access_token, "open_id": tokens.open_id}, scope="user_info"
        )
        try:
            return Profile(
                open_id=answers.text(data.get("open_id"), "open_id") or tokens.open_id,
                nickname=answers.text(data.get("nickname"), "nickname"),
                avatar_url=answers.text(data.get("avatar"), "avatar"),
            )
        except answers.Garbage as exc:
            raise self._garbage(path, exc)

    # --- pulling -------------------------------------------------------------------------------

    def account_days(self, tokens: Tokens, *, start: dt.date, end: dt.date) -> list[AccountDay]:
        """GET /data/external/user/{fans,item,like,comment,share,profile}/ (query: open_id,
        date_type 7/15/30; scope data.external.user): each answers ``result_list`` of
        ``{"date": "yyyy-MM-dd", <figure>: n}`` for the last ``date_type`` days (a day arrives the
        next day). Days before the last 30 cannot be had and are left out.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/data-open-service/user-data/get-user-fans-number
        and .../user-data/get-user-like-number (likes), -item, -comment, -share, -profile pages.
        """
        if end < start:
            raise ValueError("end is before start.")
        today = dt.datetime.now(CHINA).date()
        back = (today - start).days
        date_type = next((choice for choice in DATE_TYPES if back <= choice), DATE_TYPES[-1])
        figures: dict[dt.date, dict] = {}
        for kind, names in USER_DATA.items():
            path = f"/data/external/user/{kind}/"
            data, _ = self._send(
                "GET", path, tokens=tokens, params={"date_type": date_type}, scope="data.external.user"
            )
            try:
                for index, row in enumerate(answers.items(data.get("result_list"), "result_list")):
                    row = answers.obj(row, f"result_list.{index}")
                    day = answers.day(row.get("date"), f"result_list.{index}.date")
                    if start <= day <= end:
                        values = figures.setdefault(day, {})
                        for theirs, ours in names.items():
                            values[ours] = answers.number(row.get(theirs), f"result_list.{index}.{theirs}")
            except answers.Garbage as exc:
                raise self._garbage(path, exc)
        return [AccountDay(date=day, **values) for day, values in sorted(figures.items())]

    def portrait(self, tokens: Tokens) -> Portrait:
        """GET /api/douyin/v1/user/fans_data/ (query: open_id; scope fans.data.bind): the fan
        portrait as ``{item, value}`` distributions (gender ``1``/``2``, age, province, device,
        interest, active days) and ``all_fans_num``.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-management/fans-portrait-data/get-user-fans-data
        """
        path = "/api/douyin/v1/user/fans_data/"
        data, _ = self._send("GET", path, tokens=tokens, scope="fans.data.bind")
        try:
            fans = answers.obj(data.get("fans_data"), "fans_data", optional=True)

            fans_total = answers.number(fans.get("all_fans_num"), "all_fans_num")

            def spread(name: str, *, of_all_fans: bool = False) -> dict:
                """The platform's counts as shares: of the distribution's total, or (where one fan
                counts under several keys: interests) of all fans."""
                counts = {}
                for index, row in enumerate(answers.items(fans.get(name), name)):
                    row = answers.obj(row, f"{name}.{index}")
                    counts[answers.text(row.get("item"), f"{name}.{index}.item", optional=False)] = answers.number(
                        row.get("value"), f"{name}.{index}.value", optional=False
                    )
                total = fans_total if of_all_fans and fans_total else sum(counts.values())
                return {key: count / total for key, count in counts.items()} if total else {}

            # ``active_days_distributions`` counts fans by how many days of the month they were
            # active, not by weekday (our ``active_days``): it is not taken.
            return Portrait(
                date=dt.datetime.now(CHINA).date(),
                fans_total=fans_total,
                gender=spread("gender_distributions"),
                age=spread("age_distributions"),
                provinces=spread("geographical_distributions"),
                devices=spread("device_distributions"),
                interests=spread("interest_distributions", of_all_fans=True),
            )
        except answers.Garbage as exc:
            raise self._garbage(path, exc)

    def _video(self, row, name: str) -> VideoItem:
        row = answers.obj(row, name)
        stats = answers.obj(row.get("statistics"), f"{name}.statistics", optional=True)
        status_code = answers.number(row.get("video_status"), f"{name}.video_status")
        status = VIDEO_STATUS.get(status_code, "")
        if not status and row.get("is_reviewed") is not None:
            status = PublishStatus.PUBLIC if answers.flag(row.get("is_reviewed"), f"{name}.is_reviewed") else ""
            status = status or PublishStatus.REVIEWING
        return VideoItem(
            item_id=answers.text(row.get("item_id"), f"{name}.item_id", optional=False),
            title=answers.text(row.get("title"), f"{name}.title"),
            url=answers.text(row.get("share_url"), f"{name}.share_url"),
            published_at=answers.moment(row.get("create_time"), f"{name}.create_time"),
            plays=answers.number(stats.get("play_count"), f"{name}.statistics.play_count"),
            likes=answers.number(stats.get("digg_count"), f"{name}.statistics.digg_count"),
            comments=answers.number(stats.get("comment_count"), f"{name}.statistics.comment_count"),
            shares=answers.number(stats.get("share_count"), f"{name}.statistics.share_count"),
            status=status,
        )

    @staticmethod
    def _cursor(cursor: str) -> int:
        if not cursor:
            return 0
        if not cursor.isdigit():
            raise ValueError(f"Not a cursor this adapter gave: {cursor!r}.")
        return int(cursor)

    def _page(self, data: dict, path: str, reader) -> Page:
        try:
            rows = answers.items(data.get("list"), "list")
            items = [reader(row, f"list.{index}") for index, row in enumerate(rows)]
            more = answers.flag(data.get("has_more"), "has_more")
            cursor = answers.number(data.get("cursor"), "cursor")
        except answers.Garbage as exc:
            raise self._garbage(path, exc)
        if more and cursor is None:
            raise self._garbage(path, answers.Garbage("has_more without a cursor"))
        return Page(items=items, cursor=str(cursor) if more else "", has_more=more)

    def videos(self, tokens: Tokens, *, cursor: str = "") -> Page[VideoItem]:
        """GET /api/douyin/v1/video/video_list/ (query: open_id, cursor, count; scope
        video.list.bind): the account's videos, newest first, with ``cursor`` and ``has_more``.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/video-management/douyin/search-video/account-video-list
        """
        path = "/api/douyin/v1/video/video_list/"
        params = {"cursor": self._cursor(cursor), "count": self.page_size}
        data, _ = self._send("GET", path, tokens=tokens, params=params, scope="video.list.bind")
        return self._page(data, path, self._video)

    def video_stats(self, tokens: Tokens, *, item_ids: Sequence[str]) -> list[VideoItem]:
        """POST /api/douyin/v1/video/video_data/ (query: open_id; JSON ``{"item_ids": [...]}``, at
        most 20 a call; scope video.data.bind): each video's figures.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/video-management/douyin/search-video/video-data
        """
        path = "/api/douyin/v1/video/video_data/"
        found: list[VideoItem] = []
        ids = list(dict.fromkeys(item_ids))
        for start in range(0, len(ids), 20):
            data, _ = self._send(
                "POST", path, tokens=tokens, json={"item_ids": ids[start : start + 20]}, scope="video.data.bind"
            )
            try:
                found.extend(
                    self._video(row, f"list.{i}") for i, row in enumerate(answers.items(data.get("list"), "list"))
                )
            except answers.Garbage as exc:
                raise self._garbage(path, exc)
        return found

    def _comment(self, tokens: Tokens, item_id: str, parent: str):
        def read(row, name: str) -> CommentItem:
            row = answers.obj(row, name)
            author = answers.text(row.get("comment_user_id"), f"{name}.comment_user_id")
            posted = answers.moment(row.get("create_time"), f"{name}.create_time")
            if posted is None:
                raise answers.Garbage(f"{name}.create_time is missing")
            return CommentItem(
                comment_id=answers.text(row.get("comment_id"), f"{name}.comment_id", optional=False),
                item_id=item_id,
                text=answers.text(row.get("content"), f"{name}.content"),
                posted_at=posted,
                likes=answers.number(row.get("digg_count"), f"{name}.digg_count"),
                replies=answers.number(row.get("reply_comment_total"), f"{name}.reply_comment_total"),
                parent_comment_id=parent,
                author_id=author,
                is_top=answers.flag(row.get("top"), f"{name}.top"),
                is_from_account=bool(author) and author == tokens.open_id,
            )

        return read

    def comments(self, tokens: Tokens, *, item_id: str, cursor: str = "") -> Page[CommentItem]:
        """GET /item/comment/list/ (query: open_id, item_id, cursor, count, sort_type=time; scope
        item.comment): a video's comments, newest first.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/interaction-management/comment-management-user/comment-list
        """
        path = "/item/comment/list/"
        params = {"item_id": item_id, "cursor": self._cursor(cursor), "count": self.page_size, "sort_type": "time"}
        data, _ = self._send("GET", path, tokens=tokens, params=params, scope="item.comment")
        return self._page(data, path, self._comment(tokens, item_id, ""))

    def comment_replies(self, tokens: Tokens, *, item_id: str, comment_id: str, cursor: str = "") -> Page[CommentItem]:
        """GET /item/comment/reply/list/ (query: open_id, item_id, comment_id, cursor, count,
        sort_type=time; scope item.comment): the replies to a comment, newest first.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/interaction-management/comment-management-user/comment-reply-list
        """
        path = "/item/comment/reply/list/"
        params = {
            "item_id": item_id,
            "comment_id": comment_id,
            "cursor": self._cursor(cursor),
            "count": self.page_size,
            "sort_type": "time",
        }
        data, _ = self._send("GET", path, tokens=tokens, params=params, scope="item.comment")
        return self._page(data, path, self._comment(tokens, item_id, comment_id))

    # --- delivering ----------------------------------------------------------------------------

    def _created(self, data: dict, extra: dict, path: str, field: str) -> Delivered:
        try:
            platform_id = answers.text(data.get(field), field, optional=False)
        except answers.Garbage as exc:
            # The platform did it but its answer is unusable: checking for it is the only safe next step.
            raise self._garbage(path, exc, write=True)
        return Delivered(platform_id=platform_id, accepted_at=self._accepted_at(extra))

    def reply_comment(self, tokens: Tokens, *, item_id: str, comment_id: str, text: str) -> Delivered:
        """POST /item/comment/reply/ (query: open_id; JSON item_id, comment_id, content; scope
        item.comment): answers the new reply's ``comment_id``. Without ``comment_id`` the comment is
        posted on the video itself (a guide comment, 7.1), as the documentation allows.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/interaction-management/comment-management-user/comment-reply
        """
        path = "/item/comment/reply/"
        data, extra = self._send(
            "POST",
            path,
            tokens=tokens,
            json={"item_id": item_id, "content": text, **({"comment_id": comment_id} if comment_id else {})},
            write=True,
            scope="item.comment",
        )
        return self._created(data, extra, path, "comment_id")

    def top_comment(self, tokens: Tokens, *, item_id: str, comment_id: str, top: bool) -> Delivered:
        """POST /item/comment/top/ (query: open_id; JSON item_id, comment_id, top; scope
        item.comment): pins (or unpins) a comment.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/video-id-convert/video-review-data/top-comment
        """
        path = "/item/comment/top/"
        _, extra = self._send(
            "POST",
            path,
            tokens=tokens,
            json={"item_id": item_id, "comment_id": comment_id, "top": bool(top)},
            write=True,
            scope="item.comment",
        )
        return Delivered(platform_id=comment_id, accepted_at=self._accepted_at(extra))

    def send_message(
        self, tokens: Tokens, *, conversation_id: str, to_user_id: str, text: str, reply_to: str = ""
    ) -> Delivered:
        """POST /im/send/msg/ (query: open_id; JSON msg_id (the message answered), conversation_id,
        to_user_id, content ``{"msg_type": 1, "text": {"text": ...}}``; scope im.direct_message):
        answers the sent message's ``msg_id``. Messages arrive by the ``im_receive_msg`` webhook.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/search-management/private-message/private-msg-webhook
        and https://developer.open-douyin.com/docs/resource/zh-CN/dop/ability/interaction-management/im
        """
        path = "/im/send/msg/"
        body = {
            "msg_id": reply_to,
            "conversation_id": conversation_id,
            "to_user_id": to_user_id,
            "content": {"msg_type": 1, "text": {"text": text}},
        }
        data, extra = self._send("POST", path, tokens=tokens, json=body, write=True, scope="im.direct_message")
        return self._created(data, extra, path, "msg_id")

    def upload_video(self, tokens: Tokens, *, file: BinaryIO, size: int) -> str:
        """POST /video/upload/ (multipart ``video``) up to 50 MB; larger files in parts:
        POST /video/part/init/ → ``upload_id``, POST /video/part/upload/?upload_id&part_number
        (multipart ``video``, parts of ``part_size``, numbered from 1, in order), POST
        /video/part/complete/?upload_id. Answers ``video.video_id`` (scope video.create.bind). An
        upload publishes nothing, so a retried upload is harmless.

        Docs: https://open.douyin.com/platform/resource/docs/openapi/video-management/douyin/create/upload/
        and .../create/part-upload/ (init, upload, complete)
        """
        scope = "video.create.bind"
        if size <= 0:
            raise ValueError("The video is empty.")
        if size <= self.single_upload_max:
            content = file.read(size)
            if len(content) != size:
                raise ValueError(f"The file holds {len(content)} bytes, not {size}.")
            path = "/video/upload/"
            data, _ = self._send(
                "POST", path, tokens=tokens, files={"video": ("video.mp4", content, "video/mp4")}, scope=scope
            )
            return self._video_id(data, path)
        data, _ = self._send("POST", "/video/part/init/", tokens=tokens, scope=scope)
        try:
            upload_id = answers.text(data.get("upload_id"), "upload_id", optional=False)
        except answers.Garbage as exc:
            raise self._garbage("/video/part/init/", exc)
        sent = 0
        for number in range(1, math.ceil(size / self.part_size) + 1):
            chunk = file.read(min(self.part_size, size - sent))
            if not chunk:
                raise ValueError(f"The file ended after {sent} bytes, not {size}.")
            sent += len(chunk)
            self._send(
                "POST",
                "/video/part/upload/",
                tokens=tokens,
                params={"upload_id": upload_id, "part_number": number},
                files={"video": ("video.mp4", chunk, "video/mp4")},
                scope=scope,
            )
        path = "/video/part/complete/"
        data, _ = self._send("POST", path, tokens=tokens, params={"upload_id": upload_id}, scope=scope)
        return self._video_id(data, path)

    def _video_id(self, data: dict, path: str) -> str:
        try:
            return answers.text(
                answers.obj(data.get("video"), "video").get("video_id"), "video.video_id", optional=False
            )
        except answers.Garbage as exc:
            raise self._garbage(path, exc)

    def create_video(self, tokens: Tokens, *, video_id: str, text: str, poi_id: str = "") -> Delivered:
        """POST /video/create/ (query: open_id; JSON video_id, text (title with #topics and
        @mentions), poi_id; scope video.create.bind): answers the new ``item_id``; the video is then
        reviewed (see ``publication``). Each create needs a fresh upload.

        Docs: https://open.douyin.com/platform/resource/docs/ability/content-management/douyin-publish-solution
        """
        path = "/video/create/"
        body = {"video_id": video_id, "text": text}
        if poi_id:
            body["poi_id"] = poi_id
        data, extra = self._send("POST", path, tokens=tokens, json=body, write=True, scope="video.create.bind")
        return self._created(data, extra, path, "item_id")

    def publication(self, tokens: Tokens, *, item_id: str) -> Publication:
        """The review status of a created video, from its ``video_status`` in video data
        (1 published, 2 not fit to be public, 4 under review); a video the platform no longer
        lists is deleted.

        Docs: https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/video-management/douyin/search-video/video-data
        """
        for video in self.video_stats(tokens, item_ids=[item_id]):
            if video.item_id == item_id:
                status = video.status or PublishStatus.REVIEWING
                reason = "不适宜公开" if status == PublishStatus.REFUSED else ""
                return Publication(item_id=item_id, status=status, reason=reason, url=video.url)
        return Publication(item_id=item_id, status=PublishStatus.DELETED)

    # --- finding a write whose answer was lost ---------------------------------------------------

    def find_comment_reply(
        self, tokens: Tokens, *, item_id: str, comment_id: str, text: str, since: dt.datetime
    ) -> Delivered | None:
        """The account's reply to ``comment_id`` with ``text`` made since ``since``, looked for in
        the reply list (newest first), or None."""
        cursor = ""
        for _ in range(self.find_pages):
            page = self.comment_replies(tokens, item_id=item_id, comment_id=comment_id, cursor=cursor)
            for reply in page.items:
                if reply.posted_at < since - self.find_slack:
                    return None
                if reply.is_from_account and reply.text == text:
                    return Delivered(platform_id=reply.comment_id, accepted_at=reply.posted_at)
            if not page.has_more:
                return None
            cursor = page.cursor
        return None

    def find_post(self, tokens: Tokens, *, text: str, since: dt.datetime) -> Delivered | None:
        """The account's video titled ``text`` created since ``since``, looked for in the video
        list (newest first, pinned ones possibly before), or None."""
        cursor = ""
        for _ in range(self.find_pages):
            page = self.videos(tokens, cursor=cursor)
            for video in page.items:
                recent = video.published_at is None or video.published_at >= since - self.find_slack
                if recent and video.title == text:
                    return Delivered(platform_id=video.item_id, accepted_at=video.published_at or since)
            # Pinned videos may come first, so only a page of nothing but older videos ends the search.
            older = [v for v in page.items if v.published_at and v.published_at < since - self.find_slack]
            if not page.has_more or (page.items and len(older) == len(page.items)):
                return None
            cursor = page.cursor
        return None
