"""Results as people type them: "7,5" or "7.5", "1 200" (digits grouped by spaces); not
"7,5e3", "inf" or "nan", which a person does not type (a slip, or a pasted value that
Python's Decimal would happily read). And the values no living patient can have: refused
even when an unusual value is confirmed."""

import re
from decimal import Decimal

# Optional sign, digits (optionally grouped by spaces), optional decimal part; or a
# decimal part alone (",5").
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?: \d{3})+|\d+)(?:[.,]\d*)?|[+-]?[.,]\d+", re.ASCII)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\t": " "})


def parse_typed_decimal(text) -> Decimal | None:
    """The number typed in `text`, or None when it is not one as a person writes it."""
    if text is None:
        return None
    value = " ".join(str(text).translate(_SPACES).split())
    if len(value) > 30 or not _NUMBER.fullmatch(value):
        return None
    return Decimal(value.replace(" ", "").replace(",", "."))


# Bounds outside of which a result cannot be a living patient's, by unit of the shipped
# steps (inclusive): HbA1c of 0 or 50 %, a negative LDL-cholesterol, a weight of 0 kg.
# A step of another unit gets one rule: when its plausible range starts at 0 or above, a
# negative value is impossible (a T-score, whose plausible range is negative, keeps its
# sign).
IMPOSSIBLE_OUTSIDE = {
    "%": (Decimal("2"), Decimal("25")),  # HbA1c
    "g/L": (Decimal("0.01"), Decimal("20")),  # LDL-cholesterol
    "kg": (Decimal("0.3"), Decimal("700")),
    "mL/min/1,73 m²": (Decimal("0"), Decimal("300")),  # DFG
    "mg/mmol": (Decimal("0"), Decimal("5000")),  # albuminuria/creatininuria
    "pg/mL": (Decimal("0"), Decimal("1000000")),  # NT-proBNP
}


def possible_bounds(unit: str, plausible_min, plausible_max, *, grade=False):
    """(low, high) of the values a patient can have for a step (None: no bound). A grade
    outside its scale is not a grade: the plausible range is then the hard one."""
    if grade:
        return plausible_min, plausible_max
    if unit in IMPOSSIBLE_OUTSIDE:
        return IMPOSSIBLE_OUTSIDE[unit]
    if plausible_min is not None and plausible_min >= 0:
        return Decimal(0), None
    return None, None
