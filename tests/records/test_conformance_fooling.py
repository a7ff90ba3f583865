"""Cases that once fooled clause 9's check or its writes, each now read as the standard says.

- A month read met although four daily inspections were missed ("漏检 4 次").
- A list ticked off after the month, or a day the schedule skipped, was not a missed inspection.
- A past month read "taken on after the period" because the check used the client row's creation
  date instead of the contract start the agency stated.
- Clause 9's person fields (custodian, check-out, follow-up assignee, usage) took anyone of the agency.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.conformance import CHECKS, Period, Status
from agency.models import Membership
from agency.tenancy import tenant_context
from clients.models import Client, PlatformAccount
from records.models import Asset, InspectionStatus, ReportStatus, UsagePurpose
from records.services.assets import asset_check_out, asset_register
from records.services.common import record_update, record_void
from records.services.inspections import follow_up_open
from records.services.usage import usage_record_create
from tests.factories import PlatformAccountFactory
from tests.records.factories import (
    AssetFactory,
    DailyInspectionFactory,
    ImageRecordFactory,
    StatisticsReportFactory,
    UsageRecordFactory,
    WorkAssessmentReportFactory,
    last_month,
)

TZ = dt.timezone(dt.timedelta(hours=8))


def check(client, period):
    with tenant_context(client.agency):
        return CHECKS["9"](client, period)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


@pytest.fixture
def period() -> Period:
    return Period(*last_month(timezone.localdate()))


def every_record_but_inspections(client, period: Period, *, created=None):
    """Assets, usage, both reports and images of ``period``; the client entered ``created``."""
    Client.dangerously_all_agencies.filter(pk=client.pk).update(
        created_at=created or at(period.start - dt.timedelta(days=30))
    )
    client.refresh_from_db()
    account = PlatformAccountFactory(client=client)
    asset = AssetFactory(agency=client.agency, client=client)
    Asset.dangerously_all_agencies.filter(pk=asset.pk).update(created_at=at(period.start))
    UsageRecordFactory(account=account, asset=asset, started_at=at(period.start))
    ImageRecordFactory(client=client, taken_on=period.start)
    StatisticsReportFactory(client=client, period_start=period.start, period_end=period.end, status=ReportStatus.READY)
    WorkAssessmentReportFactory(
        client=client, period_start=period.start, period_end=period.end, status=ReportStatus.READY
    )
    return account


def done(account, day, completed=None):
    return DailyInspectionFactory(
        account=account, inspection_date=day, status=InspectionStatus.DONE, completed_at=completed or at(day, 18)
    )


def test_9_four_missed_daily_inspections_make_the_month_not_met(world, period):
    account = every_record_but_inspections(world.client_a1, period)
    done(account, period.start)
    for offset in range(1, 5):
        DailyInspectionFactory(account=account, inspection_date=period.start + dt.timedelta(days=offset))
    result = check(world.client_a1, period)
    assert result.status == Status.NOT_MET, result.summary
    assert "4 inspections missed" in result.summary
    assert sum("Missed inspection" in e.label for e in result.evidence) == 4


def test_9_every_list_done_on_its_day_is_met(world, period):
    account = every_record_but_inspections(world.client_a1, period)
    done(account, period.start)
    result = check(world.client_a1, period)
    assert result.status == Status.MET, result.summary


def test_9_a_list_ticked_off_after_the_month_was_missed_in_that_month(world, period):
    account = every_record_but_inspections(world.client_a1, period)
    done(account, period.start)
    done(account, period.end, completed=at(period.end + dt.timedelta(days=3)))
    result = check(world.client_a1, period)
    assert result.status == Status.NOT_MET and "1 inspections missed" in result.summary


def test_9_days_the_schedule_skipped_are_missed_inspections(world, period):
    """The account was run all month but has one list: the other days had no inspection at all."""
    account = every_record_but_inspections(world.client_a1, period)
    PlatformAccount.dangerously_all_agencies.filter(pk=account.pk).update(
        created_at=at(period.start - dt.timedelta(days=10))
    )
    done(account, period.start)
    result = check(world.client_a1, period)
    days = (period.end - period.start).days  # every day but the first
    assert result.status == Status.NOT_MET
    assert f"{days} account-days without an inspection list" in result.summary
    for day in range(days):
        done(account, period.start + dt.timedelta(days=day + 1))
    assert check(world.client_a1, period).status == Status.MET


def test_9_voiding_a_missed_list_does_not_hide_the_missed_day(world, period, staff):
    account = every_record_but_inspections(world.client_a1, period)
    day = period.end - dt.timedelta(days=1)
    PlatformAccount.dangerously_all_agencies.filter(pk=account.pk).update(created_at=at(day, 8))
    done(account, period.start)
    done(account, period.end)
    missed = DailyInspectionFactory(account=account, inspection_date=day)
    assert check(world.client_a1, period).status == Status.NOT_MET
    record_void(actor=staff, record=missed, reason="列表重复")
    result = check(world.client_a1, period)
    assert result.status == Status.NOT_MET
    assert "1 account-days without an inspection list" in result.summary


def test_9_a_month_inside_the_stated_contract_is_judged_though_the_row_was_entered_later(world, period):
    """The client row was entered today; its contract started before the month: the month is judged
    (here: met), not "taken on after the period"."""
    client = world.client_a1
    account = every_record_but_inspections(client, period, created=timezone.now())
    Client.dangerously_all_agencies.filter(pk=client.pk).update(contract_start=period.start - dt.timedelta(days=60))
    client.refresh_from_db()
    done(account, period.start)
    result = check(client, period)
    assert result.status == Status.MET, result.summary
    Client.dangerously_all_agencies.filter(pk=client.pk).update(contract_start=period.end + dt.timedelta(days=1))
    client.refresh_from_db()
    result = check(client, period)
    assert result.status == Status.NOT_APPLICABLE and "contract starts after" in result.summary


# --- person fields ----------------------------------------------------------------------------------


@pytest.fixture
def staff(world):
    actor = Membership.objects.get(user=world.staff_a, agency=world.agency_a).as_actor()
    with tenant_context(world.agency_a, actor):
        yield actor


def test_a_follow_up_is_not_assigned_to_a_person_of_another_client(world, staff):
    inspection = DailyInspectionFactory(account=PlatformAccountFactory(client=world.client_a2))
    with pytest.raises(ValidationError) as refused:
        follow_up_open(actor=staff, inspection=inspection, title="简介被改", assignee=world.viewer_a1)
    assert "viewer_a1" in refused.value.message_dict["assignee"][0]
    follow_up = follow_up_open(actor=staff, inspection=inspection, title="简介被改", assignee=world.staff_a)
    assert follow_up.assignee == world.staff_a


def test_an_asset_custodian_is_staff_or_of_the_assets_own_client(world, staff):
    with pytest.raises(ValidationError) as refused:
        asset_register(
            actor=staff,
            client=world.client_a2,
            identifier="CAM-X",
            name="相机",
            kind="camera",
            custodian=world.viewer_a1,
        )
    assert "custodian" in refused.value.message_dict
    asset = asset_register(
        actor=staff, client=world.client_a2, identifier="CAM-Y", name="相机", kind="camera", custodian=world.staff_a
    )
    with pytest.raises(ValidationError) as refused:
        record_update(actor=staff, record=asset, changes={"custodian": world.viewer_a1})
    assert "custodian" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        asset_check_out(actor=staff, asset=asset, taken_by=world.viewer_a1)
    assert "checked_out_by" in refused.value.message_dict


def test_a_usage_record_names_no_person_of_another_client(world, staff):
    account = PlatformAccountFactory(client=world.client_a2)
    with pytest.raises(ValidationError) as refused:
        usage_record_create(
            actor=staff, purpose=UsagePurpose.POSTING, started_at=timezone.now(), user=world.viewer_a1, account=account
        )
    assert "user" in refused.value.message_dict
    record = usage_record_create(
        actor=staff, purpose=UsagePurpose.POSTING, started_at=timezone.now(), user=world.staff_a, account=account
    )
    assert record.user == world.staff_a
