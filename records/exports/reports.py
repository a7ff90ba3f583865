"""The statistics (9 j) and work assessment (9 k) reports as CSV, XLSX and A4 PDF (portrait), with
their figures, tables and bar charts.
"""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agency.exports import safe_row, xlsx_cells, xml_text
from records.exports.common import cell_value, when_text
from records.exports.tables import PDF_FONT, grid_table, page_footer, para, pdf_styles, pdf_text, sheet_title
from records.models.reports import ReportStatus, StatisticsReport


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
                    cell_value(figure["value"]),
                    cell_value(figure.get("previous")),
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
        "when": when_text(report.generated_at),
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
    summary.title = sheet_title(_("Summary"))

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
            sheet = workbook.create_sheet(sheet_title(f"{sheet_number} {table['title']}"))
            append(sheet, table["columns"], *table["rows"])
        for chart_data in section["charts"]:
            sheet_number += 1
            sheet = workbook.create_sheet(sheet_title(f"{sheet_number} {chart_data['title']}"))
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

    styles = pdf_styles()
    title, subtitle = _report_heading(report)
    out = io.BytesIO()
    width = A4[0] - 30 * mm
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm, title=title
    )
    story = [para(title, styles["title"]), para(subtitle, styles["subtitle"])]
    if not report.has_data:
        story.append(para(no_data_message(), styles["banner"]))
    for section in report.data.get("sections", []):
        story.append(para(section["title"], styles["heading"]))
        figures = [
            [
                f["label"],
                cell_value(f["value"]),
                cell_value(f.get("previous")),
                "" if f.get("change_pct") is None else f"{f['change_pct']:+.1f}%",
            ]
            for f in section["figures"]
        ]
        if figures:
            story.append(grid_table(_figure_headers()[1:], figures, styles, width))
            story.append(Spacer(1, 4 * mm))
        for chart_data in section["charts"]:
            story.append(_bar_chart(chart_data, width, styles))
        for table in section["tables"]:
            story.append(para(table["title"], styles["body"]))
            if table["rows"]:
                story.append(grid_table(table["columns"], table["rows"], styles, width))
            else:
                story.append(para("—", styles["body"]))
            story.append(Spacer(1, 3 * mm))
        for note in section["notes"]:
            story.append(para(note, styles["body"]))
    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return out.getvalue()
