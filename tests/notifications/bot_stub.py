"""The group-bot stub server of the notification tests: a WeCom/Feishu/DingTalk look-alike on the
loopback (``http.server`` in a thread) that records each request and answers as it is told."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class BotStub:
    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.answer: dict = {"errcode": 0, "errmsg": "ok"}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                stub.requests.append(
                    {
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "content_type": self.headers.get("Content-Type", ""),
                        "json": json.loads(raw or b"null"),
                    }
                )
                body = json.dumps(stub.answer).encode()
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bot():
    """A stub bot on the loopback for one test."""
    stub = BotStub()
    yield stub
    stub.close()
