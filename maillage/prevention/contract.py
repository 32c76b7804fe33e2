"""The contract's screening rates (ContractRate): baseline, three tiers (socle,
intermédiaire, objectif) each paying an amount, and the territory's rate from the CPAM
with its source and date, entered by the coordination or imported from a CSV.

Area: vaccination (with indicators).

The tier reached is the highest whose threshold the rate meets or passes; the amount
earned is that tier's amount alone (the contracts pay one tier, not a sum).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit

from .models import ContractRate, Theme

AUDIT_LABELS: dict = {
    "actions": {
        "prevention.contract_rate": "Taux de dépistage du contrat enregistré",
        "prevention.contract_import": "Taux de dépistage importés (CSV CPAM)",
    },
}

# One real contract (prevention.md): offered as a prefill, never imposed.
DEFAULT_AMOUNTS = (1000, 2500, 3500)
DEFAULTS = {
    "depistage-cancer-sein": ("66.26", "69.70", "72.40", "75.00"),
    "depistage-cancer-col": ("64.08", "66.70", "67.45", "68.20"),
    "depistage-cancer-colorectal": ("23.50", "25.00", "26.10", "27.00"),
}
TIER_LABELS = {"": "aucun palier", "socle": "socle", "intermediate": "intermédiaire",
               "objective": "objectif"}  # fmt: skip
CSV_COLUMNS = ["theme", "year", "rate", "source", "date"]


@dataclass(frozen=True)
class Standing:
    tier: str  # "", "socle", "intermediate", "objective"
    amount: int

    @property
    def label(self) -> str:
        return TIER_LABELS[self.tier]


def standing(row: ContractRate, rate=None) -> Standing | None:
    """The tier reached and the amount earned, or None while no rate is known."""
    rate = row.rate if rate is None else rate
    if rate is None:
        return None
    rate = Decimal(rate)
    for tier, threshold, amount in (("objective", row.objective, row.amount_objective),
                                    ("intermediate", row.intermediate,
                                     row.amount_intermediate),
                                    ("socle", row.socle, row.amount_socle)):  # fmt: skip
        if rate >= Decimal(threshold):
            return Standing(tier, amount)
    return Standing("", 0)


def defaults_for(theme_code: str) -> dict:
    values = DEFAULTS.get(theme_code)
    if values is None:
        return {}
    baseline, socle, intermediate, objective = (Decimal(v) for v in values)
    return {"baseline": baseline, "socle": socle, "intermediate": intermediate,
            "objective": objective, "amount_socle": DEFAULT_AMOUNTS[0],
            "amount_intermediate": DEFAULT_AMOUNTS[1],
            "amount_objective": DEFAULT_AMOUNTS[2]}  # fmt: skip


def screening_themes(cpts):
    """Themes a contract rate may be about: the cancer screenings first."""
    return Theme.objects.for_cpts(cpts).active().order_by("label")


def rates(cpts, year=None):
    rows = ContractRate.objects.for_cpts(cpts).select_related("theme", "updated_by")
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "theme__label")


def check_tiers(data: dict) -> dict:
    """Errors on the tiers of `data` (field -> message)."""
    errors = {}
    socle, intermediate, objective = (data.get(k) for k in ("socle", "intermediate",
                                                            "objective"))  # fmt: skip
    for field in ("baseline", "socle", "intermediate", "objective", "rate"):
        value = data.get(field)
        if value is not None and not Decimal(0) <= Decimal(value) <= Decimal(100):
            errors[field] = "Un taux est entre 0 et 100 %."
    if errors:
        return errors
    if socle is not None and intermediate is not None and socle > intermediate:
        errors["intermediate"] = ("Le palier intermédiaire doit être au moins égal au palier "
                                  "socle.")  # fmt: skip
    elif intermediate is not None and objective is not None and intermediate > objective:
        errors["objective"] = ("Le palier objectif doit être au moins égal au palier "
                               "intermédiaire.")  # fmt: skip
    if data.get("rate") is not None and not (data.get("rate_source") or "").strip():
        errors["rate_source"] = ("Indiquez la source du taux (ex. : CPAM de l'Isère, "
                                 "tableau de bord AMELI).")  # fmt: skip
    if data.get("rate") is not None and data.get("rate_date") is None:
        errors["rate_date"] = "Indiquez la date du taux."
    return errors


RATE_FIELDS = ("baseline", "socle", "intermediate", "objective", "amount_socle",
               "amount_intermediate", "amount_objective", "rate", "rate_source",
               "rate_date")  # fmt: skip


@transaction.atomic
def save_rate(*, cpts, actor, theme, year, data: dict, request=None) -> ContractRate:
    errors = check_tiers(data)
    if errors:
        raise ValidationError(errors)
    # Twice at most: a colleague may create the same row between our read and our insert
    # (nothing to lock yet); then ours updates theirs.
    for attempt in range(2):
        row = (ContractRate.objects.select_for_update()
               .filter(cpts=cpts, theme=theme, year=year).first())  # fmt: skip
        if row is None:
            row = ContractRate(cpts=cpts, theme=theme, year=year)
        before = row.rate
        for field in RATE_FIELDS:
            if field in data:
                setattr(row, field, data[field])
        row.rate_source = (row.rate_source or "").strip()
        row.updated_by, row.updated_at = actor, timezone.now()
        try:
            with transaction.atomic():
                row.save()
            break
        except IntegrityError:
            if attempt:
                raise
    audit.record(action="prevention.contract_rate", actor=actor, cpts=cpts, obj=row,
                 request=request,
                 detail={"theme": theme.code, "year": year,
                         "rate": str(row.rate) if row.rate is not None else None,
                         "before": str(before) if before is not None else None})  # fmt: skip
    return row


def _decimal(text):
    try:
        return Decimal(text.strip().replace(",", ".").rstrip("%").strip())
    except (InvalidOperation, AttributeError):
        return None


def parse_day(text):
    """A day typed as 2026-03-14 or 14/03/2026; None when it is neither."""
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_csv(cpts, content: bytes | str) -> tuple[list[dict], list[str]]:
    """(rows, errors) of a CPAM CSV: columns theme code, year, rate, source, date; every
    error names its line (the header is line 1)."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = content.decode("cp1252", errors="replace")
    sample = content[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:5] != CSV_COLUMNS:
        return [], [f"Ligne 1 : colonnes attendues « {';'.join(CSV_COLUMNS)} » (code du "
                    f"thème, année, taux, source, date)."]  # fmt: skip
    themes = {t.code: t for t in Theme.objects.for_cpts(cpts).active()}
    existing = {(r.theme_id, r.year): r for r in ContractRate.objects.for_cpts(cpts)}
    rows, errors, seen = [], [], set()
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells] + [""] * 5
        code, year_text, rate_text, source, date_text = cells[:5]
        theme = themes.get(code)
        line_errors = []
        if theme is None:
            line_errors.append(f"thème « {code} » inconnu")
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 2000 <= year <= 2100:
            line_errors.append(f"année « {year_text} » invalide")
        rate = _decimal(rate_text)
        if rate is None or not Decimal(0) <= rate <= Decimal(100):
            line_errors.append(f"taux « {rate_text} » invalide (un pourcentage entre 0 et 100)")
        if not source:
            line_errors.append("source manquante")
        elif len(source) > 200:
            line_errors.append("source trop longue (200 caractères au plus)")
        day = parse_day(date_text)
        if day is None:
            line_errors.append(f"date « {date_text} » invalide (AAAA-MM-JJ ou JJ/MM/AAAA)")
        if theme is not None and year is not None and not line_errors:
            if (theme.pk, year) in seen:
                line_errors.append(f"{code} {year} apparaît deux fois")
            elif (theme.pk, year) not in existing:
                line_errors.append(f"pas de paliers saisis pour {code} en {year} : saisissez "
                                   "d'abord la ligne du contrat")  # fmt: skip
            seen.add((theme.pk, year))
        if line_errors:
            errors.append(f"Ligne {number} : " + " ; ".join(line_errors) + ".")
            continue
        rows.append({"row": existing[(theme.pk, year)], "rate": rate.quantize(Decimal("0.01")),
                     "source": source, "date": day})  # fmt: skip
    if not rows and not errors:
        errors.append("Le fichier ne contient aucune ligne de taux.")
    return rows, errors


@transaction.atomic
def import_csv(*, cpts, actor, content, request=None) -> int:
    """All or nothing: any error refuses the whole file, with every line's error."""
    rows, errors = parse_csv(cpts, content)
    if errors:
        raise ValidationError({"file": errors})
    now = timezone.now()
    for item in rows:
        row = item["row"]
        row.rate, row.rate_source, row.rate_date = item["rate"], item["source"], item["date"]
        row.updated_by, row.updated_at = actor, now
        row.save(update_fields=["rate", "rate_source", "rate_date", "updated_by",
                                "updated_at"])  # fmt: skip
    audit.record(action="prevention.contract_import", actor=actor, cpts=cpts,
                 object_type="prevention.ContractRate", request=request,
                 detail={"rows": len(rows)})  # fmt: skip
    return len(rows)


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
