"""The annual report as an XLSX workbook: a summary sheet, then one sheet per mission with
its indicator grid (numbers as numbers), its comment and its proofs.

Every text cell goes through core.exports.xlsx_value (a comment typed as
`=HYPERLINK(...)` stays inert text) and is typed as a string, whatever openpyxl would
infer from it.
"""

from __future__ import annotations

import re

from maillage.core.exports import workbook_bytes

from . import report_format as fmt

# Excel refuses these in a sheet's name, and names longer than 31 characters.
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_MAX = 31


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid sheet name from `title`, different from those `taken` (compared as Excel
    does, ignoring case); added to `taken`."""
    base = _FORBIDDEN.sub(" ", str(title))
    base = "".join(c for c in base if c.isprintable()).strip().strip("'")[:SHEET_MAX].strip()
    base = base or "Feuille"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: SHEET_MAX - len(suffix)].rstrip() + suffix
    taken.add(name.lower())
    return name


GRID_HEADER = ["n°", "Indicateur", "Action", "Définition", "Source", "Origine du chiffre",
               "Unité", "Valeur de référence", "Règle", "Cible", "Paliers",
               "Valeur atteinte", "Montant gagné (€)", "Montant maximal (€)",
               "Prochain seuil", "Gain au prochain seuil (€)"]  # fmt: skip


def grid_rows(indicators: list[dict]) -> list[list]:
    rows = []
    for n, item in enumerate(indicators, 1):
        step = item.get("next_step") or {}
        rows.append([
            n, item["label"], item.get("action") or "", item.get("definition") or "",
            item.get("source_label") or "", item.get("source_text") or item.get("missing") or "",
            item.get("unit") or "", fmt.decimal(item.get("baseline")),
            {"tiers": "paliers", "target": "cible"}.get(item.get("rule"), ""),
            fmt.decimal(item.get("target")),
            fmt.rule_text(item) if item.get("rule") == "tiers" else "",
            fmt.decimal(item.get("value")), fmt.decimal(item.get("earned")),
            fmt.decimal(item.get("maximum")), fmt.decimal(step.get("threshold")),
            fmt.decimal(step.get("gain")),
        ])  # fmt: skip
    return rows


def render(data: dict, *, version: int | None = None) -> bytes:
    taken: set[str] = set()
    totals = data["totals"]
    summary = [
        ["Rapport d'activité — contrat ACI"],
        ["CPTS", data["cpts"]["name"]],
        ["Année du contrat", data["year"]],
        ["Du", fmt.date(data["start"])], ["Au", fmt.date(data["end"])],
        ["Contrat signé le", fmt.date(data["contract"]["signed_on"])],
        ["Taille", data["contract"]["size_class"]],
        ["Version", version if version else "brouillon (non enregistré)"],
        ["Chiffres arrêtés le", fmt.date(data["today"])],
        ["Commentaire", data.get("comment") or ""],
        [],
        ["Mission", "État", "Part fixe (€)", "Part variable gagnée (€)",
         "Part variable maximale (€)", "Total gagné (€)", "Feuille"],
    ]  # fmt: skip
    mission_sheets = []
    for m in data["missions"]:
        name = sheet_name(m.get("short") or m["label"], taken | {"synthèse"})
        fixed, earned = fmt.decimal(m["fixed"]), fmt.decimal(m["variable_earned"])
        summary.append([m["label"], m["status_label"], fixed, earned, fmt.decimal(m["variable"]),
                        (fixed or 0) + (earned or 0), name])  # fmt: skip
        rows = [
            [m["label"]],
            ["État", m["status_label"]],
            ["Commentaire", m.get("comment") or ""],
            [],
            GRID_HEADER,
            *grid_rows(m["indicators"]),
            [],
            ["Preuves"],
            ["Preuve demandée", "Nature", "Obtenu", "Attendu", "État", "Détail"],
        ]
        rows += [
            [
                p["label"],
                p.get("kind_label", ""),
                p["have"],
                p["expected"],
                "ok" if p["ok"] else "manquant",
                p.get("detail", ""),
            ]
            for p in m["proofs"]
        ]
        mission_sheets.append((name, rows))
    summary += [
        [
            "Total",
            "",
            fmt.decimal(totals["fixed"]),
            fmt.decimal(totals["variable_earned"]),
            fmt.decimal(totals["variable_maximum"]),
            fmt.decimal(totals["earned"]),
        ]
    ]
    taken.add("synthèse")
    return workbook_bytes([("Synthèse", summary), *mission_sheets])
