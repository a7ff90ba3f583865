"""TikTok for Developers (https://developers.tiktok.com): the adapter.

Why TikTok is the second platform: of the two candidates with a public open API, TikTok documents
every part this product needs on its own site, in one consistent v2 API: the OAuth 2 code flow with
rotating refresh tokens and a revoke endpoint (Login Kit), the profile and the video list with each
video's figures (Display API), publishing with chunked uploads and a status to follow (Content
Posting API), one error format with every code and its HTTP status, and per-endpoint rate limits.
Kuaishou's open platform pages (open.kuaishou.com) could only be read through third-party copies,
without error codes or rate limits for most endpoints, and without comments or account data either.

Request shapes, from the platform's documentation (each method cites its page):

- OAuth endpoints (``/v2/oauth/token/``, ``/v2/oauth/revoke/``) take an
  ``application/x-www-form-urlencoded`` POST body and answer a flat JSON object (``access_token``,
  ``expires_in``, ``refresh_token``, ``refresh_expires_in``, ``open_id``, ``scope``), or
  ``{"error": "invalid_grant", "error_description": ..., "log_id": ...}``.
- Every other endpoint takes the user's token as ``Authorization: Bearer <token>``, the fields it
  should answer in a ``fields`` query, JSON bodies, and answers ``{"data": {...}, "error": {"code":
  "ok", "message": "", "log_id": ...}}``; an error sets ``error.code`` and the HTTP status.
- The authorisation page lives on another host (``https://www.tiktok.com/v2/auth/authorize/``)
  than the API (``https://open.tiktokapis.com``); with any other base URL (the simulator, a proxy)
  both are under the base URL.

Error codes are mapped one by one (``ERRORS``, ``OAUTH_ERRORS``; pages
https://developers.tiktok.com/doc/tiktok-api-v2-error-handling and
https://developers.tiktok.com/doc/oauth-error-handling): an invalid or expired access token →
``TokenExpired`` (refresh and retry once), a refresh token that is invalid, expired or revoked, or
a user who denied access → ``ReconnectNeeded``, a scope not authorised → ``ScopeMissing`` naming
the endpoint's scope, rate limited or a posting cap reached → ``RateLimited``, internal errors →
``PlatformUnavailable``, anything else (parameters, a file that breaks the upload rules, a post the
account may not make) → ``Refused``. Timeouts, transport errors, HTTP 5xx, bodies that are not
JSON and fields of the wrong type → ``PlatformUnavailable``, with ``maybe_done`` for a write whose
request may have reached the platform.

What TikTok's open API for developers cannot do is left out: daily account history and the fan
portrait (the Display API gives current totals only: ``account_days`` reads today's follower count),
comments and replies, pinning, hiding, and private messages (the Display API has none of them;
those accounts keep file import and manual entry for them).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import secrets
import tempfile
import time
from collections.abc import Sequence
from typing import BinaryIO
from urllib.parse import urlencode

import httpx
from django.utils.translation import gettext as _

from platforms.adapters import answers
from platforms.adapters.base import (
    AccountDay,
    Adapter,
    Capability,
    Delivered,
    Page,
    PlatformError,
    PlatformUnavailable,
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

DOCS = "https://developers.tiktok.com/doc"
PRODUCTION_API = "https://open.tiktokapis.com"
PRODUCTION_AUTHORIZE = "https://www.tiktok.com/v2/auth/authorize/"

# API v2 error codes → the error class the caller acts on.
ERRORS: dict[str, type[PlatformError]] = {
    "access_token_invalid": TokenExpired,
    "scope_not_authorized": ScopeMissing,
    "scope_permission_missed": ScopeMissing,
    "rate_limit_exceeded": RateLimited,
    "spam_risk_too_many_posts": RateLimited,  # the user's daily posting cap through the API
    "spam_risk_too_many_pending_share": RateLimited,  # too many posts still being processed
    "reached_active_user_cap": RateLimited,  # the app's daily quota of posting users
    "internal_error": PlatformUnavailable,
    "invalid_params": Refused,
    "invalid_file_upload": Refused,
    "spam_risk_user_banned_from_posting": Refused,
    "unaudited_client_can_only_post_to_private_accounts": Refused,
    "url_ownership_unverified": Refused,
    "privacy_level_option_mismatch": Refused,
    "invalid_publish_id": Refused,
}
# OAuth error categories (RFC 6749 names).
OAUTH_ERRORS: dict[str, type[PlatformError]] = {
    "invalid_grant": ReconnectNeeded,  # refresh token invalid, expired or revoked (a code: Refused)
    "access_denied": ReconnectNeeded,
    "invalid_scope": ScopeMissing,
    "invalid_client": Refused,
    "invalid_request": Refused,
    "unauthorized_client": Refused,
    "unsupported_grant_type": Refused,
    "unsupported_response_type": Refused,
    "server_error": PlatformUnavailable,
    "temporarily_unavailable": PlatformUnavailable,
}
RATE_WINDOW = 60.0  # documented: a one-minute sliding window; the answer states no Retry-After
POSTING_WINDOW = 3600.0  # a posting cap states no window: ask again in an hour

USER_FIELDS_BASIC = ("open_id", "union_id", "avatar_url", "display_name")
USER_FIELDS_PROFILE = ("username",)
VIDEO_FIELDS = (
    "id",
    "title",
    "video_description",
    "create_time",
    "share_url",
    "cover_image_url",
    "duration",
    "view_count",
    "like_count",
    "comment_count",
    "share_count",
)
# Fetch-status values (https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status).
PROCESSING = frozenset({"PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD", "SEND_TO_USER_INBOX"})
STAGED_PREFIX = "staged:"
STAGED_DIR = os.path.join(tempfile.gettempdir(), "tiktok-staged-uploads")
STAGED_MAX_AGE = 24 * 3600  # a staged file left behind by a dead worker is swept after a day


class TikTokAdapter(Adapter):
    """TikTok's v2 API for web apps (Login Kit, Display API, Content Posting API - Direct Post)."""

    platform = "tiktok"
    capabilities = frozenset({Capability.ACCOUNT_DATA, Capability.VIDEOS, Capability.PUBLISH})
    scopes = {
        Capability.ACCOUNT_DATA: ("user.info.basic", "user.info.profile", "user.info.stats"),
        Capability.VIDEOS: ("video.list",),
        Capability.PUBLISH: ("video.publish", "video.list"),
    }
    rate_limits = {
        "published_numbers": (
            "/v2/user/info/, /v2/video/query/, /v2/video/list/: 600 requests per minute each, per app "
            "(https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit); /v2/post/publish/creator_info/query/: "
            "20 per minute per user token; /v2/post/publish/video/init/: 6 per minute per user token; "
            "/v2/post/publish/status/fetch/: 30 per minute per user token"
        ),
        "window": "one-minute sliding window; over it HTTP 429 rate_limit_exceeded, the adapter waits 60 s",
        "posting_caps": "a daily number of posts per creator and of posting users per app (spam_risk_too_many_posts, "
        "reached_active_user_cap); the adapter waits an hour",
        "calls_per_account_day": "2 for one day's sync: 1 user info, 1+ video list (20 a page), plus 1 video "
        "query per 20 recent videos",
        "data_delay": "none, and no history: the Display API gives current totals, read once a day",
        "uploads": "chunks of 5 MB to 64 MB (the last up to 128 MB), at most 1,000, in order; under 5 MB in one "
        "chunk; over 64 MB in several",
        "access_token": "2 hours (expires_in)",
        "refresh_token": "180 days (refresh_expires_in); rotated by each refresh, the previous one stops working",
    }

    page_size = 20  # documented: max_count at most 20
    single_upload_max = 64 * 1024 * 1024  # documented: over 64 MB, upload in several chunks
    part_size = 10 * 1024 * 1024  # documented: chunks of 5 MB to 64 MB
    find_pages = 10
    find_slack = dt.timedelta(minutes=2)

    def __init__(
        self, *, base_url: str, client_key: str, client_secret: str, timeout: float = 10.0, authorize_url: str = ""
    ) -> None:
        super().__init__(base_url=base_url, client_key=client_key, client_secret=client_secret, timeout=timeout)
        if not authorize_url:
            production = self.base_url == PRODUCTION_API
            authorize_url = PRODUCTION_AUTHORIZE if production else self.base_url + "/v2/auth/authorize/"
        self.authorize_base = authorize_url

    # --- HTTP ----------------------------------------------------------------------------------

    def _request(
        self, method: str, url: str, *, write: bool, what: str, **kwargs
    ) -> tuple[httpx.Response, dict | None]:
        """The answer and its JSON object (None when the body is not a JSON object)."""
        try:
            response = answers.client().request(method, url, timeout=self.timeout, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise PlatformUnavailable(f"TikTok could not be reached ({what}): {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(
                f"TikTok did not answer ({what}): {type(exc).__name__}", maybe_done=write
            ) from None
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = None
        return response, body if isinstance(body, dict) else None

    def _unusable(self, response: httpx.Response, what: str, write: bool) -> PlatformError:
        status = response.status_code
        if status == 429:
            return RateLimited(f"TikTok answered HTTP 429 ({what}).", code=429, retry_after=self._retry_after(response))
        return PlatformUnavailable(
            f"TikTok answered HTTP {status} with a body that is not as documented ({what}).",
            code=status,
            maybe_done=write and (status >= 500 or status < 400),
        )

    def _send(
        self,
        method: str,
        path: str,
        *,
        tokens: Tokens,
        fields: Sequence[str] = (),
        json: dict | None = None,
        write: bool = False,
        scope: str = "",
    ) -> dict:
        """The ``data`` of an API v2 answer, or the error the answer means."""
        params = {"fields": ",".join(fields)} if fields else None
        headers = {"Authorization": f"Bearer {tokens.access_token}"}
        response, body = self._request(
            method, self.base_url + path, write=write, what=path, params=params, json=json, headers=headers
        )
        if body is None:
            raise self._unusable(response, path, write)
        try:
            error = answers.obj(body.get("error"), "error", optional=True)
            code = answers.text(error.get("code"), "error.code") or "ok"
            message = answers.text(error.get("message"), "error.message")
            log_id = answers.text(error.get("log_id"), "error.log_id")
            data = answers.obj(body.get("data"), "data", optional=True)
        except answers.Garbage as exc:
            raise PlatformUnavailable(f"TikTok's answer is not as documented ({path}): {exc}.", maybe_done=write)
        if code != "ok":
            raise self._error(ERRORS, code, message, log_id, response=response, scope=scope, write=write)
        if response.status_code != 200:
            raise self._unusable(response, path, write)
        return data

    def _oauth(self, path: str, form: dict, *, refreshing: bool = False) -> dict:
        """The flat JSON answer of an OAuth endpoint, or the error it means."""
        response, body = self._request("POST", self.base_url + path, write=False, what=path, data=form)
        if body is None:
            raise self._unusable(response, path, False)
        try:
            code = answers.text(body.get("error"), "error")
            description = answers.text(body.get("error_description"), "error_description")
            log_id = answers.text(body.get("log_id"), "log_id")
        except answers.Garbage as exc:
            raise PlatformUnavailable(f"TikTok's answer is not as documented ({path}): {exc}.")
        if code:
            errors = OAUTH_ERRORS if refreshing else {**OAUTH_ERRORS, "invalid_grant": Refused}
            raise self._error(errors, code, description, log_id, response=response, scope="", write=False)
        if response.status_code != 200:
            raise self._unusable(response, path, False)
        return body

    @staticmethod
    def _retry_after(response: httpx.Response, default: float = RATE_WINDOW) -> float:
        try:
            seconds = float(response.headers.get("Retry-After", ""))
        except ValueError:
            return default
        return seconds if math.isfinite(seconds) and seconds > 0 else default

    def _error(
        self,
        errors: dict,
        code: str,
        message: str,
        log_id: str,
        *,
        response: httpx.Response,
        scope: str,
        write: bool,
    ) -> PlatformError:
        text = f"TikTok error {code}: {message or 'no description'}"
        kind = errors.get(code)
        if kind is None:
            kind = PlatformUnavailable if response.status_code >= 500 else Refused
        if kind is ScopeMissing:
            return ScopeMissing(text, scope=scope, code=code, log_id=log_id)
        if kind is RateLimited:
            window = RATE_WINDOW if code == "rate_limit_exceeded" else POSTING_WINDOW
            return RateLimited(text, retry_after=self._retry_after(response, window), code=code, log_id=log_id)
        if kind is PlatformUnavailable:
            return PlatformUnavailable(text, code=code, log_id=log_id, maybe_done=write)
        return kind(text, code=code, log_id=log_id)

    @staticmethod
    def _garbage(path: str, exc: Exception, *, write: bool = False) -> PlatformUnavailable:
        return PlatformUnavailable(f"TikTok's answer is not as documented ({path}): {exc}.", maybe_done=write)

    # --- OAuth ---------------------------------------------------------------------------------

    def authorize_url(self, *, state: str, redirect_uri: str, scopes: Sequence[str]) -> str:
        """The authorisation page (Login Kit for Web): ``client_key``, ``scope`` (comma-separated),
        ``response_type=code``, ``redirect_uri`` (registered in the app), ``state``.

        Docs: https://developers.tiktok.com/doc/login-kit-web
        """
        query = urlencode(
            {
                "client_key": self.client_key,
                "scope": ",".join(scopes),
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{self.authorize_base}?{query}"

    def _tokens(self, body: dict, path: str) -> Tokens:
        try:
            now = dt.datetime.now(dt.UTC)
            expires_in = answers.number(body.get("expires_in"), "expires_in", optional=False)
            refresh_in = answers.number(body.get("refresh_expires_in"), "refresh_expires_in")
            scope = answers.text(body.get("scope"), "scope")
            return Tokens(
                access_token=answers.text(body.get("access_token"), "access_token", optional=False),
                refresh_token=answers.text(body.get("refresh_token"), "refresh_token", optional=False),
                expires_at=now + dt.timedelta(seconds=expires_in),
                refresh_expires_at=now + dt.timedelta(seconds=refresh_in) if refresh_in else None,
                open_id=answers.text(body.get("open_id"), "open_id", optional=False),
                scopes=tuple(s.strip() for s in scope.split(",") if s.strip()),
            )
        except answers.Garbage as exc:
            raise self._garbage(path, exc)

    def exchange_code(self, *, code: str, redirect_uri: str) -> Tokens:
        """POST /v2/oauth/token/ (form: client_key, client_secret, code, grant_type=authorization_code,
        redirect_uri). A code is single-use; ``invalid_grant`` here means the code is not valid.

        Docs: https://developers.tiktok.com/doc/oauth-user-access-token-management
        """
        path = "/v2/oauth/token/"
        form = {
            "client_key": self.client_key,
            "client_secret": self.client_secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
        }
        return self._tokens(self._oauth(path, form), path)

    def refresh(self, tokens: Tokens) -> Tokens:
        """POST /v2/oauth/token/ (form: client_key, client_secret, grant_type=refresh_token,
        refresh_token). Refresh tokens rotate: the answer carries a new refresh token (with its
        remaining lifetime) and the one sent stops working, so the new pair must be stored before
        anything else. ``invalid_grant``: the refresh token expired or the user revoked access.

        Docs: https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token
        """
        path = "/v2/oauth/token/"
        form = {
            "client_key": self.client_key,
            "client_secret": self.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": tokens.refresh_token,
        }
        fresh = self._tokens(self._oauth(path, form, refreshing=True), path)
        if fresh.open_id != tokens.open_id:
            raise PlatformUnavailable(f"TikTok's answer is not as documented ({path}): another open_id.")
        return fresh

    def revoke(self, tokens: Tokens) -> None:
        """POST /v2/oauth/revoke/ (form: client_key, client_secret, token=<access token>): the app
        leaves the user's connected apps; the answer is empty. An authorisation already gone
        (invalid token) counts as revoked.

        Docs: https://developers.tiktok.com/docs/en/oauth-revoke-a-user-access-token
        """
        form = {"client_key": self.client_key, "client_secret": self.client_secret, "token": tokens.access_token}
        try:
            self._oauth("/v2/oauth/revoke/", form, refreshing=True)
        except ReconnectNeeded:
            return

    def profile(self, tokens: Tokens) -> Profile:
        """GET /v2/user/info/?fields=open_id,union_id,avatar_url,display_name[,username] (scope
        user.info.basic; ``username`` needs user.info.profile, so it is asked only when granted).

        Docs: https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info
        """
        path = "/v2/user/info/"
        fields = USER_FIELDS_BASIC + (USER_FIELDS_PROFILE if "user.info.profile" in tokens.scopes else ())
        data = self._send("GET", path, tokens=tokens, fields=fields, scope="user.info.basic")
        try:
            user = answers.obj(data.get("user"), "user")
            return Profile(
                open_id=answers.text(user.get("open_id"), "user.open_id") or tokens.open_id,
                nickname=answers.text(user.get("display_name"), "user.display_name"),
                avatar_url=answers.text(user.get("avatar_url"), "user.avatar_url"),
                handle=answers.text(user.get("username"), "user.username"),
            )
        except answers.Garbage as exc:
            raise self._garbage(path, exc)

    # --- pulling -------------------------------------------------------------------------------

    def account_days(self, tokens: Tokens, *, start: dt.date, end: dt.date) -> list[AccountDay]:
        """GET /v2/user/info/?fields=follower_count,likes_count,video_count (scope user.info.stats).

        TikTok keeps no daily history for apps: it answers the account's totals now. The follower
        count read now is the end-of-day figure of the last day of the period when that day is
        yesterday or today (the sync runs just after a day ends); earlier days cannot be had and
        are left out, as are the day's plays, likes, comments, shares and profile visits (the
        lifetime ``likes_count`` is not a day's likes).

        Docs: https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info
        """
        if end < start:
            raise ValueError("end is before start.")
        today = dt.datetime.now(dt.UTC).date()
        if end < today - dt.timedelta(days=1):
            return []
        path = "/v2/user/info/"
        data = self._send(
            "GET", path, tokens=tokens, fields=("follower_count", "likes_count", "video_count"), scope="user.info.stats"
        )
        try:
            user = answers.obj(data.get("user"), "user")
            followers = answers.number(user.get("follower_count"), "user.follower_count")
        except answers.Garbage as exc:
            raise self._garbage(path, exc)
        return [AccountDay(date=min(end, today), followers=followers)]

    def _video(self, row, name: str) -> VideoItem:
        row = answers.obj(row, name)
        title = answers.text(row.get("title"), f"{name}.title") or answers.text(
            row.get("video_description"), f"{name}.description"
        )
        return VideoItem(
            item_id=answers.text(row.get("id"), f"{name}.id", optional=False),
            title=title,
            url=answers.text(row.get("share_url"), f"{name}.share_url"),
            published_at=answers.moment(row.get("create_time"), f"{name}.create_time"),
            plays=answers.number(row.get("view_count"), f"{name}.view_count"),
            likes=answers.number(row.get("like_count"), f"{name}.like_count"),
            comments=answers.number(row.get("comment_count"), f"{name}.comment_count"),
            shares=answers.number(row.get("share_count"), f"{name}.share_count"),
            status=PublishStatus.PUBLIC,  # the Display API lists only posted videos
        )

    def videos(self, tokens: Tokens, *, cursor: str = "") -> Page[VideoItem]:
        """POST /v2/video/list/?fields=... (JSON ``{"max_count": 20, "cursor": <ms>}``; scope
        video.list): the account's public videos, newest first; ``cursor`` is a Unix time in
        milliseconds (videos created before it), with ``has_more``.

        Docs: https://developers.tiktok.com/doc/tiktok-api-v2-video-list
        """
        path = "/v2/video/list/"
        body: dict = {"max_count": self.page_size}
        if cursor:
            if not cursor.isdigit():
                raise ValueError(f"Not a cursor this adapter gave: {cursor!r}.")
            body["cursor"] = int(cursor)
        data = self._send("POST", path, tokens=tokens, fields=VIDEO_FIELDS, json=body, scope="video.list")
        try:
            rows = answers.items(data.get("videos"), "videos")
            items = [self._video(row, f"videos.{index}") for index, row in enumerate(rows)]
            more = answers.flag(data.get("has_more"), "has_more")
            next_cursor = answers.number(data.get("cursor"), "cursor")
        except answers.Garbage as exc:
            raise self._garbage(path, exc)
        if more and next_cursor is None:
            raise self._garbage(path, answers.Garbage("has_more without a cursor"))
        return Page(items=items, cursor=str(next_cursor) if more else "", has_more=more)

    def video_stats(self, tokens: Tokens, *, item_ids: Sequence[str]) -> list[VideoItem]:
        """POST /v2/video/query/?fields=... (JSON ``{"filters": {"video_ids": [...]}}``, at most 20
        a call; scope video.list): each video's figures. Ids of videos gone are left out.

        Docs: https://developers.tiktok.com/doc/tiktok-api-v2-video-query
        """
        path = "/v2/video/query/"
        found: list[VideoItem] = []
        ids = list(dict.fromkeys(item_ids))
        for start in range(0, len(ids), 20):
            body = {"filters": {"video_ids": ids[start : start + 20]}}
            data = self._send("POST", path, tokens=tokens, fields=VIDEO_FIELDS, json=body, scope="video.list")
            try:
                rows = answers.items(data.get("videos"), "videos")
                found.extend(self._video(row, f"videos.{index}") for index, row in enumerate(rows))
            except answers.Garbage as exc:
                raise self._garbage(path, exc)
        return found

    # --- publishing ----------------------------------------------------------------------------

    def _chunks(self, size: int) -> tuple[int, int]:
        """(chunk_size, total_chunk_count) as documented: one chunk up to ``single_upload_max``
        (under 5 MB it must be one), else chunks of ``part_size`` with the remainder in the last."""
        if size <= self.single_upload_max:
            return size, 1
        return self.part_size, size // self.part_size

    def creator_info(self, tokens: Tokens) -> dict:
        """POST /v2/post/publish/creator_info/query/ (scope video.publish): the privacy levels the
        creator may post with, whether they can post now, the longest video they may post.

        Docs: https://developers.tiktok.com/doc/content-posting-api-reference-query-creator-info
        """
        path = "/v2/post/publish/creator_info/query/"
        data = self._send("POST", path, tokens=tokens, json={}, scope="video.publish")
        try:
            return {
                "privacy_level_options": [
                    answers.text(option, "privacy_level_options")
                    for option in answers.items(data.get("privacy_level_options"), "privacy_level_options")
                ],
                "username": answers.text(data.get("creator_username"), "creator_username"),
                "max_video_post_duration_sec": answers.number(
                    data.get("max_video_post_duration_sec"), "max_video_post_duration_sec"
                ),
            }
        except answers.Garbage as exc:
            raise self._garbage(path, exc)

    def publish_video(self, tokens: Tokens, *, file: BinaryIO, size: int, text: str, poi_id: str = "") -> Delivered:
        """Direct Post: the creator's options (``creator_info``), then POST
        /v2/post/publish/video/init/ (JSON ``post_info`` {title, privacy_level, disable_*} and
        ``source_info`` {source=FILE_UPLOAD, video_size, chunk_size, total_chunk_count}; scope
        video.publish) → ``publish_id`` and ``upload_url``; then each chunk, in order, PUT to
        ``upload_url`` with ``Content-Range: bytes first-last/total`` (206 until the last, 201).
        ``platform_id`` is the ``publish_id``: the post's own id comes with its status
        (``publication``). TikTok has no POI on posts: ``poi_id`` is not sent. Nothing is posted
        before the last chunk arrives; when the answer to the last chunk is lost, the post's status
        says whether every byte arrived (then it is delivered) before the loss is reported.

        Docs: https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
        and https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide
        """
        if size <= 0:
            raise ValueError("The video is empty.")
        if file.seekable():
            file.seek(0)  # a retry after refreshing the token sends the file from its start again
        info = self.creator_info(tokens)
        if "PUBLIC_TO_EVERYONE" not in info["privacy_level_options"]:
            raise Refused(
                _(
                    "TikTok lets this app post for the account only as %(levels)s (an app not yet audited by "
                    "TikTok posts privately): the post would not be public."
                )
                % {"levels": ", ".join(info["privacy_level_options"]) or "-"},
                code="privacy_level_option_mismatch",
            )
        chunk_size, count = self._chunks(size)
        path = "/v2/post/publish/video/init/"
        body = {
            "post_info": {
                "title": text,
                "privacy_level": "PUBLIC_TO_EVERYONE",
                "disable_duet": False,
                "disable_comment": False,
                "disable_stitch": False,
            },
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": size,
                "chunk_size": chunk_size,
                "total_chunk_count": count,
            },
        }
        # Nothing is posted before the last chunk arrives, so an init whose answer is lost is harmless.
        data = self._send("POST", path, tokens=tokens, json=body, scope="video.publish")
        try:
            publish_id = answers.text(data.get("publish_id"), "publish_id", optional=False)
            upload_url = answers.text(data.get("upload_url"), "upload_url", optional=False)
        except answers.Garbage as exc:
            raise self._garbage(path, exc)
        sent = 0
        for number in range(count):
            length = chunk_size if number < count - 1 else size - sent
            chunk = file.read(length)
            if len(chunk) != length:
                raise ValueError(f"The file ended after {sent + len(chunk)} bytes, not {size}.")
            last = number == count - 1
            try:
                self._put_chunk(upload_url, chunk, first=sent, total=size, last=last)
            except PlatformUnavailable as exc:
                # The last chunk's answer was lost: TikTok knows whether every byte arrived.
                if not (last and exc.maybe_done and self._upload_arrived(tokens, publish_id, size)):
                    raise
            sent += length
        return Delivered(platform_id=publish_id, accepted_at=dt.datetime.now(dt.UTC))

    def _upload_arrived(self, tokens: Tokens, publish_id: str, size: int) -> bool:
        """Whether the status of ``publish_id`` says the whole video arrived (False when it
        cannot be read: the caller then reports the lost answer)."""
        path = "/v2/post/publish/status/fetch/"
        try:
            data = self._send("POST", path, tokens=tokens, json={"publish_id": publish_id}, scope="video.publish")
            status = answers.text(data.get("status"), "status")
            uploaded = answers.number(data.get("uploaded_bytes"), "uploaded_bytes")
        except (PlatformError, answers.Garbage):
            return False
        return uploaded == size or status in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX")

    def _put_chunk(self, upload_url: str, chunk: bytes, *, first: int, total: int, last: bool) -> None:
        headers = {
            "Content-Type": "video/mp4",
            "Content-Range": f"bytes {first}-{first + len(chunk) - 1}/{total}",
        }
        what = "upload_url"
        response, body = self._request("PUT", upload_url, write=last, what=what, content=chunk, headers=headers)
        if response.status_code in (200, 201, 206):
            return
        error = body.get("error") if body else None
        if isinstance(error, dict) and isinstance(error.get("code"), str) and error["code"] != "ok":
            raise self._error(
                ERRORS,
                error["code"],
                str(error.get("message") or ""),
                str(error.get("log_id") or ""),
                response=response,
                scope="video.publish",
                write=last,
            )
        raise self._unusable(response, what, last)

    def upload_video(self, tokens: Tokens, *, file: BinaryIO, size: int) -> str:
        """TikTok takes the post's text before the file (``publish_video``), so the upload step of
        the two-step interface keeps the file in this machine's temporary directory and answers a
        ``staged:`` id that ``create_video`` publishes from. Nothing reaches TikTok here."""
        if size <= 0:
            raise ValueError("The video is empty.")
        os.makedirs(STAGED_DIR, exist_ok=True)
        self._sweep_staged()
        name = f"{secrets.token_hex(16)}.mp4"
        copied = 0
        with open(os.path.join(STAGED_DIR, name), "wb") as staged:
            while copied < size:
                block = file.read(min(1024 * 1024, size - copied))
                if not block:
                    break
                staged.write(block)
                copied += len(block)
        if copied != size:
            os.remove(os.path.join(STAGED_DIR, name))
            raise ValueError(f"The file holds {copied} bytes, not {size}.")
        return STAGED_PREFIX + name

    @staticmethod
    def _sweep_staged() -> None:
        cutoff = time.time() - STAGED_MAX_AGE
        for entry in os.scandir(STAGED_DIR):
            try:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    os.remove(entry.path)
            except OSError:
                pass

    def create_video(self, tokens: Tokens, *, video_id: str, text: str, poi_id: str = "") -> Delivered:
        """Publishes a file staged by ``upload_video`` (see ``publish_video``). The staged file is
        kept only while a retry with a refreshed token may still need it."""
        name = video_id.removeprefix(STAGED_PREFIX)
        if not video_id.startswith(STAGED_PREFIX) or not name or os.path.basename(name) != name:
            raise ValueError(f"Not a video id this adapter gave: {video_id!r}.")
        path = os.path.join(STAGED_DIR, name)
        try:
            size = os.path.getsize(path)
        except OSError:
            raise Refused(_("The staged upload is gone: the publication must be sent again.")) from None
        keep = False
        try:
            with open(path, "rb") as file:
                return self.publish_video(tokens, file=file, size=size, text=text, poi_id=poi_id)
        except TokenExpired:
            keep = True  # the caller refreshes the token and calls again with this id
            raise
        finally:
            if not keep:
                try:
                    os.remove(path)
                except OSError:
                    pass

    def publication(self, tokens: Tokens, *, item_id: str) -> Publication:
        """POST /v2/post/publish/status/fetch/ (JSON ``{"publish_id"}``; scope video.publish):
        PROCESSING_UPLOAD / PROCESSING_DOWNLOAD / SEND_TO_USER_INBOX → reviewing; PUBLISH_COMPLETE
        with ``publicaly_available_post_id`` (the documented spelling) → public, its url read
        through the video query; PUBLISH_COMPLETE without it is still in moderation; FAILED →
        refused with ``fail_reason``. ``item_id`` is the ``publish_id``, or a post's own (numeric) id.

        Docs: https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status
        """
        if item_id.isdigit():
            # A post's own id (``find_post`` found it listed): it is public while the query finds it.
            for video in self.video_stats(tokens, item_ids=[item_id]):
                return Publication(item_id=item_id, status=PublishStatus.PUBLIC, url=video.url)
            return Publication(item_id=item_id, status=PublishStatus.DELETED)
        path = "/v2/post/publish/status/fetch/"
        data = self._send("POST", path, tokens=tokens, json={"publish_id": item_id}, scope="video.publish")
        try:
            status = answers.text(data.get("status"), "status", optional=False)
            reason = answers.text(data.get("fail_reason"), "fail_reason")
            posts = [
                answers.text(post, "publicaly_available_post_id")
                for post in answers.items(data.get("publicaly_available_post_id"), "publicaly_available_post_id")
            ]
        except answers.Garbage as exc:
            raise self._garbage(path, exc)
        if status == "FAILED":
            return Publication(item_id=item_id, status=PublishStatus.REFUSED, reason=reason or status)
        if status == "PUBLISH_COMPLETE" and posts:
            url = ""
            for video in self.video_stats(tokens, item_ids=posts[:1]):
                url = video.url
            return Publication(item_id=posts[0], status=PublishStatus.PUBLIC, url=url)
        if status == "PUBLISH_COMPLETE" or status in PROCESSING:
            return Publication(item_id=item_id, status=PublishStatus.REVIEWING)
        raise self._garbage(path, answers.Garbage(f"status {status!r} is not a documented value"))

    def find_post(self, tokens: Tokens, *, text: str, since: dt.datetime) -> Delivered | None:
        """The account's video captioned ``text`` created since ``since``, looked for in the video
        list (newest first), or None. A post still in TikTok's moderation is not listed yet."""
        cursor = ""
        for _attempt in range(self.find_pages):
            page = self.videos(tokens, cursor=cursor)
            for video in page.items:
                if video.published_at and video.published_at < since - self.find_slack:
                    return None
                if video.title == text:
                    return Delivered(platform_id=video.item_id, accepted_at=video.published_at or since)
            if not page.has_more:
                return None
            cursor = page.cursor
        return None
