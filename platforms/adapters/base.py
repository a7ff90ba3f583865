"""The one interface every platform adapter implements, and what it answers in.

An adapter is the only code that knows a platform's URLs, parameters, response shapes and error
codes. It speaks in the plain values below, never in models: the services of ``platforms`` turn
them into rows through the chapter apps' ingest services, and decide what to do about each error.

Every call takes the connection's current ``Tokens`` (the services decrypt them just before the
call and never log them) and makes HTTP requests with a timeout. An adapter never retries on its
own: it raises one of the errors below and the caller decides (refresh and retry once, back off,
ask to reconnect, try again later).

Capabilities name what a platform's open API can do; where it cannot (WeChat Channels' private
messages, for example), the adapter leaves the capability out and the account keeps file import
and manual entry for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar, Generic, TypeVar

T = TypeVar("T")


class Capability:
    """What a connection can be used for. Each needs the scopes the adapter names for it."""

    ACCOUNT_DATA = "account_data"  # daily fans, plays, likes, comments, shares, profile visits
    PORTRAIT = "portrait"  # the fan portrait (7.3)
    VIDEOS = "videos"  # the video list, each video's figures
    COMMENTS = "comments"  # comments and their replies (7.1)
    COMMENT_REPLY = "comment_reply"
    COMMENT_TOP = "comment_top"  # pin a comment (and unpin)
    COMMENT_HIDE = "comment_hide"
    MESSAGES = "messages"  # private messages: receive (webhook) and reply (6.4)
    PUBLISH = "publish"  # upload a video, create the post, follow its review

    ALL = (
        ACCOUNT_DATA,
        PORTRAIT,
        VIDEOS,
        COMMENTS,
        COMMENT_REPLY,
        COMMENT_TOP,
        COMMENT_HIDE,
        MESSAGES,
        PUBLISH,
    )


# --- Errors: one class per way a platform says no, so the caller can act on each ------------------


class PlatformError(Exception):
    """The platform refused or failed a call. ``code`` is the platform's own error code (or the
    HTTP status), ``log_id`` its request id when it gives one (for its support)."""

    retryable = False

    def __init__(self, message: str, *, code: str | int | None = None, log_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.log_id = log_id


class TokenExpired(PlatformError):
    """The access token has expired or is not valid any more: refresh it and retry once."""


class ReconnectNeeded(PlatformError):
    """The authorisation is gone (refresh token expired or revoked, the user cancelled it):
    only the account's owner authorising again helps."""


class ScopeMissing(PlatformError):
    """The authorisation lacks a scope this call needs: the connection names ``scope``."""

    def __init__(self, message: str, *, scope: str = "", **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.scope = scope


class RateLimited(PlatformError):
    """Too many calls: wait ``retry_after`` seconds (the platform's window) before the next."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float = 60.0, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class PlatformUnavailable(PlatformError):
    """The platform could not be reached or answered something unusable (timeout, 5xx, a body
    that is not what its documentation describes). Try again later. ``maybe_done`` is True when
    the request may have reached the platform (a timeout after sending, a 5xx), so a write must be
    checked for before it is sent again."""

    retryable = True

    def __init__(self, message: str, *, maybe_done: bool = False, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.maybe_done = maybe_done


class Refused(PlatformError):
    """The platform refused this request for a reason that a retry will not change (the
    conversation's reply window closed, the text breaks a content rule, the comment is gone)."""


# --- Values ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime  # aware
    refresh_expires_at: dt.datetime | None
    open_id: str  # the platform's id of the authorising account
    scopes: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never print a token
        return f"Tokens(open_id={self.open_id!r}, expires_at={self.expires_at!r}, scopes={self.scopes!r})"


@dataclass(frozen=True)
class Profile:
    open_id: str
    nickname: str = ""
    avatar_url: str = ""
    handle: str = ""  # the id people search for, when the platform gives it


@dataclass(frozen=True)
class AccountDay:
    """One day of an account's figures; a figure the platform did not give is None."""

    date: dt.date
    followers: int | None = None  # total fans at the end of the day
    new_followers: int | None = None
    plays: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    profile_visits: int | None = None


@dataclass(frozen=True)
class Portrait:
    """The fan portrait: each distribution is ``{key: share of fans}`` (0 to 1; the adapter turns the
    platform's counts into shares) under the platform's own keys, which ``accounts_ops.portrait``
    maps to ours (``"1"``/``"2"`` → male/female, ...)."""

    date: dt.date
    fans_total: int | None = None
    gender: dict = field(default_factory=dict)
    age: dict = field(default_factory=dict)
    provinces: dict = field(default_factory=dict)
    cities: dict = field(default_factory=dict)
    devices: dict = field(default_factory=dict)
    interests: dict = field(default_factory=dict)
    active_days: dict = field(default_factory=dict)
    active_hours: dict = field(default_factory=dict)


@dataclass(frozen=True)
class VideoItem:
    item_id: str
    title: str = ""
    url: str = ""
    published_at: dt.datetime | None = None
    plays: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    status: str = ""  # PublishStatus value when the platform says (reviewing, public, refused)


@dataclass(frozen=True)
class CommentItem:
    comment_id: str
    item_id: str
    text: str
    posted_at: dt.datetime
    likes: int | None = None
    replies: int | None = None
    parent_comment_id: str = ""  # set for a reply to a comment
    author_id: str = ""
    author_nickname: str = ""
    is_top: bool = False
    is_from_account: bool = False


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    cursor: str = ""  # pass back to get the next page
    has_more: bool = False


@dataclass(frozen=True)
class Delivered:
    """The platform accepted a write: its id for what was created (a comment, a message, a post)
    and the time it accepted it (the platform's time when it says, else when its answer arrived)."""

    platform_id: str
    accepted_at: dt.datetime


class PublishStatus:
    REVIEWING = "reviewing"
    PUBLIC = "public"
    REFUSED = "refused"
    DELETED = "deleted"


@dataclass(frozen=True)
class Publication:
    item_id: str
    status: str  # a PublishStatus value
    reason: str = ""  # why it was refused, in the platform's words
    url: str = ""


# --- The interface ---------------------------------------------------------------------------------


class Adapter:
    """One platform's open API. Subclasses set the class attributes and implement the methods of
    their capabilities; a method of a capability the platform lacks raises ``NotImplementedError``
    and is never called (the services check ``capabilities`` first)."""

    platform: ClassVar[str]  # clients.models.Platform value
    capabilities: ClassVar[frozenset[str]] = frozenset()
    # The scopes each capability needs, as the platform names them.
    scopes: ClassVar[dict[str, tuple[str, ...]]] = {}
    # The platform's stated limits (calls per second per app, per user), for docs/scaling.md.
    rate_limits: ClassVar[dict[str, str]] = {}

    def __init__(self, *, base_url: str, client_key: str, client_secret: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_key = client_key
        self.client_secret = client_secret
        self.timeout = timeout

    def scopes_for(self, capabilities) -> tuple[str, ...]:
        wanted: list[str] = []
        for capability in capabilities:
            for scope in self.scopes.get(capability, ()):
                if scope not in wanted:
                    wanted.append(scope)
        return tuple(wanted)

    # OAuth 2 (authorisation code)
    def authorize_url(self, *, state: str, redirect_uri: str, scopes: Sequence[str]) -> str:
        raise NotImplementedError

    def exchange_code(self, *, code: str, redirect_uri: str) -> Tokens:
        raise NotImplementedError

    def refresh(self, tokens: Tokens) -> Tokens:
        """New access token (and, where the platform rotates it, a new refresh token)."""
        raise NotImplementedError

    def renew_refresh_token(self, tokens: Tokens) -> Tokens:
        """A refresh token with a new lifetime, where the platform offers it; else ``tokens``."""
        return tokens

    def revoke(self, tokens: Tokens) -> None:
        """Give the authorisation back, where the platform offers it."""

    def profile(self, tokens: Tokens) -> Profile:
        raise NotImplementedError

    # Pulling (Capability.ACCOUNT_DATA, PORTRAIT, VIDEOS, COMMENTS)
    def account_days(self, tokens: Tokens, *, start: dt.date, end: dt.date) -> list[AccountDay]:
        raise NotImplementedError

    def portrait(self, tokens: Tokens) -> Portrait:
        raise NotImplementedError

    def videos(self, tokens: Tokens, *, cursor: str = "") -> Page[VideoItem]:
        raise NotImplementedError

    def video_stats(self, tokens: Tokens, *, item_ids: Sequence[str]) -> list[VideoItem]:
        raise NotImplementedError

    def comments(self, tokens: Tokens, *, item_id: str, cursor: str = "") -> Page[CommentItem]:
        raise NotImplementedError

    def comment_replies(self, tokens: Tokens, *, item_id: str, comment_id: str, cursor: str = "") -> Page[CommentItem]:
        raise NotImplementedError

    # Delivering (COMMENT_REPLY, COMMENT_TOP, COMMENT_HIDE, MESSAGES, PUBLISH)
    def reply_comment(self, tokens: Tokens, *, item_id: str, comment_id: str, text: str) -> Delivered:
        raise NotImplementedError

    def top_comment(self, tokens: Tokens, *, item_id: str, comment_id: str, top: bool) -> Delivered:
        raise NotImplementedError

    def hide_comment(self, tokens: Tokens, *, item_id: str, comment_id: str, hidden: bool) -> Delivered:
        raise NotImplementedError

    def send_message(
        self, tokens: Tokens, *, conversation_id: str, to_user_id: str, text: str, reply_to: str = ""
    ) -> Delivered:
        raise NotImplementedError

    def upload_video(self, tokens: Tokens, *, file: BinaryIO, size: int) -> str:
        """Upload a video file (in parts when it is large); the platform's video id."""
        raise NotImplementedError

    def create_video(self, tokens: Tokens, *, video_id: str, text: str, poi_id: str = "") -> Delivered:
        """Create the post from an uploaded video; ``platform_id`` is the new item id."""
        raise NotImplementedError

    def publish_video(self, tokens: Tokens, *, file: BinaryIO, size: int, text: str, poi_id: str = "") -> Delivered:
        """Upload ``file`` and create the post from it; ``platform_id`` is what ``publication``
        follows. Douyin uploads first and takes the text after; a platform that takes the text
        first (TikTok) overrides this."""
        if file.seekable():
            file.seek(0)
        video_id = self.upload_video(tokens, file=file, size=size)
        return self.create_video(tokens, video_id=video_id, text=text, poi_id=poi_id)

    def publication(self, tokens: Tokens, *, item_id: str) -> Publication:
        raise NotImplementedError

    # Finding out whether a write whose answer was lost reached the platform (see PlatformUnavailable).
    def find_comment_reply(
        self, tokens: Tokens, *, item_id: str, comment_id: str, text: str, since: dt.datetime
    ) -> Delivered | None:
        raise NotImplementedError

    def find_post(self, tokens: Tokens, *, text: str, since: dt.datetime) -> Delivered | None:
        raise NotImplementedError

    def find_message(
        self, tokens: Tokens, *, conversation_id: str, to_user_id: str, text: str, since: dt.datetime
    ) -> Delivered | None:
        """A private message sent since ``since``, where the platform lets an app read what it sent.
        Douyin does not: a reply whose answer was lost is then left to a person to check."""
        raise NotImplementedError
