"""Queues per kind of work (docs/scaling.md): every task named in the routing exists, and each
kind goes to its queue."""

from __future__ import annotations

import fnmatch

from celery.app.routes import MapRoute
from django.conf import settings

from agency.celery import app


def test_every_routed_task_exists_and_the_fan_outs_are_scheduled_work():
    app.loader.import_default_modules()
    names = {name for name in app.tasks if not name.startswith("celery.")}
    for queue, patterns in settings.QUEUES_BY_KIND.items():
        for pattern in patterns:
            assert fnmatch.filter(names, pattern), f"{pattern} ({queue}) matches no task"
    routes = MapRoute({name: {"queue": q} for q, names_ in settings.QUEUES_BY_KIND.items() for name in names_})
    assert routes("accounts_ops.tasks.data_import_run_task") == {"queue": "ingest"}
    assert routes("production.tasks.clip_probe_task") == {"queue": "media"}
    assert routes("records.tasks.export_task") == {"queue": "reports"}
    assert routes("accounts_ops.tasks.persona_reports_all_agencies_task") == {"queue": "scheduled"}
    assert routes("accounts_ops.tasks.persona_reports_task") is None  # the default queue
