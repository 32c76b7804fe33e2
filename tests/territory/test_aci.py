"""ACI size classes and mission deadlines."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maillage.territory import aci


@pytest.mark.parametrize(
    ("population", "taille"),
    [(0, 1), (39_999, 1), (40_000, 2), (79_999, 2), (80_000, 3), (175_000, 3), (175_001, 4)],
)
def test_size_class_bounds(population, taille):
    assert aci.size_class(population) == taille


@given(st.integers(0, 10_000_000), st.integers(0, 10_000_000))
def test_size_class_never_decreases_with_population(a, b):
    low, high = sorted((a, b))
    assert aci.size_class(low) <= aci.size_class(high)


@given(st.dates(datetime.date(2019, 1, 1), datetime.date(2100, 1, 1)), st.integers(0, 60))
def test_add_months_lands_in_the_right_month_never_after_the_same_day(day, months):
    result = aci.add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day


def test_mandatory_missions_have_their_aci_deadlines():
    deadlines = {d.mission.code: d for d in aci.mission_deadlines(datetime.date(2022, 6, 30))}
    assert deadlines["acces_soins"].start_by == datetime.date(2022, 12, 30)
    assert deadlines["acces_soins"].deployed_by == datetime.date(2023, 12, 30)
    assert deadlines["parcours"].deployed_by == datetime.date(2024, 6, 30)
    assert deadlines["qualite"].start_by is None
    assert deadlines["crise"].state(datetime.date(2022, 7, 1)) == "à démarrer"
    assert deadlines["crise"].state(datetime.date(2023, 1, 1)) == "à déployer"
    assert deadlines["crise"].state(datetime.date(2024, 1, 1)) == "échéance passée"


def test_no_contract_date_means_no_deadlines():
    assert aci.mission_deadlines(None) == []
