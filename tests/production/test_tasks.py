"""The probe and sweep tasks: tenant tasks over services, fanned out per agency, and a real
worker reading an uploaded clip against PostgreSQL and Redis."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from agency.tasks import TenantTask
from production.models import Clip, ClipVerdict, ProbeState, Stage
from production.tasks import (
    clip_probe_task,
    cut_probe_task,
    media_sweep_all_agencies_task,
    probe_requeue_all_agencies_task,
    probe_requeue_task,
)
from tests.production.factories import ShootFactory, project_for


def test_probe_tasks_are_tenant_tasks_that_commit_in_parts():
    for task in (clip_probe_task, cut_probe_task):
        assert isinstance(task._get_current_object(), TenantTask)
        assert task.atomic is False and task.acks_late


def test_probe_task_requires_an_agency_id(db):
    with pytest.raises(TypeError, match="agency_id"):
        clip_probe_task.apply(kwargs={"clip_id": 1}).get()


def test_beat_tasks_fan_out_one_per_active_agency(world):
    world.agency_b.is_active = False
    world.agency_b.save()
    assert probe_requeue_all_agencies_task.delay().get() == 1
    assert media_sweep_all_agencies_task.delay().get() == 1


def test_requeue_finds_nothing_when_every_clip_is_read(world):
    assert probe_requeue_task.delay(agency_id=world.agency_a.pk).get() == 0


def test_the_beat_schedule_names_the_production_tasks(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "production.tasks.probe_requeue_all_agencies_task" in tasks
    assert "production.tasks.media_sweep_all_agencies_task" in tasks


@pytest.mark.services
def test_a_real_worker_reads_an_uploaded_clip(real_worker, world, api, samples):
    shoot = ShootFactory(project=project_for(world.client_a1, stage=Stage.SHOOTING))
    response = api(world.staff_a).post(
        reverse("clip-list"), {"shoot": shoot.pk, "file": samples.upload("rotated_4k_8s")}, format="multipart"
    )
    assert response.status_code == 201, response.content
    clip_id = response.json()["id"]
    deadline = time.monotonic() + 60
    clip = None
    while time.monotonic() < deadline:
        clip = Clip.dangerously_all_agencies.get(pk=clip_id)
        if clip.probe_state in (ProbeState.DONE, ProbeState.FAILED):
            break
        time.sleep(0.3)
    assert clip.probe_state == ProbeState.DONE, clip.probe_error
    assert clip.verdict == ClipVerdict.ACCEPTED
    assert (clip.rotation, clip.display_width, clip.display_height) == (90, 2160, 3840)
    body = api(world.staff_a).get(reverse("clip-detail", args=[clip_id])).json()
    assert body["probe_state"] == "done" and body["verdict"] == "accepted"
