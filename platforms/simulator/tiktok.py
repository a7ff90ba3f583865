"""TikTok for Developers, simulated: the documented v2 endpoints the TikTok adapter calls (Login
Kit's OAuth, the Display API's user info, video list and video query, the Content Posting API's
Direct Post with chunked uploads and its status), with their request shapes (form bodies for
OAuth, ``Authorization: Bearer`` and a ``fields`` query for the rest, JSON bodies, ``PUT`` chunks
with ``Content-Range``), answer envelopes and error codes.

Answers::

    OAuth:  {"access_token": ..., "expires_in": ..., "refresh_token": ..., "refresh_expires_in": ...,
             "open_id": ..., "scope": "a,b", "token_type": "Bearer"}
            or {"error": "invalid_grant", "error_description": ..., "log_id": ...} (HTTP 400)
    others: {"data": {...}, "error": {"code": "ok", "message": "", "log_id": ...}}
            an error sets error.code and the documented HTTP status (401, 400, 429, 403, 500)

Stateful as the platform is: codes single-use and tied to their redirect URI, access tokens that
live 2 hours, refresh tokens that live 180 days and rotate on each refresh (the one sent stops
working), revocation, per-token rate limits in a one-minute window (the publishing endpoints at
their documented lower limits), a Unix-milliseconds cursor, the chunk rules of the media transfer
guide, and moderation after the last chunk (``review_delay`` seconds; a caption holding a banned
word fails with ``spam_risk_text``) before the post is listed. The simulated accounts are the same
as Douyin's; a video's TikTok id is numeric.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from platforms.simulator.douyin import Request, Response, connect_page
from platforms.simulator.state import SimError, World

PREFIX = "/tiktok"
ACCESS_LIFETIME = 2 * 3600  # documented: the access token lives 2 hours
REFRESH_LIFETIME = 180 * 86400  # documented: the refresh token lives 180 days
MAX_CHUNK = 64 * 1024 * 1024  # documented: chunks of at most 64 MB
MAX_LAST_CHUNK = 128 * 1024 * 1024  # documented: the last chunk up to 128 MB
MAX_CHUNKS = 1000
PAGE_MAX = 20  # documented: max_count at most 20
# Documented per-token limits of the publishing endpoints (calls a minute); others use the config's.
ENDPOINT_LIMITS = {
    "/v2/post/publish/creator_info/query/": 20,
    "/v2/post/publish/video/init/": 6,
    "/v2/post/publish/status/fetch/": 30,
}
HTTP_STATUS = {
    "access_token_invalid": 401,
    "scope_not_authorized": 401,
    "scope_permission_missed": 401,
    "rate_limit_exceeded": 429,
    "invalid_params": 400,
    "invalid_file_upload": 400,
    "invalid_publish_id": 400,
    "url_ownership_unverified": 403,
    "privacy_level_option_mismatch": 400,
    "internal_error": 500,
}
USER_FIELDS = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "display_name": "user.info.basic",
    "username": "user.info.profile",
    "bio_description": "user.info.profile",
    "is_verified": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
VIDEO_FIELDS = frozenset(
    {
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
    }
)
PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


@dataclass(frozen=True)
class Route:
    method: str
    handler: str  # TikTokApp method name
    scope: str = ""  # "" for OAuth, the authorisation page and the upload URL
    envelope: str = "api"  # api | oauth | raw


ROUTES: dict[str, Route] = {
    "/v2/auth/authorize/": Route("GET", "connect", envelope="raw"),
    "/v2/oauth/token/": Route("POST", "token", envelope="oauth"),
    "/v2/oauth/revoke/": Route("POST", "revoke", envelope="oauth"),
    "/v2/user/info/": Route("GET", "user_info", "user.info.basic"),
    "/v2/video/list/": Route("POST", "video_list", "video.list"),
    "/v2/video/query/": Route("POST", "video_query", "video.list"),
    "/v2/post/publish/creator_info/query/": Route("POST", "creator_info", "video.publish"),
    "/v2/post/publish/video/init/": Route("POST", "video_init", "video.publish"),
    "/v2/post/publish/status/fetch/": Route("POST", "status_fetch", "video.publish"),
    "/upload/": Route("PUT", "upload", envelope="raw"),
}


def tiktok_id(video: dict) -> str:
    """A video's numeric TikTok id (generated videos carry the simulator's own ids)."""
    if video["item_id"].isdigit():
        return video["item_id"]
    return str(7_000_000_000_000_000_000 + int(hashlib.sha256(video["item_id"].encode()).hexdigest()[:15], 16))


class TikTokApp:
    """The simulated TikTok endpoints over a ``World`` (``handle`` answers one request; the server
    applies injected faults around it)."""

    def __init__(self, world: World) -> None:
        self.world = world

    def state(self) -> dict:
        """TikTok's own state in the world: publishes (by publish_id) and posts (by open_id)."""
        return self.world.extra.setdefault("tiktok", {"publishes": {}, "posts": {}})

    # --- envelopes ------------------------------------------------------------------------------

    @staticmethod
    def log_id() -> str:
        return secrets.token_hex(16).upper()

    def answer(self, data: dict) -> dict:
        return {"data": data, "error": {"code": "ok", "message": "", "log_id": self.log_id()}}

    def error(self, route: Route, error: SimError) -> Response:
        code = str(error.code)
        if route.envelope == "oauth":
            body = {"error": code, "error_description": error.description, "log_id": self.log_id()}
            return Response.json(body, status=400, headers=error.headers)
        body = {"data": {}, "error": {"code": code, "message": error.description, "log_id": self.log_id()}}
        return Response.json(body, status=HTTP_STATUS.get(code, 400), headers=error.headers)

    # --- dispatch -------------------------------------------------------------------------------

    def route(self, path: str) -> Route | None:
        return ROUTES.get(path)

    def handle(self, request: Request) -> tuple[Response, dict | None]:
        route = self.route(request.path)
        if route is None:
            body = {"data": {}, "error": {"code": "invalid_params", "message": "unknown path", "log_id": self.log_id()}}
            return Response.json(body, status=404), None
        if request.method != route.method:
            return self.error(route, SimError("invalid_params", f"method must be {route.method}")), None
        try:
            with self.world.lock:
                grant = self.authorise(request, route) if route.scope else None
                result = getattr(self, route.handler)(request, grant)
        except SimError as error:
            self.log(request, grant_open_id(request, self.world), error.code)
            return self.error(route, error), None
        self.log(request, grant_open_id(request, self.world), 0)
        if isinstance(result, Response):
            return result, None
        if route.envelope == "oauth":
            return Response.json(result), None
        return Response.json(self.answer(result)), result

    def authorise(self, request: Request, route: Route) -> dict:
        header = request.headers.get("authorization", "")
        token = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
        grant = self.world.access.get(token)
        if (
            grant is None
            or grant.get("platform") != "tiktok"
            or grant["open_id"] in self.world.revoked
            or self.world.now() >= grant["expires_at"]
        ):
            raise SimError("access_token_invalid", "The access token is invalid or not found in the request.")
        if route.scope not in grant["scopes"]:
            raise SimError("scope_not_authorized", f"The user did not authorize the scope {route.scope}.")
        self.count_call(token, request.path)
        return grant

    def count_call(self, token: str, path: str) -> None:
        now = self.world.now()
        key = (token, PREFIX + path)
        window = self.world.windows.get(key)
        if window is None or now >= window[0] + self.world.config.rate_window:
            window = self.world.windows[key] = [now, 0]
        window[1] += 1
        if window[1] > min(self.world.config.rate_limit, ENDPOINT_LIMITS.get(path, self.world.config.rate_limit)):
            raise SimError("rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.")

    def log(self, request: Request, open_id: str, code) -> None:
        self.world.calls.append(
            {"path": PREFIX + request.path, "method": request.method, "open_id": open_id, "code": code}
        )

    # --- request helpers ------------------------------------------------------------------------

    @staticmethod
    def body(request: Request) -> dict:
        try:
            value = json.loads(request.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            raise SimError("invalid_params", "The body is not JSON.")
        if not isinstance(value, dict):
            raise SimError("invalid_params", "The body is not a JSON object.")
        return value

    @staticmethod
    def fields(request: Request, allowed) -> list[str]:
        fields = [name for name in request.query.get("fields", "").split(",") if name]
        if not fields:
            raise SimError("invalid_params", "fields is required.")
        unknown = [name for name in fields if name not in allowed]
        if unknown:
            raise SimError("invalid_params", f"Unknown fields: {','.join(unknown)}.")
        return fields

    # --- OAuth ----------------------------------------------------------------------------------

    def connect(self, request: Request, grant) -> Response:
        """The authorisation page: lists the simulated accounts; choosing one redirects to
        ``redirect_uri?code=...&state=...`` (``auto_open_id`` chooses without a page)."""
        query = request.query
        if query.get("client_key") != self.world.config.tiktok_client_key or query.get("response_type") != "code":
            return Response.html("<h1>invalid client_key or response_type</h1>", status=400)
        return connect_page(
            self.world,
            request,
            lang="en",
            title="Authorize with TikTok (simulator)",
            choose="Choose the account:",
            scopes_heading="Scopes asked for:",
            bad_redirect="invalid redirect_uri",
            no_account="No such account",
        )

    def form(self, request: Request) -> dict:
        try:
            parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            parsed = {}
        form = {key: values[0] for key, values in parsed.items()}
        config = self.world.config
        if not form.get("client_key") or not form.get("client_secret"):
            raise SimError("invalid_request", "client_key and client_secret are required.")
        if form["client_key"] != config.tiktok_client_key or form["client_secret"] != config.tiktok_client_secret:
            raise SimError("invalid_client", "Client authentication failed.")
        return form

    def issue(self, open_id: str, scopes: list, refresh_expires_at: float) -> dict:
        now = self.world.now()
        access, refresh = f"act.tt{secrets.token_hex(20)}", f"rft.tt{secrets.token_hex(20)}"
        self.world.access[access] = {
            "open_id": open_id,
            "scopes": scopes,
            "expires_at": now + ACCESS_LIFETIME,
            "platform": "tiktok",
        }
        self.world.refresh[refresh] = {
            "open_id": open_id,
            "scopes": scopes,
            "expires_at": refresh_expires_at,
            "renewals": 0,
            "valid": True,
            "platform": "tiktok",
        }
        return {
            "access_token": access,
            "expires_in": ACCESS_LIFETIME,
            "refresh_token": refresh,
            "refresh_expires_in": max(0, int(refresh_expires_at - now)),
            "open_id": open_id,
            "scope": ",".join(scopes),
            "token_type": "Bearer",
        }

    def token(self, request: Request, grant) -> dict:
        form = self.form(request)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            code = self.world.codes.get(form.get("code", ""))
            if code is None or code["used"] or self.world.now() >= code["expires_at"]:
                raise SimError("invalid_grant", "The authorization code is invalid or expired.")
            if form.get("redirect_uri") != code["redirect_uri"]:
                raise SimError("invalid_grant", "redirect_uri does not match the authorization request.")
            code["used"] = True
            return self.issue(code["open_id"], code["scopes"], self.world.now() + REFRESH_LIFETIME)
        if grant_type == "refresh_token":
            old = self.world.refresh.get(form.get("refresh_token", ""))
            if (
                old is None
                or old.get("platform") != "tiktok"
                or not old["valid"]
                or old["open_id"] in self.world.revoked
                or self.world.now() >= old["expires_at"]
            ):
                raise SimError("invalid_grant", "The refresh token is invalid, expired or revoked.")
            old["valid"] = False  # documented: rotated, the one sent stops working
            return self.issue(old["open_id"], old["scopes"], old["expires_at"])
        raise SimError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")

    def revoke(self, request: Request, grant) -> dict:
        form = self.form(request)
        access = self.world.access.get(form.get("token", ""))
        if access is None or access.get("platform") != "tiktok" or access["open_id"] in self.world.revoked:
            raise SimError("invalid_grant", "The token is invalid or already revoked.")
        open_id = access["open_id"]
        for token in (self.world.access, self.world.refresh):
            for value in token.values():
                if value["open_id"] == open_id and value.get("platform") == "tiktok":
                    value["expires_at"] = self.world.now() - 1
                    if "valid" in value:
                        value["valid"] = False
        return {}

    # --- Display API ----------------------------------------------------------------------------

    def user_info(self, request: Request, grant) -> dict:
        fields = self.fields(request, USER_FIELDS)
        missing = sorted({USER_FIELDS[name] for name in fields} - set(grant["scopes"]))
        if missing:
            raise SimError("scope_permission_missed", f"Fields need the scopes {', '.join(missing)}.")
        account = self.world.account(grant["open_id"])
        yesterday = self.world.today()
        figures = self.world.day_figures(account, yesterday)
        everything = {
            "open_id": account.open_id,
            "union_id": f"union-{account.open_id}",
            "avatar_url": account.avatar,
            "display_name": account.nickname,
            "username": account.handle or account.open_id,
            "bio_description": "",
            "is_verified": False,
            "follower_count": figures["total_fans"],
            "following_count": 120,
            "likes_count": sum(video["digg_count"] for video in self.public_videos(account.open_id)),
            "video_count": len(self.public_videos(account.open_id)),
        }
        return {"user": {name: everything[name] for name in fields}}

    def public_videos(self, open_id: str) -> list[dict]:
        """The account's listed videos, newest first: its generated videos and its TikTok posts
        past moderation."""
        account = self.world.account(open_id)
        now = self.world.now()
        posts = [
            post
            for post in self.state()["posts"].get(open_id, [])
            if now >= post["review_until"] and not post["refused"]
        ]
        generated = [video for video in account.videos if not video["video_id"]]
        return sorted(posts + generated, key=lambda video: (-video["create_time"], tiktok_id(video)))

    def video_shape(self, video: dict, fields: list[str], open_id: str) -> dict:
        account = self.world.account(open_id)
        video_id = tiktok_id(video)
        everything = {
            "id": video_id,
            "title": video["title"],
            "video_description": video["title"],
            "create_time": video["create_time"],
            "share_url": f"https://www.tiktok.com/@{account.handle or account.open_id}/video/{video_id}",
            "cover_image_url": video["cover"],
            "duration": 30,
            "view_count": video["play_count"],
            "like_count": video["digg_count"],
            "comment_count": video["comment_count"],
            "share_count": video["share_count"],
        }
        return {name: everything[name] for name in fields}

    def video_list(self, request: Request, grant) -> dict:
        fields = self.fields(request, VIDEO_FIELDS)
        body = self.body(request)
        count = body.get("max_count", 10)
        cursor = body.get("cursor")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= PAGE_MAX:
            raise SimError("invalid_params", f"max_count must be a whole number from 1 to {PAGE_MAX}.")
        if cursor is not None and (isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0):
            raise SimError("invalid_params", "cursor must be a Unix time in milliseconds.")
        videos = self.public_videos(grant["open_id"])
        if cursor is not None:
            videos = [video for video in videos if video["create_time"] * 1000 < cursor]
        chunk = videos[:count]
        more = len(videos) > count
        next_cursor = chunk[-1]["create_time"] * 1000 if chunk else (cursor or 0)
        return {
            "videos": [self.video_shape(video, fields, grant["open_id"]) for video in chunk],
            "cursor": next_cursor,
            "has_more": more,
        }

    def video_query(self, request: Request, grant) -> dict:
        fields = self.fields(request, VIDEO_FIELDS)
        filters = self.body(request).get("filters")
        ids = filters.get("video_ids") if isinstance(filters, dict) else None
        if not isinstance(ids, list) or not 1 <= len(ids) <= 20 or not all(isinstance(i, str) for i in ids):
            raise SimError("invalid_params", "filters.video_ids must hold 1 to 20 video ids.")
        wanted = set(ids)
        videos = [video for video in self.public_videos(grant["open_id"]) if tiktok_id(video) in wanted]
        return {"videos": [self.video_shape(video, fields, grant["open_id"]) for video in videos]}

    # --- Content Posting API --------------------------------------------------------------------

    def creator_info(self, request: Request, grant) -> dict:
        account = self.world.account(grant["open_id"])
        return {
            "creator_avatar_url": account.avatar,
            "creator_username": account.handle or account.open_id,
            "creator_nickname": account.nickname,
            "privacy_level_options": list(PRIVACY_LEVELS),
            "comment_disabled": False,
            "duet_disabled": False,
            "stitch_disabled": False,
            "max_video_post_duration_sec": 600,
        }

    def video_init(self, request: Request, grant) -> dict:
        body = self.body(request)
        post, source = body.get("post_info"), body.get("source_info")
        if not isinstance(post, dict) or not isinstance(source, dict):
            raise SimError("invalid_params", "post_info and source_info are required.")
        title, privacy = post.get("title", ""), post.get("privacy_level")
        if not isinstance(title, str) or len(title) > 2200:
            raise SimError("invalid_params", "post_info.title is text of at most 2200 characters.")
        if privacy not in PRIVACY_LEVELS:
            raise SimError("privacy_level_option_mismatch", "privacy_level is not one of the creator's options.")
        if source.get("source") == "PULL_FROM_URL":
            raise SimError("url_ownership_unverified", "The URL's domain is not verified for this app.")
        if source.get("source") != "FILE_UPLOAD":
            raise SimError("invalid_params", "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")
        numbers = [source.get(name) for name in ("video_size", "chunk_size", "total_chunk_count")]
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in numbers):
            raise SimError("invalid_params", "video_size, chunk_size and total_chunk_count are positive integers.")
        size, chunk, total = numbers
        minimum = self.world.config.min_part_size
        if size < minimum and (chunk != size or total != 1):
            raise SimError("invalid_params", "A video under 5 MB is uploaded whole: chunk_size must be video_size.")
        if size >= minimum and not minimum <= chunk <= min(MAX_CHUNK, size):
            raise SimError("invalid_params", "chunk_size must be from 5 MB to 64 MB.")
        if total != size // chunk or total > MAX_CHUNKS or size - chunk * (total - 1) > MAX_LAST_CHUNK:
            raise SimError("invalid_params", "total_chunk_count must be video_size / chunk_size, rounded down.")
        publish_id = self.world.next_id("v_pub_file~v2-1.")
        upload_token = secrets.token_urlsafe(16)
        self.state()["publishes"][publish_id] = {
            "publish_id": publish_id,
            "open_id": grant["open_id"],
            "title": title,
            "privacy_level": privacy,
            "size": size,
            "chunk_size": chunk,
            "total": total,
            "received": 0,
            "upload_token": upload_token,
            "post": None,
        }
        host = request.headers.get("host", "127.0.0.1")
        query = urlencode({"upload_id": publish_id, "upload_token": upload_token})
        return {"publish_id": publish_id, "upload_url": f"http://{host}{PREFIX}/upload/?{query}"}

    def upload(self, request: Request, grant) -> Response:
        """PUT one chunk to the upload URL: 206 until the last, 201 when the video is whole."""
        record = self.state()["publishes"].get(request.query.get("upload_id", ""))
        if record is None or record["upload_token"] != request.query.get("upload_token"):
            raise SimError("invalid_params", "The upload URL is not valid.")
        if record["received"] >= record["size"]:
            raise SimError("invalid_params", "The video was uploaded already.")
        match = RANGE.match(request.headers.get("content-range", ""))
        if match is None:
            raise SimError("invalid_file_upload", "Content-Range must be 'bytes first-last/total'.")
        first, last, total = (int(group) for group in match.groups())
        index = record["received"] // record["chunk_size"]
        final = index == record["total"] - 1
        expected = record["size"] - record["received"] if final else record["chunk_size"]
        if total != record["size"] or first != record["received"]:
            raise SimError("invalid_file_upload", f"Chunks go in order: the next starts at byte {record['received']}.")
        if last - first + 1 != len(request.body) or len(request.body) != expected:
            raise SimError("invalid_file_upload", f"This chunk must hold {expected} bytes.")
        record["received"] += len(request.body)
        if not final:
            return Response(206, b"", {}, "text/plain")
        account = self.world.account(record["open_id"])
        now = int(self.world.now())
        posts = self.state()["posts"].setdefault(record["open_id"], [])
        newest = max((post["create_time"] for post in posts), default=0)
        post = {
            "item_id": str(7_300_000_000_000_000_000 + self.world.counter + 1),
            "title": record["title"],
            "create_time": max(now, newest + 1),
            "cover": "",
            "play_count": 0,
            "digg_count": 0,
            "comment_count": 0,
            "share_count": 0,
            "review_until": now + self.world.config.review_delay,
            "refused": self.world.banned(record["title"]),
            "video_id": "",
            "publish_id": record["publish_id"],
            "nickname": account.nickname,
        }
        self.world.counter += 1
        posts.append(post)
        record["post"] = post["item_id"]
        return Response(201, b"", {}, "text/plain")

    def status_fetch(self, request: Request, grant) -> dict:
        publish_id = self.body(request).get("publish_id")
        record = self.state()["publishes"].get(publish_id if isinstance(publish_id, str) else "")
        if record is None or record["open_id"] != grant["open_id"]:
            raise SimError("invalid_publish_id", "publish_id does not exist.")
        answer = {"status": "PROCESSING_UPLOAD", "uploaded_bytes": record["received"]}
        if record["post"] is None:
            return answer
        post = next(p for p in self.state()["posts"][record["open_id"]] if p["item_id"] == record["post"])
        if self.world.now() < post["review_until"]:
            return {**answer, "status": "PUBLISH_COMPLETE", "publicaly_available_post_id": []}
        if post["refused"]:
            return {**answer, "status": "FAILED", "fail_reason": "spam_risk_text"}
        return {**answer, "status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [int(post["item_id"])]}


def grant_open_id(request: Request, world: World) -> str:
    header = request.headers.get("authorization", "")
    grant = world.access.get(header[len("Bearer ") :]) if header.startswith("Bearer ") else None
    return grant["open_id"] if grant else ""
