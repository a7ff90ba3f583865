"""API of chapter 8: the isolation mixin on every endpoint, and the rules of 8.1-8.3 as an
integration sees them (status codes, the named field, nothing written on refusal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from extensions.models import (
    AccountValuation,
    AdverseEvent,
    Influencer,
    LiveProduct,
    LiveSession,
    LiveSessionResult,
    LiveTeamAssignment,
    RunSheetSegment,
    StoreVisitBooking,
    StoreVisitCampaign,
    ValuationFactor,
)
from extensions.rules import INFLUENCER_FOLLOWERS_MIN, LIVE_TEAM_REQUIRED_ROLES
from extensions.selectors.valuation import METRIC_DAILY_ACTIVE_FANS, metric_sources
from tests.accounts_ops.factories import PoiLinkFactory
from tests.extensions.factories import (
    EndedLiveSessionFactory,
    InfluencerFactory,
    LiveSessionFactory,
    StoreVisitCampaignFactory,
    make_valuation,
    soon,
    staff_person,
)
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory
from tests.isolation import TenantAPITestCases

RESULT_BODY = {
    "peak_concurrent_viewers": 800,
    "average_concurrent_viewers": 300,
    "total_viewers": 12000,
    "views": 20000,
    "average_watch_seconds": 95,
    "comments": 1500,
    "new_followers": 420,
    "orders": 360,
    "gmv": "36000.00",
    "review": "Good night.",
}

VALUATION_BODY = {
    "style": "distinct",
    "style_note": "Recognisable hotpot-boss persona",
    "daily_active_fans": "12000",
    "daily_active_fans_note": "creator centre",
    "engagement_rate": "0.06",
    "engagement_rate_note": "creator centre",
    "returning_viewer_share": "0.3",
    "returning_viewer_share_note": "creator centre",
}


# --- the isolation mixin on every endpoint ------------------------------------------------------


class TestLiveSessionAPI(TenantAPITestCases):
    basename = "livesession"
    model = LiveSession

    def create_payload(self, world):
        start = soon(72)
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "theme": "Spring menu launch",
            "planned_start": start.isoformat(),
            "planned_end": (start + dt.timedelta(hours=2)).isoformat(),
            "goal_gmv": "50000.00",
        }

    def update_payload(self, world, obj):
        return {"theme": "changed"}


class TestLiveProductAPI(TenantAPITestCases):
    basename = "liveproduct"
    model = LiveProduct

    def create_payload(self, world):
        session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"session": session.pk, "name": "Beef platter", "price": "68.00", "stock": 200}

    def update_payload(self, world, obj):
        return {"name": "changed"}


class TestRunSheetSegmentAPI(TenantAPITestCases):
    basename = "runsheetsegment"
    model = RunSheetSegment

    def create_payload(self, world):
        session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"session": session.pk, "kind": "giveaway", "start_minute": 30, "duration_minutes": 5}

    def update_payload(self, world, obj):
        return {"title": "changed"}


class TestLiveTeamAssignmentAPI(TenantAPITestCases):
    basename = "liveteamassignment"
    model = LiveTeamAssignment

    def create_payload(self, world):
        session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"session": session.pk, "role": "host_assistant", "person": staff_person(world.agency_a).pk}


class TestLiveSessionResultAPI(TenantAPITestCases):
    basename = "livesessionresult"
    model = LiveSessionResult

    def create_payload(self, world):
        session = EndedLiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
        return {"session": session.pk, **RESULT_BODY}

    def update_payload(self, world, obj):
        return {"review": "changed"}


class TestInfluencerAPI(TenantAPITestCases):
    basename = "influencer"
    model = Influencer
    client_scoped = False  # the agency's own registry

    def create_payload(self, world):
        return {
            "platform": "douyin",
            "handle": "chengdu_eats",
            "followers": 250000,
            "followers_read_on": timezone.localdate().isoformat(),
        }

    def update_payload(self, world, obj):
        return {"city": "Chongqing"}


class TestStoreVisitCampaignAPI(TenantAPITestCases):
    basename = "storevisitcampaign"
    model = StoreVisitCampaign

    def create_payload(self, world):
        return {
            "client": world.client_a1.pk,
            "title": "Spring menu",
            "store_name": "Chunxi Road store",
            "visit_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "window_start": "11:00",
            "window_end": "14:00",
            "deliverables": ["video", "live_mention"],
        }

    def update_payload(self, world, obj):
        return {"title": "changed"}


class TestStoreVisitBookingAPI(TenantAPITestCases):
    basename = "storevisitbooking"
    model = StoreVisitBooking

    def create_payload(self, world):
        campaign = StoreVisitCampaignFactory(client=world.client_a1)
        return {"campaign": campaign.pk, "influencer": InfluencerFactory(agency=world.agency_a).pk, "fee": "1500.00"}

    def update_payload(self, world, obj):
        return {"notes": "changed"}


class TestAdverseEventAPI(TenantAPITestCases):
    basename = "adverseevent"
    model = AdverseEvent

    def create_payload(self, world):
        return {
            "account": PlatformAccountFactory(client=world.client_a1).pk,
            "kind": "traffic_limit",
            "severity": "major",
            "occurred_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
            "description": "Reach capped for a week after a music copyright claim.",
        }

    def update_payload(self, world, obj):
        return {"description": "changed"}


class TestAccountValuationAPI(TenantAPITestCases):
    basename = "accountvaluation"
    model = AccountValuation

    def create_payload(self, world):
        return {"account": PlatformAccountFactory(client=world.client_a1).pk, **VALUATION_BODY}

    def update_payload(self, world, obj):
        return {"notes": "changed"}


class TestValuationFactorAPI(TenantAPITestCases):
    basename = "valuationfactor"
    model = ValuationFactor


# --- 8.1 through the API ------------------------------------------------------------------------


def test_starting_without_the_four_roles_is_400_naming_them(world, api):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    client = api(world.staff_a)
    for role in LIVE_TEAM_REQUIRED_ROLES[:3]:
        created = client.post(
            reverse("liveteamassignment-list"),
            {"session": session.pk, "role": role, "person": staff_person(world.agency_a).pk},
            format="json",
        )
        assert created.status_code == 201, created.content
    response = client.post(reverse("livesession-start", args=[session.pk]), {}, format="json")
    assert response.status_code == 400
    assert "team" in response.json()["error"]["fields"]
    assert "Field controller" in response.json()["error"]["message"]
    client.post(
        reverse("liveteamassignment-list"),
        {"session": session.pk, "role": LIVE_TEAM_REQUIRED_ROLES[3], "person": staff_person(world.agency_a).pk},
        format="json",
    )
    started = client.post(reverse("livesession-start", args=[session.pk]), {}, format="json")
    assert started.status_code == 200 and started.json()["status"] == "live"


def test_double_booking_through_the_api_is_400_on_person(world, api):
    person = staff_person(world.agency_a)
    first = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    second = LiveSessionFactory(
        account=PlatformAccountFactory(client=world.client_a2),
        planned_start=first.planned_start + dt.timedelta(minutes=30),
        planned_end=first.planned_end + dt.timedelta(minutes=30),
    )
    client = api(world.staff_a)
    body = {"role": "field_controller", "person": person.pk}
    assert (
        client.post(reverse("liveteamassignment-list"), {**body, "session": first.pk}, format="json").status_code == 201
    )
    response = client.post(reverse("liveteamassignment-list"), {**body, "session": second.pk}, format="json")
    assert response.status_code == 400 and "person" in response.json()["error"]["fields"]
    assert not LiveTeamAssignment.dangerously_all_agencies.filter(session=second).exists()


def test_a_client_person_cannot_be_put_in_the_team(world, api):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    response = api(world.staff_a).post(
        reverse("liveteamassignment-list"),
        {"session": session.pk, "role": "host_assistant", "person": world.viewer_a1.pk},
        format="json",
    )
    assert response.status_code == 400 and "person" in response.json()["error"]["fields"]


def test_results_pushed_through_the_api_come_back_with_derived_figures(world, api):
    session = EndedLiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    response = api(world.staff_a).post(
        reverse("livesessionresult-list"), {"session": session.pk, **RESULT_BODY}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["uv_value"], body["gpm"], body["conversion_rate"], body["source"]) == (
        "3.00",
        "1800.00",
        "0.0300",
        "api",
    )


def test_negative_gmv_is_400_and_nothing_is_written(world, api):
    session = EndedLiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    response = api(world.staff_a).post(
        reverse("livesessionresult-list"), {"session": session.pk, **RESULT_BODY, "gmv": "-1.00"}, format="json"
    )
    assert response.status_code == 400 and "gmv" in response.json()["error"]["fields"]
    assert not LiveSessionResult.dangerously_all_agencies.filter(session=session).exists()


def test_ending_before_the_start_is_400(world, api):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    client = api(world.staff_a)
    for role in LIVE_TEAM_REQUIRED_ROLES:
        client.post(
            reverse("liveteamassignment-list"),
            {"session": session.pk, "role": role, "person": staff_person(world.agency_a).pk},
            format="json",
        )
    started_at = timezone.now() - dt.timedelta(hours=1)
    client.post(reverse("livesession-start", args=[session.pk]), {"started_at": started_at.isoformat()}, format="json")
    response = client.post(
        reverse("livesession-end", args=[session.pk]),
        {"ended_at": (started_at - dt.timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "ended_at" in response.json()["error"]["fields"]


def test_the_live_team_may_run_a_session_but_the_analyst_may_not(world, api):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    analyst = MembershipFactory(agency=world.agency_a, role="analyst", user=UserFactory()).user
    live = MembershipFactory(agency=world.agency_a, role="live_team", user=UserFactory()).user
    url = reverse("livesession-cancel", args=[session.pk])
    assert api(analyst).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(live).post(url, {"reason": "Rain"}, format="json").status_code == 200


# --- 8.2 through the API ------------------------------------------------------------------------


def test_booking_outside_the_follower_range_is_400_with_figure_and_range(world, api):
    low = INFLUENCER_FOLLOWERS_MIN.default
    campaign = StoreVisitCampaignFactory(client=world.client_a1)
    influencer = InfluencerFactory(agency=world.agency_a, followers=low - 1)
    response = api(world.staff_a).post(
        reverse("storevisitbooking-list"),
        {"campaign": campaign.pk, "influencer": influencer.pk, "fee": "800.00"},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["influencer"][0]
    assert f"{low - 1:,}" in message and f"{low:,}" in message
    assert not StoreVisitBooking.dangerously_all_agencies.exists()


def campaign_body(world, **fields) -> dict:
    return {
        "client": world.client_a1.pk,
        "title": "Spring menu",
        "visit_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
        "window_start": "11:00",
        "window_end": "14:00",
        **fields,
    }


def test_a_campaign_on_the_clients_poi_record_takes_its_store_address_and_poi_id(world, api):
    poi = PoiLinkFactory(
        account=PlatformAccountFactory(client=world.client_a1),
        store_name="Laojie Hotpot Chunxi",
        address="88 Chunxi Road",
        platform_poi_id="B0FFG123",
    )
    response = api(world.staff_a).post(
        reverse("storevisitcampaign-list"), campaign_body(world, poi_link=poi.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["poi_link"], body["store_name"], body["store_address"], body["poi_id"]) == (
        poi.pk,
        "Laojie Hotpot Chunxi",
        "88 Chunxi Road",
        "B0FFG123",
    )
    assert StoreVisitCampaign.dangerously_all_agencies.get(pk=body["id"]).poi_link_id == poi.pk


def test_a_campaign_on_another_clients_poi_record_is_refused(world, api):
    poi = PoiLinkFactory(account=PlatformAccountFactory(client=world.client_a2))
    response = api(world.staff_a).post(
        reverse("storevisitcampaign-list"), campaign_body(world, poi_link=poi.pk), format="json"
    )
    assert response.status_code == 400
    assert "another client" in response.json()["error"]["fields"]["poi_link"][0]
    assert not StoreVisitCampaign.dangerously_all_agencies.exists()


def test_a_campaign_names_its_store_or_its_poi_record(world, api):
    response = api(world.staff_a).post(reverse("storevisitcampaign-list"), campaign_body(world), format="json")
    assert response.status_code == 400
    assert "store_name" in response.json()["error"]["fields"]
    assert not StoreVisitCampaign.dangerously_all_agencies.exists()


def test_the_registry_tells_who_cannot_be_booked(world, api):
    InfluencerFactory(agency=world.agency_a, followers=10, handle="tiny")
    InfluencerFactory(agency=world.agency_a, followers=100_000, handle="fine")
    rows = {row["handle"]: row for row in api(world.staff_a).get(reverse("influencer-list")).json()["results"]}
    assert rows["fine"]["booking_refusal"] == "" and "10" in rows["tiny"]["booking_refusal"]


def test_client_people_do_not_see_the_influencer_registry(world, api):
    InfluencerFactory(agency=world.agency_a)
    assert api(world.viewer_a1).get(reverse("influencer-list")).status_code == 403


def test_a_booking_advances_and_records_results_through_the_api(world, api):
    campaign = StoreVisitCampaignFactory(client=world.client_a1)
    client = api(world.staff_a)
    booking = client.post(
        reverse("storevisitbooking-list"),
        {"campaign": campaign.pk, "influencer": InfluencerFactory(agency=world.agency_a).pk, "fee": "900.00"},
        format="json",
    ).json()
    url = reverse("storevisitbooking-advance", args=[booking["id"]])
    assert client.post(url, {"status": "posted"}, format="json").status_code == 400
    for status in ("confirmed", "visited"):
        assert client.post(url, {"status": status}, format="json").status_code == 200
    posted = client.post(url, {"status": "posted", "video_url": "https://v.douyin.com/abc/"}, format="json")
    assert posted.status_code == 200 and posted.json()["status"] == "posted"
    results = client.post(
        reverse("storevisitbooking-results", args=[booking["id"]]),
        {"plays": 40000, "likes": 2000, "coupon_redemptions": 31},
        format="json",
    )
    assert results.status_code == 200 and results.json()["coupon_redemptions"] == 31


# --- 8.3 through the API ------------------------------------------------------------------------


def test_a_valuation_without_metrics_is_400_with_a_clear_message_and_no_record(world, api):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie")
    with metric_sources(**{METRIC_DAILY_ACTIVE_FANS: None}):
        response = api(world.staff_a).post(
            reverse("accountvaluation-list"),
            {
                "account": account.pk,
                "style": "clear",
                "window_start": "2026-10-01",
                "window_end": "2026-10-30",
                "engagement_rate": "0.05",
                "engagement_rate_note": "x",
                "returning_viewer_share": "0.3",
                "returning_viewer_share_note": "x",
            },
            format="json",
        )
    assert response.status_code == 400
    message = response.json()["error"]["fields"][METRIC_DAILY_ACTIVE_FANS][0]
    assert message.startswith("no metrics for @laojie between 2026-10-01 and 2026-10-30")
    assert not AccountValuation.dangerously_all_agencies.exists()


def test_a_valuation_comes_back_with_factors_explanation_and_range(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    response = api(world.staff_a).post(
        reverse("accountvaluation-list"), {"account": account.pk, **VALUATION_BODY}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["method"] and body["method_description"]
    assert len(body["factors"]) == 6 and all(f["weight"] is not None for f in body["factors"])
    assert len(body["explanation"]) == len(body["steps"]) and "12,000" in body["explanation"][0]
    assert float(body["value_low"]) <= float(body["value_point"]) <= float(body["value_high"])


def test_weights_not_summing_to_one_are_400_on_weights(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    weights = {"stickiness": "0.5", "style": "0.5", "adverse_events": "0.5", "other": "0"}
    response = api(world.staff_a).post(
        reverse("accountvaluation-list"), {"account": account.pk, **VALUATION_BODY, "weights": weights}, format="json"
    )
    assert response.status_code == 400 and "weights" in response.json()["error"]["fields"]
    assert not AccountValuation.dangerously_all_agencies.exists()


def test_verify_and_recompute_a_valuation(world, api):
    valuation = make_valuation(PlatformAccountFactory(client=world.client_a1))
    client = api(world.staff_a)
    check = client.get(reverse("accountvaluation-verify", args=[valuation.pk]))
    assert check.status_code == 200 and check.json()["reproducible"] is True
    again = client.post(reverse("accountvaluation-recompute", args=[valuation.pk]))
    assert again.status_code == 201 and again.json()["recomputed_from"] == valuation.pk
    assert Decimal(again.json()["value_point"]) == valuation.value_point


def test_a_valuation_record_keeps_its_figures(world, api):
    valuation = make_valuation(PlatformAccountFactory(client=world.client_a1))
    url = reverse("accountvaluation-detail", args=[valuation.pk])
    response = api(world.staff_a).patch(url, {"value_point": "1", "notes": "ok"}, format="json")
    # A figure the valuation computes is refused by name, and nothing of the request is kept.
    assert response.status_code == 400 and "value_point" in response.json()["error"]["fields"]
    valuation.refresh_from_db()
    assert valuation.value_point != 1 and valuation.notes != "ok"
    assert api(world.staff_a).patch(url, {"notes": "ok"}, format="json").status_code == 200
    valuation.refresh_from_db()
    assert valuation.value_point != 1 and valuation.notes == "ok"


def test_client_people_see_their_own_valuations_but_cannot_make_one(world, api):
    mine = make_valuation(PlatformAccountFactory(client=world.client_a1))
    theirs = make_valuation(PlatformAccountFactory(client=world.client_a2))
    listing = api(world.approver_a1).get(reverse("accountvaluation-list")).json()["results"]
    assert [row["id"] for row in listing] == [mine.pk]
    assert theirs.pk not in [row["id"] for row in listing]
    response = api(world.approver_a1).post(
        reverse("accountvaluation-list"), {"account": mine.account_id, **VALUATION_BODY}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("basename", ["livesession", "storevisitbooking", "accountvaluation"])
def test_lists_are_searchable_and_sortable(world, api, basename):
    response = api(world.staff_a).get(reverse(f"{basename}-list"), {"search": "x", "ordering": "-created_at"})
    assert response.status_code == 200
