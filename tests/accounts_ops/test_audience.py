"""7.3: audience snapshots in the fan-portrait shape, and the persona reports the scheduled job
builds from them: idempotent per account and period, in batches, with the shift since the
previous report and a summary in Chinese and English."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts_ops.models import AudiencePersonaReport, AudienceSnapshot
from accounts_ops.persona import SHIFT_NOTABLE_POINTS, analyse
from accounts_ops.portrait import PORTRAIT_SUM_TOLERANCE, PortraitError, normalise
from accounts_ops.rules import PERSONA_PERIOD_DAYS
from accounts_ops.services.audience import (
    PERSONA_BATCH,
    audience_snapshots_ingest,
    persona_period,
    persona_report_request,
    persona_reports_build,
)
from accounts_ops.tasks import persona_reports_all_agencies_task, persona_reports_batch_task, persona_reports_task
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.accounts_ops.factories import PORTRAIT, AudienceSnapshotFactory
from tests.factories import PlatformAccountFactory


def agency_today(agency):
    return timezone.localdate(timezone=agency.tz)


# --- the portrait's rules ------------------------------------------------------------------------


def test_percentages_are_read_as_shares_and_platform_names_are_normalised():
    assert normalise("gender", {"男": 40, "女": 60}) == {"male": 0.4, "female": 0.6}
    assert normalise("gender", [{"item": "1", "value": 0.45}, {"item": "2", "value": 0.55}]) == {
        "male": 0.45,
        "female": 0.55,
    }
    assert normalise("active_days", {"周六": 60, "周日": 40}) == {"sat": 0.6, "sun": 0.4}


def test_a_complete_distribution_must_add_up_within_the_tolerance():
    off = 1 + PORTRAIT_SUM_TOLERANCE * 2
    with pytest.raises(PortraitError, match="add up"):
        normalise("age", {"24-30": 0.5, "31-40": off - 0.5})
    assert normalise("age", {"24-30": 0.5, "31-40": 0.5 + PORTRAIT_SUM_TOLERANCE / 2})


def test_unknown_age_buckets_and_top_lists_over_100_percent_are_refused():
    with pytest.raises(PortraitError, match="not one of"):
        normalise("age", {"18-24": 1.0})
    with pytest.raises(PortraitError, match="more than 100%"):
        normalise("cities", {"成都": 0.8, "重庆": 0.4})
    assert normalise("cities", {"成都": 0.5})  # a top list may be partial


def test_a_snapshot_row_that_does_not_add_up_is_refused_naming_row_and_field(world):
    account = PlatformAccountFactory(client=world.client_a1)
    rows = [
        {"account": account.pk, "date": "2026-01-01", **PORTRAIT},
        {"account": account.pk, "date": "2026-01-02", "gender_distributions": {"male": 0.3, "female": 0.3}},
    ]
    with tenant_context(world.agency_a), pytest.raises(ValidationError) as exc:
        audience_snapshots_ingest(actor=None, rows=rows)
    assert list(exc.value.message_dict) == ["rows[1].gender"]
    assert "add up to 0.6000, not 1" in exc.value.message_dict["rows[1].gender"][0]
    assert not AudienceSnapshot.dangerously_all_agencies.exists()


def test_snapshots_are_upserts_per_account_and_date(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    rows = [{"account": account.pk, "date": f"2026-01-0{n}", **PORTRAIT} for n in range(1, 6)]
    first = api(world.staff_a).post(reverse("audiencesnapshot-bulk"), {"rows": rows}, format="json")
    second = api(world.staff_a).post(reverse("audiencesnapshot-bulk"), {"rows": rows}, format="json")
    assert (first.json()["created"], second.json()["unchanged"]) == (5, 5)
    changed = api(world.staff_a).post(
        reverse("audiencesnapshot-list"),
        {"account": account.pk, "date": "2026-01-01", "gender": {"male": 50, "female": 50}},
        format="json",
    )
    assert changed.status_code == 200
    snapshot = AudienceSnapshot.dangerously_all_agencies.get(account=account, date="2026-01-01")
    assert snapshot.gender == {"male": 0.5, "female": 0.5} and snapshot.age == PORTRAIT["age"]


def test_a_single_snapshot_refusal_names_the_field(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    response = api(world.staff_a).post(
        reverse("audiencesnapshot-list"),
        {"account": account.pk, "date": "2026-01-01", "age": {"24-30": 30, "31-40": 30}},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["age"]


# --- the persona report ----------------------------------------------------------------------


def test_the_analysis_names_the_dominant_segments_and_the_shift_in_points():
    before = {**PORTRAIT, "gender": {"male": 0.45, "female": 0.55}}
    analysis = analyse(PORTRAIT, before)
    assert analysis.dominant["gender"] == {"key": "female", "share": 0.62}
    assert analysis.dominant["age"]["key"] == "24-30"
    assert analysis.shifts["gender"] == {"female": 7.0, "male": -7.0}
    assert "女性" in analysis.summary_zh and "上升7个百分点" in analysis.summary_zh
    assert "women" in analysis.summary_en and "up 7 points" in analysis.summary_en
    steady = analyse(PORTRAIT, PORTRAIT)
    assert not steady.shifts and f"{SHIFT_NOTABLE_POINTS:g}" in steady.summary_en
    assert "第一份" in analyse(PORTRAIT, None).summary_zh


def test_the_period_is_the_last_whole_period_of_the_agencys_length(world):
    days = world.agency_a.setting(PERSONA_PERIOD_DAYS)
    today = dt.date(2026, 11, 26)
    start, end = persona_period(world.agency_a, today)
    assert (end - start).days == days - 1 and end < today <= end + dt.timedelta(days=days)
    assert persona_period(world.agency_a, today + dt.timedelta(days=1)) in (
        (start, end),
        persona_period(world.agency_a, end + dt.timedelta(days=days + 1)),
    )


def build(world, accounts, start, end):
    with tenant_context(world.agency_a):
        return persona_reports_build(account_ids=[a.pk for a in accounts], period_start=start, period_end=end)


def test_the_job_is_idempotent_per_account_and_period(world):
    start, end = persona_period(world.agency_a, agency_today(world.agency_a))
    accounts = [PlatformAccountFactory(client=world.client_a1) for _ in range(3)]
    for account in accounts[:2]:
        AudienceSnapshotFactory(account=account, date=end)
    assert build(world, accounts, start, end) == 2  # the third has no snapshot in the period
    assert build(world, accounts, start, end) == 0
    assert AudiencePersonaReport.dangerously_all_agencies.count() == 2


def test_a_report_compares_with_the_previous_report(world):
    account = PlatformAccountFactory(client=world.client_a1)
    start, end = persona_period(world.agency_a, agency_today(world.agency_a))
    days = world.agency_a.setting(PERSONA_PERIOD_DAYS)
    earlier = (start - dt.timedelta(days=days), start - dt.timedelta(days=1))
    AudienceSnapshotFactory(account=account, date=earlier[1], gender={"male": 0.5, "female": 0.5})
    AudienceSnapshotFactory(account=account, date=end, gender={"male": 0.4, "female": 0.6})
    build(world, [account], *earlier)
    build(world, [account], start, end)
    report = AudiencePersonaReport.dangerously_all_agencies.get(period_end=end)
    assert report.previous.period_end == earlier[1]
    assert report.shifts["gender"] == {"female": 10.0, "male": -10.0}


def test_the_agency_task_queues_batches_of_accounts(world, monkeypatch):
    monkeypatch.setattr("accounts_ops.tasks.PERSONA_BATCH", 2)  # where the task reads it
    start, end = persona_period(world.agency_a, agency_today(world.agency_a))
    for _ in range(5):
        AudienceSnapshotFactory(account=PlatformAccountFactory(client=world.client_a1), date=end)
    with TestCase.captureOnCommitCallbacks(execute=True):
        batches = persona_reports_task.delay(agency_id=world.agency_a.pk).get()
    assert batches == 3
    assert AudiencePersonaReport.dangerously_all_agencies.filter(period_end=end).count() == 5
    assert PERSONA_BATCH >= 100  # the real batch size


def test_the_beat_entry_fans_out_to_every_agency(world):
    assert persona_reports_all_agencies_task.delay().get() == 2


def test_a_report_on_demand_uses_the_latest_snapshot_and_is_rebuilt_the_same_day(world, api):
    account = PlatformAccountFactory(client=world.client_a1)
    none = api(world.staff_a).post(reverse("audiencepersonareport-request"), {"account": account.pk})
    assert none.status_code == 400 and "no audience snapshot" in none.json()["error"]["message"]
    AudienceSnapshotFactory(account=account, date=agency_today(world.agency_a))
    first = api(world.staff_a).post(reverse("audiencepersonareport-request"), {"account": account.pk})
    second = api(world.staff_a).post(reverse("audiencepersonareport-request"), {"account": account.pk})
    assert first.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert first.json()["trigger"] == "on_demand" and first.json()["summary_en"]
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        assert persona_report_request(actor=actor, account=account).pk == first.json()["id"]


@pytest.mark.services
def test_real_worker_builds_the_persona_reports_once(real_worker, world):
    start, end = persona_period(world.agency_a, agency_today(world.agency_a))
    accounts = [PlatformAccountFactory(client=world.client_a1) for _ in range(3)]
    for account in accounts:
        AudienceSnapshotFactory(account=account, date=end)
    kwargs = {
        "agency_id": world.agency_a.pk,
        "account_ids": [a.pk for a in accounts],
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
    }
    for expected in (3, 0):
        result = persona_reports_batch_task.apply_async(kwargs=kwargs, queue=real_worker)
        assert result.get(timeout=60) == expected
    assert AudiencePersonaReport.dangerously_all_agencies.filter(period_end=end).count() == 3


@pytest.mark.services
def test_real_worker_runs_the_agency_persona_job_through_its_batches(real_worker, world):
    start, end = persona_period(world.agency_a, agency_today(world.agency_a))
    AudienceSnapshotFactory(account=PlatformAccountFactory(client=world.client_a1), date=end)
    result = persona_reports_task.apply_async(kwargs={"agency_id": world.agency_a.pk}, queue=real_worker)
    assert result.get(timeout=60) == 1
    # The worker sends the batch task to its own queue once the agency task commits.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not AudiencePersonaReport.dangerously_all_agencies.exists():
        time.sleep(0.3)
    assert AudiencePersonaReport.dangerously_all_agencies.filter(period_end=end).count() == 1
