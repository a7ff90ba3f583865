"""Charts from the platform's daily metrics: the JSON the browser draws, its figures, and that it
never crosses an agency or, for client people, a client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts_ops.selectors.metrics import (
    CHART_DAYS,
    FIGURE_DAYS,
    account_figures,
    agency_activity,
    agency_figures,
    agency_figures_and_activity,
    client_figures,
    metric_series,
)
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import AccountDailyMetricFactory
from tests.factories import PlatformAccountFactory


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def today(agency) -> dt.date:
    return timezone.localdate(timezone=agency.tz)


def actor_of(user, agency):
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


@pytest.fixture
def accounts(world):
    """Two accounts of client a1 with a few days of figures, one of client a2, one of agency B."""
    day = today(world.agency_a)
    a1 = PlatformAccountFactory(client=world.client_a1, handle="a1-main", followers=500)
    a1b = PlatformAccountFactory(client=world.client_a1, handle="a1-second", followers=90)
    a2 = PlatformAccountFactory(client=world.client_a2, handle="a2-main")
    b = PlatformAccountFactory(client=world.client_b, handle="b-main")
    rows = [
        (a1, 3, 1000, 200, 10, 5, 5),
        (a1, 2, None, 300, 12, 3, 0),  # fans not reported that day: carried forward
        (a1, 1, 1030, 100, 1, 0, 0),
        (a1b, 2, 50, 40, 2, 0, 0),
        (a2, 1, 7000, 9999, 99, 9, 9),
        (b, 1, 8000, 8888, 88, 8, 8),
    ]
    for account, ago, fans, plays, likes, comments, shares in rows:
        AccountDailyMetricFactory(
            account=account,
            date=day - dt.timedelta(days=ago),
            followers_total=fans,
            plays=plays,
            likes=likes,
            comments=comments,
            shares=shares,
        )
    return {"a1": a1, "a1b": a1b, "a2": a2, "b": b}


def series_of(data: dict, key: str) -> list:
    return next(s for s in data["series"] if s["key"] == key)["values"]


def test_an_accounts_chart_data_holds_its_daily_figures(world, accounts):
    response = browser(world.staff_a).get(reverse("accounts_ops:metrics-account", args=[accounts["a1"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    day = today(world.agency_a)
    assert len(data["labels"]) == CHART_DAYS[0] and data["labels"][-1] == day.isoformat()
    assert series_of(data, "fans")[-4:] == [1000, 1000, 1030, 1030]
    assert series_of(data, "plays")[-4:] == [200, 300, 100, None]
    assert series_of(data, "interactions")[-4:] == [20, 15, 1, None]
    assert series_of(data, "engagement")[-4:] == [10.0, 5.0, 1.0, None]
    assert series_of(data, "fans")[0] is None  # nothing known before the first report


def test_a_clients_chart_sums_its_accounts(world, accounts):
    data = browser(world.staff_a).get(reverse("accounts_ops:metrics-client", args=[world.client_a1.pk])).json()
    assert series_of(data, "fans")[-4:] == [1000, 1050, 1080, 1080]
    assert series_of(data, "plays")[-3:-1] == [340, 100]


def test_the_chart_range_is_one_of_the_offered_ones(world, accounts):
    b = browser(world.staff_a)
    url = reverse("accounts_ops:metrics-account", args=[accounts["a1"].pk])
    assert len(b.get(url, {"days": 90}).json()["labels"]) == 90
    assert len(b.get(url, {"days": 7000}).json()["labels"]) == CHART_DAYS[0]
    assert len(b.get(url, {"days": "x"}).json()["labels"]) == CHART_DAYS[0]


def test_chart_data_never_crosses_an_agency(world, accounts):
    b = browser(world.staff_b)
    assert b.get(reverse("accounts_ops:metrics-account", args=[accounts["a1"].pk])).status_code == 404
    assert b.get(reverse("accounts_ops:metrics-client", args=[world.client_a1.pk])).status_code == 404
    own = b.get(reverse("accounts_ops:metrics-agency")).json()
    assert [v for v in series_of(own, "plays") if v] == [8888]


def test_client_people_see_only_their_own_clients_chart_data(world, accounts):
    for person in (world.viewer_a1, world.approver_a1):
        b = browser(person)
        assert b.get(reverse("accounts_ops:metrics-account", args=[accounts["a1"].pk])).status_code == 200
        assert b.get(reverse("accounts_ops:metrics-client", args=[world.client_a1.pk])).status_code == 200
        assert b.get(reverse("accounts_ops:metrics-account", args=[accounts["a2"].pk])).status_code == 404
        assert b.get(reverse("accounts_ops:metrics-client", args=[world.client_a2.pk])).status_code == 404
        assert b.get(reverse("accounts_ops:metrics-account", args=[accounts["b"].pk])).status_code == 404
        # The agency-wide figures are the agency's internals.
        answer = b.get(reverse("accounts_ops:metrics-agency"))
        assert answer.status_code != 200 or answer["Content-Type"] != "application/json"


def test_chart_data_needs_a_signed_in_person(world, accounts):
    response = Browser().get(reverse("accounts_ops:metrics-account", args=[accounts["a1"].pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_key_figures_compare_with_the_period_before(world, accounts):
    day = today(world.agency_a)
    a1 = accounts["a1"]
    AccountDailyMetricFactory(
        account=a1, date=day - dt.timedelta(days=FIGURE_DAYS + 5), followers_total=900, plays=400, likes=4
    )
    with tenant_context(world.agency_a):
        actor = actor_of(world.staff_a, world.agency_a)
        figures = client_figures(actor, [world.client_a1.pk, world.client_a2.pk])[world.client_a1.pk]
        per_account = account_figures(actor, [a1.pk])[a1.pk]
        agency = agency_figures(actor)
    # a1 now 1030 (a1b 50) against 900 a month ago (a1b unknown then).
    assert (figures.fans.value, figures.fans.previous) == (1080, 900)
    assert figures.fans.direction == "up" and figures.fans.change_pct == 20.0
    assert (figures.plays.value, figures.plays.previous) == (640, 400)
    assert per_account.plays.value == 600 and per_account.engagement.value == round(36 * 100 / 600, 2)
    assert per_account.engagement.previous == round((4 + 80 + 40) * 100 / 400, 2)
    assert per_account.engagement.direction == "down"
    # The agency's figures leave agency B's out.
    assert agency.plays.value == 600 + 40 + 9999


@pytest.mark.parametrize("days", [FIGURE_DAYS, 7])
def test_the_home_pages_figures_and_activity_are_the_agencys_in_two_queries(world, accounts, days):
    """The home page reads the key figures and the activity chart together: the fans, then one
    query over the rollups for both, the same figures and series as read apart."""
    day = today(world.agency_a)
    AccountDailyMetricFactory(account=accounts["a1"], date=day - dt.timedelta(days=days + 5), plays=400, likes=4)
    AccountDailyMetricFactory(account=accounts["a2"], date=day - dt.timedelta(days=40), plays=None, likes=2)
    with tenant_context(world.agency_a), transaction.atomic():
        actor = actor_of(world.staff_a, world.agency_a)
        apart = agency_figures(actor, days=days), agency_activity(actor, days=CHART_DAYS[0])
        with CaptureQueriesContext(connection) as queries:
            together = agency_figures_and_activity(actor, days=days, chart_days=CHART_DAYS[0])
    assert together == apart
    assert together[0].plays.value == 600 + 40 + 9999 and together[1].plays[-2] == 100 + 9999  # yesterday
    assert len(queries) == 2


def test_an_account_with_no_reported_fans_counts_with_its_stored_followers(world):
    PlatformAccountFactory(client=world.client_a2, handle="quiet", followers=321)
    with tenant_context(world.agency_a):
        figures = client_figures(actor_of(world.staff_a, world.agency_a), [world.client_a2.pk])
    assert figures[world.client_a2.pk].fans.value == 321 and figures[world.client_a2.pk].plays.value is None


def test_series_take_a_fixed_number_of_queries(world, accounts):
    more = [PlatformAccountFactory(client=world.client_a1, handle=f"more-{i}") for i in range(4)]
    with tenant_context(world.agency_a):
        actor = actor_of(world.staff_a, world.agency_a)
        with CaptureQueriesContext(connection) as one:
            metric_series(actor, [accounts["a1"]], days=90)
        with CaptureQueriesContext(connection) as many:
            metric_series(actor, [accounts["a1"], accounts["a1b"], *more], days=90)
    assert len(one) == len(many)


def test_the_pages_draw_their_charts_from_the_json_and_keep_a_table(world, accounts):
    staff = browser(world.staff_a)
    account_page = staff.get(reverse("accounts_ops:account", args=[accounts["a1"].pk]))
    assert account_page.status_code == 200
    url = reverse("accounts_ops:metrics-account", args=[accounts["a1"].pk])
    assert f'data-chart-url="{url}?days=30"'.encode() in account_page.content
    assert b"vendor/chart.umd.min.js" in account_page.content and b"agency/charts.js" in account_page.content
    assert b"Figures as a table" in account_page.content and b"1,030" in account_page.content

    client_page = staff.get(reverse("clients:client-detail", args=[world.client_a1.pk]), {"days": 90})
    assert client_page.status_code == 200
    client_url = reverse("accounts_ops:metrics-client", args=[world.client_a1.pk])
    assert f'data-chart-url="{client_url}?days=90"'.encode() in client_page.content

    home = staff.get(reverse("home"))
    assert home.status_code == 200 and b'data-chart-url="' + reverse("accounts_ops:metrics-agency").encode() in (
        home.content
    )
    overview = staff.get(reverse("agency-overview"))
    assert overview.status_code == 200
    assert world.client_a1.name.encode() in overview.content and world.client_b.name.encode() not in overview.content


def test_the_client_dashboard_charts_only_their_client(world, accounts):
    page = browser(world.viewer_a1).get(reverse("client-area:dashboard"))
    assert page.status_code == 200
    client_url = reverse("accounts_ops:metrics-client", args=[world.client_a1.pk])
    assert f'data-chart-url="{client_url}?days=30"'.encode() in page.content
    assert b"a1-main" in page.content and b"a2-main" not in page.content and b"b-main" not in page.content
    assert reverse("accounts_ops:metrics-client", args=[world.client_a2.pk]).encode() not in page.content
