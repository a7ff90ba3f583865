"""The simulator's HTTP server: Douyin under ``/douyin``, TikTok under ``/tiktok``, control endpoints under ``/_sim/``.

Control endpoints (JSON bodies and answers; a bad request answers 400 ``{"error": "..."}`` naming
the field):

=======  ==========================  ==========================================================
POST     /_sim/reset                 back to the start: default config, accounts and nothing else
                                     (a body ``{"config": {...}}`` sets settings at once)
GET/POST /_sim/config                read / change settings (``client_key``, ``access_lifetime``,
                                     ``rate_limit``, ``review_delay``, ``banned_words``, ...)
GET/POST /_sim/accounts              list / create an account ``{open_id, nickname, handle, seed}``
POST     /_sim/inject/message        a private message to ``open_id`` (pushed to its webhook)
POST     /_sim/inject/comment        a comment on a video of ``open_id`` (pushed to its webhook)
POST     /_sim/expire                expire the access tokens of ``open_id`` (``"refresh": true``:
                                     its refresh tokens too)
POST     /_sim/revoke                the user of ``open_id`` cancels the authorisation
POST     /_sim/fault                 fail the next ``count`` calls of ``path``: ``kind`` status
                                     (``status``), timeout (sleeps ``seconds``), garbage (a body
                                     that is not JSON), wrong_type (``field``, dotted, in data),
                                     error_code (``code``, ``description``); ``after: true`` carries
                                     the request out first, so only the answer is lost
POST     /_sim/faults/clear          forget the pending faults
GET/POST /_sim/clock                the simulator's time / ``{"advance": seconds}``
POST     /_sim/webhooks              register ``{open_id, url, secret}`` for pushed events (an account
                                     without one has its events sent to the app's ``webhook_url``,
                                     set through ``/_sim/config``, signed as Douyin signs them)
GET      /_sim/delivered?open_id=    what the account received and sent: comment replies and
                                     videos made through the API, messages, webhook deliveries,
                                     posts made through TikTok's Content Posting API
GET      /_sim/calls                 the platform calls made (path, method, open_id, error code)
=======  ==========================  ==========================================================

Webhook events are POSTed as JSON with ``X-Douyin-Signature``: the hex HMAC-SHA256 of the raw body
with the registered secret (what ``accounts_ops.webhooks`` verifies), in the event shapes that
module (``im_receive_msg``) and ``accounts_ops.comment_webhooks`` (``item_comment_reply``) document.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from platforms.simulator.douyin import PREFIX, DouyinApp, Request, Response
from platforms.simulator.state import Config, SimError, World
from platforms.simulator.tiktok import PREFIX as TIKTOK_PREFIX
from platforms.simulator.tiktok import TikTokApp

WEBHOOK_TIMEOUT = 5.0
SAVE_EVERY = 2.0  # seconds between writes of the state file (when ``--state`` is given)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class BadRequest(Exception):
    pass


def corrupt(data: dict, dotted: str) -> None:
    """Give the field at ``dotted`` (inside ``data``; list items by index) a value of the wrong type."""
    target = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    key = int(last) if isinstance(target, list) else last
    value = target[key]
    if isinstance(value, bool):
        target[key] = "maybe"
    elif isinstance(value, int | float):
        target[key] = "not-a-number"
    elif isinstance(value, str):
        target[key] = {"unexpected": value}
    else:
        target[key] = "garbage"


class Simulator:
    """The whole simulated world behind HTTP: routes requests, applies faults, pushes webhooks."""

    def __init__(self, world: World | None = None, state_file: str = "") -> None:
        self.world = world or World()
        self.douyin = DouyinApp(self.world)
        self.tiktok = TikTokApp(self.world)
        self.state_file = state_file
        self.dirty = False

    def save(self) -> None:
        """Write the state file when something changed (every few seconds, and when stopping)."""
        if self.state_file and self.dirty:
            self.dirty = False
            self.world.save(self.state_file)

    # --- platform requests ----------------------------------------------------------------------

    def platform(self, request: Request, app=None) -> Response:
        app = app or self.douyin
        fault = self.world.take_fault(request.path)
        if fault and not fault.after:
            if fault.kind == "status":
                return Response(fault.status, b"<html><body>upstream error</body></html>", {}, "text/html")
            if fault.kind == "timeout":
                time.sleep(fault.seconds)
                return Response(504, b"<html><body>gateway timeout</body></html>", {}, "text/html")
            if fault.kind == "garbage":
                return Response(200, b"<html>\x00 not json", {}, "application/json")
            if fault.kind == "error_code":
                route = app.route(request.path)
                if route is not None:
                    return app.error(route, SimError(fault.code, fault.description or "模拟错误"))
        response, data = app.handle(request)
        self.dirty = True
        if fault is None:
            return response
        if fault.kind == "wrong_type" and data is not None:
            body = json.loads(response.body)
            try:
                corrupt(body["data"], fault.field)
            except (KeyError, IndexError, ValueError, TypeError):
                body["data"][fault.field] = "garbage"
            return Response.json(body)
        if fault.after:
            if fault.kind == "status":
                return Response(fault.status, b"<html><body>upstream error</body></html>", {}, "text/html")
            if fault.kind == "timeout":
                time.sleep(fault.seconds)
                return response
            if fault.kind == "garbage":
                return Response(200, b'{"data": ', {}, "application/json")
        return response

    # --- webhooks -------------------------------------------------------------------------------

    def push(self, open_id: str, event: dict) -> dict:
        """Send ``event`` to the account's own webhook (HMAC-SHA256 with its secret, what the
        per-account webhooks of ``accounts_ops`` verify), else to the app's address (``webhook_url``
        in the config: Douyin's own scheme, sha1 of the app's client secret followed by the body)."""
        account = self.world.account(open_id)
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        if account.webhook_url:
            url, signature = account.webhook_url, sign(account.webhook_secret, body)
        else:
            url = self.world.config.webhook_url
            signature = hashlib.sha1(self.world.config.client_secret.encode() + body).hexdigest()
        record = {"open_id": open_id, "event": event["event"], "url": url, "payload": event}
        if not url:
            record.update(status=None, error="no webhook registered")
        else:
            outgoing = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "X-Douyin-Signature": signature},
            )
            try:
                with urllib.request.urlopen(outgoing, timeout=WEBHOOK_TIMEOUT) as answer:  # noqa: S310
                    record.update(status=answer.status, answer=answer.read(2000).decode("utf-8", "replace"))
            except urllib.error.HTTPError as error:
                record.update(status=error.code, answer=error.read(2000).decode("utf-8", "replace"))
            except (urllib.error.URLError, OSError) as error:
                record.update(status=None, error=str(error))
        with self.world.lock:
            self.world.webhook_log.append(record)
        return record

    # --- control endpoints ----------------------------------------------------------------------

    def control(self, method: str, path: str, query: dict, body: bytes) -> Response:
        try:
            payload = json.loads(body.decode("utf-8") or "{}") if method == "POST" else {}
        except (UnicodeDecodeError, ValueError):
            return Response.json({"error": "The body is not JSON."}, status=400)
        if not isinstance(payload, dict):
            return Response.json({"error": "The body is not a JSON object."}, status=400)
        try:
            answer = self.control_action(method, path, query, payload)
            if method == "POST":
                self.dirty = True
            return Response.json(answer)
        except BadRequest as error:
            return Response.json({"error": str(error)}, status=400)
        except ValueError as error:
            return Response.json({"error": str(error)}, status=400)
        except KeyError as error:
            return Response.json({"error": f"Unknown account {error.args[0]!r}."}, status=404)

    def control_action(self, method: str, path: str, query: dict, payload: dict):
        world = self.world

        def open_id() -> str:
            value = payload.get("open_id") or query.get("open_id")
            if not isinstance(value, str) or not value:
                raise BadRequest("open_id is required.")
            world.account(value)
            return value

        if path == "/_sim/reset" and method == "POST":
            world.reset()
            if payload.get("config"):
                world.configure(payload["config"])
            return {"ok": True, "accounts": [account.public() for account in world.accounts.values()]}
        if path == "/_sim/config":
            return world.configure(payload) if method == "POST" else world.configure({})
        if path == "/_sim/accounts":
            if method == "POST":
                spec = {key: payload.get(key, "") for key in ("open_id", "nickname", "handle", "seed")}
                if any(not isinstance(value, str) for value in spec.values()):
                    raise BadRequest("open_id, nickname, handle and seed are strings.")
                return world.create_account(**spec).public()
            return [account.public() for account in world.accounts.values()]
        if path == "/_sim/inject/message" and method == "POST":
            account_id = open_id()
            with world.lock:
                event = self.douyin.message_event(account_id, payload)
            return self.push(account_id, event)
        if path == "/_sim/inject/comment" and method == "POST":
            account_id = open_id()
            with world.lock:
                event = self.douyin.comment_event(account_id, payload)
            return self.push(account_id, event)
        if path == "/_sim/expire" and method == "POST":
            return {"expired": world.expire_tokens(open_id(), refresh=bool(payload.get("refresh")))}
        if path == "/_sim/revoke" and method == "POST":
            world.revoke(open_id())
            return {"ok": True}
        if path == "/_sim/fault" and method == "POST":
            fault = world.add_fault(payload)
            return {"ok": True, "path": fault.path, "kind": fault.kind, "count": fault.count}
        if path == "/_sim/faults/clear" and method == "POST":
            with world.lock:
                world.faults.clear()
            return {"ok": True}
        if path == "/_sim/clock":
            if method == "POST":
                seconds = payload.get("advance")
                if not isinstance(seconds, int | float) or isinstance(seconds, bool):
                    raise BadRequest("advance is a number of seconds.")
                world.advance(seconds)
            return {"now": world.now(), "offset": world.offset}
        if path == "/_sim/webhooks" and method == "POST":
            account_id = open_id()
            url, secret = payload.get("url"), payload.get("secret")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise BadRequest("url is an http(s) URL.")
            if not isinstance(secret, str) or not secret:
                raise BadRequest("secret is required.")
            with world.lock:
                account = world.account(account_id)
                account.webhook_url, account.webhook_secret = url, secret
            return {"ok": True}
        if path == "/_sim/delivered" and method == "GET":
            account_id = open_id()
            with world.lock:
                account = world.account(account_id)
                replies = [
                    {"item_id": item_id, **comment}
                    for item_id, comments in account.comments.items()
                    for comment in comments
                    if comment["comment_user_id"] == account_id and "-a" in comment["comment_id"][len(item_id) :]
                ]
                return {
                    "comment_replies": replies,
                    "messages_sent": [m for m in account.messages if m["direction"] == "out"],
                    "messages_received": [m for m in account.messages if m["direction"] == "in"],
                    "videos_created": [
                        {**video, "video_status": world.video_status(video)}
                        for video in account.videos
                        if video["video_id"]
                    ],
                    "top_comments": [
                        comment["comment_id"]
                        for comments in account.comments.values()
                        for comment in comments
                        if comment["top"]
                    ],
                    "webhooks": [record for record in world.webhook_log if record["open_id"] == account_id],
                    "tiktok_posts": world.extra.get("tiktok", {}).get("posts", {}).get(account_id, []),
                }
        if path == "/_sim/calls" and method == "GET":
            with world.lock:
                return list(world.calls)
        raise BadRequest(f"No control endpoint {method} {path}.")


def make_handler(simulator: Simulator):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "PlatformSimulator/1"

        def setup(self):
            super().setup()
            # Headers and body go out in separate writes: without this, delayed ACKs cost ~40 ms a call.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            if getattr(self.server, "verbose", False):
                super().log_message(format, *args)

        def handle_any(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if parts.path.startswith("/_sim/"):
                response = simulator.control(method, parts.path, query, body)
            elif parts.path.startswith(PREFIX + "/"):
                headers = {key.lower(): value for key, value in self.headers.items()}
                request = Request(method, parts.path[len(PREFIX) :], query, headers, body)
                response = simulator.platform(request)
            elif parts.path.startswith(TIKTOK_PREFIX + "/"):
                headers = {key.lower(): value for key, value in self.headers.items()}
                request = Request(method, parts.path[len(TIKTOK_PREFIX) :], query, headers, body)
                response = simulator.platform(request, simulator.tiktok)
            else:
                response = Response.json({"error": f"Nothing at {parts.path}; Douyin is under {PREFIX}/."}, 404)
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout fault): the request was still carried out

        def do_GET(self):  # noqa: N802 - the base class's name
            self.handle_any("GET")

        def do_POST(self):  # noqa: N802
            self.handle_any("POST")

        def do_PUT(self):  # noqa: N802
            self.handle_any("PUT")

    return Handler


class SimulatorServer:
    """A running simulator: ``start()`` serves in a background thread (tests), ``serve_forever()``
    in the foreground (``python -m platforms.simulator``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, state_file: str = "", verbose: bool = False):
        world = World()
        if state_file:
            try:
                with open(state_file, encoding="utf-8") as handle:
                    world.load(json.load(handle))
            except FileNotFoundError:
                pass
        self.simulator = Simulator(world, state_file)
        self.httpd = ThreadingHTTPServer((host, port), make_handler(self.simulator))
        self.httpd.daemon_threads = True
        self.httpd.verbose = verbose
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def _keep_saving(self) -> None:
        while not self.stopping.wait(SAVE_EVERY):
            self.simulator.save()

    def _start_saver(self) -> None:
        if self.simulator.state_file:
            threading.Thread(target=self._keep_saving, name="platform-simulator-state", daemon=True).start()

    def start(self) -> SimulatorServer:
        self._start_saver()
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="platform-simulator", daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self._start_saver()
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.simulator.save()


__all__ = ["Config", "Simulator", "SimulatorServer", "sign"]
