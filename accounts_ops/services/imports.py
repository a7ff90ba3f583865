"""File imports of platform data (see ``DataImport`` for the rule: the file as a whole must be
readable; then accepted rows are committed and rejected rows listed), and bulk API requests that
ask to be answered at once, stored the same way by the ingest queue (``bulk_request_accept``)."""

from __future__ import annotations

import heapq
import itertools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.bulk import UpsertResult, chunks, collector_paused
from accounts_ops.files import (
    IMPORT_KIND,
    IMPORT_MAX_BYTES_DEFAULT,
    FileRefused,
    check_upload,
    import_max_bytes,
    read_batch,
    read_table,
)
from accounts_ops.models.comments import CommentSource
from accounts_ops.models.imports import JSON_BATCH, DataImport, ImportKind, ImportStatus
from accounts_ops.services.comments import check_comment_rows, store_comments
from accounts_ops.services.common import Checked, account_scope, checked_request
from accounts_ops.services.hot_topics import check_hot_topic_rows, store_hot_topics
from accounts_ops.services.metrics import (
    check_account_metric_rows,
    check_video_metric_rows,
    store_account_metrics,
    store_video_metrics,
)
from agency.db.locks import transaction_lock
from agency.tasks import enqueue
from agency.tenancy import Actor, require_agency
from agency.uploads import check_size, save_with_files
from clients.models import PlatformAccount

logger = logging.getLogger(__name__)

IMPORT_CHUNK = 2_000  # rows committed per step (progress moves after each)
IMPORT_ERRORS_KEPT = 1_000  # rejected rows listed on the import; the count covers them all
CHECK_PROGRESS = 10  # progress (%) once the whole file has been read and checked


@dataclass(frozen=True)
class Kind:
    check: Callable
    store: Callable


def _check_comments(rows, **kwargs):
    return check_comment_rows(rows, source=CommentSource.FILE, **kwargs)


def _check_topics(rows, **kwargs):
    return check_hot_topic_rows(rows, source=str(_("file import")), **kwargs)


KINDS: dict[str, Kind] = {
    ImportKind.ACCOUNT_METRICS: Kind(check_account_metric_rows, store_account_metrics),
    ImportKind.VIDEO_METRICS: Kind(check_video_metric_rows, store_video_metrics),
    ImportKind.COMMENTS: Kind(_check_comments, store_comments),
    ImportKind.HOT_TOPICS: Kind(_check_topics, store_hot_topics),
}


@transaction.atomic
def data_import_request(*, actor: Actor, kind: str, file, account: PlatformAccount | None = None) -> DataImport:
    """Store an uploaded file and queue its import. The size limit, an empty file, a file that is
    not CSV or XLSX by its bytes and a header without the columns ``kind`` needs are refused here,
    by cheap checks (``accounts_ops.files.check_upload``: no sheet is read past its header row);
    its rows are read and judged by the import itself, in the worker."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose one of %(kinds)s.") % {"kinds": ", ".join(KINDS)}})
    if file is None:
        raise ValidationError({"file": _("Choose a file.")})
    check_size(file, field="file", kind=IMPORT_KIND, default_limit=IMPORT_MAX_BYTES_DEFAULT)
    if account is not None and not account_scope(actor).filter(pk=account.pk).exists():
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
    file.name = f"{kind}-{timezone.now():%Y%m%d%H%M%S}.dat"
    return _queue(job, file)


# The bulk endpoints whose requests may be kept and stored by the ingest queue.
BULK_KINDS = (ImportKind.ACCOUNT_METRICS, ImportKind.VIDEO_METRICS)


@transaction.atomic
def bulk_request_accept(
    *, actor: Actor, kind: str, rows: list, account: PlatformAccount | None = None, body: bytes | None = None
) -> DataImport:
    """A bulk request that asks to be answered at once (``Prefer: respond-async``): its rows are
    checked now, all or nothing, exactly as the synchronous bulk endpoint checks them, and a
    request with a bad row is refused the same way, keeping nothing. Clean rows are kept as a data
    import, ``body`` (the request's JSON as sent, or the rows written out) as its file, and the
    ingest queue stores them: the answer comes before the rows reach the metric tables and their
    indexes. The import then tells how many rows were created, updated or unchanged; a row that is
    no longer valid by then (its account was deleted meanwhile) is rejected and listed there."""
    if kind not in BULK_KINDS:
        raise ValidationError({"kind": _("Choose one of %(kinds)s.") % {"kinds": ", ".join(BULK_KINDS)}})
    with collector_paused():
        checked_request(KINDS[kind].check, actor=actor, rows=rows, account=account)
    if body is None:
        body = json.dumps({"rows": rows}, ensure_ascii=False, separators=(",", ":")).encode()
    job = DataImport(
        agency=actor.agency,
        kind=kind,
        account=account,
        file_format=JSON_BATCH,
        encoding="utf-8",
        rows_total=len(rows),
        requested_by=actor.user,
    )
    return _queue(job, ContentFile(body, name=f"{kind}-{timezone.now():%Y%m%d%H%M%S}.json"))


def _queue(job: DataImport, content) -> DataImport:
    """Save the import with ``content`` as its file, and queue it (on commit)."""
    job.file = content
    save_with_files(job, "file")
    enqueue("accounts_ops.tasks.data_import_run_task", agency_id=job.agency_id, import_id=job.pk)
    return job


def _save(job: DataImport, **values) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    with transaction.atomic():
        DataImport.objects.filter(pk=job.pk).update(**values, updated_at=timezone.now())


def data_import_run(*, import_id: int) -> DataImport:
    """Import one file, committing accepted rows in steps and moving the progress after each.
    Idempotent: a finished import is left as it is. One cut short (its worker lost) goes on after
    the last step it committed: each step commits its rows with the counts so far, so the counts
    of the finished import include the rows the lost run created and updated (a run from the start
    would count them again as unchanged). The file is streamed under the row limit
    (``accounts_ops.files.read_table``); a row refused while it is read (a formula without a saved
    value) is listed with the rows the checks reject. Runs inside the agency's context, outside a
    single transaction."""
    require_agency()
    job = DataImport.objects.select_related("account").get(pk=import_id)
    if job.is_finished:
        return job
    if job.is_bulk_request:
        return _bulk_requests_store(job)
    stored = UpsertResult(job.rows_accepted, job.rows_created, job.rows_updated)
    if job.status != ImportStatus.IMPORTING:
        stored = UpsertResult()
        _save(job, status=ImportStatus.IMPORTING, started_at=timezone.now(), progress=0, error="")
    try:
        with job.file.open("rb") as handle:
            table = read_table(handle.read(import_max_bytes() + 1), job.kind, account_given=job.account_id is not None)
    except FileRefused as exc:
        _save(job, status=ImportStatus.FAILED, error=str(exc), finished_at=timezone.now(), progress=100)
        return job
    kind = KINDS[job.kind]
    numbers = [number for number, _row in table.rows]
    checked = (
        kind.check(
            [row for _number, row in table.rows],
            agency=job.agency,
            actor=None,
            default_account=job.account,
            numbers=numbers,
        )
        if table.rows
        else Checked()
    )
    # Problems found by the checks, and the rows refused while the file was read, in sheet order.
    errors = heapq.merge(
        ({"row": numbers[p.index], "field": p.field, "message": p.message} for p in checked.problems),
        table.refused,
        key=lambda error: error["row"],
    )
    _save(
        job,
        file_format=table.file_format,
        encoding=table.encoding,
        rows_total=len(table.rows) + table.rows_refused,
        rows_rejected=len(checked.rejected) + table.rows_refused,
        row_errors=list(itertools.islice(errors, IMPORT_ERRORS_KEPT)),
        progress=CHECK_PROGRESS,
    )
    total = UpsertResult()
    steps = list(chunks(checked.rows, IMPORT_CHUNK))
    done_before = _steps_stored(steps, stored)
    if done_before:
        total = stored
    user_id = job.requested_by_id
    for done, step in enumerate(steps, start=1):
        if done <= done_before:
            continue
        with transaction.atomic():
            total.add(kind.store(step, user_id=user_id))
            progress = CHECK_PROGRESS + (100 - CHECK_PROGRESS) * done // len(steps)
            DataImport.objects.filter(pk=job.pk).update(
                **_counts(total), progress=min(progress, 99), updated_at=timezone.now()
            )
    _save(
        job,
        **_counts(total),
        status=ImportStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    return job


def _steps_stored(steps: list, stored: UpsertResult) -> int:
    """How many of ``steps`` a run cut short committed, told by the rows it counted (each step
    commits its rows and the counts together); 0 when the count falls inside a step (the file
    checks differently now, e.g. an account was deleted since): then the import runs again from
    the start, its rows being upserts."""
    rows = 0
    for done, step in enumerate(steps, start=1):
        rows += len(step)
        if rows == stored.received:
            return done
        if rows > stored.received:
            break
    return 0


def _bulk_requests_store(job: DataImport) -> DataImport:
    """Store the bulk requests of ``job``'s agency and kind that wait, oldest first, up to and
    including ``job``: each in one transaction that holds the lock of the agency and kind, so
    requests are stored in the order they came in (a correction sent after the rows it corrects
    is stored after them), whichever task runs first. A request that fails is marked failed, with
    the error, and does not hold back the ones after it."""
    waiting = DataImport.objects.filter(
        kind=job.kind, file_format=JSON_BATCH, pk__lte=job.pk, status__in=(ImportStatus.QUEUED, ImportStatus.IMPORTING)
    ).order_by("pk")
    while True:
        oldest = None
        try:
            with transaction.atomic():
                transaction_lock(f"bulk-requests:{job.agency_id}:{job.kind}")
                oldest = waiting.select_related("account").first()
                if oldest is None:
                    break
                _bulk_request_store(oldest)
        except Exception as exc:
            if oldest is None:
                raise
            logger.exception("bulk request %s could not be stored", oldest.pk)
            error = _("The rows could not be stored (%(error)s).") % {"error": exc.__class__.__name__}
            _save(oldest, status=ImportStatus.FAILED, error=error, finished_at=timezone.now())
            if oldest.pk == job.pk:
                raise
        if oldest.pk == job.pk:
            break
    job.refresh_from_db()
    return job


def _bulk_request_store(job: DataImport) -> None:
    """Check the rows of a kept bulk request again (an account may have gone since) and store
    them, all in the caller's transaction."""
    started = timezone.now()
    try:
        with job.file.open("rb") as handle:
            table = read_batch(handle.read())
    except FileRefused as exc:
        _save(job, status=ImportStatus.FAILED, error=str(exc), started_at=started, finished_at=timezone.now())
        return
    kind = KINDS[job.kind]
    with collector_paused():
        checked = kind.check(
            [row for _number, row in table.rows], agency=job.agency, actor=None, default_account=job.account
        )
        total = kind.store(checked.rows, user_id=job.requested_by_id) if checked.rows else UpsertResult()
    _save(
        job,
        **_counts(total),
        rows_total=len(table.rows),
        rows_rejected=len(checked.rejected),
        row_errors=[
            {"row": p.index, "field": p.field, "message": p.message} for p in checked.problems[:IMPORT_ERRORS_KEPT]
        ],
        status=ImportStatus.DONE,
        progress=100,
        started_at=started,
        finished_at=timezone.now(),
    )


def _counts(total: UpsertResult) -> dict[str, int]:
    return {"rows_accepted": total.received, "rows_created": total.created, "rows_updated": total.updated}
