"""The territory page: the 22 communes of the CAPI, figures, ACI class, editing and history."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.territory.models import Commune, TerritoryChange
from maillage.territory.services import territory_summary
from tests.utils import text

pytestmark = pytest.mark.django_db
URL = reverse("territory:territory", args=["pays-berjalliens"])


def test_demo_territory_is_the_22_real_communes_of_the_capi(home_cpts):
    summary = territory_summary(home_cpts)
    assert summary.commune_count == 22
    capi = Commune.objects.filter(epci__code="243800604")
    assert summary.population == sum(c.population for c in capi)
    assert 100_000 < summary.population < 125_000  # about 113 000 inhabitants
    assert summary.size_class == 3


def test_other_demo_cpts_is_vals_du_dauphine_taille_2(other_cpts):
    summary = territory_summary(other_cpts)
    assert summary.commune_count == 36
    assert summary.size_class == 2


def test_page_shows_population_class_map_data_and_deadlines(client_for, coordinator, home_cpts):
    response = client_for(coordinator).get(URL)
    body = text(response)
    assert response.status_code == 200
    population = territory_summary(home_cpts).population
    assert f"{population:,}".replace(",", "\xa0") in body
    assert "Taille 3" in body
    geojson = re.search(
        r'<script type="application/json" id="territory-geojson">(.*?)</script>', body, re.S
    )
    features = json.loads(geojson.group(1))["features"]
    assert len(features) == 22
    bourgoin = next(f for f in features if f["properties"]["code"] == "38053")
    assert bourgoin["properties"]["population"] > 25_000
    assert bourgoin["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    # Deadlines from the demo contract date (30/06/2022): access to care within 6 months.
    assert "30/12/2022" in body
    assert len(response.content) < 300_000


def test_coordinator_adds_a_commune_by_name_and_figures_change(client_for, coordinator, home_cpts):
    before = territory_summary(home_cpts).population
    response = client_for(coordinator).post(
        reverse("territory:add", args=["pays-berjalliens"]), {"communes": "cessieu"}
    )
    assert response.status_code == 302
    summary = territory_summary(home_cpts)
    cessieu = Commune.objects.get(code="38064")
    assert summary.commune_count == 23
    assert summary.population == before + cessieu.population
    change = TerritoryChange.objects.filter(cpts=home_cpts).first()
    assert change.action == "add" and change.communes[0]["code"] == "38064"
    assert change.population_before == before
    assert AuditEvent.objects.filter(action="territory.add", object_id=change.public_id).exists()


def test_adding_by_insee_code_and_htmx_returns_the_updated_panel(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("territory:add", args=["pays-berjalliens"]),
        {"communes": "38064, 38341"},
        HTTP_HX_REQUEST="true",
    )
    body = text(response)
    assert response.status_code == 200
    assert "24" in re.search(r'id="commune-count">(\d+)<', body).group(1)
    assert "<html" not in body  # a fragment, swapped into the page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("38999", "Aucune commune avec le code 38999 (code postal ou INSEE)."),
        ("99999", "désigne un pays étranger"),
        ("20004", "commencent par 2A (Corse-du-Sud) ou 2B"),
        ("38053", "Déjà dans le territoire : Bourgoin-Jallieu (38053)."),
        ("Atlantide", "Aucune commune nommée « Atlantide »."),
        ("380", "doit comporter 5 caractères"),
        ("", "Indiquez au moins une commune"),
    ],
)
def test_bad_commune_input_gets_a_clear_message_and_nothing_changes(
    client_for, coordinator, home_cpts, value, message
):
    response = client_for(coordinator).post(
        reverse("territory:add", args=["pays-berjalliens"]), {"communes": value}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert territory_summary(home_cpts).commune_count == 22
    assert (
        not TerritoryChange.objects.filter(cpts=home_cpts, action="add")
        .exclude(reason__startswith="Territoire initial")
        .exists()
    )


def test_one_bad_item_rejects_the_whole_list(client_for, coordinator, home_cpts):
    response = client_for(coordinator).post(
        reverse("territory:add", args=["pays-berjalliens"]), {"communes": "38064, 99999"}
    )
    assert response.status_code == 400
    assert territory_summary(home_cpts).commune_count == 22


def test_ambiguous_name_asks_for_the_code(client_for, coordinator):
    # Saint-Savin exists in several départements; the tests load Isère only, so add one.
    other = Commune.objects.get(code="38455")
    other.pk, other.code = None, "65396"
    other.save()
    response = client_for(coordinator).post(
        reverse("territory:add", args=["pays-berjalliens"]), {"communes": "Saint-Savin"}
    )
    assert response.status_code == 400
    assert "Plusieurs communes s'appellent « Saint-Savin » : " in text(response)
    assert "code INSEE 38455" in text(response) and "code INSEE 65396" in text(response)


def test_coordinator_removes_a_commune_and_history_keeps_it(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    response = client.post(
        reverse("territory:remove", args=["pays-berjalliens"]), {"communes": "38091"}
    )
    assert response.status_code == 302
    assert territory_summary(home_cpts).commune_count == 21
    history = client.get(reverse("territory:history", args=["pays-berjalliens"]))
    assert "Châteauvilain (38091)" in text(history)
    assert "Retrait" in text(history)


def test_removing_a_commune_not_in_the_territory_is_refused(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("territory:remove", args=["pays-berjalliens"]), {"communes": "38064"}
    )
    assert response.status_code == 400
    assert "Pas dans le territoire : Cessieu (38064)." in text(response)


def test_territory_cannot_become_empty(client_for, coordinator, home_cpts):
    codes = ", ".join(Commune.objects.filter(epci__code="243800604").values_list("code", flat=True))
    response = client_for(coordinator).post(
        reverse("territory:remove", args=["pays-berjalliens"]), {"communes": codes}
    )
    assert response.status_code == 400
    assert "ne peut pas être vide" in text(response)
    assert territory_summary(home_cpts).commune_count == 22


def test_coordinator_adds_a_whole_epci(client_for, coordinator, home_cpts):
    response = client_for(coordinator).post(
        reverse("territory:add_epci", args=["pays-berjalliens"]), {"epci": "200068567"}
    )
    assert response.status_code == 302
    assert territory_summary(home_cpts).commune_count == 22 + 36


def test_adding_an_epci_already_covered_is_refused(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("territory:add_epci", args=["pays-berjalliens"]), {"epci": "243800604"}
    )
    assert response.status_code == 400
    assert "déjà dans le territoire" in text(response)


def test_contract_date_sets_the_deadlines(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    client.post(
        reverse("territory:contract", args=["pays-berjalliens"]), {"aci_signed_on": "2025-08-31"}
    )
    home_cpts.refresh_from_db()
    assert home_cpts.aci_signed_on == datetime.date(2025, 8, 31)
    body = text(client.get(URL))
    assert "28/02/2026" in body  # 6 months later, clamped to the end of February
    bad = client.post(
        reverse("territory:contract", args=["pays-berjalliens"]), {"aci_signed_on": "31/31/2025"}
    )
    assert bad.status_code == 400
    assert "Date invalide" in text(bad)


def test_professional_sees_the_territory_but_cannot_change_it(client_for, gp, home_cpts):
    client = client_for(gp)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Ajouter des communes" not in text(page)
    response = client.post(
        reverse("territory:add", args=["pays-berjalliens"]), {"communes": "38064"}
    )
    assert response.status_code == 404
    assert territory_summary(home_cpts).commune_count == 22


def test_commune_suggestions_match_without_accents(client_for, coordinator):
    response = client_for(coordinator).get(
        reverse("territory:commune_suggestions"),
        {"field": "communes", "multiple": "1", "communes": "38053, eparr"},
    )
    assert "Les Éparres" in text(response)
