"""Server-rendered SVG charts of the prevention indicators (pygal), each shown with its
data table beside it.

pygal's tooltips need its JavaScript from a CDN: `js=[]` keeps the SVG script-free. The
SVG carries its own <style>, which the page's Content-Security-Policy (style-src 'self')
would refuse inline; as an <img> with a data: URI (img-src allows data:) it is a separate
image document, styled by itself and inert.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pygal
from pygal.style import Style

STYLE = Style(
    background="white", plot_background="white", foreground="#1b1b1b",
    foreground_strong="#1b1b1b", foreground_subtle="#6b6b6b",
    colors=("#000091", "#c9191e", "#18753c", "#b34000", "#6a6af4"),
    font_family="sans-serif", label_font_size=13, major_label_font_size=13,
    value_font_size=13, legend_font_size=13, title_font_size=16,
)  # fmt: skip


@dataclass(frozen=True)
class Chart:
    title: str
    data_uri: str
    rows: list  # [(label, value)], the table beside the chart
    unit: str


def _config(title):
    return {"title": title, "style": STYLE, "js": [], "disable_xml_declaration": True,
            "show_legend": False, "width": 640, "height": 320, "print_values": True,
            "explicit_size": False, "pretty_print": False}  # fmt: skip


# pygal writes its config as an inline <script> even with `js=[]`, and credits itself in
# comments: both go, the image is pure drawing.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _encode(chart) -> str:
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg)).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def bars(title: str, rows, unit: str = "doses", horizontal: bool = False) -> Chart:
    rows = [(str(label), value or 0) for label, value in rows]
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(**_config(title))
    chart.x_labels = [label for label, _ in rows]
    chart.add(unit, [value for _, value in rows])
    return Chart(title=title, data_uri=_encode(chart), rows=rows, unit=unit)


def line(title: str, rows, unit: str = "doses") -> Chart:
    rows = [(str(label), value or 0) for label, value in rows]
    chart = pygal.Line(**_config(title), x_label_rotation=30)
    chart.x_labels = [label for label, _ in rows]
    chart.add(unit, [value for _, value in rows])
    return Chart(title=title, data_uri=_encode(chart), rows=rows, unit=unit)


def campaign_charts(figures: dict) -> list[Chart]:
    charts = []
    if figures["by_vaccine"]:
        charts.append(bars("Doses par vaccin", figures["by_vaccine"]))
    if figures["by_age_band"]:
        charts.append(bars("Doses par tranche d'âge", figures["by_age_band"]))
    if figures["by_week"]:
        charts.append(line("Doses par semaine", [(f"sem. du {w:%d/%m}", n)
                                                 for w, n in figures["by_week"]]))  # fmt: skip
    if figures["by_site"]:
        charts.append(bars("Doses par officine ou cabinet", figures["by_site"],
                           horizontal=True))  # fmt: skip
    return charts


def action_chart(figures: dict) -> Chart:
    labels = (("informed", "Informés"), ("screened", "Dépistés"), ("positive", "Positifs"),
              ("referred", "Orientés"), ("seen", "Vus par un médecin"),
              ("lost", "Perdus de vue"))  # fmt: skip
    return bars("Du dépistage au soin", [(label, figures.get(key) or 0)
                                         for key, label in labels], unit="personnes")
