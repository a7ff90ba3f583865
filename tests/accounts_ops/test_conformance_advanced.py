"""The chapter 7 clause checks (7.1-7.4) at their boundaries, judged as the period stood at its end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts_ops.models import AudiencePersonaReport, ContentPlan, IpPersona, OpinionAlert, VideoComment
from accounts_ops.rules import COMMENT_ANSWER_HOURS, COMMENT_ANSWERED_SHARE, PERSONA_MAX_AGE_DAYS
from agency.conformance import CHECKS, Period, Status, evaluate
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import (
    AudiencePersonaReportFactory,
    ContentPlanFactory,
    ContentPlanTopicFactory,
    IpPersonaFactory,
    OpinionAlertFactory,
    VideoCommentFactory,
)
from tests.factories import PlatformAccountFactory

NOVEMBER = Period.month(2025, 11)
TZ = dt.timezone(dt.timedelta(hours=8))
BEFORE = dt.datetime(2025, 10, 1, 9, tzinfo=TZ)
MID = dt.datetime(2025, 11, 10, 12, tzinfo=TZ)
END = dt.datetime(2025, 11, 30, 23, 59, tzinfo=TZ)


def old(*rows):
    for row in rows:
        type(row).dangerously_all_agencies.filter(pk=row.pk).update(created_at=BEFORE)
    return rows[0]


def check(clause, client, period=NOVEMBER):
    with tenant_context(client.agency):
        return CHECKS[clause](client, period)


@pytest.fixture
def client(world):
    world.client_a1.services = ["advanced_operations"]
    world.client_a1.save()
    return world.client_a1


@pytest.fixture
def account(client):
    return old(PlatformAccountFactory(client=client, handle="laojie"))


def test_every_chapter_7_clause_has_a_check_on_the_report(world, client, account):
    assert {"7.1", "7.2", "7.3", "7.4"} <= set(CHECKS)
    with tenant_context(world.agency_a):
        report = {row.clause_id: row.status for row in evaluate(client, NOVEMBER)}
    assert report["7.2"] == Status.NOT_MET and report["7.4"] == Status.NOT_APPLICABLE


def comments(account, count, handled: int, posted=MID):
    for n in range(count):
        extra = {"status": "handled", "handled_at": posted + dt.timedelta(hours=1)} if n < handled else {}
        old(VideoCommentFactory(account=account, posted_at=posted, **extra))


def test_7_1_is_met_when_enough_comments_are_answered(world, account):
    target = world.agency_a.setting(COMMENT_ANSWERED_SHARE)
    comments(account, 10, handled=round(10 * target))
    result = check("7.1", account.client)
    assert result.status == Status.MET and result.evidence


def test_7_1_is_not_met_below_the_answered_share(world, account):
    target = world.agency_a.setting(COMMENT_ANSWERED_SHARE)
    comments(account, 10, handled=round(10 * target) - 1)
    result = check("7.1", account.client)
    assert result.status == Status.NOT_MET and "below the target" in result.summary


def test_7_1_leaves_comments_too_recent_to_answer_out(world, account):
    hours = world.agency_a.setting(COMMENT_ANSWER_HOURS)
    comments(account, 5, handled=0, posted=END - dt.timedelta(hours=hours - 1))
    assert check("7.1", account.client).status == Status.MET


def test_7_1_answers_after_the_period_do_not_count_for_it(world, account):
    comments(account, 4, handled=0)
    late = END + dt.timedelta(days=2)
    VideoComment.dangerously_all_agencies.filter(account=account).update(status="handled", handled_at=late)
    assert check("7.1", account.client).status == Status.NOT_MET


def test_7_1_is_not_met_while_an_opinion_alert_is_open(world, account):
    alert = old(OpinionAlertFactory(account=account, raised_at=MID))
    result = check("7.1", account.client)
    assert result.status == Status.NOT_MET and "opinion alert" in result.summary
    OpinionAlert.dangerously_all_agencies.filter(pk=alert.pk).update(
        status="handled", handled_at=MID + dt.timedelta(hours=3), handling_note="apologised"
    )
    assert check("7.1", account.client).status == Status.MET


def test_7_2_needs_a_plan_in_the_period_riding_a_hot_topic(world, account):
    plan = old(ContentPlanFactory(account=account, planned_on=dt.date(2025, 11, 20)))
    assert check("7.2", account.client).status == Status.NOT_MET  # no topic yet
    old(ContentPlanTopicFactory(plan=plan))
    result = check("7.2", account.client)
    assert result.status == Status.MET and result.evidence[0].object_id == plan.pk
    # A plan that stood dropped at the period's end does not count (one dropped later still does).
    ContentPlan.dangerously_all_agencies.filter(pk=plan.pk).delete()
    dropped = old(ContentPlanFactory(account=account, planned_on=dt.date(2025, 11, 21), status="dropped"))
    old(ContentPlanTopicFactory(plan=dropped))
    assert check("7.2", account.client).status == Status.NOT_MET


def test_7_3_needs_a_report_no_older_than_the_agencys_period(world, account):
    days = world.agency_a.setting(PERSONA_MAX_AGE_DAYS)
    fresh_end = NOVEMBER.end - dt.timedelta(days=days)
    report = old(AudiencePersonaReportFactory(account=account, period_start=fresh_end - dt.timedelta(days=6)))
    AudiencePersonaReport.dangerously_all_agencies.filter(pk=report.pk).update(period_end=fresh_end)
    assert check("7.3", account.client).status == Status.MET
    AudiencePersonaReport.dangerously_all_agencies.filter(pk=report.pk).update(
        period_end=fresh_end - dt.timedelta(days=1)
    )
    result = check("7.3", account.client)
    assert result.status == Status.NOT_MET and f"at most {days}" in result.summary


def test_7_3_is_not_met_without_any_report(world, account):
    assert check("7.3", account.client).status == Status.NOT_MET


def test_7_4_judges_only_accounts_with_an_ip_and_wants_every_facet(world, account):
    assert check("7.4", account.client).status == Status.NOT_APPLICABLE
    persona = old(IpPersonaFactory(account=account, effective_from=dt.date(2025, 11, 1), style=""))
    result = check("7.4", account.client)
    assert result.status == Status.NOT_MET and "style" in result.summary
    IpPersona.dangerously_all_agencies.filter(pk=persona.pk).update(style="街头实拍")
    assert check("7.4", account.client).status == Status.MET


def test_7_4_ignores_a_persona_recorded_after_the_period(world, account):
    IpPersonaFactory(account=account, effective_from=timezone.localdate())  # recorded now, after November 2025
    assert check("7.4", account.client).status == Status.NOT_APPLICABLE
