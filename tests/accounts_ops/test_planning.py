"""7.2 hot topics and content plans, 7.4 the IP persona, and the metric sources chapter 7 gives the
8.3 valuation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts_ops import hooks
from accounts_ops.models import ContentPlan, ContentPlanTopic, HotTopic, IpPersona, PlanStatus
from accounts_ops.selectors.hot_topics import hot_topics_for_project
from accounts_ops.services.hot_topics import content_plan_create, hot_topics_ingest
from accounts_ops.services.ip_persona import ip_persona_record
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import AccountDailyMetricFactory, HotTopicFactory, IpPersonaFactory
from tests.factories import PlatformAccountFactory
from tests.production.factories import VideoProjectFactory


@pytest.fixture
def actor(world):
    return Membership.objects.get(user=world.staff_a).as_actor()


SEEN = "2026-01-05T20:00:00+08:00"
HOT_LIST = [
    {"sentence": "秋天的第一杯奶茶", "hot_level": 5_200_000, "position": 1, "event_time": SEEN},
    {"sentence": "国庆去哪玩", "hot_level": 3_100_000, "position": 2, "event_time": SEEN},
]


def test_a_hot_list_imported_twice_is_kept_once(world, api):
    first = api(world.staff_a).post(reverse("hottopic-bulk"), {"platform": "douyin", "rows": HOT_LIST}, format="json")
    second = api(world.staff_a).post(reverse("hottopic-bulk"), {"platform": "douyin", "rows": HOT_LIST}, format="json")
    assert first.json()["created"] == 2 and second.json()["unchanged"] == 2
    topic = HotTopic.dangerously_all_agencies.get(title="秋天的第一杯奶茶")
    assert (topic.heat, topic.rank, topic.peak_heat) == (5_200_000, 1, 5_200_000)


def test_a_newer_sighting_updates_heat_and_keeps_the_peak(world):
    earlier = timezone.now() - dt.timedelta(hours=3)
    with tenant_context(world.agency_a):
        hot_topics_ingest(
            actor=None,
            rows=[{"title": "话题", "heat": 900, "rank": 1, "seen_at": earlier.isoformat()}],
            platform="douyin",
        )
        hot_topics_ingest(actor=None, rows=[{"title": "话题", "heat": 400, "rank": 5}], platform="douyin")
        hot_topics_ingest(
            actor=None,
            rows=[{"title": "话题", "heat": 100, "seen_at": (earlier - dt.timedelta(hours=1)).isoformat()}],
            platform="douyin",
        )
    topic = HotTopic.dangerously_all_agencies.get(title="话题")
    assert (topic.heat, topic.rank, topic.peak_heat) == (400, 5, 900)
    assert topic.first_seen_at < earlier


def test_a_hot_list_row_without_platform_or_with_rank_zero_is_named(world):
    with tenant_context(world.agency_a), pytest.raises(ValidationError) as exc:
        hot_topics_ingest(actor=None, rows=[{"title": "a"}, {"title": "b", "platform": "douyin", "rank": 0}])
    assert set(exc.value.message_dict) == {"rows[0].platform", "rows[1].rank"}


def test_a_topic_entered_by_hand_twice_is_refused(world, api):
    body = {"platform": "douyin", "title": "国庆去哪玩", "heat": 10}
    assert api(world.staff_a).post(reverse("hottopic-list"), body, format="json").status_code == 201
    again = api(world.staff_a).post(reverse("hottopic-list"), body, format="json")
    assert again.status_code == 400 and "title" in again.json()["error"]["fields"]


def test_a_plan_links_topics_to_an_account_and_a_video_project(world, actor):
    account = PlatformAccountFactory(client=world.client_a1)
    project = VideoProjectFactory(account=account)
    topic = HotTopicFactory(agency=world.agency_a)
    with tenant_context(world.agency_a, actor=actor):
        plan = content_plan_create(
            actor=actor,
            account=account,
            title="Autumn set",
            angle="Ride the topic",
            planned_on=timezone.localdate(),
            topics=[topic],
            video_project=project,
        )
        assert hot_topics_for_project(project) == [topic]
    assert plan.status == PlanStatus.IN_PRODUCTION
    assert ContentPlanTopic.dangerously_all_agencies.get(plan=plan).client_id == world.client_a1.pk


def test_a_plan_cannot_name_a_project_of_another_account(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    other = VideoProjectFactory(account=PlatformAccountFactory(client=world.client_a1))
    response = api(world.staff_a).post(
        reverse("contentplan-list"),
        {"account": account.pk, "title": "x", "angle": "y", "planned_on": "2026-12-01", "video_project": other.pk},
        format="json",
    )
    assert response.status_code == 400 and "video_project" in response.json()["error"]["fields"]
    assert not ContentPlan.dangerously_all_agencies.exists()


def test_a_plans_topics_can_be_replaced(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    first, second = HotTopicFactory(agency=world.agency_a), HotTopicFactory(agency=world.agency_a)
    created = api(world.staff_a).post(
        reverse("contentplan-list"),
        {"account": account.pk, "title": "x", "angle": "y", "planned_on": "2026-12-01", "topics": [first.pk]},
        format="json",
    )
    assert created.json()["topics"] == [first.pk]
    changed = api(world.staff_a).patch(
        reverse("contentplan-detail", args=[created.json()["id"]]), {"topics": [second.pk]}, format="json"
    )
    assert changed.json()["topics"] == [second.pk]


# --- 7.4 ------------------------------------------------------------------------------------


def test_a_new_ip_persona_version_becomes_current_and_the_old_one_is_history(world, actor):
    account = PlatformAccountFactory(client=world.client_a1)
    old = IpPersonaFactory(account=account)
    with tenant_context(world.agency_a, actor=actor):
        new = ip_persona_record(
            actor=actor,
            account=account,
            effective_from=timezone.localdate(),
            name="火锅阿姐",
            age="30岁左右",
            gender="女",
            personality="更沉稳",
            cultural_background="成都本地人",
            specialty="识货",
            style="慢节奏探店",
        )
        with pytest.raises(ValidationError) as exc:
            ip_persona_record(actor=actor, account=account, effective_from=old.effective_from, name="x")
    assert "effective_from" in exc.value.message_dict
    old.refresh_from_db()
    assert (old.is_current, new.is_current, new.version) == (False, True, 2)
    assert new.is_complete and IpPersona.dangerously_all_agencies.filter(account=account).count() == 2


def test_a_persona_being_worked_out_names_what_is_missing(world):
    persona = IpPersonaFactory(account=PlatformAccountFactory(client=world.client_a1), specialty="", style="")
    assert not persona.is_complete and persona.missing == ["specialty", "style"]


# --- 8.3 metric sources ------------------------------------------------------------------------


def test_the_valuation_reads_active_fans_and_engagement_from_the_daily_metrics(world):
    from extensions.selectors import valuation

    hooks.register()
    account = PlatformAccountFactory(client=world.client_a1)
    start = dt.date(2026, 1, 1)
    for n, fans in enumerate((1000, 2000, 3000)):
        AccountDailyMetricFactory(
            account=account,
            date=start + dt.timedelta(days=n),
            active_fans=fans,
            plays=1000,
            likes=40,
            comments=5,
            shares=5,
        )
    daily = valuation.metric_source(valuation.METRIC_DAILY_ACTIVE_FANS)
    engagement = valuation.metric_source(valuation.METRIC_ENGAGEMENT_RATE)
    with tenant_context(world.agency_a):
        assert daily(account, start, start + dt.timedelta(days=2)) == Decimal("2000")
        assert engagement(account, start, start + dt.timedelta(days=2)) == Decimal("0.05")
        assert daily(account, dt.date(2025, 1, 1), dt.date(2025, 1, 31)) is None
        assert engagement(account, dt.date(2025, 1, 1), dt.date(2025, 1, 31)) is None


def test_the_script_page_shows_staff_the_hot_topics_of_the_projects_plan(world, actor):
    from django.test import Client as Browser

    from tests.production.factories import ScriptFactory

    account = PlatformAccountFactory(client=world.client_a1)
    project = VideoProjectFactory(account=account)
    topic = HotTopicFactory(agency=world.agency_a, title="秋天的第一顿火锅")
    with tenant_context(world.agency_a, actor=actor):
        content_plan_create(
            actor=actor,
            account=account,
            title="Autumn set",
            angle="Ride the topic",
            planned_on=timezone.localdate(),
            topics=[topic],
            video_project=project,
        )
    script = ScriptFactory(project=project)
    url = reverse("production:script-detail", args=[script.pk])
    pages = {}
    for who in ("staff_a", "approver_a1"):
        browser = Browser()
        browser.force_login(getattr(world, who))
        response = browser.get(url)
        assert response.status_code == 200
        pages[who] = response.content.decode()
    assert "秋天的第一顿火锅" in pages["staff_a"]
    assert "秋天的第一顿火锅" not in pages["approver_a1"]  # the agency's market research stays internal
