"""Cold page benchmark: the server time of the staff pages with the answer cache off, for one
agency of a database filled by ``manage.py seed_scale`` (50 clients and 150 accounts each).

    DATABASE_URL=postgres://agency_app@127.0.0.1:5432/<seeded> \
    MIGRATION_DATABASE_URL=postgres://root@127.0.0.1:5432/<seeded> \
    REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/cold_pages.py [--agency scale-0001] [--runs 9] [--json out.json]

Every request is served in this process by Django's test client (the whole middleware, view and
template; no network), signed in as the agency's admin, with ``ANSWER_CACHE`` off, so each one
computes its answer. Before the timed runs the agency's kept conformance results are brought up
to date, as the worker does after each write (``conformance_refresh``); the time that took and the
first view of the conformance matrix before it (nothing kept yet) are printed too. The planner's
statistics are gathered first (``ANALYZE``, as the tables' owner of ``MIGRATION_DATABASE_URL``). Each page is
requested once to load the code, then ``--runs`` times; the median and the 95th percentile are
printed with the queries one request sends, beside the favicon's (the middleware, the session
and the signed-in person read, no page: how fast this machine is at the time). Targets (issue 23
and 22.8): the agency overview, the conformance matrix and a client's conformance page under
150 ms, Today under 100 ms, every page under 300 ms. Timings are printed, never asserted.

``--crawl N`` then requests every page reachable by links from the home page (one per route and
set of query parameters; the agency's admin), and from the client area (the agency's client
viewer), each ``--crawl-runs`` times, and prints the slowest N with their queries (22.8: every
page under 300 ms). ``--cache`` times the pages with the answer cache on instead (its default).
``python -m bench`` runs both.

As gunicorn's workers do (``project.gunicorn``), the process freezes what it loaded before timing
(``settle``), so that Python's full garbage collections walk only what the requests made.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

TARGETS_MS = {"agency overview": 150, "conformance matrix": 150, "client conformance": 150, "today": 100}
PAGE_TARGET_MS = 300  # every other page (22.8)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def gather_statistics() -> bool:
    """ANALYZE as the tables' owner (``MIGRATION_DATABASE_URL``): a freshly seeded database has no
    planner statistics until autovacuum has run (and it may be off), and without them PostgreSQL
    plans the pages' queries for empty tables."""
    url = os.environ.get("MIGRATION_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return False
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")
    return True


def signed_in_browser(agency, role: str = ""):
    from django.test import Client as Browser
    from django_otp import DEVICE_ID_SESSION_KEY

    from agency import twofactor
    from agency.models import Membership
    from agency.roles import Role

    admin = Membership.objects.select_related("user").filter(agency=agency, role=role or Role.AGENCY_ADMIN).first().user
    browser = Browser()
    browser.force_login(admin)
    if twofactor.two_step_required(admin):  # as after a real sign-in with the code step
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = twofactor.totp_device(admin) or TOTPDevice.objects.create(
            user=admin, name=twofactor.DEVICE_NAME, confirmed=True
        )
        session = browser.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return browser


def pages(agency) -> dict[str, str]:
    from django.urls import reverse

    from agency.tenancy import tenant_context
    from clients.models import Client, ClientStatus

    with tenant_context(agency):
        client = Client.objects.filter(status=ClientStatus.ACTIVE).order_by("name").first()
    return {
        "favicon (reference)": reverse("favicon"),
        "today": reverse("home"),
        "agency overview": reverse("agency-overview"),
        "conformance matrix": reverse("conformance-matrix"),
        "client conformance": reverse("conformance-client", args=[client.pk]),
        "client page": reverse("clients:client-detail", args=[client.pk]),
        "clients list": reverse("clients:client-list"),
    }


def timed(browser, url: str) -> float:
    started = time.perf_counter()
    response = browser.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code >= 400:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def queries_of(browser, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (9,000 statements) would capture none
    with CaptureQueriesContext(connection) as queries:
        browser.get(url)
    return len(queries.captured_queries)


# Links the crawl never follows: other areas (the API, the admin, static files), and links that
# change the session or the language rather than show a page.
CRAWL_SKIPPED = ("/api/", "/admin/", "/static/", "/media/", "/i18n/", "/accounts/logout/", "/switch-agency/")
HREF = re.compile(r'href="([^"#]*)')


def crawl(browser, start: str, *, limit: int, runs: int) -> list[dict]:
    """Every page reachable from ``start`` by the links of the pages (a staff start stays out of
    the client area; a client person follows every link, to the pages both see), one per route and set of query
    parameters, each requested once to load its code, then ``runs`` times; the median, the
    queries and the size of its answer."""
    from urllib.parse import parse_qsl, urlsplit

    from django.urls import Resolver404, resolve

    client_area = start.startswith("/client/")
    seen, queue, out = set(), [start], []
    while queue and len(out) < limit:
        url = queue.pop(0)
        parts = urlsplit(html.unescape(url))
        if parts.netloc not in ("", "testserver") or any(parts.path.startswith(p) for p in CRAWL_SKIPPED):
            continue
        if parts.path.startswith("/client/") and not client_area:
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            continue
        key = (match.view_name, tuple(sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})))
        if key in seen:
            continue
        seen.add(key)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = browser.get(path)
        if response.status_code != 200:
            out.append({"url": path, "name": match.view_name, "status": response.status_code})
            continue
        kind = response.get("Content-Type", "").split(";")[0]
        if kind == "text/html":
            queue.extend(HREF.findall(response.content.decode()))
        queries = queries_of(browser, path)
        times = [timed(browser, path) for _ in range(runs)]
        out.append(
            {
                "url": path,
                "name": match.view_name,
                "status": 200,
                "kind": kind,
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "queries": queries,
                "kib": round(len(response.content) / 1024),
            }
        )
    return out


def print_crawl(title: str, pages: list[dict], reference_ms: float, shown: int) -> None:
    answered = [page for page in pages if page["status"] == 200]
    refused = [page for page in pages if page["status"] != 200]
    over = [page for page in answered if page["median_ms"] >= PAGE_TARGET_MS]
    print(
        f"\n{title}: {len(answered)} pages crawled, {len(over)} at or over {PAGE_TARGET_MS} ms; "
        f"the slowest {min(shown, len(answered))}:"
    )
    print(f"{'median ms':>10} {'max ms':>8} {'× ref':>6} {'queries':>8} {'KiB':>5}  page")
    for page in sorted(answered, key=lambda page: -page["median_ms"])[:shown]:
        print(
            f"{page['median_ms']:>10,.1f} {page['max_ms']:>8,.1f} {page['median_ms'] / reference_ms:>6.1f} "
            f"{page['queries']:>8} {page['kib']:>5}  {page['url']} ({page['name']})"
        )
    for page in refused:
        if page["status"] >= 400:  # (a redirect is a page for the other kind of person)
            print(f"  answered {page['status']}: {page['url']} ({page['name']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agency", default="", help="slug of a seeded agency (default: the first)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", default="", help="write the figures here too")
    parser.add_argument("--no-refresh", action="store_true", help="time the pages without bringing results up to date")
    parser.add_argument("--cache", action="store_true", help="with the answer cache on (its default with Redis)")
    parser.add_argument("--crawl", type=int, default=0, metavar="N", help="crawl every page, print the slowest N")
    parser.add_argument("--crawl-runs", type=int, default=3)
    parser.add_argument("--crawl-limit", type=int, default=500, help="pages crawled at most (each area)")
    args = parser.parse_args()
    os.environ["ANSWER_CACHE"] = "true" if args.cache else "false"

    import django

    django.setup()
    from django.conf import settings

    from project.gunicorn import settle

    settle()  # as a web worker of gunicorn does once it has loaded the application

    from agency.models import Agency
    from agency.tenancy import tenant_context

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if gather_statistics():
        print("planner statistics gathered (ANALYZE)")
    agencies = Agency.objects.order_by("slug")
    agency = agencies.filter(slug=args.agency).first() if args.agency else agencies.first()
    if agency is None:
        raise SystemExit("No such agency: fill the database with `manage.py seed_scale` first.")
    browser = signed_in_browser(agency)
    urls = pages(agency)
    figures: dict = {
        "agency": agency.slug,
        "runs": args.runs,
        "answer cache": args.cache,
        "pages": {},
        "targets_ms": {name: TARGETS_MS.get(name, PAGE_TARGET_MS) for name in urls},
        "page_target_ms": PAGE_TARGET_MS,
        "crawl_runs": args.crawl_runs,
    }

    if not args.no_refresh:
        try:
            from reports.services import conformance_refresh
        except ImportError:  # a tree without kept results: every view evaluates
            conformance_refresh = None
        if conformance_refresh is not None:
            first = timed(browser, urls["conformance matrix"])
            started = time.perf_counter()
            with tenant_context(agency):
                kept = conformance_refresh(agency=agency)
            figures["refresh"] = {
                "first matrix before refresh ms": round(first, 1),
                "results kept": kept,
                "refresh s": round(time.perf_counter() - started, 2),
            }
            print(
                f"first conformance matrix, nothing kept: {first:,.0f} ms; "
                f"refresh kept {kept} results in {figures['refresh']['refresh s']} s"
            )

    print(f"answer cache {'on' if args.cache else 'off'}")
    print(f"{'page':<20} {'median ms':>10} {'p95 ms':>8} {'× ref':>6} {'queries':>8} {'target ms':>10}  verdict")
    reference = None
    for name, url in urls.items():
        queries = queries_of(browser, url)  # the code loaded, the connection open
        times = [timed(browser, url) for _ in range(args.runs)]
        median, p95 = statistics.median(times), percentile(times, 0.95)
        target = TARGETS_MS.get(name, PAGE_TARGET_MS)
        if name == "favicon (reference)":
            target = 0
        reference = reference or median  # the favicon comes first
        figures["pages"][name] = {"median_ms": round(median, 1), "p95_ms": round(p95, 1), "queries": queries}
        verdict = "" if not target else "met" if p95 < target else "not met"
        ratio = median / reference
        print(f"{name:<20} {median:>10,.1f} {p95:>8,.1f} {ratio:>6.1f} {queries:>8} {target:>10}  {verdict}")
    if args.crawl:
        from agency.roles import Role

        reference = figures["pages"]["favicon (reference)"]["median_ms"]
        figures["crawl"] = {"staff": crawl(browser, "/", limit=args.crawl_limit, runs=args.crawl_runs)}
        print_crawl("staff pages (the agency's admin)", figures["crawl"]["staff"], reference, args.crawl)
        viewer = signed_in_browser(agency, Role.CLIENT_VIEWER)
        figures["crawl"]["client area"] = crawl(viewer, "/client/", limit=args.crawl_limit, runs=args.crawl_runs)
        print_crawl("client area (a client viewer)", figures["crawl"]["client area"], reference, args.crawl)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
