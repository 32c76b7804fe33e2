"""The current year's forecast: expected (fixed parts and the variable part earned at
today's figures), received, at risk (indicators below their next tier), and what reaching
each next tier would add, largest gain first."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.reporting import funding, payments
from maillage.reporting.models import OPERATING
from tests.reporting.test_payments import funder_of
from tests.reporting.test_schedule import SIGNED, year5_contract
from tests.utils import text

pytestmark = pytest.mark.django_db
PAGE = reverse("reporting:forecast", args=["pays-berjalliens"])
MID_YEAR_1 = datetime.date(2025, 6, 1)


@pytest.fixture
def contract(home_cpts):
    # ALD: 80 patients (6 000 of 9 000); breast screening: 61 % (1 000 of 3 500).
    return year5_contract(home_cpts, started={"acces": SIGNED, "prevention": SIGNED},
                          figures={("ald-sans-mt", 1): D(80),
                                   ("depistage-sein", 1): D(61)})  # fmt: skip


def test_expected_adds_the_fixed_parts_and_the_variable_part_earned_today(contract):
    outlook = funding.forecast(contract, today=MID_YEAR_1)
    assert outlook.year == 1
    fixed = D(90000) + D(90000) + D(17500)  # operating grant, access, prevention
    assert outlook.expected == fixed + D(6000) + D(1000)
    rows = {m.line: m for m in outlook.missions}
    assert rows["acces"].variable == D(6000) and rows["acces"].variable_max == D(35000)
    assert rows[OPERATING].variable == 0


def test_at_risk_is_what_indicators_below_their_best_tier_do_not_earn(contract):
    outlook = funding.forecast(contract, today=MID_YEAR_1)
    assert outlook.at_risk == (D(9000) - D(6000)) + (D(3500) - D(1000))


def test_what_if_lists_each_next_step_with_its_gain_largest_first(contract):
    texts = [w.text for w in funding.forecast(contract, today=MID_YEAR_1).what_if]
    assert texts == [
        "Descendre à 50 — Patients en ALD sans médecin traitant : + 3 000 EUR",
        "Atteindre 62 % — Taux de dépistage du cancer du sein : + 2 500 EUR",
    ]


def test_what_if_gains_respect_the_missions_variable_cap(contract):
    contract.missions.get(code="prevention").years.filter(year=1).update(variable=D(2000))
    what_if = funding.forecast(contract, today=MID_YEAR_1).what_if
    breast = next(w for w in what_if if w.indicator.code == "depistage-sein")
    assert breast.gain == D(1000)  # 2 000 cap, 1 000 already earned


def test_received_counts_the_payments_matched_to_the_years_lines(contract, coordinator):
    payments.record_payment(contract=contract, received_on=SIGNED, amount=D("67500.00"),
                            reference="VIR-1", line="acces", due_on=SIGNED, kind="advance",
                            actor=coordinator)  # fmt: skip
    outlook = funding.forecast(contract, today=MID_YEAR_1)
    assert outlook.received == D("67500.00")
    assert {m.line: m.received for m in outlook.missions}["acces"] == D("67500.00")


def test_outside_the_contracts_years_there_is_no_forecast(contract):
    assert funding.forecast(contract, today=datetime.date(2024, 12, 31)) is None
    assert funding.forecast(contract, today=datetime.date(2030, 1, 1)) is None


def test_the_forecast_reads_each_indicator_once_whatever_the_number_of_missions(home_cpts):
    started = dict.fromkeys(["acces", "parcours", "prevention", "crise"], SIGNED)
    contract = year5_contract(home_cpts, started=started)
    with CaptureQueriesContext(connection) as few:
        funding.forecast(contract, today=MID_YEAR_1)
    assert len(few) <= 12


# -- the page ----------------------------------------------------------------------------


def current_contract(cpts):
    """A contract in its first year today, with the two indicators' figures entered."""
    signed = timezone.localdate() - datetime.timedelta(days=100)
    return year5_contract(cpts, signed_on=signed, started={"acces": signed},
                          figures={("ald-sans-mt", 1): D(80)})  # fmt: skip


def test_the_page_shows_the_years_figures_chart_table_and_what_if(client_for, coordinator,
                                                                  home_cpts):  # fmt: skip
    current_contract(home_cpts)
    response = client_for(coordinator).get(PAGE)
    body = text(response)
    assert response.status_code == 200
    assert "Prévisions de l'année 1 du contrat" in body
    assert 'src="data:image/svg+xml;base64,' in body
    assert "<caption" in body and "Accès aux soins" in body
    assert "Descendre à 50 — Patients en ALD sans médecin traitant : + 3 000 EUR" in body


def test_without_a_contract_the_page_says_so(client_for, coordinator):
    body = text(client_for(coordinator).get(PAGE))
    assert "Aucun contrat ACI" in body


def test_a_funders_read_of_the_forecast_is_audited(client_for, home_cpts):
    current_contract(home_cpts)
    funder = funder_of(home_cpts)
    assert client_for(funder).get(PAGE).status_code == 200
    assert (
        AuditEvent.objects.get(action="reporting.funder_read", actor=funder).detail["where"]
        == "reporting.forecast"
    )


def test_professionals_and_outsiders_get_404(client_for, gp, outsider, home_cpts):
    current_contract(home_cpts)
    assert client_for(gp).get(PAGE).status_code == 404
    assert client_for(outsider).get(PAGE).status_code == 404
