"""Territorial diagnostic: counts, densities, communes without a GP, distance to the
nearest GP, local figures and reference densities; page, CSV and API."""

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from maillage.directory.diagnostic import GP_GROUP, build_diagnostic, haversine_km
from maillage.directory.models import GP_SPECIALTIES, Professional
from maillage.territory.services import territory_summary
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
URL = reverse("directory:diagnostic", args=[HOME])


def _gps_in(codes):
    return (
        Professional.objects.filter(
            active=True,
            profession_code="10",
            specialty_code__in=GP_SPECIALTIES,
            sites__commune_code__in=codes,
        )
        .distinct()
        .count()
    )


def test_gp_count_and_density_match_the_directory(home_cpts):
    result = build_diagnostic(home_cpts)
    codes = [c.code for c in result.communes]
    gp = next(p for p in result.professions if p.group == GP_GROUP)
    assert gp.count == _gps_in(codes)
    assert result.population == territory_summary(home_cpts).population
    assert gp.density == round(gp.count * 10_000 / result.population, 2)
    assert gp.national_density == 8.5 and gp.national_source == "référence saisie"
    for commune in result.communes:
        assert commune.counts.get(GP_GROUP, 0) == _gps_in([commune.code])


def test_communes_without_gp_and_far_population(home_cpts):
    result = build_diagnostic(home_cpts, far_km=2.0)
    without = {c.code for c in result.communes_without_gp}
    assert without and all(_gps_in([code]) == 0 for code in without)
    # Communes with a GP are at distance 0; far ones are among those without.
    assert {c.code for c in result.far_communes} <= without
    assert result.far_population == sum(c.population for c in result.far_communes)
    assert build_diagnostic(home_cpts, far_km=50).far_population == 0


def test_local_figure_replaces_the_computed_count(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    response = client.post(
        reverse("directory:local_figure", args=[HOME]),
        {
            "profession_code": GP_GROUP,
            "commune": "",
            "count": "7",
            "note": "Trois départs en retraite non encore dans le RPPS",
        },
    )
    assert response.status_code == 302
    gp = next(p for p in build_diagnostic(home_cpts).professions if p.group == GP_GROUP)
    assert gp.count == 7 and gp.adjusted
    assert "chiffre local" in text(client.get(URL))


def test_local_figure_for_a_commune_outside_the_territory_is_refused(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("directory:local_figure", args=[HOME]),
        {"profession_code": GP_GROUP, "commune": "38185", "count": "1", "note": "x"},
        follow=True,
    )
    assert "n'est pas dans le territoire" in text(response)


def test_reference_density_is_used_when_no_national_import(client_for, coordinator, home_cpts):
    client_for(coordinator).post(
        reverse("directory:reference", args=[HOME]), {"profession_code": "60", "density": "17,5"}
    )
    nurses = next(p for p in build_diagnostic(home_cpts).professions if p.group == "60")
    assert nurses.national_density == 17.5


def test_page_csv_and_bad_distance(client_for, coordinator, board_member):
    client = client_for(coordinator)
    body = text(client.get(URL))
    assert "Médecin généraliste" in body and "Communes sans médecin généraliste" in body
    rows = list(
        csv.reader(
            io.StringIO(client.get(URL, {"format": "csv"}).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[1][1] == "Territoire" and len(rows) == 2 + 22
    assert client.get(URL, {"km": "loin"}).status_code == 400
    # Aggregates only: the board sees the diagnostic but cannot edit it.
    board = client_for(board_member)
    assert board.get(URL).status_code == 200
    assert (
        board.post(
            reverse("directory:reference", args=[HOME]), {"profession_code": "60", "density": "1"}
        ).status_code
        == 404
    )


def test_api_diagnostic_and_lists(client_for, coordinator):
    client = client_for(coordinator)
    data = client.get("/api/v1/diagnostic").json()
    assert data["cpts"] == HOME and len(data["communes"]) == 22
    assert any(p["group"] == GP_GROUP for p in data["professions"])
    page = client.get("/api/v1/professionals", {"q": "beatrice"}).json()
    assert page["count"] == 1
    pro = page["results"][0]
    assert pro["first_name"] == "Béatrice" and pro["profession_code"] == "10"
    assert pro["national_id"].startswith("8") and pro["sites"][0]["commune_code"] == "38053"
    structures = client.get("/api/v1/structures", {"category_code": "355"}).json()
    assert structures["count"] >= 1 and "finess" in structures["results"][0]
    assert client.get("/api/v1/professionals", {"page": "abc"}).status_code == 422


def test_outsider_api_sees_only_its_own_directory(client_for, outsider):
    data = client_for(outsider).get("/api/v1/professionals", {"q": "beatrice"}).json()
    assert data["count"] == 0


@given(st.floats(-89, 89), st.floats(-179, 179), st.floats(-89, 89), st.floats(-179, 179))
def test_haversine_is_a_distance(lat1, lon1, lat2, lon2):
    d = float(haversine_km(lat1, lon1, lat2, lon2))
    assert 0 <= d <= 20_016
    assert abs(d - float(haversine_km(lat2, lon2, lat1, lon1))) < 1e-6
    assert float(haversine_km(lat1, lon1, lat1, lon1)) < 1e-6


def test_map_and_commune_table_follow_the_chosen_profession(client_for, coordinator):
    client = client_for(coordinator)
    body = text(client.get(URL, {"profession": "60"}))
    assert "Infirmier : densité par commune" in body
    assert "Infirmier (effectif)" in body
    # An unknown profession falls back to GPs rather than failing.
    assert "Médecin généraliste : densité par commune" in text(
        client.get(URL, {"profession": "zz"})
    )
    assert "Derniers imports pour cette CPTS" in body and "RPPS" in body


def test_api_rejects_a_nonsense_distance(client_for, coordinator):
    client = client_for(coordinator)
    for value in ("nan", "-3", "inf"):
        response = client.get("/api/v1/diagnostic", {"far_km": value})
        assert response.status_code in (400, 422), value
