"""How the report writes its figures, the same in the PDF, the page and the XLSX texts:
French numbers ("9 000,00 €", "62,5"), dates (07/12/2026), and the rule of an indicator
in words. Reads the snapshot's strings (amounts "9000.00", dates ISO)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

# A no-break space between thousands and before the unit: a figure never splits over two
# lines of a narrow table cell.
NBSP = "\u00a0"


def decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def number(value) -> str:
    """62.50 → "62,5"; 1234 → "1 234"; None → "—"."""
    found = decimal(value)
    if found is None:
        return "—"
    if found == found.to_integral_value():
        text = f"{int(found):,}"
    else:
        text = f"{found.normalize():,f}"
    return text.replace(",", NBSP).replace(".", ",")


def euros(value) -> str:
    found = decimal(value)
    if found is None:
        return "—"
    text = f"{found.quantize(Decimal('0.01')):,.2f}"
    return text.replace(",", NBSP).replace(".", ",") + NBSP + "€"


def date(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        value = timezone.localtime(value)
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value:%d/%m/%Y}"


def tier_words(direction: str) -> str:
    return "au plus" if direction == "lower" else "au moins"


def rule_text(indicator: dict) -> str:
    """The indicator's target or tiers for the year, in French."""
    if indicator.get("rule") == "tiers":
        words = tier_words(indicator.get("direction"))
        steps = [f"{words} {number(t['threshold'])} : {euros(t['amount'])}"
                 for t in indicator.get("tiers") or []]  # fmt: skip
        return " ; ".join(steps) or "paliers non saisis"
    if indicator.get("rule") == "target":
        how = "au prorata" if indicator.get("pro_rata") else "tout ou rien"
        return (f"cible {number(indicator.get('target'))} ({how}, "
                f"{euros(indicator.get('amount'))})")  # fmt: skip
    return "aucune règle pour l'année"


def next_step_text(indicator: dict) -> str:
    step = indicator.get("next_step")
    if not step:
        return "montant maximal atteint" if indicator.get("rule") else "—"
    words = tier_words(indicator.get("direction"))
    return f"{words} {number(step['threshold'])} : + {euros(step['gain'])}"


def value_text(indicator: dict) -> str:
    if indicator.get("value") is None:
        return "non disponible"
    return number(indicator["value"])


def target_value(indicator: dict) -> Decimal | None:
    """What a chart sets the achieved value against: the target, or the threshold of the
    tier that pays the most."""
    if indicator.get("rule") == "target":
        return decimal(indicator.get("target"))
    tiers = indicator.get("tiers") or []
    if not tiers:
        return None
    best = max(tiers, key=lambda t: decimal(t["amount"]) or 0)
    return decimal(best["threshold"])
