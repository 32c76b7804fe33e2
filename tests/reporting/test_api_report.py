"""GET /api/v1/aci/report?year=N&format=pdf|xlsx: the latest stored version of the year,
or a draft made on the fly and stored nowhere."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from maillage.core.services import api_token_create
from maillage.reporting import report
from maillage.reporting.models import Report
from tests.reporting.report_world import YEAR, build_contract

pytestmark = pytest.mark.django_db
URL = "/api/v1/aci/report"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


@pytest.fixture
def contract(home_cpts):
    return build_contract(home_cpts)


def test_without_a_stored_version_a_draft_is_made_and_not_stored(client, coordinator, contract):
    response = client.get(URL, {"year": YEAR, "format": "pdf"}, **_auth(coordinator))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert ('filename="rapport-aci-pays-berjalliens-annee-3-brouillon.pdf"'
            in response["Content-Disposition"])  # fmt: skip
    cover = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "brouillon" in cover
    assert not Report.objects.exists()


def test_the_latest_stored_version_is_served(client, coordinator, contract):
    report.generate(contract=contract, year=YEAR, actor=coordinator)
    latest = report.generate(contract=contract, year=YEAR, actor=coordinator)
    response = client.get(URL, {"year": YEAR, "format": "xlsx"}, **_auth(coordinator))
    assert response.status_code == 200
    assert response.content == bytes(latest.xlsx)
    assert "spreadsheetml" in response["Content-Type"]
    assert "annee-3-v2.xlsx" in response["Content-Disposition"]
    assert "Synthèse" in load_workbook(io.BytesIO(response.content)).sheetnames
    assert Report.objects.count() == 2


def test_pdf_is_the_default_format(client, coordinator, contract):
    response = client.get(URL, {"year": 1}, **_auth(coordinator))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize("year", [0, 6, 99])
def test_a_year_outside_the_contract_is_422_naming_year(client, coordinator, contract, year):
    response = client.get(URL, {"year": year}, **_auth(coordinator))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "year"
    assert "5 années" in response.json()["errors"][0]["message"]


def test_a_missing_year_is_422(client, coordinator, contract):
    response = client.get(URL, **_auth(coordinator))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "year"


def test_a_bad_format_is_422_naming_format(client, coordinator, contract):
    response = client.get(URL, {"year": 1, "format": "docx"}, **_auth(coordinator))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "format"


def test_without_a_contract_it_is_404(client, coordinator):
    response = client.get(URL, {"year": 1}, **_auth(coordinator))
    assert response.status_code == 404
    assert "Aucun contrat" in response.json()["detail"]


@pytest.mark.parametrize("persona", ["gp", "partner", "regulator"])
def test_members_without_see_contract_get_404(client, persona, request, contract):
    response = client.get(URL, {"year": 1}, **_auth(request.getfixturevalue(persona)))
    assert response.status_code == 404


def test_board_may_read_the_report(client, board_member, contract):
    assert client.get(URL, {"year": 1}, **_auth(board_member)).status_code == 200


def test_outsider_gets_only_their_own_cptss(client, outsider, contract):
    response = client.get(URL, {"year": 1, "cpts": "pays-berjalliens"}, **_auth(outsider))
    assert response.status_code == 404
    # Their own CPTS has no contract: 404 as well, never ours.
    assert client.get(URL, {"year": 1}, **_auth(outsider)).status_code == 404


def test_the_schema_declares_the_file_types(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][URL]["get"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == set(report.FORMATS.values())
