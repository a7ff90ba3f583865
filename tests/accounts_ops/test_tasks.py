"""6.3: the daily boost task: per agency, idempotent, and run on a real worker."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from accounts_ops.models import BoostTask
from accounts_ops.tasks import boost_tasks_all_agencies_task, boost_tasks_task
from agency.tasks import TenantTask
from tests.accounts_ops.factories import PinnedVideoFactory
from tests.factories import PlatformAccountFactory


def overdue_pin(client):
    """A pinned video whose weekly boost fell due yesterday."""
    return PinnedVideoFactory(
        account=PlatformAccountFactory(client=client),
        pinned_on=timezone.localdate() - dt.timedelta(days=8),
        boost_interval_days=7,
    )


def test_boost_task_is_a_tenant_task_that_acks_late():
    assert isinstance(boost_tasks_task._get_current_object(), TenantTask)
    assert boost_tasks_task.acks_late


def test_running_the_daily_task_twice_creates_one_boost_task(world):
    pin = overdue_pin(world.client_a1)
    assert boost_tasks_task.delay(agency_id=world.agency_a.pk).get() == 1
    assert boost_tasks_task.delay(agency_id=world.agency_a.pk).get() == 0
    assert BoostTask.dangerously_all_agencies.filter(pinned_video=pin).count() == 1


def test_the_daily_task_stays_in_its_agency(world):
    overdue_pin(world.client_a1)
    theirs = overdue_pin(world.client_b)
    boost_tasks_task.delay(agency_id=world.agency_a.pk).get()
    assert not BoostTask.dangerously_all_agencies.filter(pinned_video=theirs).exists()


def test_the_beat_entry_fans_out_to_every_agency(world):
    mine, theirs = overdue_pin(world.client_a1), overdue_pin(world.client_b)
    assert boost_tasks_all_agencies_task.delay().get() == 2
    assert BoostTask.dangerously_all_agencies.filter(pinned_video__in=[mine, theirs]).count() == 2
    boost_tasks_all_agencies_task.delay().get()
    assert BoostTask.dangerously_all_agencies.filter(pinned_video__in=[mine, theirs]).count() == 2


@pytest.mark.services
def test_real_worker_runs_the_boost_task_twice_and_creates_one(real_worker, world):
    pin = overdue_pin(world.client_a1)
    for expected in (1, 0):
        result = boost_tasks_task.apply_async(kwargs={"agency_id": world.agency_a.pk}, queue=real_worker)
        assert result.get(timeout=60) == expected
    assert BoostTask.dangerously_all_agencies.filter(pinned_video=pin).count() == 1


@pytest.mark.services
def test_real_worker_fans_the_daily_boost_task_out_per_agency(real_worker, world):
    mine, theirs = overdue_pin(world.client_a1), overdue_pin(world.client_b)
    assert boost_tasks_all_agencies_task.apply_async(queue=real_worker).get(timeout=60) == 2
    deadline = time.monotonic() + 60
    found = 0
    while time.monotonic() < deadline:
        found = BoostTask.dangerously_all_agencies.filter(pinned_video__in=[mine, theirs]).count()
        if found == 2:
            break
        time.sleep(0.3)
    assert found == 2
