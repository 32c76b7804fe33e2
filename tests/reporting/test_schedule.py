"""The payment schedule: 75 % of a mission's fixed part when it starts (pro rata temporis
over the contract year), the balance and the next advance at each anniversary, the
operating grant from the signature; on the real year-5 amounts of the annexes.

`year5_contract` builds that example directly with the models (no shipped template): the
other funding tests import it.
"""

import datetime
from decimal import Decimal as D

import pytest

from maillage.reporting import funding
from maillage.reporting.models import (
    OPERATING,
    Contract,
    ContractIndicator,
    ContractMission,
    Direction,
    IndicatorSource,
    IndicatorYear,
    MissionYear,
    Rule,
    SuppliedFigure,
    Tier,
)

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2025, 1, 1)  # 2025 and 2026 have 365 days: easy pro rata
# The real year-5 example of the annexes (aci.md), EUR per year: (fixed, variable).
YEAR5 = {
    "acces": (D("90000"), D("35000")),
    "parcours": (D("45000"), D("45000")),
    "prevention": (D("17500"), D("17500")),
    "crise": (D("22500"), D("67500")),
    "qualite": (D("15000"), D("15000")),
    "accompagnement": (D("10000"), D("10000")),
}
ALD_TIERS = [(D(50), D(9000)), (D(100), D(6000)), (D(219), D(3000))]
BREAST_TIERS = [(D(60), D(1000)), (D(62), D(3500))]


def year5_contract(cpts, *, signed_on=SIGNED, started=None, grant=D("90000"), years=5,
                   indicators=True, figures=None):  # fmt: skip
    """The year-5 example as a contract of `cpts`, every year with the same amounts.
    `started`: {code: date} (missions absent are not started); `figures`: {(indicator
    code, year): value} entered as CPAM figures."""
    started = started if started is not None else {"acces": signed_on}
    contract = Contract.objects.create(cpts=cpts, signed_on=signed_on, size_class=4,
                                       operating_grant=grant, years=years,
                                       template="exemple-annee-5")  # fmt: skip
    for code, (fixed, variable) in YEAR5.items():
        mission = ContractMission.objects.create(
            contract=contract, code=code, started_on=started.get(code),
            status="started" if code in started else "not_started")  # fmt: skip
        for year in range(1, years + 1):
            MissionYear.objects.create(mission=mission, year=year, fixed=fixed,
                                       variable=variable)  # fmt: skip
    if indicators:
        acces = contract.missions.get(code="acces")
        prevention = contract.missions.get(code="prevention")
        _indicator(acces, "ald-sans-mt", "Patients en ALD sans médecin traitant", "patients",
                   Direction.LOWER, ALD_TIERS, years)  # fmt: skip
        _indicator(prevention, "depistage-sein", "Taux de dépistage du cancer du sein", "%",
                   Direction.HIGHER, BREAST_TIERS, years, baseline=D("55"))  # fmt: skip
        for (code, year), value in (figures or {}).items():
            SuppliedFigure.objects.create(
                indicator=ContractIndicator.objects.get(mission__contract=contract, code=code),
                year=year, value=value, dated=signed_on, document="Courrier CPAM")  # fmt: skip
    return contract


def _indicator(mission, code, label, unit, direction, tiers, years, baseline=None):
    indicator = ContractIndicator.objects.create(
        mission=mission, code=code, label=label, source=IndicatorSource.CPAM, unit=unit,
        direction=direction, baseline=baseline)  # fmt: skip
    for year in range(1, years + 1):
        rule = IndicatorYear.objects.create(indicator=indicator, year=year, rule=Rule.TIERS)
        for i, (threshold, amount) in enumerate(tiers):
            Tier.objects.create(indicator_year=rule, threshold=threshold, amount=amount,
                                position=i)  # fmt: skip
    return indicator


def lines_of(contract, code, *, today=datetime.date(2025, 6, 1)):
    return [ln for ln in funding.schedule(contract, today=today) if ln.line == code]


def test_a_mission_started_at_the_signature_gets_75_percent_of_its_fixed_part_that_day(
    home_cpts,
):
    contract = year5_contract(home_cpts, indicators=False)
    advance = lines_of(contract, "acces")[0]
    assert (advance.date, advance.kind, advance.amount, advance.year) == (
        SIGNED, "advance", D("67500.00"), 1)  # fmt: skip


def test_a_mission_started_mid_year_gets_its_advance_pro_rata_on_its_start_date(home_cpts):
    start = datetime.date(2025, 7, 2)  # 183 of the year's 365 days are left
    contract = year5_contract(home_cpts, started={"acces": start}, indicators=False)
    first, balance, *_ = lines_of(contract, "acces")
    fixed_due = D("45123.29")  # 90 000 x 183 / 365, to the cent
    assert first.date == start and first.kind == "advance"
    assert first.amount == D("33842.47")  # 75 % of the fixed part due
    assert balance.date == datetime.date(2026, 1, 1) and balance.kind == "balance"
    assert balance.amount == fixed_due - first.amount  # no indicator: no variable part


def test_two_missions_starting_on_different_dates_each_follow_their_own_start(home_cpts):
    contract = year5_contract(home_cpts, indicators=False, started={
        "acces": SIGNED, "prevention": datetime.date(2025, 10, 1)})  # fmt: skip
    acces, prevention = lines_of(contract, "acces"), lines_of(contract, "prevention")
    assert acces[0].date == SIGNED and acces[0].amount == D("67500.00")
    # 1 October to 31 December: 92 days of 365. 17 500 x 92 / 365 = 4 410.96; 75 % of it.
    assert prevention[0].date == datetime.date(2025, 10, 1)
    assert prevention[0].amount == D("3308.22")
    assert prevention[1].amount == D("4410.96") - D("3308.22")
    # From year 2 both run the whole year: the same advance on the same anniversary.
    year2 = {ln.line: ln for ln in funding.schedule(contract, today=SIGNED)
             if ln.year == 2 and ln.kind == "advance"}  # fmt: skip
    assert year2["acces"].date == year2["prevention"].date == datetime.date(2026, 1, 1)
    assert year2["prevention"].amount == D("13125.00")


def test_the_anniversary_pays_the_balance_of_the_year_ended_and_the_new_advance(home_cpts):
    contract = year5_contract(home_cpts, figures={("ald-sans-mt", 1): D(80)})
    anniversary = datetime.date(2026, 1, 1)
    due = {(ln.kind, ln.year): ln for ln in lines_of(contract, "acces", today=anniversary)
           if ln.date == anniversary}  # fmt: skip
    # Balance of year 1: the 25 % left of 90 000, plus the 6 000 of the ALD tier reached.
    assert due[("balance", 1)].amount == D("22500.00") + D("6000.00")
    assert due[("balance", 1)].variable == D("6000.00")
    assert due[("balance", 1)].estimated is False  # year 1 has ended
    assert due[("advance", 2)].amount == D("67500.00")


def test_balances_of_years_not_ended_are_estimates(home_cpts):
    contract = year5_contract(home_cpts, figures={("ald-sans-mt", 1): D(40)})
    balance = next(ln for ln in lines_of(contract, "acces", today=datetime.date(2025, 6, 1))
                   if ln.kind == "balance" and ln.year == 1)  # fmt: skip
    assert balance.estimated is True
    assert balance.amount == D("22500.00") + D("9000.00")


def test_the_variable_part_is_capped_at_the_missions_variable_amount(home_cpts):
    contract = year5_contract(home_cpts, figures={("ald-sans-mt", 1): D(10)})
    contract.missions.get(code="acces").years.filter(year=1).update(variable=D("5000"))
    balance = next(ln for ln in lines_of(contract, "acces", today=datetime.date(2026, 2, 1))
                   if ln.kind == "balance" and ln.year == 1)  # fmt: skip
    assert balance.variable == D("5000.00")


def test_the_operating_grant_runs_from_the_signature_without_variable_part(home_cpts):
    contract = year5_contract(home_cpts, started={}, indicators=False)
    lines = lines_of(contract, OPERATING)
    assert [(ln.date, ln.kind, ln.amount) for ln in lines[:3]] == [
        (SIGNED, "advance", D("67500.00")),
        (datetime.date(2026, 1, 1), "balance", D("22500.00")),
        (datetime.date(2026, 1, 1), "advance", D("67500.00")),
    ]
    assert not any(ln.estimated for ln in lines)


def test_missions_never_started_or_not_included_pay_nothing(home_cpts):
    contract = year5_contract(home_cpts, started={"acces": SIGNED, "qualite": SIGNED},
                              indicators=False)  # fmt: skip
    contract.missions.filter(code="qualite").update(included=False)
    paid = {ln.line for ln in funding.schedule(contract, today=SIGNED)}
    assert paid == {"acces", OPERATING}


def test_the_last_year_is_balanced_when_the_contract_ends(home_cpts):
    contract = year5_contract(home_cpts, indicators=False)
    last = funding.schedule(contract, today=SIGNED)[-1]
    assert last.kind == "balance" and last.year == 5
    assert last.date == datetime.date(2030, 1, 1)  # the fifth anniversary: the end
    assert not any(ln.year > 5 for ln in funding.schedule(contract, today=SIGNED))


def test_over_the_whole_contract_a_mission_receives_its_fixed_parts_exactly(home_cpts):
    start = datetime.date(2025, 3, 17)
    contract = year5_contract(home_cpts, started={"acces": start}, indicators=False)
    total = sum(ln.amount for ln in lines_of(contract, "acces"))
    first_year = D(90000) * D((datetime.date(2025, 12, 31) - start).days + 1) / D(365)
    assert total == first_year.quantize(D("0.01")) + 4 * D(90000)


def test_a_mission_started_before_the_signature_is_paid_from_the_signature(home_cpts):
    contract = year5_contract(home_cpts, started={"acces": datetime.date(2024, 9, 1)},
                              indicators=False)  # fmt: skip
    first = lines_of(contract, "acces")[0]
    assert (first.date, first.amount) == (SIGNED, D("67500.00"))


def test_a_leap_year_counts_366_days(home_cpts):
    contract = year5_contract(home_cpts, signed_on=datetime.date(2028, 1, 1),
                              started={"acces": datetime.date(2028, 12, 31)},
                              indicators=False)  # fmt: skip
    first = lines_of(contract, "acces", today=datetime.date(2028, 1, 1))[0]
    # One day of 366: 90 000 / 366 = 245.90, of which 75 %.
    assert first.amount == D("184.43")
