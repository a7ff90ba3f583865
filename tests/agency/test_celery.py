"""Tasks: the tenant task base, and a real worker consuming from Redis against PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from agency.tasks import TenantTask
from clients.models import Client, ClientStatus
from clients.tasks import contract_status_all_agencies_task, contract_status_task
from tests.factories import ClientFactory


def test_tenant_task_requires_an_agency_id(db):
    with pytest.raises(TypeError, match="agency_id"):
        contract_status_task.apply().get()


def test_base_task_acks_late_and_retries_with_backoff():
    assert isinstance(contract_status_task._get_current_object(), TenantTask)
    assert contract_status_task.acks_late and contract_status_task.retry_backoff
    assert contract_status_task.max_retries >= 3


def test_contract_status_task_is_idempotent_and_stays_in_its_agency(world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ended_a = ClientFactory(agency=world.agency_a, contract_end=yesterday)
    ended_b = ClientFactory(agency=world.agency_b, contract_end=yesterday)
    assert contract_status_task.delay(agency_id=world.agency_a.pk).get() == 1
    assert contract_status_task.delay(agency_id=world.agency_a.pk).get() == 0
    ended_a.refresh_from_db()
    ended_b.refresh_from_db()
    assert ended_a.status == ClientStatus.ENDED and ended_b.status == ClientStatus.ACTIVE


@pytest.mark.services
def test_real_worker_runs_a_tenant_task(real_worker, world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ended = ClientFactory(agency=world.agency_a, contract_end=yesterday)
    result = contract_status_task.apply_async(kwargs={"agency_id": world.agency_a.pk}, queue=real_worker)
    assert result.get(timeout=60) == 1
    ended.refresh_from_db()
    assert ended.status == ClientStatus.ENDED


@pytest.mark.services
def test_real_worker_fans_the_beat_task_out_per_agency(real_worker, world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    in_a = ClientFactory(agency=world.agency_a, contract_end=yesterday)
    in_b = ClientFactory(agency=world.agency_b, contract_end=yesterday)
    assert contract_status_all_agencies_task.apply_async(queue=real_worker).get(timeout=60) == 2
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        statuses = set(
            Client.dangerously_all_agencies.filter(pk__in=[in_a.pk, in_b.pk]).values_list("status", flat=True)
        )
        if statuses == {ClientStatus.ENDED}:
            break
        time.sleep(0.3)
    assert statuses == {ClientStatus.ENDED}
