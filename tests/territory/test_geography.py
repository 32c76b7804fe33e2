"""Loading the real INSEE geography: names, populations, boundaries, idempotence and
all-or-nothing behaviour."""

import json

import pytest

from maillage.territory.geography import load_geography
from maillage.territory.models import Commune, Epci

pytestmark = pytest.mark.django_db


def test_communes_carry_insee_names_with_articles_and_populations():
    assert Commune.objects.get(code="38193").name == "L'Isle-d'Abeau"
    assert Commune.objects.get(code="38156").name == "Les Éparres"
    bourgoin = Commune.objects.get(code="38053")
    assert bourgoin.name == "Bourgoin-Jallieu"
    assert bourgoin.population > 25_000
    assert bourgoin.epci.code == "243800604"
    assert 45.5 < bourgoin.latitude < 45.7 and 5.2 < bourgoin.longitude < 5.4
    geometry = json.loads(bourgoin.geometry)
    assert geometry["type"] in {"Polygon", "MultiPolygon"}


def test_epci_of_the_demo_have_their_real_member_counts():
    assert Commune.objects.filter(epci__code="243800604").count() == 22
    assert Commune.objects.filter(epci__code="200068567").count() == 36
    assert "Porte de l'Isère" in Epci.objects.get(code="243800604").name


def test_loading_twice_gives_the_same_data():
    before = list(
        Commune.objects.order_by("code").values_list("code", "name", "population", "geometry")
    )
    report = load_geography(departements=["38"])
    after = list(
        Commune.objects.order_by("code").values_list("code", "name", "population", "geometry")
    )
    assert report.communes_created == 0
    assert report.communes_updated == len(before)
    assert report.communes_archived == 0
    assert before == after


def test_interrupted_load_leaves_previous_data_intact_and_can_run_again():
    Commune.objects.filter(code="38053").update(population=1)

    def interrupt(_count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_geography(departements=["38"], progress=interrupt)
    assert Commune.objects.get(code="38053").population == 1  # untouched, nothing half-written
    load_geography(departements=["38"])
    assert Commune.objects.get(code="38053").population > 25_000


def test_commune_missing_from_the_registry_is_archived_not_deleted():
    Commune.objects.create(code="38999", name="Commune fusionnée", search_name="commune fusionnee")
    report = load_geography(departements=["38"])
    # No département on the fake row: it is archived only by a full (unfiltered) load.
    assert report.communes_archived == 0
    gone = Commune.objects.get(code="38999")
    gone.departement = Commune.objects.get(code="38053").departement
    gone.save()
    report = load_geography(departements=["38"])
    assert report.communes_archived == 1
    assert Commune.objects.get(code="38999").archived_at is not None
