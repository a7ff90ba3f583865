"""Clause 9's check (each record type kept for the client and period) and 4.2's (nothing concealed)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agency.conformance import CHECKS, Period, Status
from agency.models import Membership
from agency.tenancy import tenant_context
from clients.models import Client
from records.models import Asset, ImageRecord, InspectionStatus, ReportStatus
from records.services.common import record_void
from tests.factories import AgencyFactory, ClientFactory, PlatformAccountFactory
from tests.records.factories import (
    AssetFactory,
    DailyInspectionFactory,
    ImageRecordFactory,
    StatisticsReportFactory,
    UsageRecordFactory,
    WorkAssessmentReportFactory,
    last_month,
)


def check(clause, client, period):
    with tenant_context(client.agency):
        return CHECKS[clause](client, period)


def last_period() -> Period:
    start, end = last_month(timezone.localdate())
    return Period(start, end)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.timezone(dt.timedelta(hours=8)))


def taken_on_before(client, period: Period) -> None:
    Client.dangerously_all_agencies.filter(pk=client.pk).update(created_at=at(period.start - dt.timedelta(days=30)))
    client.refresh_from_db()


def keep_every_record(world, period: Period, *, reports: bool = True):
    client = world.client_a1
    taken_on_before(client, period)
    account = PlatformAccountFactory(client=client)
    asset = AssetFactory(agency=world.agency_a, client=client, identifier="CAM-9")
    Asset.dangerously_all_agencies.filter(pk=asset.pk).update(created_at=at(period.start))  # registered back then
    DailyInspectionFactory(account=account, inspection_date=period.start, status=InspectionStatus.DONE)
    UsageRecordFactory(account=account, asset=asset, started_at=at(period.start))
    ImageRecordFactory(client=client, taken_on=period.start, caption="门店")
    if reports:
        StatisticsReportFactory(
            client=client, period_start=period.start, period_end=period.end, status=ReportStatus.READY
        )
        WorkAssessmentReportFactory(
            client=client, period_start=period.start, period_end=period.end, status=ReportStatus.READY
        )
    return asset


def test_clause_9_is_met_when_every_record_type_is_kept(world):
    period = last_period()
    keep_every_record(world, period)
    result = check("9", world.client_a1, period)
    assert result.status == Status.MET, result.summary
    models = {e.model for e in result.evidence}
    assert {
        "records.asset",
        "records.dailyinspection",
        "records.usagerecord",
        "records.statisticsreport",
        "records.workassessmentreport",
        "records.imagerecord",
    } <= models


def test_clause_9_names_the_missing_record_types(world):
    period = last_period()
    keep_every_record(world, period, reports=False)
    result = check("9", world.client_a1, period)
    assert result.status == Status.NOT_MET
    assert "data statistics report" in result.summary and "work assessment report" in result.summary
    assert "images" not in result.summary


def test_a_voided_record_does_not_count(world):
    period = last_period()
    keep_every_record(world, period)
    image = ImageRecord.dangerously_all_agencies.get(client=world.client_a1)
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor):
        record_void(actor=actor, record=image, reason="拍错了门店")
    result = check("9", world.client_a1, period)
    assert result.status == Status.NOT_MET and "images" in result.summary


def test_reports_are_not_due_before_the_period_ends(world):
    today = timezone.localdate()
    period = Period.month(today.year, today.month)
    client = world.client_a1
    account = PlatformAccountFactory(client=client)
    AssetFactory(agency=world.agency_a, client=client)
    DailyInspectionFactory(account=account, inspection_date=period.start, status=InspectionStatus.DONE)
    UsageRecordFactory(account=account, started_at=at(period.start))
    ImageRecordFactory(client=client, taken_on=period.start)
    result = check("9", client, period)
    assert result.status == Status.MET, result.summary
    assert "due after it ends" in result.summary


def test_missed_inspections_are_named_in_the_finding(world):
    period = last_period()
    keep_every_record(world, period)
    DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a1), inspection_date=period.end)
    assert "1 inspections missed" in check("9", world.client_a1, period).summary


def test_clause_9_does_not_apply_before_the_client_was_taken_on(world):
    result = check("9", world.client_a1, last_period())
    assert result.status == Status.NOT_APPLICABLE and "after the period" in result.summary


def test_clause_9_does_not_apply_outside_the_contract(world):
    period = last_period()
    taken_on_before(world.client_a1, period)
    Client.dangerously_all_agencies.filter(pk=world.client_a1.pk).update(
        contract_end=period.start - dt.timedelta(days=1)
    )
    world.client_a1.refresh_from_db()
    assert check("9", world.client_a1, period).status == Status.NOT_APPLICABLE


def test_4_2_is_met_when_every_change_is_in_the_trail(world):
    account = PlatformAccountFactory(client=world.client_a1)
    with tenant_context(world.agency_a):
        account.nickname = "改名"
        account.save()
    today = timezone.localdate()
    result = check("4.2", world.client_a1, Period.month(today.year, today.month))
    assert result.status == Status.MET, result.summary


def test_4_2_does_not_apply_to_a_quiet_period(world):
    assert check("4.2", world.client_a1, Period.month(2020, 1)).status == Status.NOT_APPLICABLE


def test_4_2_names_changes_without_a_trail(db):
    # The one way rows enter without an event, on either database: an import's inserts into an
    # agency that has no trail yet (records.audit; the import brings its own trail along). Rows
    # that came in so, with no event carried over, are named.
    agency = AgencyFactory(slug="imported-without-trail")
    with tenant_context(agency, channel="import"):
        client = ClientFactory(agency=agency, name="imported")
        account = PlatformAccountFactory(client=client, handle="imported")
    today = timezone.localdate()
    result = check("4.2", client, Period.month(today.year, today.month))
    assert result.status == Status.NOT_MET and "no audit trail" in result.summary
    named = {(e.model, e.object_id) for e in result.evidence if e.model}
    assert {("clients.client", client.pk), ("clients.platformaccount", account.pk)} <= named
