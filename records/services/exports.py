"""Clause 9 ("paper or electronic"): exports of record lists, asked for and made by a task."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency.languages import requester_language
from agency.models import Membership
from agency.roles import VIEW
from agency.services import validated_save
from agency.tasks import enqueue
from agency.tenancy import Actor
from records.exports.datasets import DATASETS, render_dataset, validated_filters
from records.models.exports import ExportFormat, ExportJob, JobStatus

logger = logging.getLogger(__name__)


@transaction.atomic
def export_request(*, actor: Actor, dataset: str, format: str, query: dict | None = None) -> ExportJob:
    """Ask for an export of a record list (clause 9, "paper or electronic"); a task makes the file.
    It exports what the requester may see, with the filters given."""
    spec = DATASETS.get(dataset)
    if spec is None:
        raise ValidationError({"dataset": _("Unknown record list %(name)s.") % {"name": dataset}})
    if not actor.can(VIEW, spec.resource):
        raise ValidationError({"dataset": _("Your role does not allow reading this record list.")})
    if format not in ExportFormat.values:
        raise ValidationError({"format": _("Choose CSV, XLSX or PDF.")})
    query = validated_filters(spec, query or {}, actor)
    job = ExportJob(
        agency=actor.agency,
        dataset=dataset,
        format=format,
        query=query,
        client_id=actor.client_id,
        requested_by=actor.user,
        language=requester_language(),
    )
    validated_save(job)
    enqueue("records.tasks.export_task", agency_id=actor.agency.pk, job_id=job.pk)
    return job


def export_run(*, job_id: int, progress_every: int = 10) -> ExportJob:
    """Make an export's file, reporting progress as it goes. Idempotent: a finished job is left
    as it is. The requester's current role and scope decide the rows (a person who lost access
    gets a failed job, not the data)."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job
    membership = (
        Membership.objects.filter(user_id=job.requested_by_id, agency_id=job.agency_id, is_active=True)
        .select_related("agency", "user")
        .first()
    )
    spec = DATASETS.get(job.dataset)
    if membership is None or spec is None or not membership.as_actor().can(VIEW, spec.resource):
        _job_update(job_id, status=JobStatus.FAILED, error=_("The requester may no longer read this record list."))
        return ExportJob.objects.get(pk=job_id)
    actor = membership.as_actor()
    _job_update(job_id, status=JobStatus.RUNNING, started_at=timezone.now(), progress=0)
    last = {"step": 0}

    def report(done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        step = percent // progress_every
        if step > last["step"] and percent < 100:
            last["step"] = step
            _job_update(job_id, progress=percent)

    try:
        with translation.override(job.language or job.agency.language):
            content, rows = render_dataset(spec, job.format, job.query, actor, progress=report)
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        _job_update(job_id, status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    name = f"{job.dataset}-{job.agency.now():%Y%m%d-%H%M%S}.{job.format}"
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        job.file.save(name, ContentFile(content), save=False)
        job.status = JobStatus.DONE
        job.progress = 100
        job.row_count = rows
        job.finished_at = timezone.now()
        try:
            job.save()
        except Exception:
            default_storage.delete(job.file.name)
            raise
    return job


def _job_update(job_id: int, **values) -> None:
    with transaction.atomic():
        ExportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)
