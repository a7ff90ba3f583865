"""The client dashboard and agency overview APIs: the figures they sum, the period they cover,
and that they stay inside the actor's agency and client."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from clients.selectors import DASHBOARD_DAYS, DASHBOARD_MAX_DAYS
from tests.accounts_ops.factories import AccountDailyMetricFactory, VideoDailyMetricFactory
from tests.factories import ClientRequirementFactory, PlatformAccountFactory, VideoFactory


def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


def dashboard_url(client) -> str:
    return reverse("client-dashboard", args=[client.pk])


def test_the_client_dashboard_sums_each_account_and_day_of_the_period(world, api):
    account = PlatformAccountFactory(client=world.client_a1, handle="hotpot", followers=5000)
    PlatformAccountFactory(client=world.client_a1, handle="quiet")
    for days_ago, plays in ((1, 100), (2, 250), (DASHBOARD_DAYS, 40), (DASHBOARD_DAYS + 1, 9999)):
        AccountDailyMetricFactory(
            account=account, date=timezone.localdate() - dt.timedelta(days=days_ago), plays=plays, likes=1
        )
    other = PlatformAccountFactory(client=world.client_a2)
    AccountDailyMetricFactory(account=other, date=yesterday(), plays=777)

    body = api(world.staff_a).get(dashboard_url(world.client_a1)).json()

    assert body["period_end"] == yesterday().isoformat()
    assert body["period_start"] == (yesterday() - dt.timedelta(days=DASHBOARD_DAYS - 1)).isoformat()
    accounts = {row["handle"]: row for row in body["accounts"]}
    assert accounts["hotpot"]["period"]["plays"] == 100 + 250 + 40  # the day before the period is left out
    assert accounts["hotpot"]["period"]["likes"] == 3
    assert accounts["hotpot"]["followers"] == 5000
    assert accounts["quiet"]["period"]["plays"] == 0
    assert [point["plays"] for point in body["series"]] == [40, 250, 100]  # oldest first, a2's figures not in


def test_the_client_dashboard_lists_the_videos_with_most_plays(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    small, big = VideoFactory(account=account, title="small"), VideoFactory(account=account, title="big")
    VideoDailyMetricFactory(account=account, video=small, date=yesterday(), plays=10)
    VideoDailyMetricFactory(account=account, video=big, date=yesterday(), plays=500)
    VideoDailyMetricFactory(account=account, video=big, date=yesterday() - dt.timedelta(days=1), plays=5)
    ClientRequirementFactory(client=world.client_a1)

    body = api(world.viewer_a1).get(dashboard_url(world.client_a1), {"days": 7}).json()

    assert [(v["title"], v["plays"]) for v in body["top_videos"]] == [("big", 505), ("small", 10)]
    assert body["requirements"]["open"] == 1


def test_the_client_dashboard_of_another_client_or_agency_is_not_found(world, api):
    assert api(world.viewer_a1).get(dashboard_url(world.client_a2)).status_code == 404
    assert api(world.staff_b).get(dashboard_url(world.client_a1)).status_code == 404


def test_the_period_must_be_a_number_of_days_in_range(world, api):
    for days in ("0", str(DASHBOARD_MAX_DAYS + 1), "week"):
        response = api(world.staff_a).get(dashboard_url(world.client_a1), {"days": days})
        assert response.status_code == 400
        assert "days" in response.json()["error"]["fields"]
    assert api(world.staff_a).get(dashboard_url(world.client_a1), {"days": DASHBOARD_MAX_DAYS}).status_code == 200


def test_the_agency_overview_sums_the_agency_and_ranks_its_clients(world, api):
    a1 = PlatformAccountFactory(client=world.client_a1, followers=100)
    a2 = PlatformAccountFactory(client=world.client_a2, followers=50)
    AccountDailyMetricFactory(account=a1, date=yesterday(), plays=300)
    AccountDailyMetricFactory(account=a2, date=yesterday(), plays=700)
    AccountDailyMetricFactory(account=PlatformAccountFactory(client=world.client_b), date=yesterday(), plays=5)

    body = api(world.staff_a).get(reverse("client-overview")).json()

    assert body["accounts"]["total"] == 2
    assert body["accounts"]["followers"] == 150
    assert [(p["date"], p["plays"]) for p in body["series"]] == [(yesterday().isoformat(), 1000)]  # not B's 5
    assert [(c["name"], c["plays"]) for c in body["top_clients"]] == [("A2 tea", 700), ("A1 hotpot", 300)]


def test_a_client_person_sees_only_their_client_in_the_overview(world, api):
    AccountDailyMetricFactory(account=PlatformAccountFactory(client=world.client_a1), date=yesterday(), plays=300)
    AccountDailyMetricFactory(account=PlatformAccountFactory(client=world.client_a2), date=yesterday(), plays=700)

    body = api(world.viewer_a1).get(reverse("client-overview")).json()

    assert body["clients"]["total"] == 1
    assert [c["name"] for c in body["top_clients"]] == ["A1 hotpot"]
    assert [p["plays"] for p in body["series"]] == [300]
