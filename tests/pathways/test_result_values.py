"""Recording a pathway result: numbers as people type them ("7,5", "7.5"), not "7,5e3",
"inf" or "nan"; an out-of-range value is kept in its field with the message next to its
task; a value no patient can have is refused even when confirmed."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from maillage.pathways import services
from maillage.pathways.models import Task
from maillage.pathways.numbers import parse_typed_decimal

HOME = "pays-berjalliens"


# The parser ------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "number"), [
    ("7,5", Decimal("7.5")), ("7.5", Decimal("7.5")), (" 7,5 ", Decimal("7.5")),
    ("12", Decimal("12")), ("-0,3", Decimal("-0.3")), (",5", Decimal("0.5")),
    ("1 200", Decimal("1200")), ("1\u202f200,5", Decimal("1200.5")), ("7,", Decimal("7")),
])  # fmt: skip
def test_numbers_as_people_type_them_are_read(typed, number):
    assert parse_typed_decimal(typed) == number


@pytest.mark.parametrize("typed", ["7,5e3", "7.5E3", "1e9", "inf", "-Infinity", "nan", "NaN",
                                   "", " ", "7,5,3", "7..5", "abc", "0x10", "12 34", "1_000",
                                   "+", "٣", "7,5 %", None])  # fmt: skip
def test_what_a_person_does_not_type_is_not_a_number(typed):
    assert parse_typed_decimal(typed) is None


@given(st.decimals(min_value=-10**7, max_value=10**7, places=2, allow_nan=False,
                   allow_infinity=False))  # fmt: skip
def test_a_decimal_written_with_a_comma_or_a_point_reads_back_the_same(number):
    text = format(number, "f")
    assert parse_typed_decimal(text) == number
    assert parse_typed_decimal(text.replace(".", ",")) == number


@given(st.text(max_size=40))
def test_any_text_is_a_finite_number_without_exponent_or_nothing(text):
    number = parse_typed_decimal(text)
    if number is not None:
        assert number.is_finite()
        assert "e" not in text.lower() and "n" not in text.lower()


@given(st.floats(allow_nan=True, allow_infinity=True).map(repr).filter(
    lambda s: "e" in s or "n" in s))  # fmt: skip
def test_exponents_infinities_and_nan_are_always_refused(text):
    assert parse_typed_decimal(text) is None


# Recording a result ------------------------------------------------------------------


def _task(enrolment, code):
    return Task.objects.get(enrolment=enrolment, step__code=code, status="due")


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "value"), [
    ("lipides", "-1"), ("lipides", "0"), ("hba1c", "0"), ("hba1c", "50"), ("hba1c", "-7"),
])  # fmt: skip
def test_an_impossible_value_is_refused_even_when_confirmed(enrolment, gp, code, value):
    task = _task(enrolment, code)
    with pytest.raises(ValidationError, match="pas une valeur possible"):
        services.complete(task=task, actor=gp, value=value, confirm_out_of_range=True)
    assert Task.objects.get(pk=task.pk).status == "due"


@pytest.mark.django_db
def test_an_unusual_but_possible_value_is_recorded_once_confirmed(enrolment, gp):
    task = _task(enrolment, "hba1c")
    with pytest.raises(ValidationError, match="hors des valeurs plausibles"):
        services.complete(task=task, actor=gp, value="16")
    done = services.complete(task=task, actor=gp, value="16", confirm_out_of_range=True)
    assert done.result_number == Decimal("16.00")


@pytest.mark.django_db
def test_an_out_of_range_value_stays_typed_with_its_message_next_to_its_task(
    client_for, enrolment, gp
):
    task = _task(enrolment, "hba1c")
    other = _task(enrolment, "lipides")
    response = client_for(gp).post(
        reverse("pathways:complete", args=[HOME, task.public_id]), {"value": "16,5"})
    html = response.content.decode()
    assert response.status_code == 400
    # The value typed is in that task's field, the message under it, not in another task.
    assert re.search(rf'id="t-{task.public_id}-value"', html)
    field = re.search(rf'<input[^>]*id="t-{task.public_id}-value"[^>]*>', html).group(0)
    assert 'value="16,5"' in field
    message = re.search(rf'id="t-{task.public_id}-value_error"[^>]*>([^<]+)<', html).group(1)
    assert "hors des valeurs plausibles" in message
    assert f't-{other.public_id}-value_error' not in html
    # The confirmation box is next to the value, to tick and send again.
    assert f'id="t-{task.public_id}-confirm"' in html


@pytest.mark.django_db
def test_an_exponent_is_refused_on_the_page(client_for, enrolment, gp):
    task = _task(enrolment, "hba1c")
    response = client_for(gp).post(
        reverse("pathways:complete", args=[HOME, task.public_id]),
        {"value": "7,5e3", "confirm": "on"})  # fmt: skip
    assert response.status_code == 400
    assert "sans exposant" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "due"
