"""Fixtures of the browser tests: Debian's chromium driven by Playwright against the live server,
pages signed in as the demo people, and a screenshot of each key page kept as an artifact.

The live server runs in a thread of the test process, so it shares the test's settings and its
Celery configuration (tasks run eagerly unless a test is marked ``services``).

One Chromium serves the browser tests that run one after another (``chromium``, package-scoped);
each test's people get browser contexts of their own, which share nothing (cookies, storage,
cache), and the test closes them.

The demo (``manage.py seed_demo``, seconds of work) is seeded once for the whole run into a
template database (``tests.demo_database``, shared by every xdist worker and test package); each
test that asks for ``demo`` gets a fresh copy of it (``CREATE DATABASE ... TEMPLATE``, a file copy)
with a copy of the demo's media files, so every test starts from the same freshly seeded demo
whatever an earlier test wrote, and the other tests' database is left as it was. The live server,
the test's own queries and a real worker (``real_worker``) all use that copy. Only on PostgreSQL;
on the embedded SQLite default each test seeds the demo itself, as before."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.db import connections
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import expect

from demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.conftest import CHROMIUM_PATH
from tests.demo_database import seed_demo

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-artifacts" / "screenshots"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"]
LANGUAGES = ("en", "zh-hans")


def in_language(language: str, text, **params) -> str:
    """``text`` (a msgid or a lazy translation) as a person reads it in ``language``."""
    with translation.override(language):
        read = translation.gettext(text) if isinstance(text, str) else str(text)
    return read % params if params else read


def _variants(text, params) -> list[str]:
    return list(dict.fromkeys(capfirst(in_language(language, text, **params)) for language in LANGUAGES))


def both(text, **params) -> re.Pattern:
    """What a person reads for ``text`` in English or Chinese, as a whole label or name: tests
    pass whichever language the page is in, and do not repeat the catalogue. A form label's
    trailing colon is allowed."""
    alternatives = "|".join(re.escape(variant) for variant in _variants(text, params))
    return re.compile(rf"^\s*({alternatives})\s*[:：]?\s*$", re.IGNORECASE)


def contains(text, **params) -> re.Pattern:
    """Like ``both``, for text inside a longer text (a message, a heading)."""
    return re.compile("|".join(re.escape(variant) for variant in _variants(text, params)), re.IGNORECASE)


def label(model, field_name: str) -> re.Pattern:
    """The label of a model form field, read from the model's own verbose name."""
    return both(model._meta.get_field(field_name).verbose_name)


def choose(select, text) -> None:
    """Pick the option a person reads as ``text`` (either language) in a ``<select>``."""
    pattern = text if isinstance(text, re.Pattern) else both(text)
    option = select.locator("option").filter(has_text=pattern).first
    select.select_option(option.get_attribute("value"))


def form_with(page, button) -> object:
    """The form that holds the button named ``button`` (a page may hold several forms)."""
    return page.locator("form").filter(has=page.get_by_role("button", name=both(button)))


def expect_message(page, text, **params) -> None:
    """The confirmation a page shows after an action (its messages are a status region)."""
    expect(page.get_by_role("status").filter(has_text=contains(text, **params))).to_be_visible()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class Browser:
    """The shared Chromium for a test; each ``page()`` is a person in a browser context of their
    own, closed after the test."""

    def __init__(self, chromium, base_url: str, shots: Shots):
        self.chromium = chromium
        self.base_url = base_url
        self.shots = shots
        self.contexts = []

    def page(self, *, locale: str = "zh-CN", width: int = 1280, height: int = 900):
        context = self.chromium.new_context(
            base_url=self.base_url,
            locale=locale,
            viewport={"width": width, "height": height},
            accept_downloads=True,
        )
        self.contexts.append(context)
        return context.new_page()

    def signed_in(self, username: str, **kwargs):
        """A page of ``username`` signed in through the sign-in form, on the page it lands on."""
        page = self.page(**kwargs)
        page.goto("/accounts/login/")
        page.get_by_label(both("Username")).fill(username)
        page.get_by_label(both("Password")).fill(DEMO_PASSWORD)
        page.get_by_role("button", name=both("Sign in")).click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


class Shots:
    """Full-page screenshots named after the test, numbered in the order taken."""

    def __init__(self, test_name: str):
        self.prefix = re.sub(r"[^\w-]+", "-", test_name).strip("-")
        self.count = 0
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOT_DIR.glob(f"{self.prefix}-*.png"):
            old.unlink()

    def __call__(self, page, name: str) -> Path:
        self.count += 1
        path = SCREENSHOT_DIR / f"{self.prefix}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="package")
def chromium():
    """Chromium from Debian's package, headless, without background traffic, launched once for the
    browser tests that run one after another and closed when the run leaves this folder.

    Playwright's sync API keeps an event loop on this thread while it runs, and Django refuses ORM
    calls where a loop runs unless told otherwise: the tests' own queries run between browser calls,
    never concurrently with them, so allowing them is safe while the browser tests run; the other
    tests (pytest-xdist may run them on this worker later) keep Django's check, as Playwright stops
    before they run."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        patch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
            try:
                yield launched
            finally:
                launched.close()


@pytest.fixture
def browser(request, live_server, chromium):
    """The test's people in the shared Chromium; a full-page screenshot of each of their pages
    when the test failed."""
    shots = Shots(request.node.name)
    session = Browser(chromium, live_server.url, shots)
    try:
        yield session
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            for context in session.contexts:
                for page in context.pages:
                    shots(page, "failed")
        session.close()
        # Queries made while Playwright runs use connections of their own context: close
        # them here, or the test database could not be dropped at the end.
        connections.close_all()


@pytest.fixture
def shot(browser):
    """``shot(page, "name")`` saves a full-page screenshot into ``SCREENSHOT_DIR``."""
    return browser.shots


@pytest.fixture(scope="session")
def media_files(tmp_path_factory) -> dict:
    """Files a producer uploads: eight 4K clips within 5.2's limits, a cut, subtitles, a cover."""
    from tests.production import media_samples

    folder = tmp_path_factory.mktemp("browser-media")
    clips = [  # eight takes, each other footage (5.2 counts the same file once)
        media_samples.make_video(folder / f"shot_{n:02d}.mp4", width=2160, height=3840, seconds=8, shade=30 + 20 * n)
        for n in range(1, 9)
    ]
    subtitles = folder / "subtitles.srt"
    subtitles.write_text(media_samples.SRT, encoding="utf-8")
    return {
        "clips": clips,
        "cut": media_samples.make_video(folder / "cut_v1.mp4", width=1080, height=1920, seconds=12),
        "subtitles": subtitles,
        "cover": media_samples.make_png(folder / "cover.png", size=64),
    }


@pytest.fixture(autouse=True)
def _demo_database(request, settings, django_db_blocker):
    """A test that asks for ``demo`` runs on a fresh copy of the run's seeded demo (set up
    before the test's other fixtures: a real worker started for it reads the copy too)."""
    if "demo" not in request.fixturenames:
        yield
        return
    template = request.getfixturevalue("demo_template")
    if template is None:
        yield
        return
    with django_db_blocker.unblock():
        template.fresh_copy(Path(settings.MEDIA_ROOT))
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            template.done_with_copy()


@pytest.fixture
def transactional_db(request, django_db_blocker):
    """pytest-django's ``transactional_db`` (which the live server asks for), except in a test on a
    copy of the demo: there it only allows database access. Everything such a test writes goes to
    its copy, which no later test reads (each gets a copy of its own), so the emptying of every table
    of the test database that Django's ``TransactionTestCase`` runs after a test (a ``TRUNCATE`` of
    them all, seconds) would empty tables that the test never wrote."""
    if "demo" in request.fixturenames and request.getfixturevalue("demo_template") is not None:
        with django_db_blocker.unblock():
            yield
        return
    request.getfixturevalue("_django_db_helper")  # what pytest-django's own fixture asks for
    yield


@pytest.fixture
def demo(transactional_db, demo_template):
    """The demo agencies, people and chapter data of ``manage.py seed_demo``."""
    if demo_template is None:
        seed_demo()
    from agency.models import Agency

    return Agency.objects.get(slug="xinghe")
