"""GET /api/v1/aci/schedule?year=N and /api/v1/aci/indicators?year=N: the year's lines and
indicator grid; 422 naming `year` outside the contract, 404 saying there is no contract,
404 for a role without see_contract."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from tests.reporting.test_payments import funder_of
from tests.reporting.test_schedule import SIGNED, year5_contract

pytestmark = pytest.mark.django_db
SCHEDULE = "/api/v1/aci/schedule"
INDICATORS = "/api/v1/aci/indicators"


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


@pytest.fixture
def contract(home_cpts):
    return year5_contract(home_cpts, started={"acces": SIGNED,
                                              "prevention": datetime.date(2025, 10, 1)},
                          figures={("ald-sans-mt", 1): D(80)})  # fmt: skip


def test_the_schedule_of_a_year_lists_advances_and_balances_with_string_amounts(
    client, coordinator, contract
):
    response = client.get(SCHEDULE, {"year": 1}, **bearer(coordinator))
    assert response.status_code == 200
    lines = response.json()
    assert {"date": "2025-01-01", "mission": "acces", "kind": "advance", "amount": "67500.00",
            "estimated": False} in lines  # fmt: skip
    assert {"date": "2025-01-01", "mission": "fonctionnement", "kind": "advance",
            "amount": "67500.00", "estimated": False} in lines  # fmt: skip
    prevention = [ln for ln in lines if ln["mission"] == "prevention"]
    assert prevention[0] == {"date": "2025-10-01", "mission": "prevention", "kind": "advance",
                             "amount": "3308.22", "estimated": False}  # fmt: skip
    assert all(ln["kind"] in ("advance", "balance") for ln in lines)
    assert {ln["date"] for ln in lines if ln["kind"] == "balance"} == {"2026-01-01"}


def test_the_indicators_of_a_year_carry_value_tiers_earned_and_next_step(
    client, coordinator, contract
):
    response = client.get(INDICATORS, {"year": 1}, **bearer(coordinator))
    assert response.status_code == 200
    ald = next(i for i in response.json() if i["code"] == "ald-sans-mt")
    assert ald["mission"] == "acces" and ald["source"] == "cpam"
    assert ald["value"] == "80.00" and ald["earned"] == "6000.00" and ald["maximum"] == "9000.00"
    assert ald["tiers"][0] == {"threshold": "50.00", "amount": "9000.00"}
    assert ald["target"] is None and ald["baseline"] is None
    assert ald["next_step"] == "Descendre à 50 — Patients en ALD sans médecin traitant : " \
                               "+ 3 000 EUR"  # fmt: skip
    breast = next(i for i in response.json() if i["code"] == "depistage-sein")
    assert breast["value"] is None and breast["baseline"] == "55.00"


@pytest.mark.parametrize("url", [SCHEDULE, INDICATORS])
@pytest.mark.parametrize("year", [0, 6])
def test_a_year_outside_the_contract_is_a_422_naming_year(client, coordinator, contract, url,
                                                          year):  # fmt: skip
    response = client.get(url, {"year": year}, **bearer(coordinator))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "year"
    assert "Le contrat compte 5 années" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("url", [SCHEDULE, INDICATORS])
def test_a_year_that_is_not_a_number_is_a_422(client, coordinator, contract, url):
    response = client.get(url, {"year": "deux"}, **bearer(coordinator))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "year"


@pytest.mark.parametrize("url", [SCHEDULE, INDICATORS])
def test_without_a_contract_the_answer_is_404_saying_so(client, coordinator, url):
    response = client.get(url, {"year": 1}, **bearer(coordinator))
    assert response.status_code == 404
    assert response.json()["detail"] == "Aucun contrat ACI n'est enregistré pour cette CPTS."


@pytest.mark.parametrize("url", [SCHEDULE, INDICATORS])
def test_a_professional_and_an_outsider_get_404(client, gp, outsider, contract, url):
    assert client.get(url, {"year": 1}, **bearer(gp)).status_code == 404
    # The outsider reads their own CPTS, which has no contract; naming ours is refused.
    assert client.get(url, {"year": 1}, **bearer(outsider)).status_code == 404
    response = client.get(url, {"year": 1, "cpts": "pays-berjalliens"}, **bearer(outsider))
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "cpts"


def test_the_board_reads_and_the_cpts_parameter_names_the_cpts(client, board_member,
                                                               contract):  # fmt: skip
    response = client.get(SCHEDULE, {"year": 2, "cpts": "pays-berjalliens"},
                          **bearer(board_member))  # fmt: skip
    assert response.status_code == 200 and response.json()
    unknown = client.get(SCHEDULE, {"year": 2, "cpts": "ailleurs"}, **bearer(board_member))
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "cpts"


def test_a_funders_api_reads_are_audited(client, home_cpts, contract):
    funder = funder_of(home_cpts)
    assert client.get(INDICATORS, {"year": 1}, **bearer(funder)).status_code == 200
    event = AuditEvent.objects.get(action="reporting.funder_read", actor=funder)
    assert event.detail == {"where": "reporting.api_indicators"}


def test_the_schema_documents_amounts_as_strings_with_two_decimals(client):
    schema = client.get("/api/v1/openapi.json").json()
    line = schema["components"]["schemas"]["ScheduleLineOut"]["properties"]
    assert line["amount"]["type"] == "string"
    assert "deux décimales" in line["amount"]["description"]


def test_without_year_the_current_contract_year_is_read(client, coordinator, home_cpts):
    signed = timezone.localdate() - datetime.timedelta(days=400)  # year 2 runs
    year5_contract(home_cpts, signed_on=signed, started={"acces": signed})
    lines = client.get(SCHEDULE, **bearer(coordinator)).json()
    assert lines and all(ln["date"] >= signed.replace(year=signed.year + 1).isoformat()
                         for ln in lines)  # fmt: skip


def test_a_role_without_see_contract_gets_404_even_without_year(client, gp, contract):
    assert client.get(SCHEDULE, **bearer(gp)).status_code == 404
