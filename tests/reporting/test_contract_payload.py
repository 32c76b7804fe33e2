"""The contract replaced whole (the API's PUT and the edit page): every field checked
first, each refusal naming its field, nothing written when anything is wrong; tiers in
order."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.reporting import contract as services
from maillage.reporting.models import Contract, Direction

SIGNED = "2022-06-30"


def _body(**change):
    body = {"signed_on": SIGNED, "size_class": 2, "operating_grant": "60000",
            "missions": [{"code": code, "started_on": None,
                          "years": [{"year": y, "fixed": "1000", "variable": "500"}
                                    for y in range(1, 6)]}
                         for code in ("acces", "parcours", "prevention", "crise")]}  # fmt: skip
    body.update(change)
    return body


def _errors(body):
    with pytest.raises(ValidationError) as caught:
        services.clean_payload(body)
    return caught.value.message_dict


def test_a_good_body_is_clean():
    clean = services.clean_payload(_body())
    assert clean["signed_on"] == datetime.date(2022, 6, 30)
    assert clean["missions"][0]["years"][0]["fixed"] == Decimal("1000.00")


@pytest.mark.parametrize("path, value, field", [
    (("missions", 1, "years", 0, "fixed"), "-5", "missions[1].years[0].fixed"),
    (("missions", 0, "years", 2, "variable"), "douze", "missions[0].years[2].variable"),
    (("missions", 2, "years", 1, "year"), 6, "missions[2].years[1].year"),
    (("missions", 2, "years", 1, "year"), 0, "missions[2].years[1].year"),
    (("missions", 3, "code"), "fete", "missions[3].code"),
    (("missions", 0, "started_on"), "30/06/2022", "missions[0].started_on"),
    (("signed_on",), "hier", "signed_on"),
    (("signed_on",), None, "signed_on"),
    (("size_class",), 5, "size_class"),
    (("size_class",), "deux", "size_class"),
    (("operating_grant",), "1e400", "operating_grant"),
    (("operating_grant",), "12.345", "operating_grant"),
    (("operating_grant",), True, "operating_grant"),
])  # fmt: skip
def test_each_bad_value_is_named_by_its_field(path, value, field):
    body = _body()
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    errors = _errors(body)
    assert field in errors, errors


def test_a_duplicate_year_is_refused():
    body = _body()
    body["missions"][0]["years"][1]["year"] = 1
    assert "missions[0].years[1].year" in _errors(body)


def test_a_mandatory_mission_missing_is_refused():
    body = _body()
    body["missions"] = body["missions"][:3]
    assert "crise" in " ".join(_errors(body)["missions"])


def test_every_error_is_given_at_once():
    body = _body(size_class=9, signed_on="x")
    body["missions"][0]["years"][0]["fixed"] = "-1"
    assert {"size_class", "signed_on", "missions[0].years[0].fixed"} <= set(_errors(body))


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.decimals(allow_nan=True, allow_infinity=True), st.floats(),
                 st.integers(), st.text(max_size=20)))  # fmt: skip
def test_an_amount_is_accepted_only_when_it_is_euros_and_cents(value):
    try:
        amount = services.parse_amount(value)
    except ValueError as exc:
        assert str(exc)  # a French reason, never a crash
        return
    assert amount >= 0
    assert amount <= services.AMOUNT_MAX
    assert amount == amount.quantize(Decimal("0.01"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=9), min_size=1, max_size=6))
def test_years_outside_the_contract_or_twice_never_pass(years):
    body = _body()
    body["missions"][0]["years"] = [{"year": y, "fixed": "1", "variable": "1"} for y in years]
    valid = all(1 <= y <= 5 for y in years) and len(set(years)) == len(years)
    if valid:
        services.clean_payload(body)
    else:
        assert any(k.startswith("missions[0].years") for k in _errors(body))


@pytest.mark.django_db
def test_a_refused_body_writes_nothing(home_cpts, coordinator):
    services.save_payload(cpts=home_cpts, payload=_body(), actor=coordinator)
    body = _body(operating_grant="99999")
    body["missions"][1]["years"][4]["fixed"] = "-1"
    with pytest.raises(ValidationError):
        services.save_payload(cpts=home_cpts, payload=body, actor=coordinator)
    assert Contract.objects.get(cpts=home_cpts).operating_grant == Decimal("60000.00")


@pytest.mark.django_db
def test_a_start_before_the_signature_is_kept_with_a_warning(home_cpts, coordinator):
    from maillage.reporting import status

    body = _body()
    body["missions"][0]["started_on"] = "2022-01-10"
    contract = services.save_payload(cpts=home_cpts, payload=body, actor=coordinator)
    mission = contract.missions.get(code="acces")
    assert mission.started_on == datetime.date(2022, 1, 10)
    assert any("avant la signature" in w for w in status.warnings(contract))


# -- tiers ---------------------------------------------------------------------------


def test_tiers_rising_for_higher_is_better():
    tiers = services.check_tiers([("55", "2500"), ("58", "5000"), ("62", "7500")],
                                 Direction.HIGHER)  # fmt: skip
    assert tiers[-1] == (Decimal(62), Decimal(7500))


@pytest.mark.parametrize("pairs", [
    [("58", "5000"), ("55", "2500")],  # thresholds going down
    [("55", "5000"), ("58", "2500")],  # a better threshold paying less
    [("55", "2500"), ("55", "5000")],  # twice the same threshold
])  # fmt: skip
def test_tiers_out_of_order_are_refused_with_a_clear_message(pairs):
    with pytest.raises(ValueError, match="Paliers dans le désordre"):
        services.check_tiers(pairs, Direction.HIGHER)


def test_lower_is_better_tiers_accept_either_order_when_consistent():
    for pairs in ([("50", "9000"), ("100", "6000"), ("219", "3000")],
                  [("219", "3000"), ("100", "6000"), ("50", "9000")]):  # fmt: skip
        assert services.check_tiers(pairs, Direction.LOWER)[-1] == (Decimal(50), Decimal(9000))
    with pytest.raises(ValueError, match="désordre"):
        services.check_tiers([("50", "3000"), ("100", "6000")], Direction.LOWER)


def test_tier_lines_are_read_in_several_spellings():
    assert services.parse_tier_lines("55 → 2 500\n58 -> 5000\n\n62;7500,50") == [
        ("55", "2 500"),
        ("58", "5000"),
        ("62", "7500,50"),
    ]
    with pytest.raises(ValueError, match="Ligne 1"):
        services.parse_tier_lines("cinquante-cinq")
