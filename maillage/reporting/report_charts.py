"""The report page's charts: per mission, achieved against target per indicator, as a
server-rendered SVG (pygal), shown with its data table beside it.

As in the prevention charts: no JavaScript (`js=[]`, the inline config script removed),
and the SVG given as a data: URI image, so the page's Content-Security-Policy does not
meet its inline style.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pygal
from pygal.style import Style

from . import report_format as fmt

STYLE = Style(
    background="white", plot_background="white", foreground="#1b1b1b",
    foreground_strong="#1b1b1b", foreground_subtle="#6b6b6b", colors=("#000091", "#9a9a9a"),
    font_family="sans-serif", label_font_size=13, major_label_font_size=13,
    value_font_size=12, legend_font_size=13, title_font_size=16,
)  # fmt: skip
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Chart:
    title: str
    data_uri: str
    rows: list  # [(n°, label, achieved text, target text)]


def mission_chart(mission: dict) -> Chart | None:
    indicators = mission["indicators"]
    achieved = [fmt.decimal(i.get("value")) for i in indicators]
    targets = [fmt.target_value(i) for i in indicators]
    if not any(v is not None for v in achieved + targets):
        return None
    title = f"{mission['label']} : atteint et cible par indicateur"
    chart = pygal.Bar(title=title, style=STYLE, js=[], disable_xml_declaration=True,
                      width=640, height=320, print_values=False, explicit_size=False,
                      pretty_print=False, legend_at_bottom=True, truncate_title=60)  # fmt: skip
    chart.x_labels = [str(n) for n in range(1, len(indicators) + 1)]
    chart.add("Atteint", [float(v) if v is not None else None for v in achieved])
    chart.add("Cible", [float(v) if v is not None else None for v in targets])
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg)).encode()
    rows = [
        (n, i["label"], fmt.value_text(i), fmt.number(t) if t is not None else "—")
        for n, (i, t) in enumerate(zip(indicators, targets, strict=True), 1)
    ]
    return Chart(title=title,
                 data_uri="data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
                 rows=rows)  # fmt: skip
