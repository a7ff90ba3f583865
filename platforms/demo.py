"""The demo's Douyin accounts, connected through the platform simulator (part of ``manage.py
seed_demo``): each is authorised through the same OAuth code flow a person goes through (the
connect page answered for the account, the code exchanged, the tokens sealed), then synced once, so
its recent figures, videos, comments and fan portrait arrive through the connector, as they will
from the real platform. (The months before the connection come from the demo's creator-centre
history, as an agency imports it when it takes an account on: the platforms' data APIs reach back
30 days at most.)

The simulator keeps its state in ``simulator-state.json`` beside ``manage.py``: if none serves
``PLATFORM_SIMULATOR_URL`` when the demo is seeded, one is started for the seeding and stopped
after it (which saves the state), and ``make run`` starts it again from that file, so the demo's
tokens stay valid. Nothing happens when Douyin is configured for a real platform.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import tenant_context
from clients.models import AccountStatus, Platform, PlatformAccount
from platforms.adapters import has_adapter
from platforms.models import Connection, ConnectionStatus, SyncTrigger
from platforms.services.connections import authorisation_complete, authorisation_start
from platforms.services.syncs import sync_connection

STATE_FILE = settings.BASE_DIR / "simulator-state.json"
DEMO_HOST = "http://127.0.0.1:8000"  # where `make run` serves the product (the OAuth redirect's host)
START_SECONDS = 15


def simulator_serves_douyin() -> bool:
    """True when Douyin's configured base URL is the simulator's (development and the demo)."""
    base = (settings.PLATFORMS.get(Platform.DOUYIN) or {}).get("base_url", "")
    return has_adapter(Platform.DOUYIN) and base.startswith(settings.PLATFORM_SIMULATOR_URL.rstrip("/") + "/")


def _control(path: str, payload: dict | None = None, *, timeout: float = 5.0):
    url = settings.PLATFORM_SIMULATOR_URL.rstrip("/") + path
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (the loopback simulator)
        return json.loads(answer.read())


def _serving() -> bool:
    try:
        return "offset" in _control("/_sim/clock", timeout=2)
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def simulator_running() -> Iterator[None]:
    """The simulator at ``PLATFORM_SIMULATOR_URL``: the one already serving, or one started (with
    the demo's state file) until the block ends."""
    if _serving():
        yield
        return
    address = urlsplit(settings.PLATFORM_SIMULATOR_URL)
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [
            sys.executable,
            "-m",
            "platforms.simulator",
            "--host",
            address.hostname or "127.0.0.1",
            "--port",
            str(address.port or 80),
            "--state",
            str(STATE_FILE),
        ],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _serving():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The platform simulator did not start at {settings.PLATFORM_SIMULATOR_URL}.")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()  # SIGTERM: it saves its state and stops
        process.wait(timeout=15)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _authorise(connect_url: str, open_id: str) -> tuple[str, str]:
    """The account's owner approving on the connect page: the (code, state) the platform sends back."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{connect_url}&{urlencode({'auto_open_id': open_id})}", timeout=10)
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
        query = parse_qs(urlsplit(redirect.headers["Location"]).query)
        return query["code"][0], query["state"][0]
    raise RuntimeError("The simulator's connect page did not send the browser back.")


def connect_demo_accounts(agencies) -> Counter:
    """Connect and sync every active Douyin account of ``agencies`` that is not connected yet."""
    made: Counter = Counter()
    if not simulator_serves_douyin():
        return made
    with simulator_running():
        # The app's webhook address, as an agency sets it in the platform's console: new private
        # messages and comments of the connected accounts arrive there (platforms.webhooks).
        _control("/_sim/config", {"webhook_url": DEMO_HOST + reverse("platforms-webhook-douyin")})
        for agency in agencies:
            made.update(_connect_agency(agency))
    return made


def _connect_agency(agency: Agency) -> Counter:
    made: Counter = Counter()
    with tenant_context(agency, channel="command"):
        membership = (
            Membership.objects.select_related("user", "agency")
            .filter(agency=agency, role=Role.AGENCY_ADMIN, is_active=True)
            .order_by("pk")
            .first()
        )
        if membership is None:
            return made
        actor = membership.as_actor()
        connected = set(
            Connection.objects.exclude(status=ConnectionStatus.DISCONNECTED).values_list("account_id", flat=True)
        )
        accounts = (
            PlatformAccount.objects.filter(platform=Platform.DOUYIN, status=AccountStatus.ACTIVE)
            .exclude(pk__in=connected)
            .order_by("pk")
        )
        redirect_uri = DEMO_HOST + reverse("platforms:callback", args=[Platform.DOUYIN])
        for account in accounts:
            open_id = account.platform_uid or f"demo-{account.pk}"
            _control(
                "/_sim/accounts",
                {"open_id": open_id, "nickname": account.nickname, "handle": account.handle, "seed": open_id},
            )
            with transaction.atomic():
                url = authorisation_start(actor=actor, account=account, redirect_uri=redirect_uri)
            code, state = _authorise(url, open_id)
            connection = authorisation_complete(user=actor.user, state=state, code=code, redirect_uri=redirect_uri)
            made["connected accounts"] += 1
            run = sync_connection(connection_id=connection.pk, trigger=SyncTrigger.CONNECT)
            if run is not None:
                made["rows synced"] += sum(c.get("created", 0) + c.get("updated", 0) for c in run.counts.values())
    return made
