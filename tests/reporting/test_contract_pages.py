"""The contract's pages: created from a template, edited in one form (all or nothing),
indicators with their tiers or targets, CPAM figures; hostile input never a 500, another
CPTS's ids a 404."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent, Membership, Role, User
from maillage.reporting import contract as services
from maillage.reporting.models import Contract, ContractIndicator, SuppliedFigure

pytestmark = pytest.mark.django_db
SIGNED = datetime.date(2022, 6, 30)


def _url(name, cpts, *args):
    return reverse(f"reporting:{name}", args=[cpts.slug, *args])


@pytest.fixture
def contract(home_cpts, coordinator):
    return services.apply_template(cpts=home_cpts, template="exemple-annee-5", signed_on=SIGNED,
                                   actor=coordinator)  # fmt: skip


def _edit_data(contract, **change):
    form_data = {"signed_on": "2022-06-30", "size_class": str(contract.size_class),
                 "operating_grant": "75 000"}  # fmt: skip
    for mission in contract.missions.all():
        if mission.code in ("qualite", "accompagnement"):
            form_data[f"m_{mission.code}_included"] = "on"
        for y in mission.years.all():
            form_data[f"m_{mission.code}_y{y.year}_fixed"] = str(y.fixed)
            form_data[f"m_{mission.code}_y{y.year}_variable"] = str(y.variable)
    form_data.update(change)
    return form_data


def _indicator_data(**change):
    data = {
        "mission": "prevention",
        "label": "Vaccination grippe",
        "source": "cpam",
        "unit": "%",
        "baseline": "40",
        "direction": "higher",
        "y1_rule": "tiers",
        "y1_tiers": "45 → 1000\n50 → 2000",
        "y2_rule": "target",
        "y2_target": "55",
        "y2_amount": "3000",
        "y2_pro_rata": "on",
    }
    data.update(change)
    return data


def test_without_contract_the_coordinator_creates_it_from_a_template(client_for, coordinator,
                                                                     home_cpts):  # fmt: skip
    client = client_for(coordinator)
    page = client.get(_url("contract", home_cpts)).content.decode()
    assert "Créer le contrat" in page
    assert f'value="{home_cpts.aci_signed_on:%Y-%m-%d}"' in page  # prefilled
    response = client.post(_url("contract_create", home_cpts),
                           {"template": "exemple-annee-5", "signed_on": "2022-06-30"})  # fmt: skip
    assert response.status_code == 302
    assert Contract.objects.get(cpts=home_cpts).template == "exemple-annee-5"


@pytest.mark.parametrize("data", [
    {"template": "standard", "signed_on": "31/02/2022"},
    {"template": "<script>alert(1)</script>", "signed_on": "2022-06-30"},
    {"template": "standard", "signed_on": "9999-12-31"},
])  # fmt: skip
def test_a_bad_creation_is_a_400_and_creates_nothing(client_for, coordinator, home_cpts, data):
    response = client_for(coordinator).post(_url("contract_create", home_cpts), data)
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not Contract.objects.filter(cpts=home_cpts).exists()


def test_the_overview_shows_the_mission_tree(client_for, coordinator, contract, home_cpts):
    page = client_for(coordinator).get(_url("contract", home_cpts)).content.decode()
    assert "Patients en ALD sans médecin traitant" in page
    assert "50 → 9" in page and "219 → 3" in page
    assert "Feuilles de présence des réunions de concertation" in page
    assert "Crise reconnue par l&#x27;ARS" in page


def test_the_edit_saves_every_amount(client_for, coordinator, contract, home_cpts):
    data = _edit_data(contract, m_acces_y2_fixed="91 500,50", m_accompagnement_included="")
    response = client_for(coordinator).post(_url("contract_edit", home_cpts), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    contract.refresh_from_db()
    assert contract.missions.get(code="acces").years.get(year=2).fixed == Decimal("91500.50")
    assert not contract.missions.get(code="accompagnement").included
    assert contract.operating_grant == Decimal(75000)


@pytest.mark.parametrize("change, shown", [
    ({"m_parcours_y3_variable": "-45000"}, "négatif"),
    ({"m_crise_y1_fixed": "=SUM(A1:A9)"}, "Nombre attendu"),
    ({"m_crise_y1_fixed": "9" * 40}, "trop grand"),
    ({"operating_grant": "<b>beaucoup</b>"}, "Nombre attendu"),
    ({"signed_on": "2022-13-01"}, "Date invalide"),
    ({"size_class": "7"}, "Taille"),
])  # fmt: skip
def test_a_bad_edit_is_a_400_naming_the_field_and_writes_nothing(client_for, coordinator,
                                                                 contract, home_cpts, change,
                                                                 shown):  # fmt: skip
    data = _edit_data(contract, m_acces_y1_fixed="1", **change)
    response = client_for(coordinator).post(_url("contract_edit", home_cpts), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert shown in page and "error-summary" in page
    assert "<b>beaucoup</b>" not in page
    assert contract.missions.get(code="acces").years.get(year=1).fixed == Decimal(90000)


def test_an_indicator_is_created_with_tiers_and_a_target(client_for, coordinator, contract,
                                                         home_cpts):  # fmt: skip
    response = client_for(coordinator).post(_url("indicator_new", home_cpts), _indicator_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = ContractIndicator.objects.get(mission__contract=contract,
                                              label="Vaccination grippe")  # fmt: skip
    assert [(t.threshold, t.amount) for t in indicator.years.get(year=1).tiers.all()] == [
        (Decimal(45), Decimal(1000)),
        (Decimal(50), Decimal(2000)),
    ]
    target = indicator.years.get(year=2)
    assert (target.rule, target.target, target.amount, target.pro_rata) == (
        "target",
        Decimal(55),
        Decimal(3000),
        True,
    )
    assert not indicator.years.filter(year=3).exists()
    assert AuditEvent.objects.filter(action="reporting.indicator_save").exists()


@pytest.mark.parametrize("change, field_text", [
    ({"y1_tiers": "50 → 1000\n45 → 2000"}, "Paliers dans le désordre"),
    ({"y1_tiers": "45 → 2000\n50 → 1000"}, "Paliers dans le désordre"),
    ({"source": "computed", "registry_code": ""}, "ni source ni valeur"),
    ({"source": "computed", "registry_code": "crisis.plan_delivered"}, "ne relève pas"),
    ({"y2_amount": "-3"}, "négatif"),
    ({"label": "   "}, "intitulé"),
    ({"baseline": "1e999"}, "trop grand"),
])  # fmt: skip
def test_bad_indicators_are_refused_with_a_clear_message(
    client_for, coordinator, contract, home_cpts, change, field_text
):
    before = ContractIndicator.objects.filter(mission__contract=contract).count()
    response = client_for(coordinator).post(_url("indicator_new", home_cpts),
                                            _indicator_data(**change))  # fmt: skip
    assert response.status_code == 400
    assert field_text in response.content.decode()
    assert ContractIndicator.objects.filter(mission__contract=contract).count() == before


def test_an_indicator_is_edited_and_markup_stays_text(client_for, coordinator, contract,
                                                      home_cpts):  # fmt: skip
    indicator = contract.missions.get(code="qualite").indicators.first()
    client = client_for(coordinator)
    response = client.post(_url("indicator_edit", home_cpts, indicator.public_id),
                           _indicator_data(mission="qualite",
                                           label="<img src=x onerror=alert(1)>"))  # fmt: skip
    assert response.status_code == 302
    page = client.get(_url("contract", home_cpts)).content.decode()
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_indicator_is_deleted(client_for, coordinator, contract, home_cpts):
    indicator = contract.missions.get(code="qualite").indicators.first()
    response = client_for(coordinator).post(
        _url("indicator_edit", home_cpts, indicator.public_id), {"delete": "1"}
    )
    assert response.status_code == 302
    assert not ContractIndicator.objects.filter(pk=indicator.pk).exists()


def test_a_cpam_figure_is_entered_for_a_year(client_for, coordinator, contract, home_cpts):
    from django.core.files.uploadedfile import SimpleUploadedFile

    indicator = contract.missions.get(code="acces").indicators.get(code="ald-sans-medecin-traitant")
    response = client_for(coordinator).post(
        _url("indicator_figure", home_cpts, indicator.public_id),
        {
            "year": "4",
            "value": "87",
            "dated": "2026-02-10",
            "document": "Tableau CPAM",
            "file": SimpleUploadedFile("cpam.pdf", b"%PDF-1.4", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    figure = SuppliedFigure.objects.get(indicator=indicator, year=4)
    assert (figure.value, figure.file_name, bytes(figure.file)) == (
        Decimal(87),
        "cpam.pdf",
        b"%PDF-1.4",
    )


@pytest.mark.parametrize("data, shown", [
    ({"year": "4", "value": "", "dated": "2026-02-10", "document": "x"}, "ni source ni valeur"),
    ({"year": "9", "value": "3", "dated": "2026-02-10", "document": "x"}, "Année hors du contrat"),
    ({"year": "1", "value": "3", "dated": "2026-02-10", "document": "\x00"}, ""),
    ({"year": "1", "value": "-3", "dated": "2026-02-10", "document": "x"}, "négatif"),
])  # fmt: skip
def test_bad_figures_are_refused(client_for, coordinator, contract, home_cpts, data, shown):
    indicator = contract.missions.get(code="acces").indicators.get(code="ald-sans-medecin-traitant")
    response = client_for(coordinator).post(
        _url("indicator_figure", home_cpts, indicator.public_id), data
    )
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert not SuppliedFigure.objects.filter(indicator=indicator).exists()


def test_another_cptss_indicator_is_404(client_for, outsider, coordinator, contract, other_cpts):
    other = services.apply_template(cpts=other_cpts, template="standard", signed_on=SIGNED,
                                    actor=outsider)  # fmt: skip
    theirs = other.missions.get(code="acces").indicators.first()
    mine = contract.missions.get(code="acces").indicators.first()
    home = contract.cpts
    client = client_for(coordinator)
    assert client.get(_url("indicator_edit", home, theirs.public_id)).status_code == 404
    assert client.get(_url("indicator_figure", home, theirs.public_id)).status_code == 404
    assert client_for(outsider).get(_url("indicator_edit", home, mine.public_id)).status_code == 404
    assert client_for(outsider).get(_url("contract", home)).status_code == 404


def test_who_may_open_which_page(client_for, gp, board_member, contract, home_cpts):
    assert client_for(gp).get(_url("contract", home_cpts)).status_code == 404
    board = client_for(board_member)
    assert board.get(_url("contract", home_cpts)).status_code == 200
    assert board.get(_url("contract_edit", home_cpts)).status_code == 404


def test_a_funder_reads_the_contract_and_the_read_is_audited(client, contract, home_cpts):
    user = User.objects.create_user(email="ars@ars.example", password="y" * 20)
    Membership.objects.create(user=user, cpts=home_cpts, role=Role.FUNDER)
    client.force_login(user)
    page = client.get(_url("contract", home_cpts))
    assert page.status_code == 200
    assert "Modifier les dates" not in page.content.decode()
    assert AuditEvent.objects.filter(action="reporting.funder_read", actor=user,
                                     detail__where="reporting.contract").exists()  # fmt: skip
    assert client.get(_url("contract_edit", home_cpts)).status_code == 404


def test_without_contract_edit_pages_lead_to_its_creation(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    for name in ("contract_edit", "indicator_new"):
        response = client.get(_url(name, home_cpts))
        assert response.status_code == 302
        assert response["Location"] == _url("contract", home_cpts)
