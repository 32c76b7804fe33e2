"""The indicator grid of a contract year (?annee=N, the current year by default): per
mission each indicator, its source (date and document of a CPAM figure), baseline, tiers
or target, value achieved, amount earned and next step; a link to enter a CPAM figure for
those who keep the contract; a CSV export."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.reporting.models import ContractIndicator, IndicatorSource, IndicatorYear, Rule
from tests.reporting.test_payments import funder_of
from tests.reporting.test_schedule import year5_contract
from tests.utils import text

pytestmark = pytest.mark.django_db
PAGE = reverse("reporting:indicators", args=["pays-berjalliens"])
SIGNED = timezone.localdate() - datetime.timedelta(days=400)  # year 2 runs today


@pytest.fixture
def contract(home_cpts):
    contract = year5_contract(home_cpts, signed_on=SIGNED,
                              started={"acces": SIGNED, "prevention": SIGNED},
                              figures={("ald-sans-mt", 1): D(80), ("ald-sans-mt", 2): D(45),
                                       ("depistage-sein", 2): D("61.5")})  # fmt: skip
    meetings = ContractIndicator.objects.create(
        mission=contract.missions.get(code="prevention"),
        code="reunions",
        label="Réunions de restitution",
        source=IndicatorSource.MANUAL,
        baseline=D(0),
    )
    IndicatorYear.objects.create(indicator=meetings, year=2, rule=Rule.TARGET, target=D(4),
                                 amount=D(2000))  # fmt: skip
    return contract


def test_the_grid_of_the_current_year_shows_each_indicator_and_its_amounts(
    client_for, coordinator, contract
):
    response = client_for(coordinator).get(PAGE)
    body = text(response)
    assert response.status_code == 200
    assert "Indicateurs du contrat, année 2" in body
    assert "Patients en ALD sans médecin traitant" in body
    assert "CPAM, chiffre du" in body and "Courrier CPAM" in body  # date and document
    assert "≤ 50 : 9 000 EUR · ≤ 100 : 6 000 EUR · ≤ 219 : 3 000 EUR" in body
    assert "9\u00a0000,00 €" in body  # 45 patients: the best tier
    assert "Montant maximum atteint" in body
    assert "Atteindre 62 % — Taux de dépistage du cancer du sein : + 2 500 EUR" in body
    assert "cible 4 (au prorata) : 2 000 EUR" in body
    assert "Chiffre non saisi (Coordination)" in body


def test_another_year_is_chosen_with_annee(client_for, coordinator, contract):
    body = text(client_for(coordinator).get(PAGE, {"annee": "1"}))
    assert "Indicateurs du contrat, année 1" in body
    assert "Descendre à 50 — Patients en ALD sans médecin traitant : + 3 000 EUR" in body


@pytest.mark.parametrize("year", ["6", "0", "deux", "-1"])
def test_a_year_outside_the_contract_is_a_400_with_a_message(client_for, coordinator,
                                                              contract, year):  # fmt: skip
    response = client_for(coordinator).get(PAGE, {"annee": year})
    assert response.status_code == 400
    body = text(response)
    assert "Le contrat compte 5 années" in body or "L'année du contrat est un nombre" in body


def test_the_coordinator_gets_a_link_to_enter_cpam_and_manual_figures(client_for, coordinator,
                                                                      contract):  # fmt: skip
    body = text(client_for(coordinator).get(PAGE))
    for code in ("ald-sans-mt", "reunions"):
        indicator = ContractIndicator.objects.get(mission__contract=contract, code=code)
        url = reverse("reporting:indicator_figure",
                      args=["pays-berjalliens", indicator.public_id])  # fmt: skip
        assert f'href="{url}"' in body


def test_a_board_member_reads_the_grid_without_entry_links(client_for, board_member, contract):
    response = client_for(board_member).get(PAGE)
    assert response.status_code == 200
    assert "/chiffre/" not in text(response)


def test_the_grid_exports_as_csv(client_for, coordinator, contract):
    response = client_for(coordinator).get(PAGE, {"annee": "2", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "aci-indicateurs-annee-2.csv" in response["Content-Disposition"]
    rows = [r.split(";") for r in response.content.decode("utf-8-sig").splitlines()]
    assert rows[0][:3] == ["mission", "code", "indicateur"]
    ald = next(r for r in rows if r[1] == "ald-sans-mt")
    assert ald[7] == "45.00" and ald[8] == "9000.00" and ald[9] == "9000.00"


def test_without_a_contract_the_page_says_so(client_for, coordinator):
    body = text(client_for(coordinator).get(PAGE))
    assert "Aucun contrat ACI" in body


def test_a_funders_reads_are_audited_with_the_year(client_for, home_cpts, contract):
    funder = funder_of(home_cpts)
    assert client_for(funder).get(PAGE, {"annee": "1"}).status_code == 200
    event = AuditEvent.objects.get(action="reporting.funder_read", actor=funder)
    assert event.detail == {"where": "reporting.indicators", "year": 1}
    assert "/chiffre/" not in text(client_for(funder).get(PAGE))


def test_outsiders_and_professionals_get_404(client_for, outsider, nurse, contract):
    assert client_for(outsider).get(PAGE).status_code == 404
    assert client_for(nurse).get(PAGE).status_code == 404
