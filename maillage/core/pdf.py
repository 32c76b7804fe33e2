"""A4 documents with reportlab's platypus: the shared styles, text escaping, grid tables and
the page footer of every PDF the platform prints (PPS, access reports...)."""

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

# The standard PDF fonts (Helvetica) use WinAnsi (cp1252): French letters, œ, ’, « » and
# the dashes are in it; a few signs a label may carry are not and get a text fallback.
_FALLBACKS = {"≥": ">=", "≤": "<=", "→": "->", "≠": "!=", "\u202f": " ", "\u2009": " "}


def plain(value) -> str:
    text = "".join(_FALLBACKS.get(c, c) for c in str(value))
    return text.encode("cp1252", errors="replace").decode("cp1252")


def text(value) -> str:
    """Text for a platypus Paragraph, which reads a small XML markup."""
    return escape(plain(value))


@dataclass
class Styles:
    body: object
    small: object
    head: object
    title: object
    h2: object
    h3: object
    width: float


def styles() -> Styles:
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm

    base = getSampleStyleSheet()
    body = ParagraphStyle("m-body", parent=base["BodyText"], fontSize=9.5, leading=12,
                          alignment=TA_LEFT)  # fmt: skip
    small = ParagraphStyle("m-small", parent=body, fontSize=8.5, leading=10.5)
    return Styles(
        body=body,
        small=small,
        head=ParagraphStyle("m-head", parent=small, fontName="Helvetica-Bold"),
        title=ParagraphStyle("m-title", parent=base["Title"], fontSize=17, leading=21,
                             alignment=TA_LEFT, spaceAfter=2 * mm),  # fmt: skip
        h2=ParagraphStyle("m-h2", parent=base["Heading2"], fontSize=13, leading=16,
                          spaceBefore=5 * mm, spaceAfter=2 * mm),  # fmt: skip
        h3=ParagraphStyle("m-h3", parent=base["Heading3"], fontSize=10.5, leading=13,
                          spaceBefore=3 * mm, spaceAfter=1 * mm),  # fmt: skip
        width=A4[0] - 30 * mm,
    )


def para(value, style):
    from reportlab.platypus import Paragraph

    return Paragraph(text(value), style)


def grid(header, rows, widths, *, style: Styles, empty: str):
    """A table with a grey header row repeated on every page; `widths` are fractions."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    if not rows:
        return para(empty, style.small)
    data = [[para(h, style.head) for h in header]]
    data += [[c if isinstance(c, Paragraph) else para(c, style.small) for c in row]
             for row in rows]  # fmt: skip
    table = Table(data, colWidths=[w * style.width for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))  # fmt: skip
    return table


def build(story, *, title: str, author: str, footer: str) -> bytes:
    """The PDF bytes, each page footed with `footer` and its number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    footer = plain(footer)

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(15 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=18 * mm, title=plain(title), author=plain(author),
    )  # fmt: skip
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
