"""Background work of video production: reading clip and cut files (5.2), and the sweeps that
keep every file with its row. Thin wrappers over ``production.services``."""

from __future__ import annotations

import datetime as dt

from agency.celery import app
from agency.tasks import TenantTask
from production.models.post import Cut
from production.models.shoots import Clip
from production.services.shoots import media_probe, media_requeue_stale, media_sweep_orphans

# A clip or cut still unread after this long had its message lost (or its worker died): send it again.
PROBE_STALE_AFTER = dt.timedelta(minutes=15)
# A file no row names is removed only once it is this old (its row may still be committing).
ORPHAN_GRACE = dt.timedelta(days=1)
# Reading one file may take this long; past it the file is recorded as unreadable (a hostile or
# broken file must not hold a worker), and past the hard limit the worker process is replaced.
PROBE_SOFT_TIME_LIMIT = 300
PROBE_TIME_LIMIT = PROBE_SOFT_TIME_LIMIT + 30
PROBE_LIMITS = {"soft_time_limit": PROBE_SOFT_TIME_LIMIT, "time_limit": PROBE_TIME_LIMIT}


# Reading commits in two short transactions (``media_probe``), so "being read" shows.
@app.task(base=TenantTask, atomic=False, **PROBE_LIMITS)
def clip_probe_task(*, agency_id: int, clip_id: int) -> str | None:
    """Read the clip's file and judge it against 5.2. Idempotent: a read clip stays as it is."""
    clip = media_probe(model=Clip, pk=clip_id)
    return clip.probe_state if clip else None


@app.task(base=TenantTask, atomic=False, **PROBE_LIMITS)
def cut_probe_task(*, agency_id: int, cut_id: int) -> str | None:
    """Read a cut's file (5.3). Idempotent."""
    cut = media_probe(model=Cut, pk=cut_id)
    return cut.probe_state if cut else None


@app.task(base=TenantTask)
def probe_requeue_task(*, agency_id: int) -> int:
    """Send again the probes of this agency's clips and cuts left unread."""
    return media_requeue_stale(older_than=PROBE_STALE_AFTER)


@app.task
def probe_requeue_all_agencies_task() -> int:
    """Beat entry point: one ``probe_requeue_task`` per active agency."""
    return probe_requeue_task.for_every_agency()


@app.task(base=TenantTask)
def media_sweep_task(*, agency_id: int) -> int:
    """Remove this agency's production files that no row names."""
    return media_sweep_orphans(agency_id=agency_id, older_than=ORPHAN_GRACE)


@app.task
def media_sweep_all_agencies_task() -> int:
    """Beat entry point: one ``media_sweep_task`` per active agency."""
    return media_sweep_task.for_every_agency()
