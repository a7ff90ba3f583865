"""The record lists of clause 9 as exports: each list's rows, columns and filters (``DATASETS``),
read with the requester's scope and written in one of the three formats (``render_dataset``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from records import filters
from records.exports.common import Progress, cell_value, person_text, tick_text, when_text
from records.exports.tables import table_csv, table_pdf, table_xlsx
from records.models.assets import Asset, AssetCheckout
from records.models.audit import AuditEvent
from records.models.exports import DATASET_TITLES
from records.models.images import ImageRecord
from records.models.inspections import DailyInspection, InspectionFollowUp
from records.models.reports import StatisticsReport, WorkAssessmentReport
from records.models.usage import UsageRecord
from records.rules import INSPECTION_ITEMS

# Lists up to this many rows download at once (GET .../export/); longer ones go through an export
# job (POST /api/v1/export-jobs/), which a task makes while the page shows its progress.
EXPORT_INLINE_MAX_ROWS = 2000


def _item_getter(name: str) -> Callable:
    return lambda inspection: tick_text(getattr(inspection, name))


def _void(record) -> str:
    return f"{when_text(record.voided_at)} {record.void_reason}".strip() if record.voided_at else ""


@dataclass(frozen=True)
class Dataset:
    key: str
    model: type
    resource: str
    filterset: type
    columns: tuple[tuple[object, Callable], ...]
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("-id",)
    widths: dict[int, float] = field(default_factory=dict)

    @property
    def title(self):
        """The list's name (a lazy translation), named once beside the model of export jobs."""
        return DATASET_TITLES[self.key]


VOID_COLUMN = (gettext_lazy("Voided"), _void)
DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset(
            "assets",
            Asset,
            "asset",
            filters.AssetFilterSet,
            (
                (gettext_lazy("Identifier"), lambda a: a.identifier),
                (gettext_lazy("Name"), lambda a: a.name),
                (gettext_lazy("Kind"), lambda a: a.get_kind_display()),
                (gettext_lazy("Owner client"), lambda a: str(a.client or "")),
                (gettext_lazy("Account"), lambda a: str(a.account or "")),
                (gettext_lazy("Custodian"), lambda a: person_text(a.custodian)),
                (gettext_lazy("Location"), lambda a: a.location),
                (gettext_lazy("Condition"), lambda a: a.get_condition_display()),
                (gettext_lazy("Purchase date"), lambda a: when_text(a.purchase_date)),
                (gettext_lazy("Purchase value"), lambda a: a.purchase_value),
                VOID_COLUMN,
            ),
            ("client", "account", "custodian"),
            ("identifier",),
        ),
        Dataset(
            "asset_checkouts",
            AssetCheckout,
            "asset",
            filters.AssetCheckoutFilterSet,
            (
                (gettext_lazy("Asset"), lambda c: str(c.asset)),
                (gettext_lazy("Taken by"), lambda c: person_text(c.checked_out_by)),
                (gettext_lazy("Out at"), lambda c: when_text(c.checked_out_at)),
                (gettext_lazy("Purpose"), lambda c: c.purpose),
                (gettext_lazy("Due back"), lambda c: when_text(c.due_back)),
                (gettext_lazy("Back at"), lambda c: when_text(c.checked_in_at)),
                (gettext_lazy("Returned by"), lambda c: person_text(c.checked_in_by)),
                (gettext_lazy("Condition on return"), lambda c: c.get_condition_on_return_display()),
                (gettext_lazy("Return note"), lambda c: c.return_note),
                VOID_COLUMN,
            ),
            ("asset", "checked_out_by", "checked_in_by"),
            ("-checked_out_at", "-id"),
        ),
        Dataset(
            "inspections",
            DailyInspection,
            "inspection",
            filters.DailyInspectionFilterSet,
            (
                (gettext_lazy("Day"), lambda i: when_text(i.inspection_date)),
                (gettext_lazy("Client"), lambda i: str(i.client)),
                (gettext_lazy("Account"), lambda i: str(i.account)),
                (gettext_lazy("Status"), lambda i: i.get_status_display()),
                *((label, _item_getter(name)) for name, label in INSPECTION_ITEMS),
                (gettext_lazy("Problems found"), lambda i: i.problems),
                (gettext_lazy("Inspected by"), lambda i: person_text(i.inspected_by)),
                (gettext_lazy("Completed at"), lambda i: when_text(i.completed_at)),
                VOID_COLUMN,
            ),
            ("client", "account", "inspected_by"),
            ("-inspection_date", "account_id"),
        ),
        Dataset(
            "inspection_follow_ups",
            InspectionFollowUp,
            "inspection",
            filters.InspectionFollowUpFilterSet,
            (
                (gettext_lazy("Inspection"), lambda f: str(f.inspection)),
                (gettext_lazy("Client"), lambda f: str(f.client)),
                (gettext_lazy("Title"), lambda f: f.title),
                (gettext_lazy("Assignee"), lambda f: person_text(f.assignee)),
                (gettext_lazy("Due date"), lambda f: when_text(f.due_date)),
                (gettext_lazy("Status"), lambda f: f.get_status_display()),
                (gettext_lazy("Resolution"), lambda f: f.resolution),
                VOID_COLUMN,
            ),
            ("inspection__account", "client", "assignee"),
        ),
        Dataset(
            "usage_records",
            UsageRecord,
            "usage_record",
            filters.UsageRecordFilterSet,
            (
                (pgettext_lazy("start of a time span", "From"), lambda u: when_text(u.started_at)),
                (gettext_lazy("Until"), lambda u: when_text(u.ended_at)),
                (gettext_lazy("Used by"), lambda u: person_text(u.user)),
                (gettext_lazy("Purpose"), lambda u: u.get_purpose_display()),
                (gettext_lazy("Asset"), lambda u: str(u.asset or "")),
                (gettext_lazy("Account"), lambda u: str(u.account or "")),
                (gettext_lazy("Client"), lambda u: str(u.client or "")),
                (gettext_lazy("Note"), lambda u: u.note),
                VOID_COLUMN,
            ),
            ("user", "asset", "account", "client"),
            ("-started_at", "-id"),
        ),
        Dataset(
            "statistics_reports",
            StatisticsReport,
            "statistics_report",
            filters.StatisticsReportFilterSet,
            (
                (gettext_lazy("Client"), lambda r: str(r.client)),
                (gettext_lazy("Period"), lambda r: r.period_label),
                (gettext_lazy("Made"), lambda r: r.get_cadence_display()),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
                (gettext_lazy("Has data"), lambda r: tick_text(r.has_data)),
                (gettext_lazy("Generated at"), lambda r: when_text(r.generated_at)),
                VOID_COLUMN,
            ),
            ("client",),
            ("-period_start", "client_id", "-id"),
        ),
        Dataset(
            "assessment_reports",
            WorkAssessmentReport,
            "assessment_report",
            filters.WorkAssessmentReportFilterSet,
            (
                (gettext_lazy("About"), lambda r: str(r.client) if r.client_id else person_text(r.staff)),
                (gettext_lazy("Period"), lambda r: r.period_label),
                (gettext_lazy("Made"), lambda r: r.get_cadence_display()),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
                (gettext_lazy("Has data"), lambda r: tick_text(r.has_data)),
                (gettext_lazy("Generated at"), lambda r: when_text(r.generated_at)),
                VOID_COLUMN,
            ),
            ("client", "staff"),
            ("-period_start", "-id"),
        ),
        Dataset(
            "image_records",
            ImageRecord,
            "image_record",
            filters.ImageRecordFilterSet,
            (
                (gettext_lazy("Date"), lambda i: when_text(i.taken_on)),
                (gettext_lazy("Caption"), lambda i: i.caption),
                (gettext_lazy("Place"), lambda i: i.place),
                (gettext_lazy("Client"), lambda i: str(i.client or "")),
                (gettext_lazy("Linked record"), lambda i: i.linked_label),
                (gettext_lazy("Size (px)"), lambda i: f"{i.width}×{i.height}"),
                (gettext_lazy("Original file name"), lambda i: i.original_name),
                VOID_COLUMN,
            ),
            ("client",),
            ("-taken_on", "-id"),
        ),
        Dataset(
            "audit_events",
            AuditEvent,
            "audit_event",
            filters.AuditEventFilterSet,
            (
                (gettext_lazy("When"), lambda e: when_text(e.occurred_at)),
                (gettext_lazy("Who"), lambda e: person_text(e.user) or "—"),
                (gettext_lazy("Channel"), lambda e: e.channel),
                (gettext_lazy("Action"), lambda e: e.get_action_display()),
                (gettext_lazy("Record type"), lambda e: e.model_label),
                (gettext_lazy("Record id"), lambda e: e.object_pk),
                (gettext_lazy("Changes"), lambda e: describe_changes(e)),
            ),
            ("user",),
            ("-occurred_at", "-id"),
        ),
    )
}


# Columns that are kept out of the changes shown in a trail export (they change on every save).
QUIET_COLUMNS = {"updated_at", "created_at", "agency_id"}


def describe_changes(event: AuditEvent, limit: int = 400) -> str:
    parts = []
    for name, old, new in event.change_rows():
        if name in QUIET_COLUMNS:
            continue
        if event.action == "update":
            parts.append(f"{name}: {_short(old)} → {_short(new)}")
        else:
            parts.append(f"{name}: {_short(new if event.action == 'insert' else old)}")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def validated_filters(spec: Dataset, query: dict, actor) -> dict:
    """The filters of an export, as the list's filterset reads them; unknown keys are dropped,
    invalid values are refused with the field named."""
    known = {key: value for key, value in (query or {}).items() if key in spec.filterset.base_filters}
    filterset = spec.filterset(known, queryset=spec.model.objects.visible_to(actor), actor=actor)
    if not filterset.is_valid():
        raise ValidationError({f"query.{k}": v for k, v in filterset.errors.items()})
    return {key: str(value) for key, value in known.items()}


def dataset_queryset(spec: Dataset, query: dict, actor):
    filterset = spec.filterset(query or {}, queryset=spec.model.objects.visible_to(actor), actor=actor)
    if not filterset.is_valid():
        raise ValidationError({f"query.{k}": v for k, v in filterset.errors.items()})
    return filterset.qs.select_related(*spec.select_related).order_by(*spec.ordering)


def dataset_rows(spec: Dataset, queryset, progress: Progress | None = None) -> Iterator[list]:
    """The rows of a list, read in chunks (a server-side cursor on PostgreSQL). The cursor is
    closed as soon as the rows stop, whether they ran out, failed or were abandoned (``close()``,
    which ``render_dataset`` calls). Left to the garbage collector after a failed export, its
    ``CLOSE`` would run later, in whatever transaction is open then (another request's, say):
    the cursor died with its own transaction, so that ``CLOSE`` fails ("cursor does not exist")
    and aborts the transaction it ran in ("current transaction is aborted")."""
    total = queryset.count()
    objects = queryset.iterator(chunk_size=500)
    try:
        for index, obj in enumerate(objects, start=1):
            yield [cell_value(getter(obj)) for _label, getter in spec.columns]
            if progress is not None:
                progress(index, total)
    finally:
        objects.close()


def render_dataset(spec: Dataset, fmt: str, query: dict, actor, progress: Progress | None = None) -> tuple[bytes, int]:
    """The file of a record list, and how many rows it holds."""
    queryset = dataset_queryset(spec, query, actor)
    headers = [str(label) for label, _getter in spec.columns]
    counter = _Counter()
    source = dataset_rows(spec, queryset, progress)
    rows = counter.wrap(source)
    title = str(spec.title)
    subtitle = _("%(agency)s · exported %(when)s · filters: %(filters)s") % {
        "agency": actor.agency.name,
        "when": actor.agency.now().strftime("%Y-%m-%d %H:%M"),
        "filters": ", ".join(f"{k}={v}" for k, v in sorted((query or {}).items())) or "—",
    }
    try:
        if fmt == "csv":
            content = table_csv(headers, rows)
        elif fmt == "xlsx":
            content = table_xlsx(title, headers, rows)
        elif fmt == "pdf":
            content = table_pdf(title, subtitle, headers, rows)
        else:
            raise ValidationError({"format": _("Choose CSV, XLSX or PDF.")})
    finally:
        rows.close()
        source.close()  # the cursor, now, in this transaction (see dataset_rows)
    return content, counter.count


class _Counter:
    def __init__(self):
        self.count = 0

    def wrap(self, rows):
        for row in rows:
            self.count += 1
            yield row
