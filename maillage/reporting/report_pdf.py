"""The annual report as a PDF (reportlab, through core.pdf's styles and grids): a cover,
a table of contents, one section per mission (comment, status, indicator grid and its bar
chart, actions, proofs), the totals; every page footed "page N / M".

The table of contents is reportlab's: `multiBuild` lays the document out until the page
numbers it gathered stop moving. The total page count is only known once every page is
laid out, so the page footers are drawn when the canvas is saved (`_NumberedCanvas`).
Every text a person typed goes through core.pdf.text/para (escaped, cp1252-safe).
"""

from __future__ import annotations

import io

from maillage.core import pdf

from . import report_format as fmt


def _doc_classes(footer: str):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    footer = pdf.plain(footer)

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.saveState()
                self.setFont("Helvetica", 7.5)
                self.drawString(15 * mm, 10 * mm, footer)
                self.drawRightString(A4[0] - 15 * mm, 10 * mm,
                                     f"page {self._pageNumber} / {total}")  # fmt: skip
                self.restoreState()
                super().showPage()
            super().save()

    class Doc(BaseDocTemplate):
        def __init__(self, buffer, **kwargs):
            super().__init__(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                             topMargin=15 * mm, bottomMargin=18 * mm, **kwargs)  # fmt: skip
            frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height,
                          id="body")  # fmt: skip
            self.addPageTemplates([PageTemplate(id="page", frames=[frame])])

        def afterFlowable(self, flowable):
            level = getattr(flowable, "toc_level", None)
            if level is None:
                return
            key = flowable.toc_key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level)
            self.notify("TOCEntry", (level, flowable.getPlainText(), self.page, key))

    return Doc, NumberedCanvas


def _heading(value, style, level: int, key: str):
    paragraph = pdf.para(value, style)
    paragraph.toc_level = level
    paragraph.toc_key = key
    return paragraph


def chart(indicators: list[dict], width: float):
    """Grouped bars, achieved against target, one group per indicator (numbered as in the
    grid); None when no indicator has a figure to draw."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    achieved = [fmt.decimal(i.get("value")) for i in indicators]
    targets = [fmt.target_value(i) for i in indicators]
    if not any(v is not None for v in achieved + targets):
        return None
    height = 170
    drawing = Drawing(width, height)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 40, 40, width - 60, height - 70
    bars.data = [[float(v or 0) for v in achieved], [float(v or 0) for v in targets]]
    bars.categoryAxis.categoryNames = [str(n) for n in range(1, len(indicators) + 1)]
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = min(0, *bars.data[0], *bars.data[1])
    bars.bars[0].fillColor = colors.HexColor("#000091")
    bars.bars[1].fillColor = colors.HexColor("#b0b0b0")
    bars.barSpacing = 1
    bars.groupSpacing = 8
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = 40, height - 8
    legend.fontSize = 7
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.alignment = "right"
    legend.colorNamePairs = [
        (bars.bars[0].fillColor, "Atteint"),
        (bars.bars[1].fillColor, "Cible (ou palier le plus haut)"),
    ]
    drawing.add(legend)
    drawing.add(String(40, 22, "Indicateurs numérotés comme dans le tableau ci-dessus.",
                       fontSize=7))  # fmt: skip
    return drawing


def _facts(rows, style):
    from reportlab.platypus import Table, TableStyle

    table = Table([[pdf.para(k, style.head), pdf.para(v, style.body)] for k, v in rows],
                  colWidths=[0.35 * style.width, 0.65 * style.width])  # fmt: skip
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _comment(text: str, style):
    from reportlab.platypus import Paragraph

    if not text:
        return [pdf.para("Pas de commentaire de la coordination.", style.small)]
    return [Paragraph(pdf.text(line) or "&nbsp;", style.body) for line in text.split("\n")]


def _indicator_grid(indicators: list[dict], style):
    from reportlab.platypus import Paragraph

    rows = []
    for n, item in enumerate(indicators, 1):
        label = [pdf.text(item["label"])]
        if item.get("definition"):
            label.append(f'<font size="7.5">{pdf.text(item["definition"])}</font>')
        source = item.get("source_text") or item.get("source_label") or ""
        value = fmt.value_text(item)
        if item.get("value") is None and item.get("missing"):
            value += f' <font size="7.5">({pdf.text(item["missing"])})</font>'
        else:
            value = pdf.text(value)
        rows.append([
            str(n), Paragraph("<br/>".join(label), style.small), source,
            fmt.number(item.get("baseline")), fmt.rule_text(item),
            Paragraph(value, style.small),
            f"{fmt.euros(item.get('earned'))} / {fmt.euros(item.get('maximum'))}",
            fmt.next_step_text(item),
        ])  # fmt: skip
    return pdf.grid(
        ["n°", "Indicateur", "Source", "Référence", "Cible ou paliers", "Atteint",
         "Gagné / maximum", "Prochaine étape"], rows,
        [0.05, 0.21, 0.14, 0.10, 0.15, 0.09, 0.13, 0.13], style=style,
        empty="Aucun indicateur de la part variable pour cette mission.",
    )  # fmt: skip


def _proofs_grid(proofs: list[dict], style):
    rows = [[p["label"], p.get("kind_label", ""), f"{p['have']} / {p['expected']}",
             "ok" if p["ok"] else "manquant",
             "; ".join(x for x in [p.get("detail", ""), ", ".join(p.get("files") or [])] if x)]
            for p in proofs]  # fmt: skip
    return pdf.grid(["Preuve demandée", "Nature", "Obtenu / attendu", "État", "Détail"], rows,
                    [0.34, 0.16, 0.12, 0.10, 0.28], style=style,
                    empty="Aucune preuve demandée pour cette mission.")  # fmt: skip


def _story(data: dict, *, version, sent_at):
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Spacer
    from reportlab.platypus.tableofcontents import TableOfContents

    style = pdf.styles()
    cpts, contract, totals = data["cpts"], data["contract"], data["totals"]
    year = data["year"]
    story = [
        Spacer(1, 35 * mm), pdf.para(cpts["name"], style.h2),
        pdf.para("Rapport d'activité — contrat ACI", style.title),
        pdf.para(f"Année {year} du contrat : du {fmt.date(data['start'])} au "
                 f"{fmt.date(data['end'])}", style.h2),
        Spacer(1, 8 * mm),
        _facts([
            ("Contrat signé le", fmt.date(contract["signed_on"])),
            ("Taille de la CPTS", str(contract["size_class"])),
            ("Version", f"version {version}" if version else "brouillon (non enregistré)"),
            ("Chiffres arrêtés le", fmt.date(data["today"])),
            ("Envoyée à la CPAM le", fmt.date(sent_at) if sent_at else "non envoyée"),
        ], style),
        PageBreak(),
        pdf.para("Sommaire", style.h2),
    ]  # fmt: skip
    toc = TableOfContents()
    toc.levelStyles = [style.body, style.small]
    toc.dotsMinLevel = 0
    story += [toc, PageBreak()]
    story += [_heading("Introduction", style.h2, 0, "general"), *_comment(data["comment"], style)]
    for warning in data.get("warnings") or []:
        story.append(pdf.para(f"Attention : {warning}", style.small))
    story.append(pdf.grid(
        ["Mission", "État", "Part fixe", "Part variable gagnée", "Part variable maximale"],
        [[m["label"], m["status_label"], fmt.euros(m["fixed"]), fmt.euros(m["variable_earned"]),
          fmt.euros(m["variable"])] for m in data["missions"]],
        [0.34, 0.14, 0.16, 0.18, 0.18], style=style, empty="Aucune mission retenue au contrat.",
    ))  # fmt: skip
    for m in data["missions"]:
        code = m["code"]
        story += [PageBreak(), _heading(m["label"], style.h2, 0, f"m-{code}")]
        story += [_heading("Commentaire de la coordination", style.h3, 1, f"m-{code}-c"),
                  *_comment(m["comment"], style)]  # fmt: skip
        facts = [
            ("État", m["status_label"]),
            ("Démarrée le", fmt.date(m["started_on"]) or "—"),
            ("Déployée le", fmt.date(m["deployed_on"]) or "—"),
        ]
        if m.get("start_by"):
            facts.append(("Échéances de l'avenant", f"démarrage au plus tard le "
                          f"{fmt.date(m['start_by'])}, déploiement le "
                          f"{fmt.date(m['deployed_by'])}"))  # fmt: skip
        facts += [("Part fixe de l'année", fmt.euros(m["fixed"])),
                  ("Part variable", f"{fmt.euros(m['variable_earned'])} gagnés sur "
                   f"{fmt.euros(m['variable'])}")]  # fmt: skip
        if m.get("status_note"):
            facts.append(("Remarque", m["status_note"]))
        story += [_heading("État de la mission", style.h3, 1, f"m-{code}-s"),
                  _facts(facts, style)]  # fmt: skip
        for warning in m.get("warnings") or []:
            story.append(pdf.para(f"Attention : {warning}", style.small))
        story += [_heading("Indicateurs", style.h3, 1, f"m-{code}-i"),
                  _indicator_grid(m["indicators"], style)]  # fmt: skip
        drawing = chart(m["indicators"], style.width)
        if drawing is not None:
            story += [Spacer(1, 3 * mm), KeepTogether([drawing])]
        story.append(_heading("Actions", style.h3, 1, f"m-{code}-a"))
        if not m["actions"]:
            story.append(pdf.para("Aucune action inscrite au contrat.", style.small))
        for action in m["actions"]:
            story.append(pdf.para(f"• {action['title']}", style.body))
            if action.get("description"):
                story.append(pdf.para(action["description"], style.small))
        story += [_heading("Preuves", style.h3, 1, f"m-{code}-p"),
                  _proofs_grid(m["proofs"], style)]  # fmt: skip
    story += [PageBreak(), _heading("Synthèse financière de l'année", style.h2, 0, "totals"),
              _facts([
                  ("Parts fixes", fmt.euros(totals["fixed"])),
                  ("Parts variables gagnées", fmt.euros(totals["variable_earned"])),
                  ("Parts variables maximales", fmt.euros(totals["variable_maximum"])),
                  ("Total gagné", fmt.euros(totals["earned"])),
                  ("Total maximal", fmt.euros(totals["maximum"])),
                  ("Fonctionnement (par an)", fmt.euros(contract["operating_grant"])),
              ], style)]  # fmt: skip
    return story


def render(data: dict, *, version: int | None = None, sent_at=None) -> bytes:
    name = data["cpts"]["name"]
    label = f"version {version}" if version else "brouillon"
    footer = f"{name} — rapport d'activité ACI, année {data['year']} ({label})"
    Doc, NumberedCanvas = _doc_classes(footer)
    buffer = io.BytesIO()
    doc = Doc(buffer, title=pdf.plain(f"Rapport d'activité ACI — année {data['year']}"),
              author=pdf.plain(name))  # fmt: skip
    doc.multiBuild(_story(data, version=version, sent_at=sent_at), canvasmaker=NumberedCanvas)
    return buffer.getvalue()
