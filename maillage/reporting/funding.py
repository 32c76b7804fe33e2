"""The payment schedule computed from the contract's rules, and the year's forecast.

- When a mission starts, 75 % of its fixed part for the contract year, pro rata temporis
  (the share of the contract year left from the start date), is due on the start date.
- At each anniversary: the balance of the year just ended (the rest of the fixed part due
  for the days the mission ran, plus the variable part earned from the indicators) and
  75 % of the new year's fixed part.
- The operating grant (fonctionnement) follows the same rule from the signature.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    date: datetime.date
    line: str  # a mission's code, or models.OPERATING
    kind: str  # "advance" or "balance"
    amount: Decimal
    year: int  # the contract year it pays
    estimated: bool = False  # a balance whose variable part is still an estimate


def schedule(contract, *, today: datetime.date | None = None) -> list[Line]:
    """Every line due over the contract, in date order; balances of years not ended yet
    carry the variable part as estimated today (`estimated`)."""
    raise NotImplementedError


@dataclass(frozen=True)
class WhatIf:
    indicator: object  # ContractIndicator
    threshold: Decimal  # the next tier's threshold (or the target)
    gain: Decimal  # what reaching it adds to the year's variable part
    text: str  # in French: "Atteindre 62 % de dépistage du cancer du sein : + 2 500 EUR"


@dataclass
class Forecast:
    year: int  # the current contract year
    expected: Decimal  # due for this year: fixed parts + variable earned at today's figures
    received: Decimal  # payments matched to this year's lines
    at_risk: Decimal  # variable amounts of indicators below their next tier
    what_if: list  # [WhatIf], largest gain first


def forecast(contract, *, today: datetime.date | None = None) -> Forecast | None:
    """The current contract year's forecast; None outside the contract's years."""
    raise NotImplementedError


def ready():
    pass
