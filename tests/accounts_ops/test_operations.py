"""6.1-6.3 and 6.5-6.7 through the API, each rule at its boundary."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts_ops import images
from accounts_ops.models import (
    AccountDirection,
    AdSpend,
    BoostTask,
    GroupBuyDeal,
    LocalLifeEnablement,
    PinnedVideo,
    PoiLink,
    ProfileChange,
    campaign_roi,
)
from accounts_ops.rules import PINNED_SLOTS_MAX
from accounts_ops.services.pinned import boost_tasks_create_due
from agency.tenancy import tenant_context
from clients.models import PlatformAccount
from tests.accounts_ops.factories import (
    AccountDirectionFactory,
    AdCampaignFactory,
    BoostRecordFactory,
    PinnedVideoFactory,
    PoiLinkFactory,
    ProfileChangeFactory,
)
from tests.factories import MembershipFactory, PlatformAccountFactory, UserFactory, VideoFactory


def today() -> dt.date:
    return timezone.localdate()


def day(offset: int = 0) -> str:
    return (today() + dt.timedelta(days=offset)).isoformat()


def fields(response) -> dict:
    return response.json()["error"]["fields"]


# --- 6.1 direction -----------------------------------------------------------------------------


def direction_body(account, effective_from):
    return {
        "account": account.pk,
        "effective_from": effective_from,
        "positioning": "Late-night hotpot",
        "target_audience": "Night-shift workers",
        "content_pillars": ["night menu", "staff stories"],
        "platform_rules": "Douyin 2026 rules on food claims",
        "operating_goals": "300 coupon sales a month",
    }


def test_a_new_direction_version_becomes_the_only_current_one(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    old = AccountDirectionFactory(account=account, effective_from=today() - dt.timedelta(days=40))
    response = api(world.staff_a).post(reverse("accountdirection-list"), direction_body(account, day()), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 2 and response.json()["is_current"] is True
    old.refresh_from_db()
    assert not old.is_current
    assert AccountDirection.dangerously_all_agencies.filter(account=account, is_current=True).count() == 1


def test_a_direction_cannot_start_before_the_current_version(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    AccountDirectionFactory(account=account, effective_from=today())
    response = api(world.staff_a).post(
        reverse("accountdirection-list"), direction_body(account, day(-1)), format="json"
    )
    assert response.status_code == 400 and "effective_from" in fields(response)


def test_a_direction_needs_content_pillars(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    body = {**direction_body(account, day()), "content_pillars": []}
    response = api(world.staff_a).post(reverse("accountdirection-list"), body, format="json")
    assert response.status_code == 400 and "content_pillars" in fields(response)


# --- 6.2 profile -------------------------------------------------------------------------------


def image_upload(size=(64, 64), fmt="PNG", exif=None, name="avatar.png"):
    buffer = io.BytesIO()
    picture = Image.new("RGB", size, (200, 30, 60))
    kwargs = {"exif": exif} if exif is not None else {}
    picture.save(buffer, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def request_avatar(api, user, account, upload):
    return api(user).post(
        reverse("profilechange-list"),
        {"account": account.pk, "field": "avatar", "after_image": upload},
        format="multipart",
    )


def test_avatar_must_be_a_real_image(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    fake = SimpleUploadedFile("avatar.png", b"not an image at all", content_type="image/png")
    response = request_avatar(api, world.staff_a, account, fake)
    assert response.status_code == 400 and "after_image" in fields(response)
    assert not ProfileChange.dangerously_all_agencies.exists()


def test_avatar_pixel_limit_is_enforced_at_its_boundary(world, api, monkeypatch):
    monkeypatch.setattr(images, "PROFILE_IMAGE_MAX_PIXELS", 100 * 100)
    account = PlatformAccountFactory(client=world.client_a1)
    too_big = request_avatar(api, world.staff_a, account, image_upload((101, 100)))
    assert too_big.status_code == 400 and "101x100" in fields(too_big)["after_image"][0]
    assert request_avatar(api, world.staff_a, account, image_upload((100, 100))).status_code == 201


def test_avatar_is_reencoded_without_metadata(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0132] = "2026:01:01 10:00:00"  # DateTime
    response = request_avatar(api, world.staff_a, account, image_upload(fmt="JPEG", exif=exif, name="a.jpg"))
    assert response.status_code == 201, response.content
    change = ProfileChange.dangerously_all_agencies.get(pk=response.json()["id"])
    with Image.open(change.after_image.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()


def test_profile_change_takes_its_before_value_from_the_current_profile(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    ProfileChangeFactory(account=account, field="bio", after_text="Old bio", status="applied", applied_on=today())
    response = api(world.staff_a).post(
        reverse("profilechange-list"), {"account": account.pk, "field": "bio", "after_text": "New bio"}, format="json"
    )
    assert response.status_code == 201 and response.json()["before_text"] == "Old bio"


def test_one_open_change_per_part(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    body = {"account": account.pk, "field": "bio", "after_text": "A"}
    assert api(world.staff_a).post(reverse("profilechange-list"), body, format="json").status_code == 201
    again = api(world.staff_a).post(reverse("profilechange-list"), {**body, "after_text": "B"}, format="json")
    assert again.status_code == 400 and "field" in fields(again)


def test_a_change_is_applied_only_after_approval_and_a_nickname_reaches_the_account(world, api):
    account = PlatformAccountFactory(client=world.client_a1, nickname="Old name")
    change = api(world.approver_a1).post(
        reverse("profilechange-list"), {"account": account.pk, "field": "nickname", "after_text": "老街火锅"}
    )
    assert change.status_code == 201 and change.json()["before_text"] == "Old name"
    apply_url = reverse("profilechange-apply", args=[change.json()["id"]])
    early = api(world.staff_a).post(apply_url, {"applied_on": day()})
    assert early.status_code == 400 and "status" in fields(early)
    assert api(world.approver_a1).post(reverse("profilechange-approve", args=[change.json()["id"]])).status_code == 200
    assert api(world.staff_a).post(apply_url, {"applied_on": day(1)}).status_code == 400  # not in the future
    applied = api(world.staff_a).post(apply_url, {"applied_on": day()})
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert PlatformAccount.dangerously_all_agencies.get(pk=account.pk).nickname == "老街火锅"
    current = api(world.staff_a).get(reverse("profilechange-current"), {"account": account.pk}).json()
    assert current["nickname"]["after_text"] == "老街火锅" and current["avatar"] is None


def test_a_rejection_says_why(world, api):
    change = ProfileChangeFactory(account=PlatformAccountFactory(client=world.client_a1))
    url = reverse("profilechange-reject", args=[change.pk])
    assert api(world.staff_a).post(url, {"note": " "}).status_code == 400
    assert api(world.staff_a).post(url, {"note": "Off-brand"}).json()["status"] == "rejected"


def test_client_approver_cannot_ask_for_another_clients_account(world, api):
    account = PlatformAccountFactory(client=world.client_a2)
    response = api(world.approver_a1).post(
        reverse("profilechange-list"), {"account": account.pk, "field": "bio", "after_text": "x"}
    )
    assert response.status_code == 400 and "account" in fields(response)


# --- 6.3 pinned videos and boosts --------------------------------------------------------------


def pin(api, user, account, video=None, **extra):
    body = {
        "account": account.pk,
        "video": (video or VideoFactory(account=account)).pk,
        "pinned_on": day(),
        "boost_interval_days": 7,
        "boost_budget": "200.00",
        "boost_channel": "dou_plus",
        **extra,
    }
    return api(user).post(reverse("pinnedvideo-list"), body, format="json")


def test_an_account_takes_up_to_the_maximum_pinned_videos_and_refuses_one_more(world, api):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie")
    slots = [pin(api, world.staff_a, account).json()["slot"] for _ in range(PINNED_SLOTS_MAX)]
    assert slots == list(range(1, PINNED_SLOTS_MAX + 1))
    extra = pin(api, world.staff_a, account)
    assert extra.status_code == 400
    message = fields(extra)["account"][0]
    assert "@laojie" in message and "6.3" in message and str(PINNED_SLOTS_MAX) in message
    assert PinnedVideo.dangerously_all_agencies.filter(account=account).count() == PINNED_SLOTS_MAX


def test_a_pinned_video_must_belong_to_the_same_account(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    elsewhere = VideoFactory(account=PlatformAccountFactory(client=world.client_a1))
    response = pin(api, world.staff_a, account, video=elsewhere)
    assert response.status_code == 400 and "video" in fields(response)


@pytest.mark.parametrize("budget", ["-0.01", "-200"])
def test_a_negative_boost_budget_is_refused(world, api, budget):
    response = pin(api, world.staff_a, PlatformAccountFactory(client=world.client_a1), boost_budget=budget)
    assert response.status_code == 400 and "boost_budget" in fields(response)


def test_unpinning_the_last_video_flags_the_account(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    first, second = pin(api, world.staff_a, account).json(), pin(api, world.staff_a, account).json()
    one = api(world.staff_a).post(reverse("pinnedvideo-unpin", args=[first["id"]]))
    assert one.status_code == 200 and one.json()["account_flagged"] is False
    last = api(world.staff_a).post(reverse("pinnedvideo-unpin", args=[second["id"]]))
    assert last.json()["account_flagged"] is True
    flagged = api(world.staff_a).get(reverse("pinnedvideo-flagged-accounts")).json()
    assert account.pk in {row["id"] for row in flagged}
    assert pin(api, world.staff_a, account).status_code == 201  # a freed slot is pinned again


def run_boost_tasks(agency, on):
    with tenant_context(agency):
        return boost_tasks_create_due(today=on)


def test_boost_task_is_created_when_the_plan_falls_due_and_only_once(world):
    pinned = PinnedVideoFactory(
        account=PlatformAccountFactory(client=world.client_a1), pinned_on=today(), boost_interval_days=7
    )
    due = today() + dt.timedelta(days=7)
    assert run_boost_tasks(world.agency_a, due - dt.timedelta(days=1)) == 0
    assert run_boost_tasks(world.agency_a, due) == 1
    assert run_boost_tasks(world.agency_a, due) == 0
    assert run_boost_tasks(world.agency_a, due + dt.timedelta(days=3)) == 0  # still the same due date, still open
    assert list(BoostTask.dangerously_all_agencies.filter(pinned_video=pinned).values_list("due_on", flat=True)) == [
        due
    ]


def test_recording_a_boost_closes_the_task_and_moves_the_next_due_date(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    pinned = PinnedVideoFactory(account=account, pinned_on=today() - dt.timedelta(days=8), boost_interval_days=7)
    assert run_boost_tasks(world.agency_a, today()) == 1
    response = api(world.staff_a).post(
        reverse("boostrecord-list"), {"pinned_video": pinned.pk, "boosted_on": day(), "spend": "180.00"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "dou_plus" and response.json()["boost_task"] is not None
    assert BoostTask.dangerously_all_agencies.get(pinned_video=pinned).status == "done"
    detail = api(world.staff_a).get(reverse("pinnedvideo-detail", args=[pinned.pk])).json()
    assert detail["last_boosted_on"] == day() and detail["next_boost_due"] == day(7)
    assert run_boost_tasks(world.agency_a, today()) == 0


def test_unpinned_and_paused_accounts_get_no_boost_tasks(world):
    old = today() - dt.timedelta(days=30)
    PinnedVideoFactory(account=PlatformAccountFactory(client=world.client_a1, status="paused"), pinned_on=old)
    gone = PinnedVideoFactory(account=PlatformAccountFactory(client=world.client_a1), pinned_on=old)
    PinnedVideo.dangerously_all_agencies.filter(pk=gone.pk).update(unpinned_on=today())
    assert run_boost_tasks(world.agency_a, today()) == 0


def test_a_negative_boost_spend_is_refused(world, api):
    pinned = PinnedVideoFactory(account=PlatformAccountFactory(client=world.client_a1))
    response = api(world.staff_a).post(
        reverse("boostrecord-list"), {"pinned_video": pinned.pk, "boosted_on": day(), "spend": "-1.00"}, format="json"
    )
    assert response.status_code == 400 and "spend" in fields(response)


def test_boost_results_are_added_later_but_the_spend_stays(world, api):
    record = BoostRecordFactory(pinned_video=PinnedVideoFactory(account=PlatformAccountFactory(client=world.client_a1)))
    url = reverse("boostrecord-detail", args=[record.pk])
    refused = api(world.staff_a).patch(url, {"plays_gained": 12000, "spend": "1.00"}, format="json")
    # The spend is fixed once recorded: changing it is refused by name, and nothing is kept.
    assert refused.status_code == 400 and "spend" in refused.json()["error"]["fields"]
    record.refresh_from_db()
    assert record.plays_gained != 12000
    response = api(world.staff_a).patch(url, {"plays_gained": 12000}, format="json")
    assert response.status_code == 200 and response.json()["plays_gained"] == 12000
    assert response.json()["spend"] == "150.00"


# --- 6.5 group-buy and POI ---------------------------------------------------------------------


def deal_body(account, **extra):
    return {
        "account": account.pk,
        "title": "Set for two",
        "price": "99.00",
        "list_price": "168.00",
        "valid_from": day(),
        "valid_until": day(30),
        "stock": 100,
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"price": "-1.00"}, "price"),
        ({"list_price": "-5.00", "price": "-6.00"}, "price"),
        ({"price": "168.01"}, "price"),
        ({"valid_until": day(-1)}, "valid_until"),
        ({"stock": -1}, "stock"),
    ],
)
def test_deal_refuses_bad_amounts_and_dates(world, api, extra, field):
    account = PlatformAccountFactory(client=world.client_a1)
    response = api(world.staff_a).post(reverse("groupbuydeal-list"), deal_body(account, **extra), format="json")
    assert response.status_code == 400 and field in fields(response), response.content
    assert not GroupBuyDeal.dangerously_all_agencies.exists()


def test_price_equal_to_list_price_is_allowed(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    body = deal_body(account, price="168.00")
    assert api(world.staff_a).post(reverse("groupbuydeal-list"), body, format="json").status_code == 201


def test_claiming_a_poi_and_a_live_deal_tick_the_checklist(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    poi = PoiLinkFactory(account=account, status="to_claim")
    assert api(world.staff_a).patch(reverse("poilink-detail", args=[poi.pk]), {"status": "claimed"}).status_code == 200
    created = api(world.staff_a).post(
        reverse("groupbuydeal-list"), deal_body(account, poi=poi.pk, platform_status="live"), format="json"
    )
    assert created.status_code == 201 and created.json()["first_live_on"] == day()
    checklist = LocalLifeEnablement.dangerously_all_agencies.get(client=world.client_a1)
    assert checklist.poi_claimed_on == today() and checklist.first_deal_live_on == today()
    assert checklist.qualification_submitted_on is None and not checklist.is_complete


def test_a_deal_cannot_use_another_clients_poi(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    poi = PoiLinkFactory(account=PlatformAccountFactory(client=world.client_a2))
    response = api(world.staff_a).post(reverse("groupbuydeal-list"), deal_body(account, poi=poi.pk), format="json")
    assert response.status_code == 400 and "poi" in fields(response)


# --- 6.6 promotion -----------------------------------------------------------------------------


def promotion_body(account, **extra):
    return {
        "account": account.pk,
        "channel": "comment_sections",
        "target_kind": "person",
        "target": "Head chef Li",
        "content": "Comment under food bloggers' videos",
        "planned_on": day(),
        **extra,
    }


def test_search_keyword_promotion_names_its_keywords(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    body = promotion_body(account, channel="search_keywords")
    response = api(world.staff_a).post(reverse("promotiontask-list"), body, format="json")
    assert response.status_code == 400 and "search_keywords" in fields(response)


def test_a_promotion_is_done_with_a_date_and_an_outcome(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    task = api(world.staff_a).post(reverse("promotiontask-list"), promotion_body(account), format="json").json()
    url = reverse("promotiontask-complete", args=[task["id"]])
    assert api(world.staff_a).post(url, {"done_on": day(), "outcome": " "}).status_code == 400
    assert api(world.staff_a).post(url, {"done_on": day(1), "outcome": "ok"}).status_code == 400
    done = api(world.staff_a).post(url, {"done_on": day(), "outcome": "40 replies, 300 profile visits", "reach": 900})
    assert done.status_code == 200 and done.json()["status"] == "done"


# --- 6.7 advertising ---------------------------------------------------------------------------


def spend(api, user, campaign, amount, on=None):
    body = {"campaign": campaign.pk, "spent_on": on or day(), "amount": amount}
    return api(user).post(reverse("adspend-list"), body, format="json")


def test_spend_up_to_the_budget_is_accepted_and_beyond_it_refused_naming_both(world, api):
    campaign = AdCampaignFactory(account=PlatformAccountFactory(client=world.client_a1), budget=Decimal("1000.00"))
    assert spend(api, world.staff_a, campaign, "999.99").status_code == 201
    assert spend(api, world.staff_a, campaign, "0.01").status_code == 201
    over = spend(api, world.staff_a, campaign, "0.01")
    assert over.status_code == 400
    message = fields(over)["amount"][0]
    assert "¥1,000.00" in message and "¥1,000.01" in message and "approval" in message
    assert AdSpend.dangerously_all_agencies.filter(campaign=campaign).count() == 2


def test_an_agency_admins_approval_lets_spend_pass_the_budget_by_the_approved_amount(world, api):
    campaign = AdCampaignFactory(account=PlatformAccountFactory(client=world.client_a1), budget=Decimal("100.00"))
    manager = MembershipFactory(agency=world.agency_a, role="account_manager", user=UserFactory()).user
    body = {"campaign": campaign.pk, "extra_amount": "50.00", "reason": "Sales are strong"}
    assert api(manager).post(reverse("adbudgetapproval-list"), body, format="json").status_code == 403
    approved = api(world.staff_a).post(reverse("adbudgetapproval-list"), body, format="json")
    assert approved.status_code == 201 and approved.json()["approved_by"] == world.staff_a.pk
    assert spend(api, manager, campaign, "150.00").status_code == 201
    assert spend(api, manager, campaign, "0.01").status_code == 400


@pytest.mark.parametrize("amount", ["0", "-10.00"])
def test_spend_must_be_positive(world, api, amount):
    campaign = AdCampaignFactory(account=PlatformAccountFactory(client=world.client_a1))
    response = spend(api, world.staff_a, campaign, amount)
    assert response.status_code == 400 and "amount" in fields(response)


def test_spend_outside_the_campaign_period_is_refused(world, api):
    campaign = AdCampaignFactory(
        account=PlatformAccountFactory(client=world.client_a1),
        starts_on=today(),
        ends_on=today() + dt.timedelta(days=9),
    )
    response = spend(api, world.staff_a, campaign, "10.00", on=day(-1))
    assert response.status_code == 400 and "spent_on" in fields(response)


def test_campaign_cannot_end_before_it_starts_and_a_collaboration_names_its_partner(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    base = {"account": account.pk, "name": "x", "budget": "100.00", "starts_on": day(), "ends_on": day(-1)}
    backwards = api(world.staff_a).post(
        reverse("adcampaign-list"), {**base, "kind": "platform_ads", "ad_product": "dou_plus"}, format="json"
    )
    assert backwards.status_code == 400 and "ends_on" in fields(backwards)
    collab = api(world.staff_a).post(
        reverse("adcampaign-list"), {**base, "ends_on": day(5), "kind": "creator_collaboration"}, format="json"
    )
    assert collab.status_code == 400 and {"partner_handle", "partner_followers"} <= set(fields(collab))
    negative = api(world.staff_a).post(
        reverse("adcampaign-list"),
        {**base, "ends_on": day(5), "kind": "platform_ads", "ad_product": "dou_plus", "budget": "-1"},
    )
    assert negative.status_code == 400 and "budget" in fields(negative)


def test_roi_is_sales_per_yuan_spent(world, api):
    campaign = AdCampaignFactory(account=PlatformAccountFactory(client=world.client_a1), budget=Decimal("1000.00"))
    assert api(world.staff_a).get(reverse("adcampaign-detail", args=[campaign.pk])).json()["roi"] is None
    spend(api, world.staff_a, campaign, "400.00")
    results = api(world.staff_a).post(
        reverse("adcampaign-results", args=[campaign.pk]),
        {"impressions": 50000, "clicks": 1500, "conversions": 90, "orders": 80, "sales": "1300.00"},
    )
    assert results.status_code == 200, results.content
    assert results.json()["roi"] == str(campaign_roi(sales=Decimal("1300.00"), spend=Decimal("400.00"))) == "3.25"
    listed = api(world.staff_a).get(reverse("adcampaign-list")).json()["results"]
    assert {row["id"]: row["spent"] for row in listed}[campaign.pk] == "400.00"


def test_more_clicks_than_impressions_is_refused(world, api):
    campaign = AdCampaignFactory(account=PlatformAccountFactory(client=world.client_a1))
    response = api(world.staff_a).post(
        reverse("adcampaign-results", args=[campaign.pk]),
        {"impressions": 10, "clicks": 11, "conversions": 0, "orders": 0, "sales": "0"},
    )
    assert response.status_code == 400 and "clicks" in fields(response)


def test_a_poi_still_used_by_a_deal_is_not_deleted(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    poi = PoiLinkFactory(account=account)
    api(world.staff_a).post(reverse("groupbuydeal-list"), deal_body(account, poi=poi.pk), format="json")
    response = api(world.staff_a).delete(reverse("poilink-detail", args=[poi.pk]))
    assert response.status_code == 400 and "group-buy deal" in response.json()["error"]["message"]
    assert PoiLink.dangerously_all_agencies.filter(pk=poi.pk).exists()
