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
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ["ANSWER_CACHE"] = "false"

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


def signed_in_browser(agency):
    from django.test import Client as Browser
    from django_otp import DEVICE_ID_SESSION_KEY

    from agency import twofactor
    from agency.models import Membership
    from agency.roles import Role

    admin = Membership.objects.select_related("user").get(agency=agency, role=Role.AGENCY_ADMIN).user
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

    with CaptureQueriesContext(connection) as queries:
        browser.get(url)
    return len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agency", default="", help="slug of a seeded agency (default: the first)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", default="", help="write the figures here too")
    parser.add_argument("--no-refresh", action="store_true", help="time the pages without bringing results up to date")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

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
    figures: dict = {"agency": agency.slug, "runs": args.runs, "pages": {}}

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

    print(f"{'page':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'target ms':>10}  verdict")
    for name, url in urls.items():
        queries = queries_of(browser, url)  # the code loaded, the connection open
        times = [timed(browser, url) for _ in range(args.runs)]
        median, p95 = statistics.median(times), percentile(times, 0.95)
        target = TARGETS_MS.get(name, PAGE_TARGET_MS)
        if name == "favicon (reference)":
            target = 0
        figures["pages"][name] = {"median_ms": round(median, 1), "p95_ms": round(p95, 1), "queries": queries}
        verdict = "" if not target else "met" if p95 < target else "not met"
        print(f"{name:<20} {median:>10,.1f} {p95:>8,.1f} {queries:>8} {target:>10}  {verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
