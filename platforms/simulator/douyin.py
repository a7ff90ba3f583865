"""Douyin Open Platform, simulated: the documented endpoints the Douyin adapter calls, with their
request shapes (form bodies for OAuth, the ``access-token`` header and ``open_id`` query for the
rest, JSON or multipart bodies), answer envelopes and error codes.

Answers::

    OAuth:  {"data": {..., "error_code": 0, "description": ""}, "message": "success"}
    others: {"data": {..., "error_code": 0, "description": ""},
             "extra": {"error_code": 0, "description": "", "sub_error_code": 0, "sub_description": "",
                       "logid": "...", "now": <ms>}}

An error answers HTTP 200 with ``data.error_code`` (and ``extra.error_code``) set and a Chinese
``description``, as the platform does. Codes used (from the platform's status-code pages):
2190002/28001003 access_token无效 (also after the user revoked), 2190008/28001008 access_token过期
(the older endpoints answer the 2190xxx codes, ``/data/external`` and ``/api/douyin/v1`` the
280xxxxx ones), 28001012 用户未授权该OpenAPI (a scope missing), 28001015 access_token与open_id不匹配,
28003018 请求频率过高 (with ``Retry-After``, a simulator addition the adapter honours), 28001007 /
2100005 参数不合法, 10005 缺少参数, 10007 授权码无效, 10010 refresh_token过期, 10013 client_key或
client_secret错误, 10020 超过刷新次数限制, and 28001007 with "内容不合规" for a text holding a banned word.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import secrets
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import urlencode

from platforms.simulator.state import SimError, World

PREFIX = "/douyin"
UPLOAD_LIFETIME = 2 * 3600  # documented: an upload_id is valid for 2 hours


@dataclass
class Request:
    method: str
    path: str  # under the platform's prefix
    query: dict
    headers: dict  # lower-case names
    body: bytes = b""

    _form: dict | None = field(default=None, repr=False)

    @property
    def form(self) -> dict:
        from urllib.parse import parse_qs

        if self._form is None:
            try:
                parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                parsed = {}
            self._form = {key: values[0] for key, values in parsed.items()}
        return self._form

    def json(self) -> dict:
        try:
            value = json.loads(self.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            raise SimError(28001007, "参数不合法: body不是JSON")
        if not isinstance(value, dict):
            raise SimError(28001007, "参数不合法: body不是JSON对象")
        return value

    def file(self, name: str) -> bytes:
        """The bytes of multipart field ``name``."""
        content_type = self.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            raise SimError(2100005, "参数不合法: 需要multipart/form-data")
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + self.body
        )
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == name:
                return part.get_payload(decode=True) or b""
        raise SimError(2100005, f"参数不合法: 缺少{name}")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    @classmethod
    def json(cls, value, status: int = 200, headers: dict | None = None) -> Response:
        return cls(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), headers or {})

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode("utf-8"), {}, "text/html; charset=utf-8")


@dataclass(frozen=True)
class Route:
    method: str
    handler: str  # DouyinApp method name
    scope: str = ""  # "" for the OAuth endpoints (no access token)
    new_codes: bool = False  # answers the 280xxxxx codes rather than the 2190xxx ones
    envelope: str = "api"  # api | oauth | raw


ROUTES: dict[str, Route] = {
    "/platform/oauth/connect/": Route("GET", "connect", envelope="raw"),
    "/oauth/access_token/": Route("POST", "access_token", envelope="oauth"),
    "/oauth/refresh_token/": Route("POST", "refresh_token", envelope="oauth"),
    "/oauth/renew_refresh_token/": Route("POST", "renew_refresh_token", envelope="oauth"),
    "/oauth/userinfo/": Route("POST", "userinfo", envelope="oauth"),
    "/data/external/user/fans/": Route("GET", "user_data", "data.external.user", True),
    "/data/external/user/item/": Route("GET", "user_data", "data.external.user", True),
    "/data/external/user/like/": Route("GET", "user_data", "data.external.user", True),
    "/data/external/user/comment/": Route("GET", "user_data", "data.external.user", True),
    "/data/external/user/share/": Route("GET", "user_data", "data.external.user", True),
    "/data/external/user/profile/": Route("GET", "user_data", "data.external.user", True),
    "/api/douyin/v1/user/fans_data/": Route("GET", "fans_data", "fans.data.bind", True),
    "/api/douyin/v1/video/video_list/": Route("GET", "video_list", "video.list.bind", True),
    "/api/douyin/v1/video/video_data/": Route("POST", "video_data", "video.data.bind", True),
    "/item/comment/list/": Route("GET", "comment_list", "item.comment"),
    "/item/comment/reply/list/": Route("GET", "comment_reply_list", "item.comment"),
    "/item/comment/reply/": Route("POST", "comment_reply", "item.comment"),
    "/item/comment/top/": Route("POST", "comment_top", "item.comment"),
    "/im/send/msg/": Route("POST", "send_message", "im.direct_message"),
    "/video/upload/": Route("POST", "video_upload", "video.create.bind"),
    "/video/part/init/": Route("POST", "part_init", "video.create.bind"),
    "/video/part/upload/": Route("POST", "part_upload", "video.create.bind"),
    "/video/part/complete/": Route("POST", "part_complete", "video.create.bind"),
    "/video/create/": Route("POST", "video_create", "video.create.bind"),
}

USER_DATA_FIELDS = {
    "fans": ("new_fans", "total_fans"),
    "item": ("new_issue", "new_play", "total_issue"),
    "like": ("new_like",),
    "comment": ("new_comment",),
    "share": ("new_share",),
    "profile": ("profile_uv",),
}


def whole(value, name: str, *, default: int | None = None, low: int | None = None, high: int | None = None) -> int:
    if value in (None, ""):
        if default is None:
            raise SimError(28001007, f"参数不合法: 缺少{name}")
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SimError(28001007, f"参数不合法: {name}")
    if (low is not None and number < low) or (high is not None and number > high):
        raise SimError(28001007, f"参数不合法: {name}超出范围")
    return number


def connect_page(
    world: World,
    request: Request,
    *,
    lang: str,
    title: str,
    choose: str,
    scopes_heading: str,
    bad_redirect: str,
    no_account: str,
) -> Response:
    """A platform's authorisation page (shared by the simulated platforms, each in its own words):
    the simulated accounts to choose from; choosing one (or ``auto_open_id``, for scripts) sends the
    browser back to ``redirect_uri?code=...&state=...`` with a single-use code."""
    query = request.query
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_uri.startswith(("http://", "https://")):
        return Response.html(f"<h1>{html.escape(bad_redirect)}</h1>", status=400)
    scopes = [scope for scope in query.get("scope", "").split(",") if scope]
    chosen = query.get("auto_open_id")
    if chosen:
        if chosen not in world.accounts:
            return Response.html(f"<h1>{html.escape(no_account)}: {html.escape(chosen)}</h1>", status=400)
        code = world.issue_code(chosen, scopes, redirect_uri)
        joiner = "&" if "?" in redirect_uri else "?"
        location = f"{redirect_uri}{joiner}{urlencode({'code': code, 'state': query.get('state', '')})}"
        return Response(302, b"", {"Location": location}, "text/plain")
    base = urlencode({key: value for key, value in query.items() if key != "auto_open_id"})
    rows = "".join(
        f'<li><a href="?{html.escape(base)}&amp;{urlencode({"auto_open_id": account.open_id})}">'
        f"{html.escape(account.nickname)}</a> <small>@{html.escape(account.handle or account.open_id)}</small></li>"
        for account in world.accounts.values()
    )
    scope_list = "".join(f"<li>{html.escape(scope)}</li>" for scope in scopes)
    page = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(choose)}</p>"
        f"<ul>{rows}</ul><p>{html.escape(scopes_heading)}</p><ul>{scope_list}</ul></body></html>"
    )
    return Response.html(page)


class DouyinApp:
    """The simulated Douyin endpoints over a ``World``. ``handle`` answers one request; the
    server applies injected faults around it and posts the webhooks it returns in ``events``."""

    def __init__(self, world: World) -> None:
        self.world = world

    # --- envelopes ------------------------------------------------------------------------------

    def extra(self, code: int = 0, description: str = "") -> dict:
        return {
            "error_code": code,
            "description": description,
            "sub_error_code": 0,
            "sub_description": "",
            "logid": secrets.token_hex(12).upper(),
            "now": int(self.world.now() * 1000),
        }

    def answer(self, route: Route, data: dict) -> dict:
        data = {**data, "error_code": 0, "description": ""}
        if route.envelope == "oauth":
            return {"data": data, "message": "success"}
        return {"data": data, "extra": self.extra()}

    def error(self, route: Route, error: SimError) -> Response:
        data = {"error_code": error.code, "description": error.description}
        body = {"data": data, "message": "error"} if route.envelope == "oauth" else {"data": data}
        if route.envelope != "oauth":
            body["extra"] = self.extra(error.code, error.description)
        return Response.json(body, headers=error.headers)

    # --- dispatch -------------------------------------------------------------------------------

    def route(self, path: str) -> Route | None:
        return ROUTES.get(path)

    def handle(self, request: Request) -> tuple[Response, dict | None]:
        """The answer, and the answer's ``data`` (for faults that change a field) when it is JSON."""
        route = self.route(request.path)
        if route is None:
            return Response.json({"data": {"error_code": 28001017, "description": "未知URI"}}, status=404), None
        if request.method != route.method:
            return Response.json({"data": {"error_code": 28001007, "description": "请求方法错误"}}, status=405), None
        try:
            with self.world.lock:
                grant = None
                if route.scope:
                    grant = self.authorise(request, route)
                result = getattr(self, route.handler)(request, grant)
        except SimError as error:
            self.log(request, error.code)
            return self.error(route, error), None
        self.log(request, 0)
        if isinstance(result, Response):
            return result, None
        return Response.json(self.answer(route, result)), result

    def authorise(self, request: Request, route: Route) -> dict:
        token = request.headers.get("access-token") or request.query.get("access_token", "")
        open_id = request.query.get("open_id", "")
        if not open_id:
            raise SimError(28001007 if route.new_codes else 2100005, "参数不合法: 缺少open_id")
        grant = self.world.check_access(token, open_id, new_codes=route.new_codes)
        if route.scope not in grant["scopes"]:
            raise SimError(28001012, f"用户未授权该OpenAPI: {route.scope}")
        self.world.count_call(token, request.path)
        return grant

    def log(self, request: Request, code: int) -> None:
        self.world.calls.append(
            {"path": request.path, "method": request.method, "open_id": request.query.get("open_id", ""), "code": code}
        )

    # --- OAuth ----------------------------------------------------------------------------------

    def connect(self, request: Request, grant) -> Response:
        """The authorisation page: lists the simulated accounts; choosing one redirects to
        ``redirect_uri?code=...&state=...``. ``auto_open_id`` chooses without a page."""
        if request.query.get("client_key") != self.world.config.client_key:
            return Response.html("<h1>client_key 无效</h1>", status=400)
        return connect_page(
            self.world,
            request,
            lang="zh-CN",
            title="抖音授权（模拟器）",
            choose="选择要授权的抖音账号：",
            scopes_heading="申请的权限：",
            bad_redirect="redirect_uri 无效",
            no_account="账号不存在",
        )

    def app_credentials(self, form: dict, *, secret: bool) -> None:
        if not form.get("client_key") or (secret and not form.get("client_secret")):
            raise SimError(10005, "缺少参数")
        config = self.world.config
        if form["client_key"] != config.client_key or (secret and form["client_secret"] != config.client_secret):
            raise SimError(10013, "client_key或client_secret错误")

    def token_answer(self, access: str, refresh: str) -> dict:
        world = self.world
        access_grant, refresh_grant = world.access[access], world.refresh[refresh]
        return {
            "access_token": access,
            "expires_in": int(access_grant["expires_at"] - world.now()),
            "refresh_token": refresh,
            "refresh_expires_in": int(refresh_grant["expires_at"] - world.now()),
            "open_id": access_grant["open_id"],
            "scope": ",".join(access_grant["scopes"]),
            "log_id": secrets.token_hex(12).upper(),
        }

    def access_token(self, request: Request, grant) -> dict:
        form = request.form
        self.app_credentials(form, secret=True)
        if form.get("grant_type") != "authorization_code" or not form.get("code"):
            raise SimError(10005, "缺少参数")
        code = self.world.codes.get(form["code"])
        if code is None or code["used"] or self.world.now() >= code["expires_at"]:
            raise SimError(10007, "授权码无效或已过期")
        code["used"] = True
        tokens = self.world.grant(code["open_id"], code["scopes"])
        return self.token_answer(tokens["access_token"], tokens["refresh_token"])

    def live_refresh(self, token: str) -> dict:
        grant = self.world.refresh.get(token or "")
        if (
            grant is None
            or not grant["valid"]
            or grant["open_id"] in self.world.revoked
            or self.world.now() >= grant["expires_at"]
        ):
            raise SimError(10010, "refresh_token过期")
        return grant

    def refresh_token(self, request: Request, grant) -> dict:
        form = request.form
        self.app_credentials(form, secret=False)
        if form.get("grant_type") != "refresh_token" or not form.get("refresh_token"):
            raise SimError(10005, "缺少参数")
        refresh = self.live_refresh(form["refresh_token"])
        access = f"act.{secrets.token_hex(20)}"
        self.world.access[access] = {
            "open_id": refresh["open_id"],
            "scopes": refresh["scopes"],
            "expires_at": self.world.now() + self.world.config.access_lifetime,
        }
        return self.token_answer(access, form["refresh_token"])

    def renew_refresh_token(self, request: Request, grant) -> dict:
        form = request.form
        self.app_credentials(form, secret=False)
        if not form.get("refresh_token"):
            raise SimError(10005, "缺少参数")
        old = self.live_refresh(form["refresh_token"])
        if old["renewals"] >= self.world.config.renew_limit:
            raise SimError(10020, "超过刷新次数限制")
        old["valid"] = False
        token = f"rft.{secrets.token_hex(20)}"
        self.world.refresh[token] = {
            **old,
            "valid": True,
            "renewals": old["renewals"] + 1,
            "expires_at": self.world.now() + self.world.config.refresh_lifetime,
        }
        return {"refresh_token": token, "expires_in": self.world.config.refresh_lifetime}

    def userinfo(self, request: Request, grant) -> dict:
        values = {**request.query, **request.form}
        grant = self.world.check_access(values.get("access_token", ""), values.get("open_id", ""), new_codes=False)
        account = self.world.account(grant["open_id"])
        return {
            "open_id": account.open_id,
            "union_id": f"union-{account.open_id}",
            "nickname": account.nickname,
            "avatar": account.avatar,
            "e_account_role": "",
        }

    # --- account data ---------------------------------------------------------------------------

    def user_data(self, request: Request, grant) -> dict:
        kind = request.path.rstrip("/").rsplit("/", 1)[1]
        date_type = whole(request.query.get("date_type"), "date_type")
        if date_type not in (7, 15, 30):
            raise SimError(28001007, "参数不合法: date_type只能是7/15/30")
        account = self.world.account(grant["open_id"])
        last = self.world.today() - dt.timedelta(days=1)  # documented: the data of a day arrives the next day
        rows = []
        for back in range(date_type - 1, -1, -1):
            figures = self.world.day_figures(account, last - dt.timedelta(days=back))
            rows.append({"date": figures["date"], **{name: figures[name] for name in USER_DATA_FIELDS[kind]}})
        return {"result_list": rows}

    def fans_data(self, request: Request, grant) -> dict:
        return {"fans_data": self.world.portrait(self.world.account(grant["open_id"]))}

    # --- videos ---------------------------------------------------------------------------------

    def video_shape(self, video: dict) -> dict:
        status = self.world.video_status(video)
        return {
            "item_id": video["item_id"],
            "title": video["title"],
            "create_time": video["create_time"],
            "cover": video["cover"],
            "share_url": video["share_url"],
            "is_top": video["is_top"],
            "is_reviewed": status != 4,
            "video_status": status,
            "statistics": {
                "play_count": video["play_count"] if status == 1 else 0,
                "digg_count": video["digg_count"],
                "comment_count": video["comment_count"],
                "share_count": video["share_count"],
                "download_count": video["download_count"],
                "forward_count": video["forward_count"],
            },
        }

    def page(self, items: list, request: Request) -> tuple[list, int, bool]:
        cursor = whole(request.query.get("cursor"), "cursor", default=0, low=0)
        count = whole(request.query.get("count"), "count", default=10, low=1, high=self.world.config.page_max)
        chunk = items[cursor : cursor + count]
        more = cursor + count < len(items)
        return chunk, cursor + len(chunk), more

    def video_list(self, request: Request, grant) -> dict:
        account = self.world.account(grant["open_id"])
        videos = sorted(account.videos, key=lambda video: -video["create_time"])
        chunk, cursor, more = self.page(videos, request)
        return {"list": [self.video_shape(video) for video in chunk], "cursor": cursor, "has_more": more}

    def video_data(self, request: Request, grant) -> dict:
        item_ids = request.json().get("item_ids")
        if not isinstance(item_ids, list) or not item_ids or len(item_ids) > 20:
            raise SimError(28001007, "参数不合法: item_ids为1到20个视频id")
        account = self.world.account(grant["open_id"])
        wanted = {str(item) for item in item_ids}
        return {"list": [self.video_shape(video) for video in account.videos if video["item_id"] in wanted]}

    # --- comments -------------------------------------------------------------------------------

    def comments_of(self, grant: dict, item_id: str) -> list:
        account = self.world.account(grant["open_id"])
        if item_id not in account.comments:
            raise SimError(2100005, "参数不合法: item_id不属于该用户")
        return account.comments[item_id]

    @staticmethod
    def comment_shape(comment: dict, all_comments: list) -> dict:
        return {
            "comment_id": comment["comment_id"],
            "comment_user_id": comment["comment_user_id"],
            "content": comment["content"],
            "create_time": comment["create_time"],
            "digg_count": comment["digg_count"],
            "reply_comment_total": sum(1 for other in all_comments if other["parent"] == comment["comment_id"]),
            "top": comment["top"],
        }

    def listed(self, request: Request, comments: list, parent: str) -> dict:
        chosen = [comment for comment in comments if comment["parent"] == parent]
        newest_first = request.query.get("sort_type") == "time"
        chosen.sort(key=lambda comment: (comment["create_time"], comment["comment_id"]), reverse=newest_first)
        chunk, cursor, more = self.page(chosen, request)
        return {"list": [self.comment_shape(c, comments) for c in chunk], "cursor": cursor, "has_more": more}

    def comment_list(self, request: Request, grant) -> dict:
        return self.listed(request, self.comments_of(grant, request.query.get("item_id", "")), "")

    def comment_reply_list(self, request: Request, grant) -> dict:
        comments = self.comments_of(grant, request.query.get("item_id", ""))
        comment_id = request.query.get("comment_id", "")
        if not any(comment["comment_id"] == comment_id for comment in comments):
            raise SimError(2100005, "参数不合法: comment_id不存在")
        return self.listed(request, comments, comment_id)

    def comment_reply(self, request: Request, grant) -> dict:
        body = request.json()
        item_id, comment_id, content = body.get("item_id"), body.get("comment_id") or "", body.get("content")
        if not isinstance(content, str) or not content.strip() or not isinstance(item_id, str):
            raise SimError(2100005, "参数不合法: item_id和content必填")
        comments = self.comments_of(grant, item_id)
        if comment_id and not any(comment["comment_id"] == comment_id for comment in comments):
            raise SimError(2100005, "参数不合法: comment_id不存在")
        if self.world.banned(content):
            raise SimError(28001007, "内容不合规")
        account = self.world.account(grant["open_id"])
        new_id = self.world.next_id(f"{item_id}-a")
        comments.append(
            {
                "comment_id": new_id,
                "parent": comment_id,
                "content": content,
                "create_time": int(self.world.now()),
                "digg_count": 0,
                "comment_user_id": account.open_id,
                "nick_name": account.nickname,
                "top": False,
            }
        )
        for video in account.videos:
            if video["item_id"] == item_id:
                video["comment_count"] += 1
        return {"comment_id": new_id}

    def comment_top(self, request: Request, grant) -> dict:
        body = request.json()
        top = body.get("top")
        if not isinstance(top, bool):
            raise SimError(2100005, "参数不合法: top为布尔值")
        comments = self.comments_of(grant, body.get("item_id") or "")
        target = next((c for c in comments if c["comment_id"] == body.get("comment_id") and not c["parent"]), None)
        if target is None:
            raise SimError(2100005, "参数不合法: comment_id不存在")
        if top:
            for comment in comments:
                comment["top"] = False
        target["top"] = top
        return {}

    # --- private messages -----------------------------------------------------------------------

    def send_message(self, request: Request, grant) -> dict:
        body = request.json()
        content = body.get("content")
        text = content.get("text", {}).get("text") if isinstance(content, dict) else None
        to_user_id, conversation_id = body.get("to_user_id"), body.get("conversation_id")
        if not isinstance(to_user_id, str) or not to_user_id or not isinstance(conversation_id, str):
            raise SimError(2100005, "参数不合法: to_user_id和conversation_id必填")
        if not isinstance(text, str) or not text.strip():
            raise SimError(2100005, "参数不合法: content.text.text必填")
        if self.world.banned(text):
            raise SimError(28001007, "内容不合规")
        account = self.world.account(grant["open_id"])
        msg_id = self.world.next_id("msg-out-")
        account.messages.append(
            {
                "direction": "out",
                "server_message_id": msg_id,
                "conversation_short_id": conversation_id,
                "to_user_id": to_user_id,
                "reply_to": body.get("msg_id") or "",
                "text": text,
                "create_time": int(self.world.now() * 1000),
            }
        )
        return {"msg_id": msg_id}

    # --- publishing -----------------------------------------------------------------------------

    def store_upload(self, grant: dict, size: int) -> dict:
        video_id = f"v0200sim{secrets.token_hex(10)}"
        self.world.uploaded[video_id] = {"open_id": grant["open_id"], "size": size, "used": False}
        return {"video": {"video_id": video_id, "width": 720, "height": 1280}}

    def video_upload(self, request: Request, grant) -> dict:
        data = request.file("video")
        if not data:
            raise SimError(2100005, "参数不合法: 视频为空")
        if len(data) > self.world.config.max_single_upload:
            raise SimError(2100005, "参数不合法: 视频超过128M,请使用分片上传")
        return self.store_upload(grant, len(data))

    def live_upload(self, request: Request, grant: dict) -> dict:
        upload = self.world.uploads.get(request.query.get("upload_id", ""))
        if upload is None or upload["open_id"] != grant["open_id"] or self.world.now() >= upload["expires_at"]:
            raise SimError(2100005, "参数不合法: upload_id无效或已过期")
        return upload

    def part_init(self, request: Request, grant) -> dict:
        upload_id = secrets.token_urlsafe(18)
        self.world.uploads[upload_id] = {
            "open_id": grant["open_id"],
            "parts": [],
            "expires_at": self.world.now() + UPLOAD_LIFETIME,
        }
        return {"upload_id": upload_id}

    def part_upload(self, request: Request, grant) -> dict:
        upload = self.live_upload(request, grant)
        number = whole(request.query.get("part_number"), "part_number", low=1)
        if number != len(upload["parts"]) + 1:
            raise SimError(2100005, f"参数不合法: 分片序号应为{len(upload['parts']) + 1}")
        if upload["parts"] and upload["parts"][-1] < self.world.config.min_part_size:
            raise SimError(2100005, "参数不合法: 只有最后一个分片可以小于5M")
        data = request.file("video")
        if not data:
            raise SimError(2100005, "参数不合法: 分片为空")
        upload["parts"].append(len(data))
        return {}

    def part_complete(self, request: Request, grant) -> dict:
        upload = self.live_upload(request, grant)
        if not upload["parts"]:
            raise SimError(2100005, "参数不合法: 没有已上传的分片")
        del self.world.uploads[request.query["upload_id"]]
        return self.store_upload(grant, sum(upload["parts"]))

    def video_create(self, request: Request, grant) -> dict:
        body = request.json()
        video_id, text = body.get("video_id"), body.get("text") or ""
        uploaded = self.world.uploaded.get(video_id if isinstance(video_id, str) else "")
        if uploaded is None or uploaded["open_id"] != grant["open_id"] or uploaded["used"]:
            raise SimError(2100005, "参数不合法: video_id无效(每次创建需重新上传)")
        if not isinstance(text, str):
            raise SimError(2100005, "参数不合法: text")
        uploaded["used"] = True
        account = self.world.account(grant["open_id"])
        now = int(self.world.now())
        item_id = self.world.next_id(f"@simnew{account.seed[-4:]}")
        account.videos.insert(
            0,
            {
                "item_id": item_id,
                "title": text,
                "create_time": now,
                "share_url": f"https://www.iesdouyin.com/share/video/{item_id.lstrip('@')}/",
                "cover": "",
                "play_count": 0,
                "digg_count": 0,
                "comment_count": 0,
                "share_count": 0,
                "download_count": 0,
                "forward_count": 0,
                "is_top": False,
                "review_until": now + self.world.config.review_delay,
                "refused": self.world.banned(text),
                "video_id": video_id,
                "poi_id": body.get("poi_id") or "",
            },
        )
        account.comments[item_id] = []
        return {"item_id": item_id}

    # --- events pushed to webhooks (injected through the control endpoints) ---------------------

    def message_event(self, open_id: str, spec: dict) -> dict:
        account = self.world.account(open_id)
        sender = spec.get("from_user_id") or f"fan-{secrets.randbelow(99999)}"
        if not isinstance(sender, str) or not isinstance(spec.get("text", ""), str):
            raise ValueError("from_user_id and text are strings.")
        message = {
            "direction": "in",
            "server_message_id": self.world.next_id("msg-in-"),
            "conversation_short_id": spec.get("conversation_id") or f"conv-{open_id}-{sender}",
            "from_user_id": sender,
            "text": spec.get("text") or "你好，请问怎么购买？",
            "create_time": int(self.world.now() * 1000),
        }
        account.messages.append(message)
        return {
            "event": "im_receive_msg",
            "from_user_id": sender,
            "to_user_id": open_id,
            "client_key": self.world.config.client_key,
            "log_id": secrets.token_hex(12).upper(),
            "content": {
                "server_message_id": message["server_message_id"],
                "conversation_short_id": message["conversation_short_id"],
                "conversation_type": 1,
                "create_time": message["create_time"],
                "message_type": "text",
                "text": message["text"],
                "user_infos": [{"open_id": sender, "nick_name": spec.get("nickname") or "模拟用户"}],
            },
        }

    def comment_event(self, open_id: str, spec: dict) -> dict:
        account = self.world.account(open_id)
        item_id = spec.get("item_id") or (account.videos[0]["item_id"] if account.videos else "")
        if item_id not in account.comments:
            raise ValueError(f"item_id {item_id!r} is not a video of {open_id}.")
        parent = spec.get("reply_to_comment_id") or ""
        if parent and not any(comment["comment_id"] == parent for comment in account.comments[item_id]):
            raise ValueError(f"reply_to_comment_id {parent!r} is not a comment of {item_id}.")
        sender = spec.get("from_user_id") or f"fan-{secrets.randbelow(99999)}"
        comment = {
            "comment_id": self.world.next_id(f"{item_id}-w"),
            "parent": parent,
            "content": spec.get("text") or "好吃！",
            "create_time": int(self.world.now()),
            "digg_count": 0,
            "comment_user_id": sender,
            "nick_name": spec.get("nickname") or "模拟用户",
            "top": False,
        }
        account.comments[item_id].append(comment)
        return {
            "event": "item_comment_reply",
            "from_user_id": sender,
            "to_user_id": open_id,
            "client_key": self.world.config.client_key,
            "log_id": secrets.token_hex(12).upper(),
            "content": {
                "comment_id": comment["comment_id"],
                "item_id": item_id,
                "content": comment["content"],
                "create_time": comment["create_time"],
                "reply_to_comment_id": parent,
                "digg_count": 0,
                "reply_comment_total": 0,
                "nick_name": comment["nick_name"],
                "comment_user_id": sender,
            },
        }
