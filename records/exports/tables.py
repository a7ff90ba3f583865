"""The three formats of a table: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
the Chinese right), XLSX (written row by row: constant memory for long lists) and A4 PDF set in the
Adobe CID font STSong-Light, which every PDF reader carries, so Chinese text renders without any
font installed on the server.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from agency.exports import safe_row, xlsx_cells, xml_text

PDF_FONT = "STSong-Light"


# Characters the CID font has no glyph for, and the ones it shows instead.
PDF_GLYPHS = str.maketrans({"·": "・", "•": "・", "✓": "√", "✗": "×", "∅": "—"})
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


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
    sheet = workbook.create_sheet(sheet_title(title))
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


def sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in xml_text(str(title)) if ch not in "[]:*?/\\")
    return cleaned[:31] or "Sheet"


def pdf_styles():
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


def para(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(pdf_text(text)).replace("\n", "<br/>"), style)


def pdf_text(text) -> str:
    return str(text).translate(PDF_GLYPHS)


def page_footer(canvas, doc) -> None:
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


def grid_table(headers, rows, styles, width):
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    widths = _column_widths(headers, rows, width)
    data = [[para(h, styles["head"]) for h in headers]]
    data += [[para(value, styles["cell"]) for value in row] for row in rows]
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

    styles = pdf_styles()
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
    story = [para(title, styles["title"]), para(subtitle, styles["subtitle"])]
    if rows:
        story.append(grid_table(headers, rows, styles, pagesize[0] - 24 * mm))
    else:
        story.append(para(_("No records match."), styles["banner"]))
    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return out.getvalue()
