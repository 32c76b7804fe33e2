"""Home cards of the contract: the coordinator is told which proofs are missing only when
the report is near; the coordinator, the board and the funders see this year's money;
no card without a contract."""

from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.reporting import funding
from tests.conftest import HOME, verified_client
from tests.reporting.test_proofs import funder_of, make_contract, requirement

pytestmark = pytest.mark.django_db
TODAY = reverse("core:today", args=[HOME])


def _cards(response):
    return {card.name: card for card in response.context["cards"]}


def test_missing_proofs_are_listed_on_the_coordinators_home_near_the_due_date(
        client_for, coordinator, home_cpts):  # fmt: skip
    req = requirement(make_contract(home_cpts, days_left=30), label="Feuille d'émargement")
    response = client_for(coordinator).get(TODAY)
    card = _cards(response)["reporting.proofs_missing"]
    assert card.count == 1
    assert [item.label for item in card.items] == ["Feuille d'émargement"]
    assert card.items[0].url.endswith(f"#preuve-{req.public_id}")
    assert card.link == reverse("reporting:proofs", args=[HOME]) + "?annee=1"
    assert "rapport de l'année 1 attendu le" in card.text


def test_no_missing_proofs_card_far_from_the_due_date(client_for, coordinator, home_cpts):
    requirement(make_contract(home_cpts, days_left=100))
    assert "reporting.proofs_missing" not in _cards(client_for(coordinator).get(TODAY))


def test_the_board_is_not_asked_for_proofs(client_for, board_member, home_cpts):
    requirement(make_contract(home_cpts, days_left=30))
    assert "reporting.proofs_missing" not in _cards(client_for(board_member).get(TODAY))


def test_no_contract_card_while_the_forecast_is_not_available(client_for, coordinator,
                                                             home_cpts, monkeypatch):  # fmt: skip
    make_contract(home_cpts)

    def not_yet(contract, today=None):
        raise NotImplementedError

    monkeypatch.setattr(funding, "forecast", not_yet)
    assert "reporting.contract" not in _cards(client_for(coordinator).get(TODAY))


@pytest.mark.parametrize("persona", ["coordinator", "board_member", "funder"])
def test_the_contract_card_shows_expected_received_and_at_risk(persona, request, home_cpts,
                                                               monkeypatch):  # fmt: skip
    make_contract(home_cpts)
    monkeypatch.setattr(
        funding,
        "forecast",
        lambda contract, today=None: funding.Forecast(
            year=2,
            expected=Decimal("250000"),
            received=Decimal("187500.5"),
            at_risk=Decimal("9000"),
            what_if=[],
        ),
    )
    user = funder_of(home_cpts) if persona == "funder" else request.getfixturevalue(persona)
    card = _cards(verified_client(user).get(TODAY))["reporting.contract"]
    assert card.title == "Contrat ACI · année 2"
    assert [f.label for f in card.figures] == ["Attendu cette année", "Reçu", "À risque"]
    assert "187" in str(card.figures[1].value) and "500,50" in str(card.figures[1].value)
    assert card.link == reverse("reporting:forecast", args=[HOME])


def test_no_card_at_all_without_a_contract(client_for, coordinator, monkeypatch):
    monkeypatch.setattr(
        funding,
        "forecast",
        lambda contract, today=None: pytest.fail("no forecast without a contract"),
    )
    names = _cards(client_for(coordinator).get(TODAY))
    assert not {"reporting.proofs_missing", "reporting.contract"} & set(names)


def test_a_gp_gets_no_contract_card(client_for, gp, home_cpts, monkeypatch):
    make_contract(home_cpts)
    monkeypatch.setattr(
        funding,
        "forecast",
        lambda contract, today=None: funding.Forecast(
            year=1, expected=Decimal(1), received=Decimal(0), at_risk=Decimal(0), what_if=[]
        ),
    )
    assert "reporting.contract" not in _cards(client_for(gp).get(TODAY))
