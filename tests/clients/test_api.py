"""API of the clients app: isolation for every endpoint, and the 4.1 requirement workflow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, ClientRequirement, PlatformAccount, RequirementStatus, Video
from tests.factories import ClientRequirementFactory, PlatformAccountFactory
from tests.isolation import TenantAPITestCases


class TestClientAPI(TenantAPITestCases):
    basename = "client"
    model = Client

    def create_payload(self, world):
        return {"name": "New client", "kind": "brand", "services": ["video_production"]}

    def update_payload(self, world, obj):
        return {"city": "Chengdu"}


class TestPlatformAccountAPI(TenantAPITestCases):
    basename = "platformaccount"
    model = PlatformAccount

    def create_payload(self, world):
        return {"client": world.client_a1.pk, "platform": "douyin", "handle": "new_handle"}

    def update_payload(self, world, obj):
        return {"nickname": "changed"}


class TestVideoAPI(TenantAPITestCases):
    basename = "video"
    model = Video

    def create_payload(self, world):
        account = PlatformAccountFactory(client=world.client_a1)
        return {"account": account.pk, "platform_item_id": "7300000000001", "title": "New video"}

    def update_payload(self, world, obj):
        return {"title": "changed"}


class TestClientRequirementAPI(TenantAPITestCases):
    basename = "clientrequirement"
    model = ClientRequirement

    def create_payload(self, world):
        return {"client": world.client_a1.pk, "title": "Weekly post", "text": "Post every Friday."}

    def update_payload(self, world, obj):
        return {"title": "changed"}


# --- bodies the API refuses, each with the field named -------------------------------------


def test_client_refuses_contract_ending_before_start(world, api):
    response = api(world.staff_a).post(
        reverse("client-list"),
        {"name": "X", "kind": "brand", "contract_start": "2026-05-01", "contract_end": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "contract_end" in response.json()["error"]["fields"]


def test_client_refuses_unknown_service(world, api):
    response = api(world.staff_a).post(
        reverse("client-list"), {"name": "X", "kind": "brand", "services": ["teleportation"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("services")


def test_client_name_is_unique_within_an_agency_only(world, api):
    taken = {"name": world.client_a1.name, "kind": "brand"}
    assert api(world.staff_a).post(reverse("client-list"), taken, format="json").status_code == 400
    assert api(world.staff_b).post(reverse("client-list"), taken, format="json").status_code == 201


def test_video_takes_its_client_from_the_account(world, api):
    account = PlatformAccountFactory(client=world.client_a2)
    response = api(world.staff_a).post(
        reverse("video-list"),
        {"account": account.pk, "platform_item_id": "1", "client": world.client_a1.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["client"] == world.client_a2.pk


def test_error_body_has_one_shape(world, api):
    response = api(world.staff_a).post(reverse("platformaccount-list"), {"platform": "myspace"}, format="json")
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid"
    assert {"client", "platform", "handle"} <= set(error["fields"])
    assert api(world.staff_a).get("/api/v1/clients/999999/").json()["error"]["status"] == 404


# --- 4.1 workflow --------------------------------------------------------------------------


def _action(api, user, requirement, name, body):
    url = reverse(f"clientrequirement-{name}", args=[requirement.pk])
    return api(user).post(url, body, format="json")


def test_client_approver_raises_a_requirement_for_own_client_only(world, api):
    ok = api(world.approver_a1).post(
        reverse("clientrequirement-list"),
        {"client": world.client_a1.pk, "title": "Friday post", "text": "Every Friday."},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["raised_by"] == world.approver_a1.pk and ok.json()["status"] == "open"
    other = api(world.approver_a1).post(
        reverse("clientrequirement-list"), {"client": world.client_a2.pk, "title": "x", "text": "y"}, format="json"
    )
    assert other.status_code == 400 and "client" in other.json()["error"]["fields"]


def test_client_viewer_cannot_raise_requirements(world, api):
    response = api(world.viewer_a1).post(
        reverse("clientrequirement-list"), {"client": world.client_a1.pk, "title": "x", "text": "y"}, format="json"
    )
    assert response.status_code == 403


def test_requirement_accept_needs_a_due_date_not_in_the_past(world, api):
    requirement = ClientRequirementFactory(client=world.client_a1)
    assert _action(api, world.staff_a, requirement, "accept", {}).json()["error"]["fields"].keys() == {"due_date"}
    past = _action(api, world.staff_a, requirement, "accept", {"due_date": "2000-01-01"})
    assert past.status_code == 400 and "due_date" in past.json()["error"]["fields"]
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    ok = _action(api, world.staff_a, requirement, "accept", {"due_date": due})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted" and ok.json()["due_date"] == due


def test_requirement_is_decided_once(world, api):
    requirement = ClientRequirementFactory(client=world.client_a1)
    assert _action(api, world.staff_a, requirement, "decline", {"reason": "Against platform rules."}).status_code == 200
    again = _action(api, world.staff_a, requirement, "accept", {"due_date": "2099-01-01"})
    assert again.status_code == 400 and "status" in again.json()["error"]["fields"]
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.DECLINED


def test_requirement_decline_needs_a_reason(world, api):
    requirement = ClientRequirementFactory(client=world.client_a1)
    response = _action(api, world.staff_a, requirement, "decline", {"reason": "   "})
    assert response.status_code == 400
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.OPEN


def test_only_accepted_requirements_are_fulfilled(world, api):
    requirement = ClientRequirementFactory(client=world.client_a1)
    early = _action(api, world.staff_a, requirement, "fulfil", {"note": "done"})
    assert early.status_code == 400 and "status" in early.json()["error"]["fields"]
    _action(api, world.staff_a, requirement, "accept", {"due_date": "2099-01-01"})
    done = _action(api, world.staff_a, requirement, "fulfil", {"note": "Posted.", "evidence_url": "https://x.test/v"})
    assert done.status_code == 200 and done.json()["status"] == "fulfilled"
    assert done.json()["fulfilled_by"] == world.staff_a.pk


def test_client_people_cannot_decide_requirements(world, api):
    requirement = ClientRequirementFactory(client=world.client_a1)
    response = _action(api, world.approver_a1, requirement, "accept", {"due_date": "2099-01-01"})
    assert response.status_code == 403


def test_deciding_another_agencys_requirement_is_404(world, api):
    requirement = ClientRequirementFactory(client=world.client_b)
    response = _action(api, world.staff_a, requirement, "accept", {"due_date": "2099-01-01"})
    assert response.status_code == 404
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.OPEN


@pytest.mark.parametrize("header", ["agency-b", "no-such-agency"])
def test_x_agency_header_must_name_one_of_the_persons_agencies(world, api, header):
    response = api(world.staff_a, agency_slug=header).get(reverse("client-list"))
    assert response.status_code == 403
