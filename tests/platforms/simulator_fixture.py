"""The ``simulator`` fixture: the platform simulator (``platforms.simulator``) over HTTP on the
loopback, reset for each test, with Douyin's base URL and app credentials pointed at it.

Use it from any test module::

    from tests.platforms.simulator_fixture import simulator  # noqa: F401 (a fixture)

    def test_something(simulator):
        tokens = simulator.connect("sim-open-0001")          # the whole OAuth code flow
        simulator.inject_message("sim-open-0001", text="在吗")

One server serves the whole test session (started on a free port the first time a test asks for
it, stopped at exit); the fixture resets its state before each test and sets
``settings.PLATFORMS["douyin"]`` to ``{"base_url": <server>/douyin, "client_key": "sim-douyin-app",
"client_secret": "sim-douyin-secret"}``, so ``platforms.adapters.adapter_for("douyin")`` reaches it.

``SimulatorClient`` (what the fixture gives):

- ``url`` (the server), ``douyin_url`` (the Douyin base URL), ``client_key``, ``client_secret``;
- ``adapter(timeout=5.0)`` → a ``DouyinAdapter`` on the simulator;
- ``code(open_id, scopes=ALL_SCOPES, redirect_uri=..., state=...)`` → an authorisation code, got
  through the connect page as a browser would (``auto_open_id``);
- ``connect(open_id, scopes=ALL_SCOPES)`` → ``Tokens`` (code exchanged by the adapter);
- ``accounts()``, ``create_account(open_id, nickname="", handle="", seed="")``;
- ``config(**settings)`` (``access_lifetime``, ``refresh_lifetime``, ``rate_limit``, ``rate_window``,
  ``review_delay``, ``banned_words``, ``min_part_size``, ...), ``reset()``;
- ``expire_tokens(open_id, refresh=False)``, ``revoke(open_id)``, ``advance(seconds)``;
- ``fault(path, kind, **options)`` (kind ``status``/``timeout``/``garbage``/``wrong_type``/
  ``error_code``; options ``count``, ``status``, ``seconds``, ``code``, ``description``, ``field``,
  ``after``), ``clear_faults()``;
- ``register_webhook(open_id, url, secret)``, ``inject_message(open_id, **event)``,
  ``inject_comment(open_id, **event)`` (each answers the delivery record: status, answer, payload);
- ``delivered(open_id)`` (comment replies, messages sent and received, videos created, pinned
  comments, webhook deliveries), ``calls()`` (the platform calls made: path, method, open_id, code).
"""

from __future__ import annotations

import atexit
import copy
import json
import threading
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from platforms.adapters.douyin import DouyinAdapter
from platforms.simulator.server import SimulatorServer

CLIENT_KEY = "sim-douyin-app"
CLIENT_SECRET = "sim-douyin-secret"
REDIRECT_URI = "https://agency.test/platforms/callback/"
ALL_SCOPES = tuple(dict.fromkeys(scope for scopes in DouyinAdapter.scopes.values() for scope in scopes))

_server: SimulatorServer | None = None
_server_lock = threading.Lock()


def simulator_server() -> SimulatorServer:
    """The session's simulator, started on first use."""
    global _server
    with _server_lock:
        if _server is None:
            _server = SimulatorServer("127.0.0.1", 0).start()
            atexit.register(_server.stop)
        return _server


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class SimulatorClient:
    def __init__(self, url: str) -> None:
        self.url = url
        self.douyin_url = f"{url}/douyin"
        self.client_key = CLIENT_KEY
        self.client_secret = CLIENT_SECRET

    # --- control endpoints ----------------------------------------------------------------------

    def _call(self, method: str, path: str, payload: dict | None = None, query: str = ""):
        data = json.dumps(payload or {}).encode() if method == "POST" else None
        request = urllib.request.Request(
            f"{self.url}{path}{'?' + query if query else ''}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: {error.code} {error.read().decode()}") from None

    def reset(self) -> dict:
        return self._call("POST", "/_sim/reset")

    def config(self, **values) -> dict:
        return self._call("POST", "/_sim/config", values)

    def accounts(self) -> list[dict]:
        return self._call("GET", "/_sim/accounts")

    def create_account(self, open_id: str, nickname: str = "", handle: str = "", seed: str = "") -> dict:
        return self._call(
            "POST", "/_sim/accounts", {"open_id": open_id, "nickname": nickname, "handle": handle, "seed": seed}
        )

    def expire_tokens(self, open_id: str, *, refresh: bool = False) -> dict:
        return self._call("POST", "/_sim/expire", {"open_id": open_id, "refresh": refresh})

    def revoke(self, open_id: str) -> dict:
        return self._call("POST", "/_sim/revoke", {"open_id": open_id})

    def advance(self, seconds: float) -> dict:
        return self._call("POST", "/_sim/clock", {"advance": seconds})

    def fault(self, path: str, kind: str, **options) -> dict:
        return self._call("POST", "/_sim/fault", {"path": path, "kind": kind, **options})

    def clear_faults(self) -> dict:
        return self._call("POST", "/_sim/faults/clear")

    def register_webhook(self, open_id: str, url: str, secret: str) -> dict:
        return self._call("POST", "/_sim/webhooks", {"open_id": open_id, "url": url, "secret": secret})

    def inject_message(self, open_id: str, **event) -> dict:
        return self._call("POST", "/_sim/inject/message", {"open_id": open_id, **event})

    def inject_comment(self, open_id: str, **event) -> dict:
        return self._call("POST", "/_sim/inject/comment", {"open_id": open_id, **event})

    def delivered(self, open_id: str) -> dict:
        return self._call("GET", "/_sim/delivered", query=f"open_id={open_id}")

    def calls(self) -> list[dict]:
        return self._call("GET", "/_sim/calls")

    # --- OAuth as a browser and the product would do it -----------------------------------------

    def adapter(self, timeout: float = 5.0) -> DouyinAdapter:
        return DouyinAdapter(
            base_url=self.douyin_url, client_key=self.client_key, client_secret=self.client_secret, timeout=timeout
        )

    def code(self, open_id: str, scopes=ALL_SCOPES, *, redirect_uri: str = REDIRECT_URI, state: str = "s") -> str:
        url = self.adapter().authorize_url(state=state, redirect_uri=redirect_uri, scopes=scopes)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(f"{url}&auto_open_id={open_id}", timeout=10)
        except urllib.error.HTTPError as error:
            if error.code != 302:
                raise AssertionError(f"connect page: {error.code} {error.read().decode()}") from None
            location = error.headers["Location"]
        else:
            raise AssertionError("The connect page did not redirect.")
        query = parse_qs(urlsplit(location).query)
        assert query["state"] == [state]
        return query["code"][0]

    def connect(self, open_id: str, scopes=ALL_SCOPES):
        return self.adapter().exchange_code(code=self.code(open_id, scopes), redirect_uri=REDIRECT_URI)


def simulator_state() -> dict:
    """Everything the session's simulator holds (accounts, tokens, codes, the calls made...), copied:
    for ``restore_simulator_state``, so that tests sharing a world made once (through the simulator)
    each start from the simulator as that world left it."""
    world = simulator_server().simulator.world
    with world.lock:
        return {name: copy.deepcopy(value) for name, value in vars(world).items() if name != "lock"}


def restore_simulator_state(state: dict) -> None:
    world = simulator_server().simulator.world
    with world.lock:
        for name, value in state.items():
            setattr(world, name, copy.deepcopy(value))


@pytest.fixture
def simulator(settings) -> SimulatorClient:
    """The session's simulator, reset, with ``settings.PLATFORMS["douyin"]`` pointed at it."""
    client = SimulatorClient(simulator_server().url)
    client.reset()
    settings.PLATFORMS = {
        **settings.PLATFORMS,
        "douyin": {"base_url": client.douyin_url, "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET},
    }
    return client
