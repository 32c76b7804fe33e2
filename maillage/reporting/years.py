"""Contract years: year N runs from the (N-1)th anniversary of the signature to the day
before the Nth."""

from __future__ import annotations

import datetime

from maillage.territory.aci import add_months


def bounds(contract, year: int) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of contract year `year` (1-based)."""
    start = add_months(contract.signed_on, 12 * (year - 1))
    end = add_months(contract.signed_on, 12 * year) - datetime.timedelta(days=1)
    return start, end


def all_years(contract) -> list[int]:
    return list(range(1, contract.years + 1))


def year_of(contract, day: datetime.date) -> int | None:
    """The contract year that contains `day`, None outside the contract."""
    for year in all_years(contract):
        start, end = bounds(contract, year)
        if start <= day <= end:
            return year
    return None


def check_year(contract, year) -> int:
    """`year` as an int inside the contract, or a ValidationError naming the range."""
    from django.core.exceptions import ValidationError

    try:
        value = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "L'année du contrat est un nombre (1, 2, 3…)."}) from None
    if not 1 <= value <= contract.years:
        raise ValidationError({"year": f"Le contrat compte {contract.years} années (de 1 à "
                                       f"{contract.years}) : l'année {value} n'en fait pas "
                                       "partie."})  # fmt: skip
    return value
