"""Scheduled work of the records app: daily inspection lists (9 h) and monthly reports (9 j, 9 k)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from agency.tasks import TenantTask
from records.models import DailyInspection, ReportStatus, StatisticsReport
from records.tasks import (
    inspections_create_all_agencies_task,
    inspections_create_task,
    monthly_reports_task,
    report_build_task,
)
from tests.factories import PlatformAccountFactory
from tests.records.factories import StatisticsReportFactory, last_month


def test_the_schedule_runs_inspections_daily_and_reports_monthly():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "records.tasks.inspections_create_all_agencies_task" in tasks
    assert "records.tasks.monthly_reports_all_agencies_task" in tasks


def test_record_tasks_are_tenant_tasks(db):
    for task in (inspections_create_task, monthly_reports_task, report_build_task):
        assert isinstance(task._get_current_object(), TenantTask)
    with pytest.raises(TypeError, match="agency_id"):
        inspections_create_task.apply().get()


def test_inspection_task_is_idempotent_and_stays_in_its_agency(world):
    PlatformAccountFactory(client=world.client_a1)
    PlatformAccountFactory(client=world.client_b)
    assert inspections_create_task.delay(agency_id=world.agency_a.pk).get() == 1
    assert inspections_create_task.delay(agency_id=world.agency_a.pk).get() == 0
    assert set(DailyInspection.dangerously_all_agencies.values_list("agency_id", flat=True)) == {world.agency_a.pk}


def test_an_inspection_task_for_a_future_day_fails_and_makes_nothing(world):
    PlatformAccountFactory(client=world.client_a1)
    tomorrow = (timezone.localdate(timezone=world.agency_a.tz) + timezone.timedelta(days=1)).isoformat()
    with pytest.raises(Exception, match="future"):
        inspections_create_task.delay(agency_id=world.agency_a.pk, day=tomorrow).get()
    assert not DailyInspection.dangerously_all_agencies.exists()


def test_fan_out_makes_every_agencys_lists(world):
    PlatformAccountFactory(client=world.client_a1)
    PlatformAccountFactory(client=world.client_b)
    assert inspections_create_all_agencies_task.delay().get() == 2
    assert DailyInspection.dangerously_all_agencies.count() == 2


def test_monthly_reports_task_builds_last_months_reports_once(world):
    start, _end = last_month(timezone.localdate(timezone=world.agency_a.tz))
    first = monthly_reports_task.delay(agency_id=world.agency_a.pk).get()
    assert first["statistics"] == 2
    assert monthly_reports_task.delay(agency_id=world.agency_a.pk).get() == {"statistics": 0, "assessment": 0}
    assert set(StatisticsReport.dangerously_all_agencies.values_list("period_start", "status")) == {
        (start, ReportStatus.READY)
    }


# --- on a real worker ------------------------------------------------------------------------------


@pytest.mark.services
def test_real_worker_makes_each_days_inspection_lists_once(real_worker, world):
    accounts = [PlatformAccountFactory(client=world.client_a1), PlatformAccountFactory(client=world.client_a2)]
    first = inspections_create_task.apply_async(kwargs={"agency_id": world.agency_a.pk}, queue=real_worker)
    assert first.get(timeout=60) == 2
    again = inspections_create_task.apply_async(kwargs={"agency_id": world.agency_a.pk}, queue=real_worker)
    assert again.get(timeout=60) == 0
    today = timezone.localdate(timezone=world.agency_a.tz)
    rows = DailyInspection.dangerously_all_agencies.filter(inspection_date=today)
    assert sorted(rows.values_list("account_id", flat=True)) == sorted(a.pk for a in accounts)
    # written by the worker inside a task: the trail names the channel
    from records.models import AuditEvent

    channels = set(
        AuditEvent.dangerously_all_agencies.filter(model_label="records.dailyinspection").values_list(
            "channel", flat=True
        )
    )
    assert channels == {"task"}


@pytest.mark.services
def test_real_worker_builds_a_report_with_its_progress_visible(real_worker, world):
    report = StatisticsReportFactory(client=world.client_a1)
    result = report_build_task.apply_async(
        kwargs={"agency_id": world.agency_a.pk, "kind": "statistics", "report_id": report.pk}, queue=real_worker
    )
    assert result.get(timeout=60) == ReportStatus.READY
    report.refresh_from_db()
    assert (report.status, report.progress, report.has_data) == (ReportStatus.READY, 100, False)
    assert report.generated_at is not None and report.data["has_data"] is False
