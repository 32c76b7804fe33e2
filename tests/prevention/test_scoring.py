"""FINDRISC scored exactly as the table of domain/prevention.md (a property test whose
expected score is rebuilt from the table, every boundary among the examples), capillary
glucose and blood pressure thresholds, and the messages of implausible answers."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from maillage.prevention import scoring
from maillage.prevention.scoring import NextStep


def table_points(*, sex, age, height_cm, weight_kg, waist_cm, daily_activity,
                 daily_vegetables, bp_medication, high_glucose_history, family_history):
    """The table of domain/prevention.md, written out again, with exact fractions."""
    if age < 45:
        points = 0
    elif age <= 54:
        points = 2
    elif age <= 64:
        points = 3
    else:
        points = 4
    bmi = Fraction(str(weight_kg)) / (Fraction(str(height_cm)) / 100) ** 2
    points += 0 if bmi < 25 else 1 if bmi <= 30 else 3
    waist = Fraction(str(waist_cm))
    low, high = (94, 102) if sex == "M" else (80, 88)
    points += 0 if waist < low else 3 if waist <= high else 4
    points += 0 if daily_activity else 2
    points += 0 if daily_vegetables else 1
    points += 2 if bp_medication else 0
    points += 5 if high_glucose_history else 0
    points += {"none": 0, "second_degree": 3, "first_degree": 5}[family_history]
    return points


def table_band(score):
    if score < 7:
        return "low"
    if score <= 11:
        return "slight"
    if score <= 14:
        return "moderate"
    if score <= 20:
        return "high"
    return "very_high"


AGE_BOUNDARIES = [18, 44, 45, 54, 55, 64, 65, 120]
WAIST_BOUNDARIES = [Decimal(v) for v in ("79.9", "80", "88", "88.1", "93.9", "94", "102",
                                         "102.1", "40", "200")]  # fmt: skip
tenths = st.integers(min_value=0, max_value=9).map(lambda d: Decimal(d) / 10)


@st.composite
def findrisc_inputs(draw):
    return {
        "sex": draw(st.sampled_from(["F", "M"])),
        "age": draw(st.sampled_from(AGE_BOUNDARIES) | st.integers(18, 120)),
        "height_cm": draw(st.sampled_from([100, 150, 200, 250]) | st.integers(100, 250)),
        "weight_kg": draw(st.integers(25, 349)) + draw(tenths),
        "waist_cm": draw(st.sampled_from(WAIST_BOUNDARIES)
                         | st.builds(lambda i, t: Decimal(i) + t, st.integers(40, 199), tenths)),
        "daily_activity": draw(st.booleans()),
        "daily_vegetables": draw(st.booleans()),
        "bp_medication": draw(st.booleans()),
        "high_glucose_history": draw(st.booleans()),
        "family_history": draw(st.sampled_from(["none", "second_degree", "first_degree"])),
    }


def _answers(inputs):
    return {k: v for k, v in inputs.items() if k not in ("sex", "age")}


BASE = {"sex": "M", "age": 50, "height_cm": 200, "weight_kg": Decimal(80), "waist_cm": 90,
        "daily_activity": True, "daily_vegetables": True, "bp_medication": False,
        "high_glucose_history": False, "family_history": "none"}  # fmt: skip


@given(findrisc_inputs())
# BMI exactly 25 and 30 (height 2 m: weight / 4), and just around them.
@example({**BASE, "weight_kg": Decimal("99.9")})
@example({**BASE, "weight_kg": Decimal(100)})
@example({**BASE, "weight_kg": Decimal(120)})
@example({**BASE, "weight_kg": Decimal("120.1")})
@example({**BASE, "sex": "F", "waist_cm": Decimal(80)})
@example({**BASE, "sex": "F", "waist_cm": Decimal(88)})
@example({**BASE, "sex": "F", "waist_cm": Decimal("88.1")})
@example({**BASE, "waist_cm": Decimal(94)})
@example({**BASE, "waist_cm": Decimal(102)})
@example({**BASE, "waist_cm": Decimal("102.1")})
def test_findrisc_score_and_band_follow_the_table_of_the_domain(inputs):
    result = scoring.findrisc(_answers(inputs), sex=inputs["sex"], age=inputs["age"])
    expected = table_points(**inputs)
    assert result.score == expected
    assert result.risk == table_band(expected)
    assert sum(result.details["points"].values()) == expected
    if expected > 12:
        assert result.next_step == NextStep.GLUCOSE
    else:
        assert result.next_step in (NextStep.ADVICE, NextStep.NONE)


@pytest.mark.parametrize(("score", "band"), [(6, "low"), (7, "slight"), (11, "slight"),
                                             (12, "moderate"), (14, "moderate"), (15, "high"),
                                             (20, "high"), (21, "very_high")])  # fmt: skip
def test_risk_band_boundaries(score, band):
    assert scoring._band(score, scoring.FINDRISC_DEFAULTS["bands"])[1] == band


def test_a_score_of_12_gets_advice_and_13_a_glucose_test():
    # 55-64: 3, BMI 25-30: 1, waist 94-102: 3, no activity: 2, bp medication: 2 -> 11
    answers = {"height_cm": 200, "weight_kg": 110, "waist_cm": 95, "daily_activity": "no",
               "daily_vegetables": "yes", "bp_medication": "yes", "high_glucose_history": "no",
               "family_history": "none"}  # fmt: skip
    assert scoring.findrisc(answers, sex="M", age=60).score == 11
    twelve = scoring.findrisc({**answers, "daily_vegetables": "no"}, sex="M", age=60)
    assert (twelve.score, twelve.next_step) == (12, NextStep.ADVICE)
    thirteen = scoring.findrisc({**answers, "daily_vegetables": "no"}, sex="M", age=65)
    assert (thirteen.score, thirteen.next_step) == (13, NextStep.GLUCOSE)
    assert thirteen.next_step_label == "Glycémie capillaire à faire"


def _errors(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_implausible_answers_name_their_field_in_french():
    errors = _errors(lambda: scoring.findrisc(
        {"height_cm": 300, "weight_kg": "abc", "waist_cm": 20}, sex="F", age=150))
    assert "La taille (300 cm) est hors des valeurs plausibles" in errors["height_cm"][0]
    assert "entre 100 et 250 cm" in errors["height_cm"][0]
    assert errors["weight_kg"] == ["Le poids doit être un nombre."]
    assert "Le tour de taille (20 cm)" in errors["waist_cm"][0]
    assert "L'âge (150 ans)" in errors["age"][0]
    for name in ("daily_activity", "daily_vegetables", "bp_medication",
                 "high_glucose_history", "family_history"):
        assert errors[name][0].startswith("Réponse obligatoire"), name


def test_findrisc_is_for_adults():
    answers = _answers(BASE)
    errors = _errors(lambda: scoring.findrisc(answers, sex="M", age=16))
    assert "adultes (18 ans et plus)" in errors["age"][0]


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                 st.text(max_size=20)))
def test_any_height_is_accepted_in_range_or_refused_with_its_name(value):
    try:
        result = scoring.findrisc({**_answers(BASE), "height_cm": value}, sex="M", age=50)
    except ValidationError as exc:
        assert set(exc.message_dict) == {"height_cm"}
    else:
        assert 100 <= Decimal(str(value).replace(",", ".")) <= 250
        assert result.score is not None


@pytest.mark.parametrize(("value", "fasting", "risk", "step"), [
    ("1.25", True, "intermediate", NextStep.REFER),
    ("1.26", True, "diabetes", NextStep.REFER),
    ("1.10", True, "intermediate", NextStep.REFER),
    ("1.09", True, "normal", NextStep.ADVICE),
    ("1.99", False, "normal", NextStep.ADVICE),
    ("2.00", False, "diabetes", NextStep.REFER),
    ("2,3", False, "diabetes", NextStep.REFER),
    ("1.50", False, "normal", NextStep.ADVICE),
])
def test_glucose_thresholds(value, fasting, risk, step):
    result = scoring.glucose(value, fasting=fasting)
    assert (result.risk, result.next_step) == (risk, step)
    assert result.positive == (step == NextStep.REFER)
    assert result.details["reason"].startswith("Glycémie")


@pytest.mark.parametrize("value", ["0.19", "6.01", "-1", "23", ""])
def test_glucose_outside_plausible_range_is_refused(value):
    errors = _errors(lambda: scoring.glucose(value, fasting=False))
    assert "glucose_g_l" in errors
    assert "0,20" in errors["glucose_g_l"][0] or "obligatoire" in errors["glucose_g_l"][0]


def test_glucose_needs_to_know_whether_fasting():
    assert "fasting" in _errors(lambda: scoring.glucose("1.0", fasting=None))


@pytest.mark.parametrize(("measures", "risk", "step"), [
    ([(150, 85)], "to_confirm", NextStep.REPEAT),
    ([(120, 80)], "normal", NextStep.NONE),
    ([(150, 95), (145, 92)], "high", NextStep.REFER),
    ([(140, 80), (140, 80)], "high", NextStep.REFER),
    ([(139, 89), (139, 89)], "normal", NextStep.NONE),
    ([(150, 85), (120, 80)], "to_confirm", NextStep.REPEAT),
    ([(150, 85), (120, 80), (120, 80)], "normal", NextStep.NONE),
    ([(185, 100), (180, 112)], "very_high", NextStep.URGENT),
    ([(170, 110), (170, 110)], "very_high", NextStep.URGENT),
])
def test_blood_pressure_thresholds_on_the_mean_of_measures(measures, risk, step):
    result = scoring.blood_pressure(measures)
    assert (result.risk, result.next_step) == (risk, step)
    assert result.details["count"] == len(measures)


@pytest.mark.parametrize(("systolic", "diastolic", "field"), [
    (59, 40, "systolic"), (301, 90, "systolic"), (120, 29, "diastolic"),
    (120, 201, "diastolic"), (90, 90, "diastolic"), ("", 80, "systolic"),
])
def test_implausible_blood_pressure_is_refused(systolic, diastolic, field):
    assert field in _errors(lambda: scoring.blood_pressure([(systolic, diastolic)]))


def test_a_glucose_after_findrisc_decides_the_next_step_and_keeps_the_score():
    answers = {"height_cm": 170, "weight_kg": 95, "waist_cm": 105, "daily_activity": False,
               "daily_vegetables": False, "bp_medication": True,
               "high_glucose_history": False, "family_history": "second_degree"}
    result = scoring.decide("findrisc", answers, [
        {"kind": "glucose", "value": "2.3", "fasting": False}], sex="M", age=60)
    assert result.score == 18
    assert result.next_step == NextStep.REFER and result.positive
    assert result.details["measure_risk"] == "diabetes"
