"""The conformance report as an A4 PDF: cover, summary, one section per chapter with each
clause's text, status and evidence, and the gaps with what would close them.

Chinese is set in reportlab's built-in CID font STSong-Light, so no font file is needed.
"""

from __future__ import annotations

import io
from collections import Counter
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from agency.conformance import ClauseStatus, Period, Status
from agency.standard import CHAPTERS, CLAUSES_BY_ID

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

STYLES = {
    "title": ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, spaceAfter=12),
    "h1": ParagraphStyle("h1", fontName=FONT, fontSize=14, leading=20, spaceBefore=10, spaceAfter=6),
    "h2": ParagraphStyle("h2", fontName=FONT, fontSize=11, leading=16, spaceBefore=8, spaceAfter=2),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=12, textColor=colors.HexColor("#52606d")),
}
STATUS_COLOURS = {
    Status.MET: "#1b7f4b",
    Status.NOT_MET: "#c53030",
    Status.NOT_APPLICABLE: "#616e7c",
    Status.NOT_IMPLEMENTED: "#b7791f",
}


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(str(text)), STYLES[style])


def _status(row: ClauseStatus) -> Paragraph:
    colour = STATUS_COLOURS[row.status]
    return Paragraph(f'<font color="{colour}">{escape(row.status_label)}</font>', STYLES["body"])


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawString(18 * mm, 10 * mm, "T/CASME 短视频平台代运营服务规范")
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
    canvas.restoreState()


def render_conformance_pdf(client, period: Period, results: list[ClauseStatus], language: str) -> bytes:
    with translation.override(language):
        return _render(client, period, results)


def _render(client, period: Period, results: list[ClauseStatus]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Conformance report"),
        author=client.agency.name,
    )
    story: list = [
        Spacer(1, 40 * mm),
        _p(_("Conformance report"), "title"),
        _p("T/CASME 短视频平台代运营服务规范", "h1"),
        Spacer(1, 10 * mm),
        _p(_("Client: %(name)s") % {"name": client.name}),
        _p(_("Operator: %(name)s") % {"name": client.agency.name}),
        _p(_("Period: %(start)s to %(end)s") % {"start": period.start, "end": period.end}),
        _p(_("Generated: %(when)s") % {"when": client.agency.now().strftime("%Y-%m-%d %H:%M")}),
        PageBreak(),
        _p(_("Summary"), "h1"),
    ]
    counts = Counter(row.status for row in results)
    summary = [[_p(_("Status")), _p(_("Clauses"))]] + [
        [_p(Status.LABELS[status]), _p(str(counts.get(status, 0)))]
        for status in (Status.MET, Status.NOT_MET, Status.NOT_APPLICABLE, Status.NOT_IMPLEMENTED)
    ]
    story.append(_table(summary, [90 * mm, 40 * mm]))

    chapter = None
    for row in results:
        clause = CLAUSES_BY_ID[row.clause_id]
        if clause.chapter != chapter:
            chapter = clause.chapter
            story.append(
                _p(_("Chapter %(number)s · %(title)s") % {"number": chapter, "title": CHAPTERS[chapter]}, "h1")
            )
        story.append(_p(f"{clause.id}  {clause.title}", "h2"))
        story.append(_p(_("Requirement: %(text)s") % {"text": clause.requirement}, "small"))
        story.append(
            _table([[_p(_("Status")), _status(row)], [_p(_("Finding")), _p(row.summary)]], [30 * mm, 144 * mm])
        )
        for item in row.evidence[:50]:
            story.append(_p(f"· {item.label}", "small"))
        if len(row.evidence) > 50:
            story.append(_p(_("… and %(count)d more records.") % {"count": len(row.evidence) - 50}, "small"))

    gaps = [row for row in results if row.status == Status.NOT_MET]
    story += [PageBreak(), _p(_("Gaps and what would close them"), "h1")]
    if not gaps:
        story.append(_p(_("No clause is unmet for this period.")))
    for row in gaps:
        clause = CLAUSES_BY_ID[row.clause_id]
        story.append(_p(f"{clause.id}  {clause.title}", "h2"))
        story.append(_p(_("Found: %(summary)s") % {"summary": row.summary}))
        story.append(_p(_("To close: %(text)s") % {"text": clause.requirement}))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _table(rows, widths) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d9e2ec")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
