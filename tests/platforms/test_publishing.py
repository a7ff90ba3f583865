"""Publishing a planned video through the platform (``platforms.services.publishing``) against the
fake platform: sent at its time and not before, never posted twice after a lost answer, followed
through the platform's review until public (the project closes with the video) or refused (the
producer sees why on Today), and called off when cancelled.

Platform calls run outside a transaction, so these tests use transactional databases."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from agency.tenancy import tenant_context
from agency.today import sections_for
from platforms.adapters.base import PlatformUnavailable, PublishStatus, RateLimited, Refused
from platforms.models import Connection, Delivery, DeliveryKind, DeliveryStatus
from platforms.services import calls, deliveries
from platforms.services import publishing as connector
from production.models import Publication, PublicationStatus, Stage
from production.services.projects import project_move_back
from production.services.publishing import (
    account_publishing_problem,
    publication_cancel,
    publication_schedule,
    publication_update,
)
from tests.factories import MembershipFactory, UserFactory
from tests.platforms import fakes
from tests.production.helpers import actor_of, project_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_as_in_production")]

PUBLISH_SCOPE = "video.create.bind"


# --- helpers -------------------------------------------------------------------------------------


def connect(account, fake_platform, *, scopes=(PUBLISH_SCOPE,)) -> Connection:
    """A live connection of ``account`` holding tokens the fake platform issued."""
    now = timezone.now()
    with tenant_context(account.agency), transaction.atomic():
        connection = Connection.objects.create(
            agency=account.agency,
            client=account.client,
            account=account,
            platform=account.platform,
            open_id=fake_platform.open_id,
            connected_at=now,
            expires_at=now + dt.timedelta(days=1),
        )
        calls.store_tokens(connection, fake_platform.issue(scopes=scopes))
    return connection


@pytest.fixture
def producer(world):
    return actor_of(world.staff_a, world.agency_a)


@pytest.fixture
def project(world, producer, fake_platform):
    """A project of client a1 ready to publish, on a connected account."""
    with tenant_context(world.agency_a, producer):
        project = project_at(Stage.PUBLISHING, actor=producer, client=world.client_a1)
        account = project.account
    connect(account, fake_platform)
    return project


@pytest.fixture
def clock(monkeypatch):
    """``clock(delta)``: from now on, every ``timezone.now()`` is ``delta`` later than the real time."""

    real_now = timezone.now

    def move(delta: dt.timedelta) -> None:
        monkeypatch.setattr(timezone, "now", lambda: real_now() + delta)

    return move


def schedule(producer, project, *, at=None, title="Hotpot at midnight", topics=("成都美食", "火锅"), poi_id="poi-7"):
    with tenant_context(producer.agency, producer), transaction.atomic():
        return publication_schedule(
            actor=producer, project=project, scheduled_at=at, title=title, topics=list(topics), poi_id=poi_id
        )


def in_agency(agency, func, *args, **kwargs):
    with tenant_context(agency):
        return func(*args, **kwargs)


def delivery_of(publication) -> Delivery:
    with tenant_context(publication.agency):
        return Delivery.objects.get(key=connector.delivery_key(publication))


def fresh(publication) -> Publication:
    with tenant_context(publication.agency):
        return Publication.objects.select_related("project", "project__video").get(pk=publication.pk)


def posts(fake_platform) -> list[dict]:
    return [kwargs for method, kwargs in fake_platform.delivered if method == "create_video"]


def set_review(fake_platform, item_id: str, status: str) -> None:
    index = next(i for i, video in enumerate(fake_platform.videos) if video.item_id == item_id)
    fake_platform.videos[index] = dataclasses.replace(fake_platform.videos[index], status=status)


@pytest.fixture
def review_reasons(monkeypatch, fake_platform):
    """The platform's reason for a refusal, per item id (the fake platform gives none by itself)."""
    reasons: dict[str, str] = {}
    original = fakes.ConfiguredFakeAdapter.publication

    def publication(self, tokens, *, item_id):
        answer = original(self, tokens, item_id=item_id)
        return dataclasses.replace(
            answer, reason=reasons.get(item_id, ""), url=f"https://www.douyin.com/video/{item_id}"
        )

    monkeypatch.setattr(fakes.ConfiguredFakeAdapter, "publication", publication)
    return reasons


# --- sent at its time -----------------------------------------------------------------------------


def test_a_planned_post_is_not_sent_before_its_time_and_is_sent_after(world, producer, project, fake_platform, clock):
    at = timezone.now() + dt.timedelta(hours=1)
    publication = schedule(producer, project, at=at)
    delivery = delivery_of(publication)
    assert delivery.kind == DeliveryKind.PUBLISH and delivery.next_attempt_at == at

    # Asked early (a task delivered twice, the fan-out): nothing moves, nothing reaches the platform.
    assert in_agency(world.agency_a, deliveries.deliver, delivery.pk).status == DeliveryStatus.QUEUED
    assert in_agency(world.agency_a, deliveries.deliveries_due) == []
    assert "upload_video" not in fake_platform.calls and posts(fake_platform) == []
    assert fresh(publication).status == PublicationStatus.PLANNED

    clock(dt.timedelta(hours=1, minutes=1))
    assert in_agency(world.agency_a, deliveries.deliveries_due) == [delivery.pk]
    assert in_agency(world.agency_a, deliveries.deliver, delivery.pk).status == DeliveryStatus.DELIVERED

    assert fake_platform.calls.count("upload_video") == 1
    [post] = posts(fake_platform)
    assert post["text"] == "Hotpot at midnight #成都美食 #火锅" and post["poi_id"] == "poi-7"
    publication = fresh(publication)
    assert publication.status == PublicationStatus.REVIEWING
    assert publication.platform_item_id == post["platform_id"]
    assert publication.project.stage == Stage.PUBLISHING  # not public yet: the review decides


def test_a_publication_for_now_is_sent_once_its_transaction_commits(world, producer, project, fake_platform):
    publication = schedule(producer, project, at=None)
    assert fresh(publication).status == PublicationStatus.REVIEWING
    assert len(posts(fake_platform)) == 1
    assert delivery_of(publication).status == DeliveryStatus.DELIVERED


def test_moving_a_planned_publication_moves_its_sending(world, producer, project, fake_platform, clock):
    publication = schedule(producer, project, at=timezone.now() + dt.timedelta(hours=1))
    later = timezone.now() + dt.timedelta(hours=3)
    with tenant_context(world.agency_a, producer), transaction.atomic():
        publication_update(actor=producer, publication=publication, scheduled_at=later, topics=["夜宵"])
    assert delivery_of(publication).next_attempt_at == later

    clock(dt.timedelta(hours=2))
    assert in_agency(world.agency_a, deliveries.deliveries_due) == []
    with tenant_context(world.agency_a, producer), transaction.atomic():
        publication_update(actor=producer, publication=publication, scheduled_at=timezone.now())
    # Moved to now: sent once the change commits, with the text as it stands then.
    assert fresh(publication).status == PublicationStatus.REVIEWING
    assert [post["text"] for post in posts(fake_platform)] == ["Hotpot at midnight #夜宵"]


# --- never posted twice -----------------------------------------------------------------------------


def test_a_retry_after_a_lost_answer_finds_the_post_instead_of_posting_twice(
    world, producer, project, fake_platform, monkeypatch, clock
):
    original = fakes.ConfiguredFakeAdapter.create_video

    def created_but_answer_lost(self, tokens, **kwargs):
        original(self, tokens, **kwargs)
        raise PlatformUnavailable("timed out reading the answer", maybe_done=True)

    monkeypatch.setattr(fakes.ConfiguredFakeAdapter, "create_video", created_but_answer_lost)
    publication = schedule(producer, project, at=timezone.now() + dt.timedelta(minutes=30))
    clock(dt.timedelta(minutes=31))
    delivery = in_agency(world.agency_a, deliveries.deliver, delivery_of(publication).pk)
    assert delivery.status == DeliveryStatus.UNCERTAIN
    assert fresh(publication).status == PublicationStatus.SENDING
    [post] = posts(fake_platform)

    monkeypatch.setattr(fakes.ConfiguredFakeAdapter, "create_video", original)
    clock(dt.timedelta(hours=2))
    delivery = in_agency(world.agency_a, deliveries.deliver, delivery.pk)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert "find_post" in fake_platform.calls
    assert len(posts(fake_platform)) == 1  # found, not posted again
    publication = fresh(publication)
    assert publication.status == PublicationStatus.REVIEWING
    assert publication.platform_item_id == post["platform_id"]


def test_a_lost_answer_whose_post_never_arrived_is_sent_again(world, producer, project, fake_platform, clock):
    fake_platform.fail_next("create_video", PlatformUnavailable("502 Bad Gateway", maybe_done=True))
    publication = schedule(producer, project, at=timezone.now() + dt.timedelta(minutes=5))
    clock(dt.timedelta(minutes=6))
    assert in_agency(world.agency_a, deliveries.deliver, delivery_of(publication).pk).status == DeliveryStatus.UNCERTAIN
    assert posts(fake_platform) == []

    clock(dt.timedelta(hours=2))
    assert in_agency(world.agency_a, deliveries.deliver, delivery_of(publication).pk).status == DeliveryStatus.DELIVERED
    assert fake_platform.calls.count("find_post") == 1
    assert len(posts(fake_platform)) == 1
    assert fresh(publication).status == PublicationStatus.REVIEWING


def test_a_rate_limit_waits_for_the_platforms_window(world, producer, project, fake_platform, clock):
    fake_platform.fail_next("upload_video", RateLimited("访问频率过高", retry_after=600))
    publication = schedule(producer, project, at=timezone.now() + dt.timedelta(minutes=5))
    clock(dt.timedelta(minutes=6))
    delivery = in_agency(world.agency_a, deliveries.deliver, delivery_of(publication).pk)
    assert delivery.status == DeliveryStatus.QUEUED and posts(fake_platform) == []
    clock(dt.timedelta(minutes=30))
    assert in_agency(world.agency_a, deliveries.deliver, delivery.pk).status == DeliveryStatus.DELIVERED
    assert len(posts(fake_platform)) == 1


# --- the platform's review --------------------------------------------------------------------------


def test_public_closes_the_project_with_the_item_id_and_the_platforms_time(
    world, producer, project, fake_platform, review_reasons
):
    publication = fresh(schedule(producer, project, at=None))
    item_id, accepted_at = publication.platform_item_id, publication.accepted_at
    assert item_id and accepted_at

    # Still in review: asked, nothing decided.
    assert in_agency(world.agency_a, connector.publications_review) == 0
    assert fresh(publication).status == PublicationStatus.REVIEWING and fresh(publication).reviewed_at
    # Asked again within the poll interval: not asked at all.
    asked = fake_platform.calls.count("publication")
    in_agency(world.agency_a, connector.publications_review)
    assert fake_platform.calls.count("publication") == asked

    set_review(fake_platform, item_id, PublishStatus.PUBLIC)
    later = timezone.now() + connector.REVIEW_POLL_INTERVAL + dt.timedelta(seconds=1)
    assert in_agency(world.agency_a, connector.publications_review, now=later) == 1
    publication = fresh(publication)
    assert publication.status == PublicationStatus.PUBLISHED
    project = publication.project
    assert project.stage == Stage.PUBLISHED
    assert project.video.platform_item_id == item_id
    assert project.video.published_at == accepted_at
    assert project.video.url == f"https://www.douyin.com/video/{item_id}"
    with tenant_context(world.agency_a):
        closing = project.transitions.get(to_stage=Stage.PUBLISHED)
    assert closing.by is None and closing.snapshot["publication"] == publication.pk

    # A second run changes nothing.
    assert in_agency(world.agency_a, connector.publications_review, now=later + dt.timedelta(hours=1)) == 0


def test_refused_is_on_the_producers_today_with_the_platforms_reason(
    world, producer, project, fake_platform, review_reasons
):
    publication = fresh(schedule(producer, project, at=None))
    set_review(fake_platform, publication.platform_item_id, PublishStatus.REFUSED)
    review_reasons[publication.platform_item_id] = "视频内容涉嫌违规:含有品牌水印"
    assert in_agency(world.agency_a, connector.publications_review) == 1

    publication = fresh(publication)
    assert publication.status == PublicationStatus.REFUSED
    assert publication.problem == "视频内容涉嫌违规:含有品牌水印"
    assert publication.project.stage == Stage.PUBLISHING

    with tenant_context(world.agency_a, producer):
        [section] = [s for s in sections_for(producer) if s.title == "Publications that failed or were refused"]
    assert section.count == 1 and "视频内容涉嫌违规:含有品牌水印" in section.rows[0].text
    assert section.rows[0].url == project.get_absolute_url()
    # Another producer of the agency is not told about it.
    other = UserFactory()
    MembershipFactory(agency=world.agency_a, role="producer", user=other)
    other_actor = actor_of(other, world.agency_a)
    with tenant_context(world.agency_a, other_actor):
        assert "Publications that failed or were refused" not in [s.title for s in sections_for(other_actor)]

    # Planned again: the refused one leaves Today.
    schedule(producer, project, at=timezone.now() + dt.timedelta(days=1), title="Hotpot, take two")
    with tenant_context(world.agency_a, producer):
        assert "Publications that failed or were refused" not in [s.title for s in sections_for(producer)]
    assert fresh(publication).status == PublicationStatus.CANCELLED


def test_a_post_the_platform_refuses_to_create_fails_with_its_reason(world, producer, project, fake_platform):
    fake_platform.fail_next("create_video", Refused("标题含有敏感词", code=2100004))
    publication = fresh(schedule(producer, project, at=None))
    assert publication.status == PublicationStatus.FAILED
    assert "标题含有敏感词" in publication.problem
    assert delivery_of(publication).status == DeliveryStatus.FAILED
    with tenant_context(world.agency_a, producer):
        titles = [s.title for s in sections_for(producer)]
    assert "Publications that failed or were refused" in titles


# --- cancelled ----------------------------------------------------------------------------------------


def test_cancelling_a_planned_publication_stops_its_sending(world, producer, project, fake_platform, clock):
    publication = schedule(producer, project, at=timezone.now() + dt.timedelta(hours=1))
    with tenant_context(world.agency_a, producer), transaction.atomic():
        publication_cancel(actor=producer, publication=publication)
    delivery = delivery_of(publication)
    assert delivery.status == DeliveryStatus.FAILED and delivery.error == connector.CANCELLED

    clock(dt.timedelta(hours=2))
    assert in_agency(world.agency_a, deliveries.deliveries_due) == []
    assert in_agency(world.agency_a, deliveries.deliver, delivery.pk).status == DeliveryStatus.FAILED
    assert "upload_video" not in fake_platform.calls and posts(fake_platform) == []
    assert fresh(publication).status == PublicationStatus.CANCELLED


def test_a_publication_cancelled_while_its_delivery_starts_is_not_sent(world, producer, project, fake_platform, clock):
    """The sending locks the publication and finds it cancelled: nothing reaches the platform."""
    publication = schedule(producer, project, at=timezone.now() + dt.timedelta(hours=1))
    with tenant_context(world.agency_a):
        # The cancellation committed, but the delivery was already picked (as if by a worker).
        Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.CANCELLED)
    clock(dt.timedelta(hours=2))
    assert in_agency(world.agency_a, deliveries.deliver, delivery_of(publication).pk).status == DeliveryStatus.FAILED
    assert "upload_video" not in fake_platform.calls


def test_a_project_sent_back_before_its_time_is_not_published(world, producer, project, fake_platform, clock):
    publication = schedule(producer, project, at=timezone.now() + dt.timedelta(hours=1))
    with tenant_context(world.agency_a, producer), transaction.atomic():
        project_move_back(actor=producer, project=project, stage=Stage.POST_PRODUCTION, reason="Music rights")
    clock(dt.timedelta(hours=2))
    assert in_agency(world.agency_a, deliveries.deliver, delivery_of(publication).pk).status == DeliveryStatus.FAILED
    assert "upload_video" not in fake_platform.calls
    publication = fresh(publication)
    assert publication.status == PublicationStatus.FAILED and "publishing stage" in publication.problem


# --- which accounts can be published to ---------------------------------------------------------------


def test_an_account_without_a_connection_or_the_publishing_scope_cannot_plan(world, producer, fake_platform):
    with tenant_context(world.agency_a, producer):
        project = project_at(Stage.PUBLISHING, actor=producer, client=world.client_a1)
        account = project.account
        assert "not connected" in account_publishing_problem(account)
    connect(account, fake_platform, scopes=("video.list.bind",))
    with tenant_context(world.agency_a, producer):
        assert PUBLISH_SCOPE in account_publishing_problem(project.account)
    with tenant_context(world.agency_a, producer):
        Connection.objects.filter(account=project.account).update(scopes=[PUBLISH_SCOPE])
        assert account_publishing_problem(project.account) == ""
