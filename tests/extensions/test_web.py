"""The chapter 8 staff pages and the client area's view, through Django's test client."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from extensions.models import AccountValuation, LiveSession, LiveSessionStatus, StoreVisitBooking
from extensions.rules import INFLUENCER_FOLLOWERS_MAX, LIVE_TEAM_REQUIRED_ROLES
from tests.extensions.factories import (
    EndedLiveSessionFactory,
    InfluencerFactory,
    LiveSessionFactory,
    LiveSessionResultFactory,
    StoreVisitBookingFactory,
    StoreVisitCampaignFactory,
    make_valuation,
    soon,
    staff_person,
)
from tests.factories import PlatformAccountFactory


def browser(user=None) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        b.force_login(user)
    return b


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_staff_pages_render(world):
    account = PlatformAccountFactory(client=world.client_a1)
    session = LiveSessionFactory(account=account)
    ended = EndedLiveSessionFactory(account=account)
    LiveSessionResultFactory(session=EndedLiveSessionFactory(account=account))
    booking = StoreVisitBookingFactory(campaign=StoreVisitCampaignFactory(client=world.client_a1))
    valuation = make_valuation(account)
    b = browser(world.staff_a)
    for name, args in [
        ("extensions:index", []),
        ("extensions:live-list", []),
        ("extensions:live-create", []),
        ("extensions:live-detail", [session.pk]),
        ("extensions:live-detail", [ended.pk]),
        ("extensions:live-update", [session.pk]),
        ("extensions:influencer-list", []),
        ("extensions:influencer-create", []),
        ("extensions:influencer-detail", [booking.influencer_id]),
        ("extensions:campaign-list", []),
        ("extensions:campaign-create", []),
        ("extensions:campaign-detail", [booking.campaign_id]),
        ("extensions:adverse-list", []),
        ("extensions:adverse-create", []),
        ("extensions:valuation-list", []),
        ("extensions:valuation-create", []),
        ("extensions:valuation-detail", [valuation.pk]),
    ]:
        response = b.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)


def test_plan_staff_start_and_report_a_session_in_the_pages(world):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie")
    b = browser(world.staff_a)
    start = soon(48)
    created = b.post(
        reverse("extensions:live-create"),
        {
            "account": account.pk,
            "theme": "Hotpot night",
            "planned_start": local(start),
            "planned_end": local(start + dt.timedelta(hours=2)),
        },
    )
    assert created.status_code == 302
    session = LiveSession.dangerously_all_agencies.get(theme="Hotpot night")
    refused = b.post(reverse("extensions:live-action", args=[session.pk, "start"]), {})
    assert refused.status_code == 400 and "Transition assistant" in refused.content.decode()
    for role in LIVE_TEAM_REQUIRED_ROLES:
        response = b.post(
            reverse("extensions:live-action", args=[session.pk, "team"]),
            {"team-role": role, "team-person": staff_person(world.agency_a).pk},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    started_at = timezone.now() - dt.timedelta(hours=2)
    b.post(reverse("extensions:live-action", args=[session.pk, "start"]), {"start-started_at": local(started_at)})
    b.post(reverse("extensions:live-action", args=[session.pk, "end"]), {})
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.ENDED
    figures = {
        "results-peak_concurrent_viewers": 800,
        "results-average_concurrent_viewers": 300,
        "results-total_viewers": 12000,
        "results-views": 20000,
        "results-average_watch_seconds": 90,
        "results-comments": 100,
        "results-new_followers": 50,
        "results-orders": 360,
        "results-gmv": "-5",
        "results-refund_orders": 0,
        "results-refund_amount": "0",
    }
    bad = b.post(reverse("extensions:live-action", args=[session.pk, "results"]), figures)
    assert bad.status_code == 400
    ok = b.post(reverse("extensions:live-action", args=[session.pk, "results"]), {**figures, "results-gmv": "36000"})
    assert ok.status_code == 302
    page = b.get(reverse("extensions:live-detail", args=[session.pk])).content.decode()
    assert "1,800.00" in page and "3.00%" in page  # GPM and conversion


def test_booking_outside_the_range_in_the_pages_names_the_figure(world):
    campaign = StoreVisitCampaignFactory(client=world.client_a1)
    too_big = INFLUENCER_FOLLOWERS_MAX.default + 1
    influencer = InfluencerFactory(agency=world.agency_a, followers=too_big)
    response = browser(world.staff_a).post(
        reverse("extensions:campaign-book", args=[campaign.pk]),
        {"book-influencer": influencer.pk, "book-fee": "1000"},
    )
    assert response.status_code == 400 and f"{too_big:,}" in response.content.decode()
    assert not StoreVisitBooking.dangerously_all_agencies.exists()


def test_a_booking_moves_on_in_the_pages(world):
    booking = StoreVisitBookingFactory(campaign=StoreVisitCampaignFactory(client=world.client_a1))
    b = browser(world.staff_a)
    url = reverse("extensions:booking-action", args=[booking.pk, "advance"])
    skipped = b.post(url, {"advance-status": "visited"})
    assert skipped.status_code == 400
    assert b.post(url, {"advance-status": "confirmed"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_valuation_pages_refuse_without_metrics_and_explain_the_result(world):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie")
    b = browser(world.staff_a)
    body = {
        "account": account.pk,
        "style": "clear",
        "other_multiplier": "1",
        "weight_stickiness": "0.4",
        "weight_style": "0.2",
        "weight_adverse_events": "0.3",
        "weight_other": "0.1",
    }
    refused = b.post(reverse("extensions:valuation-create"), body)
    assert refused.status_code == 200 and "no metrics for @laojie" in refused.content.decode()
    assert not AccountValuation.dangerously_all_agencies.exists()
    entered = {
        "daily_active_fans": "12000",
        "daily_active_fans_note": "creator centre",
        "engagement_rate": "0.05",
        "engagement_rate_note": "creator centre",
        "returning_viewer_share": "0.3",
        "returning_viewer_share_note": "creator centre",
    }
    created = b.post(reverse("extensions:valuation-create"), {**body, **entered})
    assert created.status_code == 302
    valuation = AccountValuation.dangerously_all_agencies.get()
    assert valuation.inputs["weights_source"] == "agency"
    page = b.get(created.url).content.decode()
    assert "12,000" in page and "the same range" in page
    again = b.post(reverse("extensions:valuation-recompute", args=[valuation.pk]))
    assert again.status_code == 302 and AccountValuation.dangerously_all_agencies.count() == 2


def test_other_agencys_pages_are_404(world):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_b))
    valuation = make_valuation(PlatformAccountFactory(client=world.client_b))
    b = browser(world.staff_a)
    assert b.get(reverse("extensions:live-detail", args=[session.pk])).status_code == 404
    assert (
        b.post(reverse("extensions:live-action", args=[session.pk, "cancel"]), {"cancel-reason": "x"}).status_code
        == 404
    )
    assert b.get(reverse("extensions:valuation-detail", args=[valuation.pk])).status_code == 404


def test_client_people_see_their_own_results_visits_and_valuations(world):
    mine = PlatformAccountFactory(client=world.client_a1, handle="mine")
    other = PlatformAccountFactory(client=world.client_a2, handle="other")
    LiveSessionResultFactory(session=EndedLiveSessionFactory(account=mine, theme="My night"))
    LiveSessionResultFactory(session=EndedLiveSessionFactory(account=other, theme="Their night"))
    StoreVisitBookingFactory(campaign=StoreVisitCampaignFactory(client=world.client_a1, title="My visits"))
    own_valuation = make_valuation(mine)
    other_valuation = make_valuation(other)
    b = browser(world.viewer_a1)
    landing = b.get(reverse("extensions:index"), follow=True)
    assert landing.redirect_chain[-1][0] == reverse("extensions:client-area")
    page = landing.content.decode()
    assert "My night" in page and "Their night" not in page and "My visits" in page and "@mine" in page
    assert b.get(reverse("extensions:client-valuation", args=[own_valuation.pk])).status_code == 200
    assert b.get(reverse("extensions:client-valuation", args=[other_valuation.pk])).status_code == 404
    assert b.get(reverse("extensions:live-list")).status_code == 302  # staff pages send them back


def test_the_analyst_cannot_plan_a_session(world):
    from tests.factories import MembershipFactory, UserFactory

    analyst = MembershipFactory(agency=world.agency_a, role="analyst", user=UserFactory()).user
    assert browser(analyst).get(reverse("extensions:live-create")).status_code == 403


def test_registry_campaign_and_adverse_event_forms_save(world):
    from extensions.models import AdverseEvent, Influencer, StoreVisitCampaign

    b = browser(world.staff_a)
    today = timezone.localdate()
    assert (
        b.post(
            reverse("extensions:influencer-create"),
            {"platform": "douyin", "handle": "chengdu_eats", "followers": 88000, "followers_read_on": today},
        ).status_code
        == 302
    )
    assert Influencer.dangerously_all_agencies.get(handle="chengdu_eats").agency == world.agency_a
    bad_window = {
        "client": world.client_a1.pk,
        "title": "Spring",
        "store_name": "Chunxi Road",
        "visit_date": today + dt.timedelta(days=3),
        "window_start": "14:00",
        "window_end": "11:00",
        "deliverables": ["video"],
    }
    refused = b.post(reverse("extensions:campaign-create"), bad_window)
    assert refused.status_code == 200 and not StoreVisitCampaign.dangerously_all_agencies.exists()
    assert b.post(reverse("extensions:campaign-create"), {**bad_window, "window_end": "16:00"}).status_code == 302
    account = PlatformAccountFactory(client=world.client_a1)
    event = {
        "account": account.pk,
        "kind": "ban",
        "severity": "major",
        "occurred_on": today - dt.timedelta(days=2),
        "description": "Live room banned for a day.",
    }
    assert b.post(reverse("extensions:adverse-create"), event).status_code == 302
    assert AdverseEvent.dangerously_all_agencies.get().client == world.client_a1


def test_a_campaign_picked_on_a_poi_record_in_the_page_shows_it(world):
    from extensions.models import StoreVisitCampaign
    from tests.accounts_ops.factories import PoiLinkFactory

    poi = PoiLinkFactory(
        account=PlatformAccountFactory(client=world.client_a1), store_name="Laojie Chunxi", platform_poi_id="B0X1"
    )
    b = browser(world.staff_a)
    form = b.get(reverse("extensions:campaign-create")).content.decode()
    poi_select = re.search(r'<select name="poi_link".*?</select>', form, re.S).group(0)
    assert f'value="{poi.pk}"' in poi_select and "Laojie Chunxi" in poi_select
    response = b.post(
        reverse("extensions:campaign-create"),
        {
            "client": world.client_a1.pk,
            "poi_link": poi.pk,
            "title": "Spring",
            "visit_date": timezone.localdate() + dt.timedelta(days=3),
            "window_start": "11:00",
            "window_end": "14:00",
            "deliverables": ["video"],
        },
    )
    assert response.status_code == 302
    campaign = StoreVisitCampaign.dangerously_all_agencies.get()
    assert (campaign.store_name, campaign.poi_id, campaign.poi_link_id) == ("Laojie Chunxi", "B0X1", poi.pk)
    page = b.get(reverse("extensions:campaign-detail", args=[campaign.pk])).content.decode()
    assert "Laojie Chunxi" in page and "POI record" in page


def test_rescheduling_a_session_in_the_pages(world):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    new_start = session.planned_start + dt.timedelta(days=1)
    response = browser(world.staff_a).post(
        reverse("extensions:live-update", args=[session.pk]),
        {
            "account": session.account_id,
            "theme": session.theme,
            "planned_start": local(new_start),
            "planned_end": local(new_start + dt.timedelta(hours=3)),
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.planned_start == new_start and session.planned_minutes == 180
