"""What an indicator is worth: its value for a contract year (computed from the indicator
registry, or the figure entered), the tier or share of the target reached, the amount
earned, and the next step (the next tier's threshold and what it would add).

`evaluate` is the rule alone (pure, tested on the real annexes); `results` applies it to
a contract's indicators; `mission_variable` caps their sum at the mission's variable part.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from . import years
from .models import Direction, IndicatorSource, Rule

CENT = Decimal("0.01")
ZERO = Decimal(0)


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class NextStep:
    threshold: Decimal
    gain: Decimal


@dataclass(frozen=True)
class Outcome:
    earned: Decimal
    maximum: Decimal
    next_step: NextStep | None
    reached: Decimal | None = None  # the threshold of the tier reached (tiers only)


def _better_or_equal(value: Decimal, threshold: Decimal, direction: str) -> bool:
    return value <= threshold if direction == Direction.LOWER else value >= threshold


def evaluate(*, rule: str, value: Decimal | None, direction: str = Direction.HIGHER,
             tiers=(), target: Decimal | None = None, amount: Decimal | None = None,
             baseline: Decimal | None = None, pro_rata: bool = True) -> Outcome:  # fmt: skip
    """Tiers: `tiers` is a list of (threshold, amount); the best tier reached pays its amount
    (not cumulative). Target: `amount` when the target is reached; otherwise, `pro_rata`,
    the share of the way from the baseline (or from zero without one) to the target,
    never below zero; all-or-nothing without `pro_rata`. A missing value earns nothing."""
    if rule == Rule.TIERS:
        tiers = [(Decimal(t), Decimal(a)) for t, a in tiers]
        maximum = max((a for _t, a in tiers), default=ZERO)
        reached = [
            (t, a) for t, a in tiers if value is not None and _better_or_equal(value, t, direction)
        ]
        earned = max((a for _t, a in reached), default=ZERO)
        reached_threshold = max(reached, key=lambda ta: ta[1])[0] if reached else None
        better = [(t, a) for t, a in tiers if a > earned]
        next_step = None
        if better:
            # The nearest tier that pays more: the easiest next step.
            key = (lambda ta: ta[0]) if direction == Direction.HIGHER else (lambda ta: -ta[0])
            t, a = min(better, key=key)
            next_step = NextStep(t, money(a - earned))
        return Outcome(money(earned), money(maximum), next_step, reached_threshold)
    amount = Decimal(amount or 0)
    if target is None or value is None:
        return Outcome(
            ZERO,
            money(amount),
            NextStep(Decimal(target), money(amount)) if target is not None else None,
        )
    target = Decimal(target)
    if _better_or_equal(value, target, direction):
        share = Decimal(1)
    elif not pro_rata:
        share = ZERO
    else:
        start = Decimal(baseline) if baseline is not None else ZERO
        span = target - start
        if span == 0 or (direction == Direction.HIGHER) != (span > 0):
            share = ZERO
        else:
            share = min(Decimal(1), max(ZERO, (value - start) / span))
    earned = money(amount * share)
    next_step = NextStep(target, money(amount - earned)) if earned < amount else None
    return Outcome(earned, money(amount), next_step)


@dataclass
class Result:
    indicator: object  # ContractIndicator
    year: int
    value: Decimal | None
    numerator: object = None
    denominator: object = None
    note: str = ""
    source_text: str = ""
    missing: str = ""  # why there is no value, in French
    rule: object = None  # IndicatorYear or None
    tiers: list = field(default_factory=list)  # [(threshold, amount)]
    outcome: Outcome | None = None

    @property
    def earned(self) -> Decimal:
        return self.outcome.earned if self.outcome else ZERO

    @property
    def maximum(self) -> Decimal:
        return self.outcome.maximum if self.outcome else ZERO

    @property
    def at_risk(self) -> Decimal:
        return self.maximum - self.earned


def period_of(contract, year: int, today: datetime.date | None = None):
    """The contract year, cut at `today` while it runs."""
    start, end = years.bounds(contract, year)
    today = today or timezone.localdate()
    return start, min(end, max(today, start))


def value_of(indicator, year: int, period) -> tuple[Decimal | None, dict]:
    """The indicator's value for the year and what to say about it."""
    from maillage.core import indicators as registry

    if indicator.source == IndicatorSource.COMPUTED:
        entry = registry.REGISTRY.get(indicator.registry_code)
        if entry is None:
            return None, {"missing": f"Indicateur calculé inconnu : {indicator.registry_code}"}
        computed = entry.compute(indicator.mission.contract.cpts, period)
        info = {"numerator": computed.numerator, "denominator": computed.denominator,
                "note": computed.note,
                "source_text": f"{entry.source} ({period[0]:%d/%m/%Y} – "
                               f"{period[1]:%d/%m/%Y})"}  # fmt: skip
        if computed.value is None:
            return None, {**info, "missing": computed.note or "Pas de valeur sur la période"}
        return money(computed.value), info
    figure = next((f for f in indicator.figures.all() if f.year == year), None)
    who = "CPAM" if indicator.source == IndicatorSource.CPAM else "Coordination"
    if figure is None:
        return None, {"missing": f"Chiffre non saisi ({who})"}
    return figure.value, {"source_text": f"{who}, chiffre du {figure.dated:%d/%m/%Y} "
                                         f"({figure.document})"}  # fmt: skip


def result_for(indicator, year: int, period) -> Result:
    value, info = value_of(indicator, year, period)
    rule = next((y for y in indicator.years.all() if y.year == year), None)
    result = Result(indicator=indicator, year=year, value=value, rule=rule, **info)
    if rule is not None:
        result.tiers = [(t.threshold, t.amount) for t in rule.tiers.all()]
        result.outcome = evaluate(rule=rule.rule, value=value, direction=indicator.direction,
                                  tiers=result.tiers, target=rule.target, amount=rule.amount,
                                  baseline=indicator.baseline, pro_rata=rule.pro_rata)  # fmt: skip
    return result


def results(contract, year: int, today: datetime.date | None = None,
            mission=None) -> list[Result]:  # fmt: skip
    """Every indicator of the contract (or of one mission) for a contract year, in the
    contract's order."""
    from .models import ContractIndicator

    period = period_of(contract, year, today)
    rows = (ContractIndicator.objects.filter(mission__contract=contract,
                                             mission__included=True)
            .select_related("mission__contract__cpts", "action")
            .prefetch_related("years__tiers", "figures")
            .order_by("mission_id", "position", "pk"))  # fmt: skip
    if mission is not None:
        rows = rows.filter(mission=mission)
    from maillage.core import indicators as registry

    with registry.batch():
        return [result_for(indicator, year, period) for indicator in rows]


def mission_variable(mission, year: int, mission_results: list[Result]) -> Decimal:
    """The variable part earned by a mission: its indicators' amounts, capped at the
    variable part the contract sets for that year."""
    cap = next((y.variable for y in mission.years.all() if y.year == year), ZERO)
    return min(money(cap), money(sum((r.earned for r in mission_results), ZERO)))
