"""Clause 9, "paper or electronic": every record list and every report as CSV, XLSX or PDF.

CSV is UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right); XLSX is
written row by row (constant memory for long lists); PDF is A4 (lists in landscape, reports in
portrait) set in the Adobe CID font STSong-Light, which every PDF reader carries, so Chinese text
renders without any font installed on the server.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from agency.exports import safe_row, xlsx_cells, xml_text
from records import filters
from records.models import (
    INSPECTION_ITEMS,
    Asset,
    AssetCheckout,
    AuditEvent,
    DailyInspection,
    ImageRecord,
    InspectionFollowUp,
    ReportStatus,
    StatisticsReport,
    UsageRecord,
    WorkAssessmentReport,
)

# Lists up to this many rows download at once (GET .../export/); longer ones go through an export
# job (POST /api/v1/export-jobs/), which a task makes while the page shows its progress.
EXPORT_INLINE_MAX_ROWS = 2000
PDF_FONT = "STSong-Light"
# Characters the CID font has no glyph for, and the ones it shows instead.
PDF_GLYPHS = str.maketrans({"·": "・", "•": "・", "✓": "√", "✗": "×", "∅": "—"})

Progress = Callable[[int, int], None]


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _when(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _tick(value) -> str:
    return {True: "√", False: "×"}.get(value, "—")


def _item_getter(name: str) -> Callable:
    return lambda inspection: _tick(getattr(inspection, name))


def _void(record) -> str:
    return f"{_when(record.voided_at)} {record.void_reason}".strip() if record.voided_at else ""


@dataclass(frozen=True)
class Dataset:
    key: str
    title: object  # a lazy translation
    model: type
    resource: str
    filterset: type
    columns: tuple[tuple[object, Callable], ...]
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("-id",)
    widths: dict[int, float] = field(default_factory=dict)


VOID_COLUMN = (gettext_lazy("Voided"), _void)

DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset(
            "assets",
            gettext_lazy("Assets"),
            Asset,
            "asset",
            filters.AssetFilterSet,
            (
                (gettext_lazy("Identifier"), lambda a: a.identifier),
                (gettext_lazy("Name"), lambda a: a.name),
                (gettext_lazy("Kind"), lambda a: a.get_kind_display()),
                (gettext_lazy("Owner client"), lambda a: str(a.client or "")),
                (gettext_lazy("Account"), lambda a: str(a.account or "")),
                (gettext_lazy("Custodian"), lambda a: _person(a.custodian)),
                (gettext_lazy("Location"), lambda a: a.location),
                (gettext_lazy("Condition"), lambda a: a.get_condition_display()),
                (gettext_lazy("Purchase date"), lambda a: _when(a.purchase_date)),
                (gettext_lazy("Purchase value"), lambda a: a.purchase_value),
                VOID_COLUMN,
            ),
            ("client", "account", "custodian"),
            ("identifier",),
        ),
        Dataset(
            "asset_checkouts",
            gettext_lazy("Asset check-outs"),
            AssetCheckout,
            "asset",
            filters.AssetCheckoutFilterSet,
            (
                (gettext_lazy("Asset"), lambda c: str(c.asset)),
                (gettext_lazy("Taken by"), lambda c: _person(c.checked_out_by)),
                (gettext_lazy("Out at"), lambda c: _when(c.checked_out_at)),
                (gettext_lazy("Purpose"), lambda c: c.purpose),
                (gettext_lazy("Due back"), lambda c: _when(c.due_back)),
                (gettext_lazy("Back at"), lambda c: _when(c.checked_in_at)),
                (gettext_lazy("Returned by"), lambda c: _person(c.checked_in_by)),
                (gettext_lazy("Condition on return"), lambda c: c.get_condition_on_return_display()),
                (gettext_lazy("Return note"), lambda c: c.return_note),
                VOID_COLUMN,
            ),
            ("asset", "checked_out_by", "checked_in_by"),
            ("-checked_out_at", "-id"),
        ),
        Dataset(
            "inspections",
            gettext_lazy("Daily inspections"),
            DailyInspection,
            "inspection",
            filters.DailyInspectionFilterSet,
            (
                (gettext_lazy("Day"), lambda i: _when(i.inspection_date)),
                (gettext_lazy("Client"), lambda i: str(i.client)),
                (gettext_lazy("Account"), lambda i: str(i.account)),
                (gettext_lazy("Status"), lambda i: i.get_status_display()),
                *((label, _item_getter(name)) for name, label in INSPECTION_ITEMS),
                (gettext_lazy("Problems found"), lambda i: i.problems),
                (gettext_lazy("Inspected by"), lambda i: _person(i.inspected_by)),
                (gettext_lazy("Completed at"), lambda i: _when(i.completed_at)),
                VOID_COLUMN,
            ),
            ("client", "account", "inspected_by"),
            ("-inspection_date", "account_id"),
        ),
        Dataset(
            "inspection_follow_ups",
            gettext_lazy("Inspection follow-ups"),
            InspectionFollowUp,
            "inspection",
            filters.InspectionFollowUpFilterSet,
            (
                (gettext_lazy("Inspection"), lambda f: str(f.inspection)),
                (gettext_lazy("Client"), lambda f: str(f.client)),
                (gettext_lazy("Title"), lambda f: f.title),
                (gettext_lazy("Assignee"), lambda f: _person(f.assignee)),
                (gettext_lazy("Due date"), lambda f: _when(f.due_date)),
                (gettext_lazy("Status"), lambda f: f.get_status_display()),
                (gettext_lazy("Resolution"), lambda f: f.resolution),
                VOID_COLUMN,
            ),
            ("inspection__account", "client", "assignee"),
        ),
        Dataset(
            "usage_records",
            gettext_lazy("Usage records"),
            UsageRecord,
            "usage_record",
            filters.UsageRecordFilterSet,
            (
                (pgettext_lazy("start of a time span", "From"), lambda u: _when(u.started_at)),
                (gettext_lazy("Until"), lambda u: _when(u.ended_at)),
                (gettext_lazy("Used by"), lambda u: _person(u.user)),
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
            gettext_lazy("Data statistics reports"),
            StatisticsReport,
            "statistics_report",
            filters.StatisticsReportFilterSet,
            (
                (gettext_lazy("Client"), lambda r: str(r.client)),
                (gettext_lazy("Period"), lambda r: r.period_label),
                (gettext_lazy("Made"), lambda r: r.get_cadence_display()),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
                (gettext_lazy("Has data"), lambda r: _tick(r.has_data)),
                (gettext_lazy("Generated at"), lambda r: _when(r.generated_at)),
                VOID_COLUMN,
            ),
            ("client",),
            ("-period_start", "client_id", "-id"),
        ),
        Dataset(
            "assessment_reports",
            gettext_lazy("Work assessment reports"),
            WorkAssessmentReport,
            "assessment_report",
            filters.WorkAssessmentReportFilterSet,
            (
                (gettext_lazy("About"), lambda r: str(r.client) if r.client_id else _person(r.staff)),
                (gettext_lazy("Period"), lambda r: r.period_label),
                (gettext_lazy("Made"), lambda r: r.get_cadence_display()),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
                (gettext_lazy("Has data"), lambda r: _tick(r.has_data)),
                (gettext_lazy("Generated at"), lambda r: _when(r.generated_at)),
                VOID_COLUMN,
            ),
            ("client", "staff"),
            ("-period_start", "-id"),
        ),
        Dataset(
            "image_records",
            gettext_lazy("Image records"),
            ImageRecord,
            "image_record",
            filters.ImageRecordFilterSet,
            (
                (gettext_lazy("Date"), lambda i: _when(i.taken_on)),
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
            gettext_lazy("Audit trail"),
            AuditEvent,
            "audit_event",
            filters.AuditEventFilterSet,
            (
                (gettext_lazy("When"), lambda e: _when(e.occurred_at)),
                (gettext_lazy("Who"), lambda e: _person(e.user) or "—"),
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


# --- filters --------------------------------------------------------------------------------------


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


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


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
            yield [_cell(getter(obj)) for _label, getter in spec.columns]
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
        "when": timezone.localtime(timezone.now(), actor.agency.tz).strftime("%Y-%m-%d %H:%M"),
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


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


# --- the three formats -----------------------------------------------------------------------------


def table_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(headers))
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        sheet.column_dimensions[_column_letter(index)].width = max(10, min(40, len(header) * 2 + 4))
    header_cells = xlsx_cells(sheet, headers)
    for cell in header_cells:
        cell.font = Font(bold=True)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in xml_text(str(title)) if ch not in "[]:*?/\\")
    return cleaned[:31] or "Sheet"


def _pdf_styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    base = {"fontName": PDF_FONT, "wordWrap": "CJK", "textColor": colors.HexColor("#1f2933")}
    return {
        "title": ParagraphStyle("title", fontSize=16, leading=22, spaceAfter=4, **base),
        "subtitle": ParagraphStyle(
            "subtitle", fontSize=9, leading=12, spaceAfter=8, **{**base, "textColor": colors.HexColor("#616e7c")}
        ),
        "heading": ParagraphStyle("heading", fontSize=12, leading=16, spaceBefore=10, spaceAfter=4, **base),
        "cell": ParagraphStyle("cell", fontSize=8, leading=10, **base),
        "head": ParagraphStyle("head", fontSize=8, leading=10, **{**base, "textColor": colors.white}),
        "body": ParagraphStyle("body", fontSize=9, leading=13, **base),
        "banner": ParagraphStyle(
            "banner",
            fontSize=11,
            leading=15,
            spaceBefore=6,
            spaceAfter=6,
            **{**base, "textColor": colors.HexColor("#b7791f")},
        ),
    }


def _para(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(pdf_text(text)).replace("\n", "<br/>"), style)


def pdf_text(text) -> str:
    return str(text).translate(PDF_GLYPHS)


def _footer(canvas, doc) -> None:
    from reportlab.lib.units import mm

    canvas.saveState()
    canvas.setFont(PDF_FONT, 7)
    canvas.drawRightString(doc.pagesize[0] - 12 * mm, 7 * mm, f"{doc.page}")
    canvas.drawString(12 * mm, 7 * mm, pdf_text(doc.title or ""))
    canvas.restoreState()


def _column_widths(headers, rows, width: float) -> list[float]:
    """Each column as wide as its longest text (headers and a sample of rows, measured in the
    font), within bounds, then scaled to fill the page's width; long texts wrap."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if not headers:
        return []
    sample = rows[:200]
    natural = []
    for index, header in enumerate(headers):
        # a header may wrap between its words; a value keeps its lines whole where it can
        head = max((stringWidth(word, PDF_FONT, 8) for word in str(header).split()), default=0)
        cells = (stringWidth(line, PDF_FONT, 8) for row in sample for line in str(row[index]).splitlines())
        longest = max([head, *cells])
        natural.append(min(max(longest + 8, 28), width * 0.35))
    scale = width / sum(natural)
    return [w * scale for w in natural]


def _grid_table(headers, rows, styles, width):
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    widths = _column_widths(headers, rows, width)
    data = [[_para(h, styles["head"]) for h in headers]]
    data += [[_para(value, styles["cell"]) for value in row] for row in rows]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#8e0f42")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d9e2ec")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def table_pdf(title: str, subtitle: str, headers: list[str], rows: Iterable[list]) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    styles = _pdf_styles()
    out = io.BytesIO()
    pagesize = landscape(A4)
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=title,
    )
    rows = list(rows)
    story = [_para(title, styles["title"]), _para(subtitle, styles["subtitle"])]
    if rows:
        story.append(_grid_table(headers, rows, styles, pagesize[0] - 24 * mm))
    else:
        story.append(_para(_("No records match."), styles["banner"]))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


# --- reports (9 j, 9 k) ---------------------------------------------------------------------------


def report_ready(report) -> None:
    if report.status != ReportStatus.READY:
        raise ValidationError(
            {"status": _("The report is not ready yet (%(status)s).") % {"status": report.get_status_display()}}
        )


def report_filename(report, fmt: str) -> str:
    kind = "statistics" if isinstance(report, StatisticsReport) else "assessment"
    return f"{kind}-{report.pk}-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.{fmt}"


def _figure_rows(data: dict) -> list[list]:
    rows = []
    for section in data.get("sections", []):
        for figure in section["figures"]:
            change = figure.get("change_pct")
            rows.append(
                [
                    section["title"],
                    figure["label"],
                    _cell(figure["value"]),
                    _cell(figure.get("previous")),
                    "" if change is None else f"{change:+.1f}%",
                ]
            )
    return rows


def _figure_headers() -> list[str]:
    return [_("Section"), _("Figure"), _("This period"), _("Previous period"), _("Change (%)")]


def _report_heading(report) -> tuple[str, str]:
    data = report.data or {}
    title = f"{data.get('title', '')} · {data.get('subject', '')}"
    previous = data.get("previous_period") or ["", ""]
    subtitle = _(
        "%(agency)s · period %(start)s – %(end)s (compared with %(pstart)s – %(pend)s) · generated %(when)s"
    ) % {
        "agency": report.agency.name,
        "start": report.period_start.isoformat(),
        "end": report.period_end.isoformat(),
        "pstart": previous[0],
        "pend": previous[1],
        "when": _when(report.generated_at),
    }
    return title, subtitle


def render_report(report, fmt: str) -> bytes:
    report_ready(report)
    if fmt == "csv":
        return report_csv(report)
    if fmt == "xlsx":
        return report_xlsx(report)
    if fmt == "pdf":
        return report_pdf(report)
    raise ValidationError({"format": _("Choose CSV, XLSX or PDF.")})


def no_data_message() -> str:
    return _("No data for this period: nothing was recorded for it. The report says so rather than show empty figures.")


def report_csv(report) -> bytes:
    title, subtitle = _report_heading(report)
    out = io.StringIO()
    writer = csv.writer(out)

    def write(*rows):
        writer.writerows(safe_row(row) for row in rows)

    write([title], [subtitle])
    if not report.has_data:
        write([no_data_message()])
    write([], _figure_headers(), *_figure_rows(report.data))
    for section in report.data.get("sections", []):
        for table in section["tables"]:
            write([], [f"{section['title']} · {table['title']}"], table["columns"], *table["rows"])
        for note in section["notes"]:
            write([note])
    return out.getvalue().encode("utf-8-sig")


def report_xlsx(report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    title, subtitle = _report_heading(report)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _sheet_title(_("Summary"))

    def append(sheet, *rows):
        for row in rows:
            sheet.append(xlsx_cells(sheet, row))

    append(summary, [title], [subtitle])
    summary["A1"].font = Font(bold=True, size=14)
    if not report.has_data:
        append(summary, [no_data_message()])
    append(summary, [], _figure_headers(), *_figure_rows(report.data))
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 40
    sheet_number = 0
    for section in report.data.get("sections", []):
        for table in section["tables"]:
            sheet_number += 1
            sheet = workbook.create_sheet(_sheet_title(f"{sheet_number} {table['title']}"))
            append(sheet, table["columns"], *table["rows"])
        for chart_data in section["charts"]:
            sheet_number += 1
            sheet = workbook.create_sheet(_sheet_title(f"{sheet_number} {chart_data['title']}"))
            append(sheet, [_("Label"), _("Value")])
            append(sheet, *zip(chart_data["labels"], chart_data["values"], strict=False))
            chart = BarChart()
            chart.title = xml_text(str(chart_data["title"]))
            chart.legend = None
            count = len(chart_data["labels"])
            chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=count + 1), titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=count + 1))
            sheet.add_chart(chart, "D2")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _bar_chart(chart_data: dict, width: float, styles):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    height = 170
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, pdf_text(chart_data["title"]), fontName=PDF_FONT, fontSize=9))
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 30
    chart.width, chart.height = width - 40, height - 55
    values = [float(v or 0) for v in chart_data["values"]] or [0.0]
    chart.data = [values]
    labels = chart_data["labels"]
    step = max(1, len(labels) // 16)
    chart.categoryAxis.categoryNames = [pdf_text(label) if i % step == 0 else "" for i, label in enumerate(labels)]
    chart.categoryAxis.labels.fontName = PDF_FONT
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30 if len(labels) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 8 else "n"
    chart.valueAxis.labels.fontName = PDF_FONT
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#c2185b")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def report_pdf(report) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    styles = _pdf_styles()
    title, subtitle = _report_heading(report)
    out = io.BytesIO()
    width = A4[0] - 30 * mm
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm, title=title
    )
    story = [_para(title, styles["title"]), _para(subtitle, styles["subtitle"])]
    if not report.has_data:
        story.append(_para(no_data_message(), styles["banner"]))
    for section in report.data.get("sections", []):
        story.append(_para(section["title"], styles["heading"]))
        figures = [
            [
                f["label"],
                _cell(f["value"]),
                _cell(f.get("previous")),
                "" if f.get("change_pct") is None else f"{f['change_pct']:+.1f}%",
            ]
            for f in section["figures"]
        ]
        if figures:
            story.append(_grid_table(_figure_headers()[1:], figures, styles, width))
            story.append(Spacer(1, 4 * mm))
        for chart_data in section["charts"]:
            story.append(_bar_chart(chart_data, width, styles))
        for table in section["tables"]:
            story.append(_para(table["title"], styles["body"]))
            if table["rows"]:
                story.append(_grid_table(table["columns"], table["rows"], styles, width))
            else:
                story.append(_para("—", styles["body"]))
            story.append(Spacer(1, 3 * mm))
        for note in section["notes"]:
            story.append(_para(note, styles["body"]))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()
