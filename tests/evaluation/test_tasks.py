"""The scheduled work of chapter 10: the yearly evaluation (once per client and calendar year,
in the agency's time zone), sending and closing surveys, flags, complaint escalation; and the
fan-out on a real Celery worker."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clients.models import ClientStatus
from evaluation.models import CampaignKind, CampaignStatus, EvaluationCampaign
from evaluation.rules import (
    EVALUATION_MONTH,
    EVALUATION_YEAR_END_WARNING_DAYS,
    FOLLOW_UP_WARNING_DAYS,
    FOLLOW_UP_WITHIN_DAYS,
)
from evaluation.tasks import (
    complaints_escalate_task,
    survey_schedule_task,
    yearly_evaluation_all_agencies_task,
    yearly_evaluation_task,
)
from tests.evaluation.factories import ComplaintFactory, EvaluationCampaignFactory, ImprovementCycleFactory
from tests.factories import ClientFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at_local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """Set "now" for everything that asks Django (tasks, services, timestamps)."""

    def set_now(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def yearly(client, year=None):
    rows = EvaluationCampaign.dangerously_all_agencies.filter(client=client, kind=CampaignKind.YEARLY)
    return rows.filter(year=year) if year else rows


def test_yearly_task_makes_exactly_one_campaign_per_client_and_year_across_new_year(
    world, clock, django_capture_on_commit_callbacks, mailoutbox
):
    world.agency_a.settings = {EVALUATION_MONTH.key: 1}
    world.agency_a.save()
    manager = UserFactory(email="manager@agency-a.test")
    world.client_a1.account_manager = manager
    world.client_a1.save()

    last_evening = at_local(2026, 12, 31, 23, 30)
    first_morning = at_local(2027, 1, 1, 0, 30)
    # In UTC both moments are still 31 December 2026: only the agency's clock sees a new year.
    assert last_evening.astimezone(dt.UTC).year == first_morning.astimezone(dt.UTC).year == 2026

    mails_per_run = []
    for moment in (last_evening, last_evening, first_morning, first_morning):
        clock(moment)
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            yearly_evaluation_task.delay(agency_id=world.agency_a.pk).get()
        mails_per_run.append(sum(1 for m in mailoutbox[before:] if m.to == ["manager@agency-a.test"]))

    for client in (world.client_a1, world.client_a2):
        assert sorted(yearly(client).values_list("year", flat=True)) == [2026, 2027]
        assert set(yearly(client).values_list("status", flat=True)) == {CampaignStatus.OPEN}
    assert not yearly(world.client_b).exists()  # another agency's client: not this task's business
    # 31 December: the 2026 campaign's reminder and the year-end flag (no answers yet); 1 January:
    # the 2027 reminder. A repeated run sends nothing.
    assert mails_per_run == [2, 0, 1, 0]
    assert yearly(world.client_a1, 2027).get().opens_on == dt.date(2027, 1, 1)


def test_no_campaign_before_the_agencys_month(world, clock):
    clock(at_local(2026, 3, 15, 9))
    assert EVALUATION_MONTH.default > 3
    assert yearly_evaluation_task.delay(agency_id=world.agency_a.pk).get() == {"created": 0, "flagged": 0}
    clock(at_local(2026, EVALUATION_MONTH.default, 1, 9))
    assert yearly_evaluation_task.delay(agency_id=world.agency_a.pk).get()["created"] == 2


def test_ended_clients_are_not_evaluated(world, clock):
    ClientFactory(agency=world.agency_a, status=ClientStatus.ENDED)
    clock(at_local(2026, 12, 1, 9))
    assert yearly_evaluation_task.delay(agency_id=world.agency_a.pk).get()["created"] == 2


def test_clients_with_no_answers_are_flagged_once_as_the_year_ends(world, clock):
    days = EVALUATION_YEAR_END_WARNING_DAYS.default
    clock(at_local(2026, 12, 31, 9) - dt.timedelta(days=days + 1))
    result = yearly_evaluation_task.delay(agency_id=world.agency_a.pk).get()
    assert result["flagged"] == 0
    clock(at_local(2026, 12, 31, 9) - dt.timedelta(days=days))
    assert yearly_evaluation_task.delay(agency_id=world.agency_a.pk).get()["flagged"] == 2
    assert yearly_evaluation_task.delay(agency_id=world.agency_a.pk).get()["flagged"] == 0
    assert all(c.flagged_at and "2026" in c.flag_reason for c in yearly(world.client_a1))


def test_survey_schedule_sends_due_follow_ups_closes_ended_ones_and_flags_late_ones(world, clock):
    clock(at_local(2026, 6, 10, 9))
    today = dt.date(2026, 6, 10)

    def follow_up(**fields):
        defaults = {
            "client": world.client_a1,
            "kind": CampaignKind.FOLLOW_UP,
            "cycle": ImprovementCycleFactory(client=world.client_a1),
            "round": 1,
            "status": CampaignStatus.DRAFT,
            "opened_at": None,
            "year": 2026,
        }
        return EvaluationCampaignFactory(**{**defaults, **fields})

    due = follow_up(opens_on=today, closes_on=today + dt.timedelta(days=14), due_by=today + dt.timedelta(days=3))
    later = follow_up(
        opens_on=today + dt.timedelta(days=FOLLOW_UP_WARNING_DAYS - 1),
        closes_on=today + dt.timedelta(days=20),
        due_by=today + dt.timedelta(days=FOLLOW_UP_WARNING_DAYS),
    )
    relaxed = follow_up(
        opens_on=today + dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=20),
        due_by=today + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS - 5),
    )
    ended = EvaluationCampaignFactory(
        client=world.client_a2,
        year=2026,
        opens_on=today - dt.timedelta(days=20),
        closes_on=today - dt.timedelta(days=1),
    )
    result = survey_schedule_task.delay(agency_id=world.agency_a.pk).get()
    assert result == {"sent": 1, "closed": 1, "flagged": 1}
    states = dict(
        EvaluationCampaign.dangerously_all_agencies.filter(pk__in=[due.pk, later.pk, relaxed.pk, ended.pk]).values_list(
            "pk", "status"
        )
    )
    assert states == {
        due.pk: CampaignStatus.OPEN,
        later.pk: CampaignStatus.DRAFT,
        relaxed.pk: CampaignStatus.DRAFT,
        ended.pk: CampaignStatus.CLOSED,
    }
    later.refresh_from_db()
    assert later.flagged_at is not None and later.due_by.isoformat() in later.flag_reason
    assert survey_schedule_task.delay(agency_id=world.agency_a.pk).get() == {"sent": 0, "closed": 0, "flagged": 0}


def test_complaints_escalation_task_is_idempotent(world):
    late = ComplaintFactory(
        client=world.client_a1,
        received_at=timezone.now() - dt.timedelta(days=3),
        respond_by=timezone.now() - dt.timedelta(days=2),
        resolve_by=timezone.now() - dt.timedelta(hours=1),
    )
    ComplaintFactory(client=world.client_a1)  # not yet due
    assert complaints_escalate_task.delay(agency_id=world.agency_a.pk).get() == 1
    assert complaints_escalate_task.delay(agency_id=world.agency_a.pk).get() == 0
    late.refresh_from_db()
    assert late.escalation_level == 1


def test_the_beat_task_fans_out_to_every_active_agency(world, clock):
    clock(at_local(2026, 12, 1, 9))
    assert yearly_evaluation_all_agencies_task.delay().get() == 2
    for client in (world.client_a1, world.client_a2, world.client_b):
        assert yearly(client, 2026).count() == 1


@pytest.mark.services
def test_real_worker_runs_the_yearly_evaluation_once_per_client(real_worker, world):
    world.agency_a.settings = {EVALUATION_MONTH.key: 1}
    world.agency_a.save()
    year = timezone.localdate(timezone=world.agency_a.tz).year
    runs = [
        yearly_evaluation_task.apply_async(kwargs={"agency_id": world.agency_a.pk}, queue=real_worker).get(timeout=60)
        for _ in range(2)
    ]
    assert [run["created"] for run in runs] == [2, 0]
    assert [yearly(client, year).count() for client in (world.client_a1, world.client_a2)] == [1, 1]
    assert yearly(world.client_a1, year).get().status == CampaignStatus.OPEN


@pytest.mark.services
def test_real_worker_fans_the_yearly_evaluation_out_per_agency(real_worker, world):
    for agency in (world.agency_a, world.agency_b):
        agency.settings = {EVALUATION_MONTH.key: 1}
        agency.save()
    year = timezone.localdate(timezone=world.agency_b.tz).year
    assert yearly_evaluation_all_agencies_task.apply_async(queue=real_worker).get(timeout=60) == 2
    clients = [world.client_a1, world.client_a2, world.client_b]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts = [yearly(client, year).count() for client in clients]
        if counts == [1, 1, 1]:
            break
        time.sleep(0.3)
    assert counts == [1, 1, 1]
