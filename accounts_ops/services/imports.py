"""File imports of platform data (see ``DataImport`` for the rule: the file as a whole must be
readable; then accepted rows are committed and rejected rows listed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.bulk import UpsertResult, chunks
from accounts_ops.files import FileRefused, check_upload, import_max_bytes, megabytes, read_table
from accounts_ops.models.advanced import CommentSource
from accounts_ops.models.metrics import DataImport, ImportKind, ImportStatus
from accounts_ops.services import advanced, metrics
from agency.tasks import enqueue
from agency.tenancy import Actor, require_agency
from clients.models import PlatformAccount

IMPORT_CHUNK = 2_000  # rows committed per step (progress moves after each)
IMPORT_ERRORS_KEPT = 1_000  # rejected rows listed on the import; the count covers them all
CHECK_PROGRESS = 10  # progress (%) once the whole file has been read and checked


@dataclass(frozen=True)
class Kind:
    check: Callable
    store: Callable


def _check_comments(rows, **kwargs):
    return advanced.check_comment_rows(rows, source=CommentSource.FILE, **kwargs)


def _check_topics(rows, **kwargs):
    return advanced.check_hot_topic_rows(rows, source=str(_("file import")), **kwargs)


KINDS: dict[str, Kind] = {
    ImportKind.ACCOUNT_METRICS: Kind(metrics.check_account_metric_rows, metrics.store_account_metrics),
    ImportKind.VIDEO_METRICS: Kind(metrics.check_video_metric_rows, metrics.store_video_metrics),
    ImportKind.COMMENTS: Kind(_check_comments, advanced.store_comments),
    ImportKind.HOT_TOPICS: Kind(_check_topics, advanced.store_hot_topics),
}


@transaction.atomic
def data_import_request(*, actor: Actor, kind: str, file, account: PlatformAccount | None = None) -> DataImport:
    """Store an uploaded file and queue its import. The size limit, an empty file and a file that
    is not CSV or XLSX by its bytes are refused here; its rows are judged by the import itself."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose one of %(kinds)s.") % {"kinds": ", ".join(KINDS)}})
    if file is None:
        raise ValidationError({"file": _("Choose a file.")})
    limit = import_max_bytes()
    if file.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": megabytes(file.size), "limit": megabytes(limit)}
            }
        )
    if file.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if account is not None and not metrics.account_scope(actor).filter(pk=account.pk).exists():
        raise ValidationError({"account": _("account %(id)s does not exist in this agency") % {"id": account.pk}})
    check_upload(file, kind, account_given=account is not None)
    job = DataImport(
        agency=actor.agency,
        kind=kind,
        account=account,
        original_name=(getattr(file, "name", "") or "")[-255:],
        requested_by=actor.user,
    )
    job.full_clean(exclude=["file"])
    job.file.save(f"{kind}-{timezone.now():%Y%m%d%H%M%S}.dat", file, save=False)
    try:
        with transaction.atomic():
            job.save()
    except Exception:
        job.file.storage.delete(job.file.name)  # no file without its row
        raise
    from accounts_ops.tasks import data_import_run_task

    enqueue(data_import_run_task, agency_id=actor.agency.pk, import_id=job.pk)
    return job


def _save(job: DataImport, **values) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    with transaction.atomic():
        DataImport.objects.filter(pk=job.pk).update(**values, updated_at=timezone.now())


def data_import_run(*, import_id: int) -> DataImport:
    """Import one file, committing accepted rows in steps and moving the progress after each.
    Idempotent: a finished import is left as it is; one cut short (a lost worker) runs again from
    the start, and its rows, being upserts, come out the same. Runs inside the agency's context,
    outside a single transaction."""
    require_agency()
    job = DataImport.objects.select_related("account").get(pk=import_id)
    if job.is_finished:
        return job
    _save(job, status=ImportStatus.IMPORTING, started_at=timezone.now(), progress=0, error="")
    try:
        with job.file.open("rb") as handle:
            data = handle.read(import_max_bytes() + 1)
        table = read_table(data, job.kind, account_given=job.account_id is not None)
    except FileRefused as exc:
        _save(job, status=ImportStatus.FAILED, error=str(exc), finished_at=timezone.now(), progress=100)
        return job
    kind = KINDS[job.kind]
    numbers = [number for number, _row in table.rows]
    checked = kind.check(
        [row for _number, row in table.rows], agency=job.agency, actor=None, default_account=job.account
    )
    errors = [
        {"row": numbers[p.index], "field": p.field, "message": p.message} for p in checked.problems[:IMPORT_ERRORS_KEPT]
    ]
    rejected = len(checked.rejected)
    _save(
        job,
        file_format=table.file_format,
        encoding=table.encoding,
        rows_total=len(table.rows),
        rows_rejected=rejected,
        row_errors=errors,
        progress=CHECK_PROGRESS,
    )
    total = UpsertResult()
    steps = list(chunks(checked.rows, IMPORT_CHUNK))
    user_id = job.requested_by_id
    for done, step in enumerate(steps, start=1):
        with transaction.atomic():
            total.add(kind.store(step, user_id=user_id))
            progress = CHECK_PROGRESS + (100 - CHECK_PROGRESS) * done // len(steps)
            DataImport.objects.filter(pk=job.pk).update(
                rows_accepted=total.received, progress=min(progress, 99), updated_at=timezone.now()
            )
    _save(
        job,
        rows_accepted=total.received,
        status=ImportStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    return job
