"""The payment schedule computed from the contract's rules, and the year's forecast.

Each "funding line" (a mission's code, or models.OPERATING for the operating grant) is
paid year by year, contract year N running from the (N-1)th anniversary of the signature
to the day before the Nth (years.bounds):

- Advance: when the line starts running in year N (the mission's start date if it falls in
  year N, otherwise the first day of year N, i.e. the anniversary), 75 % of the fixed part
  due for year N is paid on that day.
- Fixed part due for year N: the year's fixed amount, pro rata temporis: the days from the
  day the line starts running in year N to the last day of year N, both included, over the
  days of year N (365 or 366). A line running the whole year owes its whole fixed part.
- Balance: on the first day of year N+1 (the anniversary; for the last year, the day the
  contract ends, its last anniversary), the fixed part due for year N minus the advance
  paid for it, plus the variable part earned in year N (achievement.mission_variable: the
  indicators' amounts, capped at the mission's variable part).
- The operating grant (fonctionnement) follows the same rule from the signature, with the
  contract's `operating_grant` as fixed part and no variable part.
- A mission not included in the contract, or never started (no `started_on`), pays
  nothing; nor does a year ending before the mission started.
- Amounts are rounded to the cent (half up); the advance is rounded first and the balance
  is what remains of the rounded fixed part due, so both add up exactly.
- Variable parts of years not ended at `today` are estimates (at today's figures for the
  running year; nothing for years not begun, whose indicators have no value yet): their
  balance lines carry `estimated=True`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from maillage.core.indicators import batch

from . import achievement, years
from .achievement import ZERO, money
from .models import OPERATING, Direction

ADVANCE_SHARE = Decimal("0.75")
ADVANCE, BALANCE = "advance", "balance"


@dataclass(frozen=True)
class Line:
    date: datetime.date
    line: str  # a mission's code, or models.OPERATING
    kind: str  # "advance" or "balance"
    amount: Decimal
    year: int  # the contract year it pays
    estimated: bool = False  # a balance whose variable part is still an estimate
    # The share of each part in the amount (a balance carries both; an advance only fixed).
    fixed: Decimal = ZERO
    variable: Decimal = ZERO

    @property
    def key(self) -> tuple:
        """What a payment names to be matched to this line."""
        return (self.date, self.line, self.kind)


def _today(today):
    return today or timezone.localdate()


def _mission_rows(contract):
    """Included, started missions with their yearly amounts (one query each)."""
    return list(contract.missions.filter(included=True, started_on__isnull=False)
                .prefetch_related("years").order_by("pk"))  # fmt: skip


def year_results(contract, year: int, *, today=None) -> dict:
    """{mission pk: [Result]} for one contract year: one query for every indicator of the
    contract (achievement.results prefetches tiers and figures), grouped by mission."""
    grouped: dict = {}
    for result in achievement.results(contract, year, today=today):
        grouped.setdefault(result.indicator.mission_id, []).append(result)
    return grouped


def _started_years(contract, today) -> list[int]:
    """The contract years that have begun at `today` (their indicators have values)."""
    return [y for y in years.all_years(contract) if years.bounds(contract, y)[0] <= today]


def _line_schedule(*, contract, code, start, fixed_of, variable_of, today, has_variable):
    out = []
    for year in years.all_years(contract):
        first_day, last_day = years.bounds(contract, year)
        if start > last_day:
            continue
        runs_from = max(start, first_day)
        days = (last_day - first_day).days + 1
        share = Decimal((last_day - runs_from).days + 1) / Decimal(days)
        fixed_due = money(fixed_of(year) * share)
        advance = money(fixed_due * ADVANCE_SHARE)
        variable = money(variable_of(year))
        # The anniversary that closes the year (for the last year, the day the contract
        # ends: its last anniversary).
        balance_on = last_day + datetime.timedelta(days=1)
        if advance > 0:
            out.append(Line(runs_from, code, ADVANCE, advance, year, False, advance, ZERO))
        balance = fixed_due - advance + variable
        if balance > 0:
            out.append(Line(balance_on, code, BALANCE, balance, year,
                            has_variable and last_day >= today, fixed_due - advance,
                            variable))  # fmt: skip
    return out


def schedule(
    contract, *, today: datetime.date | None = None, results=None, year: int | None = None
) -> list[Line]:
    """Every line due over the contract, in date order; balances of years not ended yet
    carry the variable part as estimated today (`estimated`). The rules are in the module's
    docstring. `results` ({year: {mission pk: [Result]}}) spares recomputing indicators a
    caller already has; `year` keeps the lines of that contract year only (and computes
    only its indicators)."""
    today = _today(today)
    results = dict(results or {})
    for started in _started_years(contract, today):
        if started not in results and year in (None, started):
            results[started] = year_results(contract, started, today=today)
    lines = _line_schedule(
        contract=contract, code=OPERATING, start=contract.signed_on,
        fixed_of=lambda _y: contract.operating_grant, variable_of=lambda _y: ZERO,
        today=today, has_variable=False,
    )  # fmt: skip
    for mission in _mission_rows(contract):
        amounts = {y.year: y for y in mission.years.all()}

        def fixed_of(year, amounts=amounts):
            row = amounts.get(year)
            return row.fixed if row else ZERO

        def variable_of(year, mission=mission):
            if year not in results:
                return ZERO  # a year not begun: no figure to estimate from
            return achievement.mission_variable(mission, year, results[year].get(mission.pk, []))

        has_variable = any(y.variable > 0 for y in amounts.values())
        lines += _line_schedule(contract=contract, code=mission.code, start=mission.started_on,
                                fixed_of=fixed_of, variable_of=variable_of, today=today,
                                has_variable=has_variable)  # fmt: skip
    order = {code: i for i, code in enumerate([OPERATING, *[m for m, _ in _codes()]])}
    if year is not None:
        lines = [ln for ln in lines if ln.year == year]
    # On an anniversary, the balance of the year ended comes before the new advance.
    return sorted(lines, key=lambda ln: (ln.date, order.get(ln.line, 99), ln.year, ln.kind))


def _codes():
    from .models import MissionCode

    return MissionCode.choices


def totals_by_year(lines) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for ln in lines:
        out[ln.year] = out.get(ln.year, ZERO) + ln.amount
    return out


# --- forecast ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIf:
    indicator: object  # ContractIndicator
    threshold: Decimal  # the next tier's threshold (or the target)
    gain: Decimal  # what reaching it adds to the year's variable part
    text: str  # in French: "Atteindre 62 % de dépistage du cancer du sein : + 2 500 EUR"


@dataclass
class MissionForecast:
    line: str  # a mission's code or OPERATING
    label: str
    fixed: Decimal  # fixed part due for the year (pro rata of the days it runs)
    variable: Decimal  # variable part earned at today's figures (capped)
    variable_max: Decimal  # the variable part the contract sets for the year
    received: Decimal
    at_risk: Decimal

    @property
    def expected(self) -> Decimal:
        return self.fixed + self.variable


@dataclass
class Forecast:
    year: int  # the current contract year
    expected: Decimal  # due for this year: fixed parts + variable earned at today's figures
    received: Decimal  # payments matched to this year's lines
    at_risk: Decimal  # variable amounts of indicators below their next tier
    what_if: list  # [WhatIf], largest gain first
    missions: list = field(default_factory=list)  # [MissionForecast], contract order
    results: list = field(default_factory=list)  # [Result] of the year, contract order
    lines: list = field(default_factory=list)  # the schedule's lines of the year


def format_amount(value: Decimal) -> str:
    """French amount: "2 500 EUR", "1 234,56 EUR"."""
    value = money(value)
    whole, cents = f"{value:,.2f}".replace(",", " ").split(".")
    return f"{whole} EUR" if cents == "00" else f"{whole},{cents} EUR"


def format_number(value: Decimal, unit: str = "") -> str:
    text = f"{Decimal(value).normalize():f}".replace(".", ",")
    if unit in ("%", "pourcentage", "taux"):
        return f"{text} %"
    return text


def what_if_text(indicator, threshold: Decimal, gain: Decimal) -> str:
    verb = "Descendre à" if indicator.direction == Direction.LOWER else "Atteindre"
    return (f"{verb} {format_number(threshold, indicator.unit)} — {indicator.label} : "
            f"+ {format_amount(gain)}")  # fmt: skip


def what_ifs(contract, year: int, grouped: dict, missions) -> list[WhatIf]:
    """Each indicator with a next step, with what reaching it really adds: the mission's
    variable part is capped, so the gain is the capped total's increase. Largest first."""
    out = []
    for mission in missions:
        mission_results = grouped.get(mission.pk, [])
        cap = next((y.variable for y in mission.years.all() if y.year == year), ZERO)
        total = sum((r.earned for r in mission_results), ZERO)
        current = min(money(cap), money(total))
        for result in mission_results:
            step = result.outcome.next_step if result.outcome else None
            if step is None:
                continue
            gain = min(money(cap), money(total + step.gain)) - current
            if gain <= 0:
                continue
            out.append(WhatIf(result.indicator, step.threshold, gain,
                              what_if_text(result.indicator, step.threshold, gain)))  # fmt: skip
    return sorted(out, key=lambda w: (-w.gain, w.indicator.label))


@batch()
def forecast(contract, *, today: datetime.date | None = None) -> Forecast | None:
    """The current contract year's forecast; None outside the contract's years.

    expected: what the schedule's lines of the year add up to (fixed parts pro rata, plus
    the variable part earned at today's figures); received: the payments matched to those
    lines; at risk: what the year's indicators could still pay and do not at today's
    figures (maximum minus earned, per indicator); what if: each indicator's next step."""
    from . import payments

    today = _today(today)
    year = years.year_of(contract, today)
    if year is None:
        return None
    grouped = year_results(contract, year, today=today)
    results = {year: grouped}
    year_lines = schedule(contract, today=today, results=results, year=year)
    paid = payments.received_by_line(contract)
    missions = _mission_rows(contract)
    labels = dict(_codes())
    rows = []
    for code in [OPERATING, *[m.code for m in missions]]:
        mine = [ln for ln in year_lines if ln.line == code]
        mission = next((m for m in missions if m.code == code), None)
        mission_results = grouped.get(mission.pk, []) if mission else []
        cap = (next((y.variable for y in mission.years.all() if y.year == year), ZERO)
               if mission else ZERO)  # fmt: skip
        rows.append(MissionForecast(
            line=code, label=labels.get(code, "Fonctionnement de la CPTS"),
            fixed=sum((ln.fixed for ln in mine), ZERO),
            variable=sum((ln.variable for ln in mine), ZERO), variable_max=money(cap),
            received=sum((paid.get(ln.key, ZERO) for ln in mine), ZERO),
            at_risk=sum((r.at_risk for r in mission_results), ZERO),
        ))  # fmt: skip
    all_results = [r for m in missions for r in grouped.get(m.pk, [])]
    return Forecast(
        year=year,
        expected=sum((r.expected for r in rows), ZERO),
        received=sum((r.received for r in rows), ZERO),
        at_risk=sum((r.at_risk for r in rows), ZERO),
        what_if=what_ifs(contract, year, grouped, missions),
        missions=rows, results=all_results, lines=year_lines,
    )  # fmt: skip


AUDIT_LABELS = {
    "places": {
        "reporting.payments": "Versements et échéancier du contrat",
        "reporting.forecast": "Prévisions de financement",
        "reporting.indicators": "Indicateurs du contrat",
        "reporting.api_schedule": "Échéancier du contrat (API)",
        "reporting.api_indicators": "Indicateurs du contrat (API)",
    },
}


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
