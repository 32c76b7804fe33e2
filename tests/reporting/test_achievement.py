"""What an indicator earns: the best tier reached pays its amount (the real ALD tiers of the
year-5 annex, where fewer patients is better), a target pays pro rata of the way from the
baseline, and the next step says what reaching it would add."""

import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maillage.reporting import achievement
from maillage.reporting.achievement import evaluate
from maillage.reporting.models import Direction, Rule
from tests.reporting.test_schedule import ALD_TIERS, year5_contract


def ald(value):
    return evaluate(rule=Rule.TIERS, value=None if value is None else D(value),
                    direction=Direction.LOWER, tiers=ALD_TIERS)  # fmt: skip


@pytest.mark.parametrize(("patients", "earned"), [
    (0, 9000), (50, 9000), (51, 6000), (100, 6000), (101, 3000), (219, 3000), (220, 0),
])  # fmt: skip
def test_ald_patients_without_a_gp_are_paid_by_the_best_tier_reached(patients, earned):
    outcome = ald(patients)
    assert outcome.earned == D(earned)
    assert outcome.maximum == D(9000)


def test_the_next_step_of_a_lower_is_better_indicator_is_the_nearest_better_tier():
    outcome = ald(80)
    assert outcome.reached == D(100)
    assert (outcome.next_step.threshold, outcome.next_step.gain) == (D(50), D(3000))
    assert ald(300).next_step.threshold == D(219)  # the easiest step first
    assert ald(30).next_step is None  # the best tier is reached


def test_a_missing_value_earns_nothing_and_points_at_the_first_tier():
    outcome = ald(None)
    assert outcome.earned == 0
    assert outcome.next_step.threshold == D(219)


def test_tiers_are_not_cumulative_for_a_higher_is_better_indicator():
    tiers = [(D(60), D(1000)), (D(62), D(3500))]
    outcome = evaluate(rule=Rule.TIERS, value=D("62.5"), tiers=tiers)
    assert outcome.earned == D(3500)
    below = evaluate(rule=Rule.TIERS, value=D("61"), tiers=tiers)
    assert (below.earned, below.next_step.threshold, below.next_step.gain) == (
        D(1000), D(62), D(2500))  # fmt: skip


def test_a_target_pays_pro_rata_of_the_way_from_the_baseline():
    outcome = evaluate(rule=Rule.TARGET, value=D(70), target=D(80), amount=D(10000),
                       baseline=D(60))  # fmt: skip
    assert outcome.earned == D("5000.00")
    assert outcome.next_step.threshold == D(80) and outcome.next_step.gain == D("5000.00")


def test_a_target_without_pro_rata_is_all_or_nothing():
    kwargs = {"rule": Rule.TARGET, "target": D(80), "amount": D(10000), "pro_rata": False}
    assert evaluate(value=D("79.99"), **kwargs).earned == 0
    assert evaluate(value=D(80), **kwargs).earned == D(10000)


def test_a_lower_is_better_target_counts_the_way_down():
    outcome = evaluate(rule=Rule.TARGET, value=D(150), target=D(100), amount=D(3000),
                       baseline=D(200), direction=Direction.LOWER)  # fmt: skip
    assert outcome.earned == D("1500.00")


def test_moving_away_from_the_target_earns_nothing_not_a_negative_amount():
    outcome = evaluate(rule=Rule.TARGET, value=D(50), target=D(80), amount=D(10000),
                       baseline=D(60))  # fmt: skip
    assert outcome.earned == 0


amounts = st.decimals(min_value=0, max_value=100000, places=2)
values = st.decimals(min_value=-1000, max_value=1000, places=2)


@given(tiers=st.lists(st.tuples(values, amounts), max_size=5), value=values,
       direction=st.sampled_from([Direction.LOWER, Direction.HIGHER]))  # fmt: skip
def test_tiers_never_earn_more_than_their_best_amount_nor_less_than_zero(tiers, value,
                                                                        direction):  # fmt: skip
    outcome = evaluate(rule=Rule.TIERS, value=value, tiers=tiers, direction=direction)
    assert 0 <= outcome.earned <= outcome.maximum
    if outcome.next_step is not None:
        assert outcome.earned + outcome.next_step.gain <= outcome.maximum


@given(value=values, other=values, target=values, baseline=values, amount=amounts)
def test_a_target_pays_between_zero_and_its_amount_and_more_when_closer(
    value, other, target, baseline, amount
):
    kwargs = {"rule": Rule.TARGET, "target": target, "amount": amount, "baseline": baseline}
    low, high = sorted([value, other])
    a, b = evaluate(value=low, **kwargs), evaluate(value=high, **kwargs)
    assert 0 <= a.earned <= amount and 0 <= b.earned <= amount
    assert a.earned <= b.earned  # higher is better: a higher value never earns less


@pytest.mark.django_db
def test_results_read_the_cpam_figure_of_the_year_with_its_date_and_document(home_cpts):
    contract = year5_contract(home_cpts, figures={("ald-sans-mt", 1): D(80)})
    results = achievement.results(contract, 1, today=datetime.date(2025, 6, 1))
    ald_result = next(r for r in results if r.indicator.code == "ald-sans-mt")
    assert ald_result.value == D(80) and ald_result.earned == D(6000)
    assert "CPAM" in ald_result.source_text and "Courrier CPAM" in ald_result.source_text
    breast = next(r for r in results if r.indicator.code == "depistage-sein")
    assert breast.value is None and breast.missing == "Chiffre non saisi (CPAM)"
    assert breast.at_risk == D(3500)
