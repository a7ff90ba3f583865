"""Planning a publication on the platform (production's side): a project ready to publish gets a
publication at a date and time, with its title, topics and POI, changed or cancelled while it is
planned; the rules name what is wrong; the project page, the calendar, Today and the API show it.
Sending it is the connectors' (``tests/platforms/test_publishing.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from agency.tenancy import tenant_context
from platforms.models import Delivery, DeliveryKind, DeliveryStatus
from platforms.services import publishing as connector
from production.models import Publication, PublicationStatus, RoundStatus, Stage
from production.selectors.publishing import calendar_posts
from production.services.publishing import (
    PUBLICATION_MAX_TOPICS,
    account_publishing_problem,
    project_publish,
    publication_cancel,
    publication_schedule,
    publication_update,
)
from tests.factories import PlatformAccountFactory
from tests.isolation import TenantAPITestCases
from tests.platforms.conftest import fake_platform  # noqa: F401 (a fixture)
from tests.platforms.test_publishing import connect
from tests.production.factories import CutFactory, ReviewRoundFactory, VideoProjectFactory, project_for

IN_AN_HOUR = dt.timedelta(hours=1)


def ready_project(client, *, connected_with=None, **kwargs):
    """A project of ``client`` ready to publish (its cut approved), on a connected account when
    ``connected_with`` (the fake platform) is given."""
    project = VideoProjectFactory(
        account=PlatformAccountFactory(client=client), stage=Stage.PUBLISHING, title="Hotpot at midnight", **kwargs
    )
    cut = CutFactory(project=project, version=1)
    ReviewRoundFactory(project=project, cut=cut, status=RoundStatus.APPROVED)
    if connected_with is not None:
        connect(project.account, connected_with)
    return project


def plan(staff, project, **kwargs) -> Publication:
    values = {"scheduled_at": timezone.now() + IN_AN_HOUR, "title": "Hotpot at midnight", "topics": ["火锅"]}
    values.update(kwargs)
    return publication_schedule(actor=staff, project=project, **values)


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


@pytest.fixture
def project(world, staff, fake_platform):  # noqa: F811
    return ready_project(world.client_a1, connected_with=fake_platform)


# --- the rules --------------------------------------------------------------------------------------


def test_planning_asks_the_connectors_for_a_delivery_at_its_time(world, staff, project):
    at = timezone.now() + IN_AN_HOUR
    publication = plan(staff, project, scheduled_at=at, topics=["#成都美食", "火锅", "火锅"], poi_id=" poi-1 ")
    assert publication.status == PublicationStatus.PLANNED
    assert publication.text == "Hotpot at midnight #成都美食 #火锅"
    assert publication.topics == ["成都美食", "火锅"] and publication.poi_id == "poi-1"
    assert publication.producer == world.staff_a and publication.account_id == project.account_id
    delivery = Delivery.objects.get(key=connector.delivery_key(publication))
    assert delivery.kind == DeliveryKind.PUBLISH and delivery.status == DeliveryStatus.QUEUED
    assert delivery.next_attempt_at == at and delivery.connection is not None


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"scheduled_at": "past"}, "scheduled_at", "has passed"),
        ({"scheduled_at": dt.datetime(2030, 1, 1, 20, 0)}, "scheduled_at", "time zone"),
        ({"title": "   "}, "title", "title"),
        ({"topics": ["two words"]}, "topics", "one word per topic"),
        ({"topics": ["a#b"]}, "topics", "# sign"),
        ({"topics": [""]}, "topics", "Topic 1 is empty"),
        ({"topics": [7]}, "topics", "not text"),
        ({"topics": "x" * 51}, "topics", "longer than"),
        ({"topics": [f"t{n}" for n in range(PUBLICATION_MAX_TOPICS + 1)]}, "topics", "At most"),
    ],
)
def test_a_planned_publication_with_bad_input_is_refused_by_name(staff, project, values, field, words):
    if values.get("scheduled_at") == "past":
        values["scheduled_at"] = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        plan(staff, project, **values)
    assert words in " ".join(errors_of(exc)[field])
    assert not Publication.objects.filter(project=project).exists()


def test_only_a_project_ready_to_publish_on_a_connected_account_is_planned(world, staff, project, fake_platform):  # noqa: F811
    early = ready_project(world.client_a1, connected_with=fake_platform)
    early.stage = Stage.CLIENT_REVIEW
    early.save()
    with pytest.raises(ValidationError) as exc:
        plan(staff, early)
    assert "Ready to publish" in errors_of(exc)["project"][0]

    unconnected = ready_project(world.client_a1)
    with pytest.raises(ValidationError) as exc:
        plan(staff, unconnected)
    assert "not connected" in errors_of(exc)["project"][0]

    plan(staff, project)
    with pytest.raises(ValidationError) as exc:
        plan(staff, project)
    assert "already Planned" in errors_of(exc)["project"][0]


def test_a_planned_publication_changes_and_is_cancelled_only_while_planned(staff, project):
    publication = plan(staff, project)
    later = timezone.now() + 3 * IN_AN_HOUR
    publication = publication_update(
        actor=staff, publication=publication, scheduled_at=later, title="New title", topics="夜宵, 火锅"
    )
    assert publication.text == "New title #夜宵 #火锅" and publication.scheduled_at == later
    assert Delivery.objects.get(key=connector.delivery_key(publication)).next_attempt_at == later
    with pytest.raises(TypeError, match="status"):  # not a field the service takes (the API refuses it, 400)
        publication_update(actor=staff, publication=publication, status="published")

    Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.REVIEWING)
    publication.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        publication_update(actor=staff, publication=publication, title="Too late")
    assert "Only a planned publication changes" in errors_of(exc)["status"][0]
    with pytest.raises(ValidationError) as exc:
        publication_cancel(actor=staff, publication=publication)
    assert "cannot be cancelled" in errors_of(exc)["status"][0]


def test_cancelling_calls_the_delivery_off(staff, project):
    publication = publication_cancel(actor=staff, publication=plan(staff, project))
    assert publication.status == PublicationStatus.CANCELLED and publication.cancelled_at
    delivery = Delivery.objects.get(key=connector.delivery_key(publication))
    assert delivery.status == DeliveryStatus.FAILED and delivery.error == "cancelled"
    # The project can be planned again.
    assert plan(staff, project).status == PublicationStatus.PLANNED


def test_recording_by_hand_waits_for_a_planned_publication_to_be_cancelled(world, staff, project):
    publication = plan(staff, project)
    with pytest.raises(ValidationError) as exc:
        project_publish(actor=staff, project=project, platform_item_id="by-hand-1")
    assert "cancel it" in errors_of(exc)["platform_item_id"][0]
    publication_cancel(actor=staff, publication=publication)
    project = project_publish(actor=staff, project=project, platform_item_id="by-hand-1")
    assert project.stage == Stage.PUBLISHED and project.video.platform_item_id == "by-hand-1"


def test_an_account_without_a_connection_records_by_hand(world, staff):
    project = ready_project(world.client_a1)
    assert account_publishing_problem(project.account)
    project = project_publish(actor=staff, project=project, platform_item_id="item-1")
    assert project.stage == Stage.PUBLISHED


# --- the calendar, the project page, Today --------------------------------------------------------------


def test_the_calendar_shows_planned_and_published_posts_by_day(world, staff, project):
    tz = world.agency_a.tz
    at = (timezone.now() + dt.timedelta(days=2)).astimezone(tz).replace(hour=23, minute=30, second=0, microsecond=0)
    publication = plan(staff, project, scheduled_at=at)
    other = ready_project(world.client_a2)
    other = project_publish(
        actor=staff, project=other, platform_item_id="by-hand", published_at=timezone.now() - dt.timedelta(days=1)
    )
    cancelled = ready_project(world.client_a1, connected_with=None)
    Publication.objects.create(
        agency=world.agency_a,
        client=world.client_a1,
        project=cancelled,
        account=cancelled.account,
        scheduled_at=at,
        title="Cancelled",
        text="Cancelled",
        status=PublicationStatus.CANCELLED,
    )
    start, end = at.date() - dt.timedelta(days=5), at.date() + dt.timedelta(days=5)
    posts = calendar_posts(staff, start, end)
    [planned] = posts[at.date()]
    assert planned["kind"] == "planned" and planned["title"] == publication.title
    assert planned["at"] == at and planned["status"] == PublicationStatus.PLANNED
    published_day = timezone.localtime(other.video.published_at, tz).date()
    assert [p["kind"] for p in posts[published_day]] == ["published"]
    assert "Cancelled" not in [p["title"] for day in posts.values() for p in day]

    response = browser(world.staff_a).get(reverse("production:calendar"), {"month": f"{at:%Y-%m}"})
    assert response.status_code == 200
    assert "23:30 Hotpot at midnight" in response.content.decode()


def browser(user) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(user)
    return b


def test_the_project_page_plans_changes_and_cancels_a_publication(world, staff, project):
    b = browser(world.staff_a)
    url = reverse("production:project-detail", args=[project.pk])
    page = b.get(url).content.decode()
    assert "Plan the publication on the platform" in page and "Record the publication" in page

    at = (timezone.now() + dt.timedelta(days=1)).astimezone(world.agency_a.tz)
    response = b.post(
        reverse("production:project-action", args=[project.pk, "schedule"]),
        {
            "schedule-scheduled_at": f"{at:%Y-%m-%dT%H:%M}",
            "schedule-title": "Midnight hotpot",
            "schedule-topics": "火锅 夜宵",
            "schedule-poi_id": "",
        },
    )
    assert response.status_code == 302
    publication = Publication.objects.get(project=project)
    assert publication.text == "Midnight hotpot #火锅 #夜宵"
    assert publication.scheduled_at == at.replace(second=0, microsecond=0)
    page = b.get(url).content.decode()
    assert "Change the planned publication" in page and "Plan the publication on the platform" not in page

    prefix = f"publication-{publication.pk}"
    b.post(
        reverse("production:publication-action", args=[publication.pk, "update"]),
        {f"{prefix}-scheduled_at": f"{at:%Y-%m-%dT%H:%M}", f"{prefix}-title": "Changed", f"{prefix}-topics": ""},
    )
    publication.refresh_from_db()
    assert publication.text == "Changed"

    b.post(reverse("production:publication-action", args=[publication.pk, "cancel"]))
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.CANCELLED


def test_the_project_page_names_why_a_publication_was_refused_and_why_an_account_cannot_plan(world, staff):
    project = ready_project(world.client_a1)
    Publication.objects.create(
        agency=world.agency_a,
        client=world.client_a1,
        project=project,
        account=project.account,
        producer=world.staff_a,
        scheduled_at=timezone.now(),
        title="Hotpot",
        text="Hotpot #火锅",
        status=PublicationStatus.REFUSED,
        problem="视频内容涉嫌违规",
    )
    page = browser(world.staff_a).get(reverse("production:project-detail", args=[project.pk])).content.decode()
    assert "视频内容涉嫌违规" in page
    assert "not connected" in page and "Plan the publication on the platform" not in page
    assert "Record the publication" in page
    home = browser(world.staff_a).get(reverse("home")).content.decode()
    assert "Publications that failed or were refused" in home and "视频内容涉嫌违规" in home


# --- the API ---------------------------------------------------------------------------------------------


class TestPublicationAPI(TenantAPITestCases):
    basename = "publication"
    model = Publication

    @pytest.fixture(autouse=True)
    def _platform(self, fake_platform):  # noqa: F811
        self.platform = fake_platform

    def make(self, agency, client):
        project = project_for(client, stage=Stage.PUBLISHING)
        return Publication.objects.create(
            agency=agency,
            client=client,
            project=project,
            account=project.account,
            scheduled_at=timezone.now(),
            title="Made",
            text="Made",
            status=PublicationStatus.FAILED,
            problem="made failed",
        )

    def create_payload(self, world):
        with tenant_context(world.agency_a):
            project = ready_project(world.client_a1, connected_with=self.platform)
        return {"project": project.pk, "scheduled_at": (timezone.now() + IN_AN_HOUR).isoformat(), "topics": ["火锅"]}

    def update_payload(self, world, obj):
        return {"title": "changed"}


def test_the_api_plans_changes_and_cancels_and_names_what_is_wrong(world, api, fake_platform):  # noqa: F811
    with tenant_context(world.agency_a):
        project = ready_project(world.client_a1, connected_with=fake_platform)
        unconnected = ready_project(world.client_a1)
    client = api(world.staff_a)
    url = reverse("publication-list")

    response = client.post(url, {"project": unconnected.pk}, format="json")
    assert response.status_code == 400 and "not connected" in response.json()["error"]["fields"]["project"][0]
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"project": project.pk, "scheduled_at": past}, format="json")
    assert response.status_code == 400 and "scheduled_at" in response.json()["error"]["fields"]
    response = client.post(url, {"project": project.pk, "topics": ["two words"]}, format="json")
    assert response.status_code == 400 and "topics" in response.json()["error"]["fields"]

    at = timezone.now() + IN_AN_HOUR
    response = client.post(
        url, {"project": project.pk, "scheduled_at": at.isoformat(), "topics": ["火锅"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "planned" and body["text"] == "Hotpot at midnight #火锅" and body["title"] == project.title
    detail = reverse("publication-detail", args=[body["id"]])

    response = client.patch(detail, {"poi_id": "poi-9", "status": "published"}, format="json")
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]
    response = client.patch(detail, {"poi_id": "poi-9"}, format="json")
    assert response.status_code == 200 and response.json()["poi_id"] == "poi-9"

    response = client.post(reverse("publication-cancel", args=[body["id"]]))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    response = client.patch(detail, {"title": "late"}, format="json")
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]

    # Client people read their client's publications and change nothing.
    viewer = api(world.viewer_a1)
    assert viewer.get(detail).status_code == 200
    assert viewer.post(reverse("publication-cancel", args=[body["id"]])).status_code == 403
    # Another agency's staff do not see it.
    assert api(world.staff_b).get(detail).status_code == 404


def test_the_schema_documents_the_refusals(world, api):
    schema = api(world.staff_a).get("/api/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/v1/publications/"]["post"]["responses"]
    assert {"201", "400", "403"} <= set(create)
    cancel = schema["paths"]["/api/v1/publications/{id}/cancel/"]["post"]["responses"]
    assert {"200", "400", "404"} <= set(cancel)
