"""The report's files read back: the PDF (pypdf) carries the page's figures, a table of
contents and page numbers; the XLSX (openpyxl) one sheet per mission whose grid's numbers
are the snapshot's; what a person typed is escaped in one and inert in the other."""

import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from maillage.reporting import report, report_xlsx
from tests.reporting.report_world import TODAY, YEAR, build_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(home_cpts):
    return build_contract(home_cpts)


def _pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text.replace("\xa0", " ")


@pytest.fixture
def generated(contract, coordinator):
    report.save_comment(
        contract=contract,
        year=YEAR,
        section="acces",
        text="Recensement mené avec les pharmacies.",
        actor=coordinator,
    )
    return report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)


def test_pdf_has_a_cover_a_table_of_contents_and_numbered_pages(generated):
    reader, text = _pdf_text(bytes(generated.pdf))
    pages = len(reader.pages)
    assert pages > 1
    cover = reader.pages[0].extract_text()
    assert "CPTS des Pays Berjalliens" in cover or generated.contract.cpts.name in cover
    assert "Année 3 du contrat" in cover and "version 1" in cover
    assert "15/01/2026" in cover and "non envoyée" in cover
    toc = reader.pages[1].extract_text()
    assert "Sommaire" in toc
    for title in (
        "Introduction",
        "Prévention",
        "Qualité et pertinence des soins",
        "Synthèse financière de l'année",
    ):
        assert title in toc
    assert f"page 1 / {pages}" in text and f"page {pages} / {pages}" in text
    # The outline (bookmarks) follows the table of contents.
    assert [o.title for o in reader.outline if not isinstance(o, list)][:2] == [
        "Introduction",
        "Accès aux soins (médecin traitant, soins non programmés)",
    ]


def test_pdf_shows_the_indicators_values_and_amounts_of_the_page(generated):
    _reader, text = _pdf_text(bytes(generated.pdf))
    flat = " ".join(text.split())
    for label in (
        "Patients en ALD sans médecin traitant",
        "Médecins volontaires recensés",
        "Dépistage du cancer du sein",
        "Réunions qualité avec compte rendu",
    ):
        assert label in flat
    for amount in (
        "6 000,00 €",
        "9 000,00 €",
        "3 000,00 €",
        "1 250,00 €",
        "15 000,00 €",
        "122 500,00 €",
        "25 250,00 €",
    ):
        assert amount in flat, amount
    assert "58,5" in flat  # the breast-screening rate achieved
    assert "Recensement mené avec les pharmacies." in flat
    assert "Aucune preuve demandée pour cette mission." in flat


def test_pdf_lists_proofs_ok_or_missing(contract, coordinator, monkeypatch):
    from maillage.reporting import proofs
    from maillage.reporting.models import ProofRequirement

    mission = contract.missions.get(code="qualite")
    done = ProofRequirement.objects.create(mission=mission, label="Comptes rendus des réunions",
                                           kind="file", expected=2)  # fmt: skip
    missing = ProofRequirement.objects.create(mission=mission, label="Feuilles d'émargement",
                                              kind="file", expected=2)  # fmt: skip
    monkeypatch.setattr(
        proofs,
        "status",
        lambda c, y, today=None: [
            proofs.ProofStatus(requirement=done, have=2, expected=2),
            proofs.ProofStatus(requirement=missing, have=0, expected=2),
        ],
    )
    version = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    flat = " ".join(_pdf_text(bytes(version.pdf))[1].split())
    assert "Comptes rendus des réunions Document déposé 2 / 2 ok" in flat
    assert "Feuilles d'émargement Document déposé 0 / 2 manquant" in flat


def test_a_sent_version_says_so_on_its_cover(generated, coordinator):
    sent = report.mark_sent(report=generated, actor=coordinator)
    cover = PdfReader(io.BytesIO(bytes(sent.pdf))).pages[0].extract_text()
    assert "Envoyée à la CPAM le" in cover and "non envoyée" not in cover
    assert f"{TODAY:%Y}" in cover or "/20" in cover


def _sheet_rows(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_xlsx_has_a_summary_and_one_sheet_per_included_mission(generated):
    book = load_workbook(io.BytesIO(bytes(generated.xlsx)))
    assert book.sheetnames == ["Synthèse", "Accès aux soins", "Prévention",
                               "Qualité et pertinence"]  # fmt: skip
    summary = _sheet_rows(book["Synthèse"])
    total = next(r for r in summary if r[0] == "Total")
    assert total[2:6] == [122500, 25250, 67500, 147750]


def test_xlsx_grid_numbers_are_numbers_equal_to_the_snapshot(generated):
    book = load_workbook(io.BytesIO(bytes(generated.xlsx)))
    for mission in generated.snapshot["missions"]:
        rows = _sheet_rows(book[report.SHEET_NAMES[mission["code"]]])
        header_at = next(i for i, r in enumerate(rows) if r[0] == "n°")
        header = rows[header_at]
        grid = rows[header_at + 1 : header_at + 1 + len(mission["indicators"])]
        column = {name: header.index(name) for name in header if name}
        for row, indicator in zip(grid, mission["indicators"], strict=True):
            assert row[column["Indicateur"]] == indicator["label"]
            for name, key in (
                ("Valeur atteinte", "value"),
                ("Montant gagné (€)", "earned"),
                ("Montant maximal (€)", "maximum"),
                ("Valeur de référence", "baseline"),
            ):
                cell = row[column[name]]
                if indicator[key] is None:
                    assert cell is None
                else:
                    assert isinstance(cell, int | float)
                    assert Decimal(str(cell)) == Decimal(indicator[key])


HOSTILE = '=HYPERLINK("http://evil.test","clic") <b>gras</b> <para>x</para> & </font>'


def test_hostile_comment_is_escaped_in_the_pdf_and_inert_in_the_xlsx(contract, coordinator):
    report.save_comment(contract=contract, year=YEAR, section="general", text=HOSTILE,
                        actor=coordinator)  # fmt: skip
    report.save_comment(contract=contract, year=YEAR, section="prevention",
                        text="+33 6 12\n@SOMME(A1)", actor=coordinator)  # fmt: skip
    version = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    _reader, text = _pdf_text(bytes(version.pdf))
    assert HOSTILE in text  # shown as typed: markup not interpreted
    book = load_workbook(io.BytesIO(bytes(version.xlsx)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    values = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + HOSTILE in values and "'+33 6 12\n@SOMME(A1)" in values


def test_a_comment_at_the_length_limit_still_renders(contract, coordinator):
    text = ("Une phrase de commentaire assez longue. " * 200)[: report.MAX_COMMENT_CHARS]
    report.save_comment(contract=contract, year=YEAR, section="acces", text=text,
                        actor=coordinator)  # fmt: skip
    version = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    assert len(PdfReader(io.BytesIO(bytes(version.pdf))).pages) > 5


@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_sheet_names_are_valid_and_distinct(titles):
    taken: set[str] = set()
    names = [report_xlsx.sheet_name(t, taken) for t in titles]
    for name in names:
        assert 1 <= len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert name == name.strip() and not name.startswith("'")
    assert len({n.lower() for n in names}) == len(names)
