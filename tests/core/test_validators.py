"""Tests for maillage.core.validators (pure Python: no database, no settings needed)."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from stdnum import luhn as stdnum_luhn
from stdnum.fr import nir as stdnum_nir

from maillage.core.validators import (
    ADELI_LUHN_WARNING,
    FINESS_LUHN_WARNING,
    RPPS_LUHN_WARNING,
    Checked,
    adeli_validator,
    finess_validator,
    insee_commune_validator,
    luhn_check_digit,
    mssante_email_validator,
    nir_key,
    nir_validator,
    phone_fr_validator,
    rpps_validator,
    validate_adeli,
    validate_finess,
    validate_insee_commune,
    validate_mssante_email,
    validate_nir,
    validate_phone_fr,
    validate_rpps,
)

DIGITS = "0123456789"


def error_code(func, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        func(value)
    return excinfo.value.code


def error_message(func, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        func(value)
    (message,) = excinfo.value.messages
    return message


def with_luhn(payload: str) -> str:
    return payload + luhn_check_digit(payload)


def with_bad_luhn(payload: str) -> str:
    good = int(luhn_check_digit(payload))
    return payload + str((good + 1) % 10)


# ---------------------------------------------------------------------- strategies

digit_strings = st.text(alphabet=DIGITS, min_size=1, max_size=30)
nir_departments = st.one_of(
    st.text(alphabet=DIGITS, min_size=2, max_size=2),
    st.sampled_from(["2A", "2B"]),
)


@st.composite
def nir_bodies(draw) -> str:
    """13-character NIR bodies with sex 1/2, month 01-12 and any department."""
    sex = draw(st.sampled_from("12"))
    year = draw(st.text(alphabet=DIGITS, min_size=2, max_size=2))
    month = f"{draw(st.integers(1, 12)):02d}"
    department = draw(nir_departments)
    rest = draw(st.text(alphabet=DIGITS, min_size=6, max_size=6))
    return sex + year + month + department + rest


@st.composite
def valid_nirs(draw) -> str:
    body = draw(nir_bodies())
    return body + nir_key(body)


def insert_spaces(value: str, positions: list[int]) -> str:
    chars = list(value)
    for position in sorted(positions, reverse=True):
        chars.insert(position, " ")
    return "".join(chars)


# ---------------------------------------------------------------------- Checked


def test_checked_is_frozen_and_has_no_warnings_by_default():
    checked = Checked("x")
    assert checked.warnings == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.value = "y"  # type: ignore[misc]


# -------------------------------------------------------------------------- NIR

KNOWN_NIR_BODY = "1850578006084"


def test_nir_key_of_known_number_is_97_minus_number_mod_97():
    assert nir_key(KNOWN_NIR_BODY) == "91"
    assert nir_key(KNOWN_NIR_BODY) == f"{97 - int(KNOWN_NIR_BODY) % 97:02d}"


def test_nir_key_matches_stdnum_documented_examples():
    # Examples from python-stdnum's documentation (stdnum.fr.nir).
    assert nir_key("2951099126111") == "93"
    assert nir_key("253072B073004") == "70"
    assert nir_key("253072A073004") == "43"


def test_nir_with_spaces_is_valid_and_normalised_to_15_characters():
    checked = validate_nir("1 85 05 78 006 084 91")
    assert checked == Checked("185057800608491")


@pytest.mark.parametrize(
    "raw",
    [
        "185057800608491",
        "1.85.05.78.006.084.91",
        "1-85-05-78-006-084-91",
        "1\u00a085 05 78 006 084 91",
    ],
)
def test_nir_separators_are_stripped(raw):
    assert validate_nir(raw).value == "185057800608491"


def test_nir_with_wrong_key_is_rejected_with_expected_key():
    with pytest.raises(ValidationError) as excinfo:
        validate_nir("1 85 05 78 006 084 17")
    assert excinfo.value.code == "nir_key"
    assert excinfo.value.messages == ["La clé du NIR est incorrecte : 91 attendu, 17 saisi."]


def test_corsican_nir_2a_key_replaces_2a_by_19():
    body = "290032A004012"
    key = nir_key(body)
    assert key == f"{97 - int('2900319004012') % 97:02d}"
    checked = validate_nir(f"2 90 03 2A 004 012 {key}")
    assert checked.value == f"290032A004012{key}"


def test_corsican_nir_2b_key_replaces_2b_by_18():
    body = "290032B004012"
    key = nir_key(body)
    assert key == f"{97 - int('2900318004012') % 97:02d}"
    assert validate_nir(body + key).value == body + key


def test_corsican_nir_2a_and_2b_keys_differ_and_are_not_swapped():
    key_2a = nir_key("290032A004012")
    key_2b = nir_key("290032B004012")
    assert key_2a != key_2b
    # Swapping the substitution (2A -> 18, 2B -> 19) would give the other key.
    assert key_2a != f"{97 - int('2900318004012') % 97:02d}"
    assert key_2b != f"{97 - int('2900319004012') % 97:02d}"
    with pytest.raises(ValidationError) as excinfo:
        validate_nir("290032A004012" + key_2b)
    assert excinfo.value.code == "nir_key"


def test_corsican_nir_accepts_lower_case_department():
    body = "290032A004012"
    assert validate_nir(body.lower() + nir_key(body)).value == body + nir_key(body)


@pytest.mark.parametrize("department", ["2C", "A2", "AB", "3A"])
def test_nir_department_letters_other_than_2a_2b_are_rejected(department):
    body = f"29003{department}004012"
    assert error_code(validate_nir, body + "00") == "nir_format"


@pytest.mark.parametrize("raw", ["18505780060849", "1850578006084911", "", "1"])
def test_nir_with_wrong_length_is_rejected(raw):
    assert error_code(validate_nir, raw) == "nir_length"


def test_nir_without_key_mentions_the_missing_key():
    message = error_message(validate_nir, KNOWN_NIR_BODY)
    assert "clé" in message


@pytest.mark.parametrize("raw", ["18505780060849X", "1850578006084/91", "１85057800608491"])
def test_nir_with_unexpected_characters_is_rejected_as_format(raw):
    assert error_code(validate_nir, raw) == "nir_format"


@pytest.mark.parametrize("sex", "0569")
def test_nir_with_invalid_sex_digit_is_rejected(sex):
    body = sex + KNOWN_NIR_BODY[1:]
    assert error_code(validate_nir, body + nir_key(body)) == "nir_sex"


@pytest.mark.parametrize("sex", "3478")
def test_nir_temporary_sex_digits_are_accepted_with_a_warning(sex):
    body = sex + KNOWN_NIR_BODY[1:]
    checked = validate_nir(body + nir_key(body))
    assert checked.value == body + nir_key(body)
    assert len(checked.warnings) == 1


@pytest.mark.parametrize("month", ["00", "13", "19", "43", "49"])
def test_nir_with_impossible_month_is_rejected(month):
    body = KNOWN_NIR_BODY[:3] + month + KNOWN_NIR_BODY[5:]
    assert error_code(validate_nir, body + nir_key(body)) == "nir_format"


@pytest.mark.parametrize("month", ["01", "12", "20", "42", "50", "99"])
def test_nir_with_special_month_is_accepted(month):
    body = KNOWN_NIR_BODY[:3] + month + KNOWN_NIR_BODY[5:]
    assert validate_nir(body + nir_key(body)).value == body + nir_key(body)


@pytest.mark.parametrize("bad", ["185057800608", "12345678901234", "290032C004012", ""])
def test_nir_key_helper_rejects_malformed_bodies(bad):
    with pytest.raises(ValueError):
        nir_key(bad)


@given(nir_bodies())
def test_nir_body_plus_nir_key_is_always_valid(body):
    checked = validate_nir(body + nir_key(body))
    assert checked.value == body + nir_key(body)
    assert checked.warnings == ()


@given(nir_bodies())
def test_nir_key_agrees_with_stdnum(body):
    assert nir_key(body) == stdnum_nir.calc_check_digits(body)
    assert stdnum_nir.is_valid(body + nir_key(body))


@given(nir_bodies(), st.integers(0, 99))
def test_nir_with_any_other_key_is_rejected_with_code_nir_key(body, key):
    expected = nir_key(body)
    assume(f"{key:02d}" != expected)
    with pytest.raises(ValidationError) as excinfo:
        validate_nir(f"{body}{key:02d}")
    assert excinfo.value.code == "nir_key"
    assert f"{expected} attendu" in excinfo.value.messages[0]


@given(valid_nirs(), st.lists(st.integers(0, 15), max_size=10))
def test_spaces_anywhere_in_a_nir_do_not_change_the_normalised_value(nir, positions):
    assert validate_nir(insert_spaces(nir, positions)).value == nir


@given(st.text())
def test_validate_nir_raises_only_validation_error_on_arbitrary_text(text):
    try:
        checked = validate_nir(text)
    except ValidationError as error:
        assert error.code in {"nir_length", "nir_format", "nir_key", "nir_sex"}
    else:
        assert len(checked.value) == 15


# ------------------------------------------------------------------------- Luhn


@pytest.mark.parametrize(
    ("payload", "digit"),
    [("7992739871", "3"), ("1000345678", "6"), ("0", "0"), ("1", "8")],
)
def test_luhn_check_digit_known_values(payload, digit):
    assert luhn_check_digit(payload) == digit


@given(digit_strings)
def test_luhn_check_digit_agrees_with_stdnum(payload):
    assert luhn_check_digit(payload) == stdnum_luhn.calc_check_digit(payload)


@pytest.mark.parametrize("bad", ["", "12a", "１２"])
def test_luhn_check_digit_rejects_non_digits(bad):
    with pytest.raises(ValueError):
        luhn_check_digit(bad)


# ------------------------------------------------------------------------- RPPS


def test_rpps_with_valid_luhn_has_no_warning():
    number = with_luhn("1000345678")
    assert validate_rpps(number) == Checked("10003456786")


def test_rpps_with_bad_luhn_is_accepted_with_a_warning():
    checked = validate_rpps("10003456789")
    assert checked.value == "10003456789"
    assert checked.warnings == (RPPS_LUHN_WARNING,)


def test_rpps_spaces_are_stripped():
    assert validate_rpps(" 10 003 456 786 ").value == "10003456786"


@pytest.mark.parametrize("raw", ["1000345678", "100034567831", "", "1000345678A", "１0003456783"])
def test_rpps_that_is_not_exactly_11_digits_is_rejected(raw):
    assert error_code(validate_rpps, raw) == "rpps_format"


@given(st.text(alphabet=DIGITS, min_size=11, max_size=11))
def test_any_11_digits_is_a_valid_rpps_with_warning_iff_luhn_is_wrong(number):
    checked = validate_rpps(number)
    assert checked.value == number
    luhn_ok = luhn_check_digit(number[:10]) == number[10]
    assert checked.warnings == (() if luhn_ok else (RPPS_LUHN_WARNING,))


@given(st.text(alphabet=DIGITS, max_size=30).filter(lambda s: len(s) != 11))
def test_rpps_of_wrong_length_is_rejected(number):
    assert error_code(validate_rpps, number) == "rpps_format"


@given(
    st.text(alphabet=DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", max_size=20)
)
def test_rpps_containing_letters_is_rejected(text):
    assume(any(char.isalpha() for char in text))
    assert error_code(validate_rpps, text) == "rpps_format"


@given(st.text())
def test_validate_rpps_raises_only_validation_error_on_arbitrary_text(text):
    try:
        validate_rpps(text)
    except ValidationError as error:
        assert error.code == "rpps_format"


# ------------------------------------------------------------------------ ADELI


def test_adeli_with_valid_luhn_has_no_warning():
    number = with_luhn("38123456")
    assert validate_adeli(number) == Checked(number)


def test_adeli_with_bad_luhn_is_accepted_with_a_warning():
    number = with_bad_luhn("38123456")
    assert validate_adeli(number).warnings == (ADELI_LUHN_WARNING,)


@pytest.mark.parametrize("department", ["2A", "2B", "2a"])
def test_adeli_corsican_department_is_accepted(department):
    checked = validate_adeli(f"{department}1234567")
    assert checked.value == f"{department.upper()}1234567"


@pytest.mark.parametrize("raw", ["38123456", "3812345678", "2C1234567", "A81234567", "3812345X7"])
def test_adeli_with_wrong_format_is_rejected(raw):
    assert error_code(validate_adeli, raw) == "adeli_format"


@given(st.text(alphabet=DIGITS, min_size=9, max_size=9))
def test_any_9_digits_is_a_valid_adeli_with_warning_iff_luhn_is_wrong(number):
    checked = validate_adeli(number)
    assert checked.value == number
    assert (checked.warnings == ()) == (luhn_check_digit(number[:8]) == number[8])


@given(st.text())
def test_validate_adeli_raises_only_validation_error_on_arbitrary_text(text):
    try:
        validate_adeli(text)
    except ValidationError as error:
        assert error.code == "adeli_format"


# ----------------------------------------------------------------------- FINESS


def test_finess_with_valid_luhn_has_no_warning():
    assert validate_finess("380780080") == Checked("380780080")


def test_finess_with_bad_luhn_is_accepted_with_a_warning():
    checked = validate_finess("380780081")
    assert checked.value == "380780081"
    assert checked.warnings == (FINESS_LUHN_WARNING,)


@pytest.mark.parametrize(
    "prefix", ["01", "38", "95", "97", "98", "2A", "2B", "9A", "9B", "9C", "9D", "9F", "9J"]
)
def test_finess_accepted_department_prefixes(prefix):
    assert validate_finess(f"{prefix}0780080").value == f"{prefix}0780080"


@pytest.mark.parametrize("prefix", ["00", "99", "2C", "9G", "9K", "AA"])
def test_finess_unknown_department_prefix_is_rejected(prefix):
    assert error_code(validate_finess, f"{prefix}0780080") == "finess_format"


@pytest.mark.parametrize("raw", ["38078008", "3807800800", "38078008X", ""])
def test_finess_with_wrong_length_or_characters_is_rejected(raw):
    assert error_code(validate_finess, raw) == "finess_format"


@given(st.text())
def test_validate_finess_raises_only_validation_error_on_arbitrary_text(text):
    try:
        validate_finess(text)
    except ValidationError as error:
        assert error.code == "finess_format"


# ---------------------------------------------------------------- INSEE commune


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("38053", "38053"),
        ("01001", "01001"),
        ("95690", "95690"),
        ("2A004", "2A004"),
        ("2b033", "2B033"),
        ("97411", "97411"),
        ("97101", "97101"),
        ("97611", "97611"),
        ("97502", "97502"),
        ("97701", "97701"),
        ("98818", "98818"),
        (" 38 053 ", "38053"),
    ],
)
def test_valid_insee_commune_codes_are_accepted(raw, normalised):
    assert validate_insee_commune(raw) == Checked(normalised)


@pytest.mark.parametrize("raw", ["00001", "96001", "97001", "97901", "99100"])
def test_insee_codes_with_unknown_department_are_rejected(raw):
    assert error_code(validate_insee_commune, raw) == "insee_department"


def test_insee_20xxx_is_rejected_with_a_message_about_2a_2b():
    message = error_message(validate_insee_commune, "20004")
    assert "2A" in message and "2B" in message


@pytest.mark.parametrize("raw", ["3805", "380530", "2C004", "A2004", "3805X", "", "２A004"])
def test_insee_codes_with_wrong_shape_are_rejected(raw):
    assert error_code(validate_insee_commune, raw) == "insee_format"


@given(st.sampled_from(["2A", "2B"]), st.text(alphabet=DIGITS, min_size=3, max_size=3))
def test_every_corsican_2a_2b_commune_code_is_valid(department, suffix):
    assert validate_insee_commune(department + suffix).value == department + suffix


@given(st.text(alphabet=DIGITS, min_size=3, max_size=3))
def test_every_20xxx_commune_code_is_rejected(suffix):
    assert error_code(validate_insee_commune, "20" + suffix) == "insee_department"


@given(st.integers(1, 95).filter(lambda n: n != 20), st.integers(0, 999))
def test_every_metropolitan_department_commune_code_is_valid(department, suffix):
    code = f"{department:02d}{suffix:03d}"
    assert validate_insee_commune(code).value == code


@given(st.text())
def test_validate_insee_commune_raises_only_validation_error_on_arbitrary_text(text):
    try:
        validate_insee_commune(text)
    except ValidationError as error:
        assert error.code in {"insee_format", "insee_department"}


# ------------------------------------------------------------------------ Phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("04 74 12 34 56", "+33474123456"),
        ("0800 123 456", "+33800123456"),
        ("0590 27 12 34", "+590590271234"),  # Guadeloupe
        ("0596 70 12 34", "+596596701234"),  # Martinique
        ("0594 12 34 56", "+594594123456"),  # Guyane
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("+262 269 61 00 00", "+262269610000"),  # Mayotte
        ("+508 41 12 34", "+508411234"),  # Saint-Pierre-et-Miquelon
        ("+687 24 12 34", "+687241234"),  # Nouvelle-Calédonie
        ("+689 40 41 12 34", "+68940411234"),  # Polynésie française
        ("+681 72 12 34", "+681721234"),  # Wallis-et-Futuna
    ],
)
def test_french_phone_numbers_are_normalised_to_e164(raw, e164):
    assert validate_phone_fr(raw) == Checked(e164)


@pytest.mark.parametrize(
    "raw",
    ["06 12 34 56", "061234567890", "", "   ", "06 12 34 56 7a", "241234", "0012345678"],
)
def test_phone_with_wrong_digit_count_or_letters_is_rejected(raw):
    with pytest.raises(ValidationError) as excinfo:
        validate_phone_fr(raw)
    assert excinfo.value.code == "phone_invalid"


def test_phone_error_message_explains_expected_format():
    assert error_message(validate_phone_fr, "06 12 34") == (
        "Numéro de téléphone invalide : 10 chiffres attendus (ex. 06 12 34 56 78)."
    )


def test_foreign_phone_number_is_rejected_with_a_specific_message():
    message = error_message(validate_phone_fr, "+44 20 7946 0958")
    assert "français" in message


def test_unassigned_ten_digit_french_phone_number_is_rejected_with_a_specific_message():
    message = error_message(validate_phone_fr, "07 00 00 00 00")
    assert "n'est pas attribuable" in message
    assert error_code(validate_phone_fr, "07 00 00 00 00") == "phone_invalid"


OVERSEAS_MOBILE_COUNTRY_CODES = {
    "0639": "262",
    "0692": "262",
    "0693": "262",
    "0690": "590",
    "0691": "590",
    "0694": "594",
    "0696": "596",
    "0697": "596",
}
# 07 09 is split between overseas departments (07 09 0 Guadeloupe, 07 09 1 Martinique...).
OVERSEAS_COUNTRY_CODES = {"262", "590", "594", "596"}


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0596 70 12 34", "+596596701234"),
        ("0269 61 00 00", "+262269610000"),
        ("0263 12 34 56", "+262263123456"),
        ("0639 01 23 45", "+262639012345"),
        ("0800 12 34 56", "+33800123456"),
    ],
)
def test_overseas_ranges_valid_in_metropolitan_metadata_get_the_overseas_country_code(raw, e164):
    assert validate_phone_fr(raw).value == e164


@given(st.sampled_from("67"), st.text(alphabet=DIGITS, min_size=8, max_size=8))
def test_every_french_mobile_number_normalises_to_e164(prefix, rest):
    national = f"0{prefix}{rest}"
    spaced = " ".join(national[i : i + 2] for i in range(0, 10, 2))
    try:
        checked = validate_phone_fr(spaced)
    except ValidationError as error:
        # A few 07 ranges are not attributed; they must be refused cleanly.
        assert error.code == "phone_invalid"
    else:
        # 06 39, 06 9x... are overseas mobile ranges with their own country code.
        if national.startswith("0709"):
            country_codes = OVERSEAS_COUNTRY_CODES
        else:
            country_codes = {OVERSEAS_MOBILE_COUNTRY_CODES.get(national[:4], "33")}
        assert checked.value.endswith(national[1:])
        assert checked.value[1 : -len(national[1:])] in country_codes
        assert validate_phone_fr(checked.value) == checked


@settings(deadline=None)
@given(st.text())
@example("+" + "1" * 300)
@example("06" * 200)
def test_validate_phone_fr_raises_only_validation_error_on_arbitrary_text(text):
    try:
        checked = validate_phone_fr(text)
    except ValidationError as error:
        assert error.code == "phone_invalid"
    else:
        assert checked.value.startswith("+")


@settings(deadline=None)
@given(st.text(alphabet=DIGITS + " +.-()/", max_size=25))
def test_validate_phone_fr_raises_only_validation_error_on_phone_like_text(text):
    try:
        checked = validate_phone_fr(text)
    except ValidationError as error:
        assert error.code == "phone_invalid"
    else:
        assert checked.value[1:].isdigit()


# ---------------------------------------------------------------- MSSanté e-mail


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("jean.dupont@medecin.mssante.fr", "jean.dupont@medecin.mssante.fr"),
        ("secretariat@ch-bourgoin.mssante.fr", "secretariat@ch-bourgoin.mssante.fr"),
        (" Jean.Dupont@Medecin.MSSante.FR ", "jean.dupont@medecin.mssante.fr"),
        ("cpts@pro.mssante.fr", "cpts@pro.mssante.fr"),
        ("a@b.c.mssante.fr", "a@b.c.mssante.fr"),
    ],
)
def test_mssante_addresses_are_accepted_and_lower_cased(raw, normalised):
    assert validate_mssante_email(raw) == Checked(normalised)


def test_mssante_bare_domain_without_subdomain_is_rejected():
    assert error_code(validate_mssante_email, "jean.dupont@mssante.fr") == "mssante_domain"


@pytest.mark.parametrize(
    "raw",
    [
        "jean.dupont@gmail.com",
        "jean.dupont@medecin.mssante.fr.evil.com",
        "jean.dupont@fakemssante.fr",
        "jean.dupont@medecin-mssante.fr",
        "jean.dupont@medecin.mssante.com",
    ],
)
def test_non_mssante_domains_are_rejected(raw):
    assert error_code(validate_mssante_email, raw) == "mssante_domain"


@pytest.mark.parametrize(
    "raw",
    ["", "jean.dupont", "@medecin.mssante.fr", "jean dupont@medecin.mssante.fr", "a@@b.mssante.fr"],
)
def test_malformed_email_is_rejected(raw):
    assert error_code(validate_mssante_email, raw) == "email_invalid"


@settings(deadline=None)
@given(st.text())
@example("a@\udcff.mssante.fr")
@example("a@é.mssante.fr")
def test_validate_mssante_email_raises_only_validation_error_on_arbitrary_text(text):
    try:
        checked = validate_mssante_email(text)
    except ValidationError as error:
        assert error.code in {"email_invalid", "mssante_domain"}
    else:
        assert checked.value.endswith(".mssante.fr")


@settings(deadline=None)
@given(st.emails())
def test_random_valid_emails_are_accepted_only_on_mssante_subdomains(email):
    try:
        checked = validate_mssante_email(email)
    except ValidationError as error:
        assert error.code in {"email_invalid", "mssante_domain"}
    else:
        assert checked.value.endswith(".mssante.fr")


# ------------------------------------------------------ Django field validators

WRAPPERS = [
    (nir_validator, "185057800608491", "185057800608417"),
    (rpps_validator, "10003456789", "1000345678"),  # bad Luhn is only a warning
    (adeli_validator, "381234567", "38123456"),
    (finess_validator, "380780080", "990780080"),
    (insee_commune_validator, "2A004", "20004"),
    (phone_fr_validator, "06 12 34 56 78", "06 12 34"),
    (mssante_email_validator, "a@medecin.mssante.fr", "a@mssante.fr"),
]


@pytest.mark.parametrize(("validator", "good", "bad"), WRAPPERS)
def test_field_validators_return_none_on_valid_and_raise_on_invalid(validator, good, bad):
    assert validator(good) is None
    with pytest.raises(ValidationError):
        validator(bad)


@pytest.mark.parametrize("validator", [wrapper for wrapper, _, _ in WRAPPERS])
@pytest.mark.parametrize("value", [None, 12345, b"185057800608491"])
def test_field_validators_reject_non_string_values_with_validation_error(validator, value):
    with pytest.raises(ValidationError):
        validator(value)


def test_finess_of_saint_pierre_et_miquelon_is_accepted():
    assert validate_finess("9E0000011").value == "9E0000011"
