"""Spreadsheet exports neutralise formulas: one helper in core, used by every app."""

import csv
import datetime
import decimal
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook

from maillage.core.exports import (
    FORMULA_TRIGGERS,
    csv_cell,
    csv_response,
    neutralise,
    xlsx_response,
    xlsx_value,
)
from maillage.directory.models import Professional

HOME = "pays-berjalliens"
FORMULA = '=HYPERLINK("http://x","y")'
MAILLAGE = Path(__file__).resolve().parents[2] / "maillage"


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


# The neutralising function ---------------------------------------------------------------


@given(st.sampled_from(FORMULA_TRIGGERS), st.text())
@example("-", "3")
@example("=", 'HYPERLINK("http://x","y")')
def test_text_starting_with_a_formula_character_comes_out_quoted(first, rest):
    out = neutralise(first + rest)
    assert out.startswith("'")
    assert out == "'" + first + rest


@given(st.text().filter(lambda s: not s.startswith(FORMULA_TRIGGERS)))
@example("")
@example("'déjà cité")
@example(" =1+1")
def test_other_text_is_unchanged(value):
    assert neutralise(value) == value


@given(st.text())
def test_neutralising_never_raises_and_never_leaves_a_trigger_first(value):
    for out in (neutralise(value), csv_cell(value), xlsx_value(value)):
        assert not out.startswith(FORMULA_TRIGGERS)


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.decimals(allow_nan=False)))
@example(-3)
def test_real_numbers_stay_numbers(number):
    assert csv_cell(number) == number
    assert xlsx_value(number) == number


def test_a_negative_number_typed_as_text_is_quoted():
    assert csv_cell("-3") == "'-3"
    assert xlsx_value("-3") == "'-3"


def test_other_values_become_neutralised_text():
    class Sneaky:
        def __str__(self):
            return "@SUM(A1)"

    assert csv_cell(None) == ""
    assert csv_cell(Sneaky()) == "'@SUM(A1)"
    assert xlsx_value(Sneaky()) == "'@SUM(A1)"
    assert xlsx_value(datetime.date(2026, 3, 1)) == datetime.date(2026, 3, 1)


def test_xlsx_drops_control_characters_instead_of_failing():
    assert xlsx_value("A\x01B") == "AB"


# The responses ---------------------------------------------------------------------------


def test_every_dangerous_cell_of_a_csv_is_quoted_headers_included():
    rows = [
        [
            "=1+1",
            "+33 4 74 00 00 00",
            "-3",
            -3,
            "@x",
            "\tx",
            "\rx",
            "normal",
            decimal.Decimal("-1.5"),
        ]
    ]
    response = csv_response("x.csv", ["=en-tête", "Nom"], rows)
    header, row = _csv_rows(response)
    assert header == ["'=en-tête", "Nom"]
    assert row == [
        "'=1+1",
        "'+33 4 74 00 00 00",
        "'-3",
        "-3",
        "'@x",
        "'\tx",
        "'\rx",
        "normal",
        "-1.5",
    ]


def test_xlsx_writes_text_cells_never_formulas_and_keeps_numbers():
    response = xlsx_response("x.xlsx", ["=en-tête"], [["=1+1"], [-3], ["-3"]], "Feuille")
    sheet = _sheet(response)
    cells = [row[0] for row in sheet.iter_rows()]
    assert [c.value for c in cells] == ["'=en-tête", "'=1+1", -3, "'-3"]
    assert [c.data_type for c in cells] == ["s", "s", "n", "s"]


# The directory export of a local professional ------------------------------------------


@pytest.fixture
def formula_professional(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("directory:add", args=[HOME]),
        {"last_name": FORMULA, "first_name": "@Piège", "profession": "60", "commune": "38053"},
    )
    assert response.status_code == 302
    return Professional.objects.get(last_name=FORMULA)


@pytest.mark.django_db
def test_local_professional_named_like_a_formula_is_inert_in_the_xlsx_export(
    client_for, coordinator, formula_professional
):
    response = client_for(coordinator).get(reverse("directory:export", args=[HOME, "xlsx"]))
    assert response.status_code == 200
    sheet = _sheet(response)
    name_cells = [row[1] for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[1].value)]
    assert len(name_cells) == 1
    cell = name_cells[0]
    assert cell.data_type == "s"
    assert cell.value == "'" + FORMULA
    row = next(sheet.iter_rows(min_row=cell.row, max_row=cell.row))
    assert row[2].value == "'@Piège"
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


@pytest.mark.django_db
def test_local_professional_named_like_a_formula_is_inert_in_the_csv_export(
    client_for, coordinator, formula_professional
):
    response = client_for(coordinator).get(reverse("directory:export", args=[HOME, "csv"]))
    rows = [r for r in _csv_rows(response) if "HYPERLINK" in r[1]]
    assert [r[1:3] for r in rows] == [["'" + FORMULA, "'@Piège"]]
    assert not any(cell.startswith(FORMULA_TRIGGERS) for r in _csv_rows(response) for cell in r)


# No other writer of spreadsheets ----------------------------------------------------------


def test_no_code_outside_core_exports_writes_csv_or_xlsx():
    """Anything that writes a CSV or XLSX file for download goes through
    maillage.core.exports; reading CSV (importers) is fine."""
    # A response built by hand names its type in `content_type=`; a table of accepted
    # upload types (prevention materials) names types without writing anything.
    pattern = re.compile(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(|"
                         r"content_type\s*=\s*[\"'](?:text/csv|[^\"']*spreadsheetml)")
    assert pattern.search((MAILLAGE / "core" / "exports.py").read_text())
    offenders = [
        str(path.relative_to(MAILLAGE))
        for path in MAILLAGE.rglob("*.py")
        if path != MAILLAGE / "core" / "exports.py" and pattern.search(path.read_text())
    ]
    assert offenders == []
    assert not (MAILLAGE / "directory" / "exports.py").exists()
